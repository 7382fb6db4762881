"""Backbones for the book: the bundled offline EfficientNet-Lite0 or any timm model."""

from .backbones import (
    DEFAULT_BACKBONE,
    BackboneUnavailable,
    check_name,
    create_backbone,
    eval_transform,
    extract_features,
    fastai_learner,
    imagenet_top_k,
)
from .bundled import BundledWeightsError

__all__ = [
    "DEFAULT_BACKBONE",
    "BackboneUnavailable",
    "BundledWeightsError",
    "check_name",
    "create_backbone",
    "eval_transform",
    "extract_features",
    "fastai_learner",
    "imagenet_top_k",
]
