"""Image features for the baselines: hand-crafted art-theory features (Machajdik & Hanbury 2010)."""
