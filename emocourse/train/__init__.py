"""Training with fastai: DataLoaders for a canonical dataset (`emocourse.train.loaders`), CNNs from
scratch on in-memory images (chapter 2), transfer learning with block-group unfreezing and a
train-or-load cache (`emocourse.train.transfer`, chapter 3)."""

from .loaders import dataloaders
from .scratch import fit_from_scratch, image_tensor, predict, split_tensors

__all__ = ["dataloaders", "fit_from_scratch", "image_tensor", "predict", "split_tensors"]
