"""Training with fastai: DataLoaders for a canonical dataset (`emocourse.train.loaders`), CNNs from
scratch on in-memory images (chapter 2), transfer learning with block-group unfreezing and a
train-or-load cache (`emocourse.train.transfer`, chapter 3), named recipes for ``emocourse train``
(`emocourse.train.recipes`).

The names below are imported on first use, so that importing a light module of this package (the
recipes' names, for the command line) does not load torch."""

from importlib import import_module

_HOMES = {
    "dataloaders": ".loaders",
    "fit_from_scratch": ".scratch",
    "image_tensor": ".scratch",
    "predict": ".scratch",
    "split_tensors": ".scratch",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
