"""Metrics, per-class tables and published numbers to compare with. Book: chapters 2 onwards."""

from .literature import PUBLISHED, beside_published
from .metrics import per_class_tpr, top_confusions
from .results import Results

__all__ = ["PUBLISHED", "Results", "beside_published", "per_class_tpr", "top_confusions"]
