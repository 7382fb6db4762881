"""Image features for the baselines and for transfer learning: hand-crafted art-theory features
(Machajdik & Hanbury 2010) and frozen-backbone features, cached on disk per dataset, extractor and size."""
