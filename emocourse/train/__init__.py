"""Training with fastai: CNNs from scratch on in-memory images (chapter 2)."""

from .scratch import fit_from_scratch, image_tensor, predict

__all__ = ["fit_from_scratch", "image_tensor", "predict"]
