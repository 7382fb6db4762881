"""CNNs trained from scratch on images decoded once into memory. Book: chapter 2, *Baselines*.

Small datasets (FER2013's 48 × 48 faces, FI at 32 × 32 px) fit in memory: decoding every
image once into a tensor and training from it skips the JPEG/PNG decoding and per-item
transforms that otherwise cost a third of each epoch on a CPU. Training itself is fastai's
one-cycle schedule on a plain :class:`~fastai.basics.Learner`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..data.table import Dataset, DatasetError
from .acceleration import accelerate

#: Pixels in 0..1 are shifted and scaled to about -2..2, as the networks expect.
MEAN, STD = 0.5, 0.25


def pixels(
    dataset: Dataset, rows: pd.DataFrame | None = None, size: int | None = None, mode: str = "RGB"
) -> torch.Tensor:
    """Images of ``rows`` (default: all) as one uint8 tensor ``(N, C, size, size)``, decoded once.

    ``mode`` is a PIL mode: ``"RGB"`` (3 channels) or ``"L"`` (grey, 1 channel). Images are
    centre-cropped to a square and resized to ``size`` pixels (default: their own size). An image
    that cannot be read stops with an error naming its file.
    """
    from PIL import Image

    def read(path):
        try:
            with Image.open(path) as image:
                return square(image, size, mode)
        except (OSError, ValueError) as err:
            raise DatasetError(f"{path}: cannot read this image ({err})") from None

    stacked = torch.from_numpy(np.stack([read(p) for p in dataset.paths(rows)]))
    return stacked[:, None] if mode == "L" else stacked.permute(0, 3, 1, 2).contiguous()


def square(image, size: int | None, mode: str) -> np.ndarray:
    """A PIL image in ``mode``, centre-cropped to a square and resized to ``size`` pixels (default:
    unchanged), as a uint8 array."""
    from PIL import Image, ImageOps

    image = image.convert(mode)
    return np.asarray(ImageOps.fit(image, (size, size), Image.Resampling.BILINEAR) if size else image)


def standardize(images: torch.Tensor) -> torch.Tensor:
    """Pixels in 0..255 (uint8 or float) shifted and scaled to about -2..2, as the networks expect."""
    return images.float().div(255).sub(MEAN).div(STD)


def image_tensor(
    dataset: Dataset, rows: pd.DataFrame | None = None, size: int | None = None, mode: str = "RGB"
) -> torch.Tensor:
    """:func:`pixels` of ``rows`` as one normalised float tensor ``(N, C, size, size)``."""
    return standardize(pixels(dataset, rows, size, mode))


def split_tensors(
    dataset: Dataset, size: int | None = None, mode: str = "RGB"
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """``{split: (images, class indices)}`` for every split, images as in :func:`image_tensor`,
    class indices in the dataset's class order."""
    tensors = {}
    for split in dataset.table["split"].unique():
        rows = dataset.table[dataset.table["split"] == split]
        labels = torch.tensor(rows["label"].map(dataset.classes.index).to_numpy())
        tensors[split] = image_tensor(dataset, rows, size, mode), labels
    return tensors


def tensor_learner(
    architecture: Callable[[], nn.Module],
    train: tuple[torch.Tensor, torch.Tensor],
    valid: tuple[torch.Tensor, torch.Tensor],
    batch_size: int = 64,
    wd: float = 1e-2,
    seed: int = 0,
    loss_func=None,
    metrics=None,
):
    """A fastai Learner for ``architecture()`` (random weights) on in-memory ``(inputs, class indices)``.

    The seed fixes the initial weights, the shuffling and dropout (python, numpy and torch), so
    the same call followed by the same training gives the same model. ``loss_func`` defaults to
    cross-entropy, ``metrics`` to accuracy.
    """
    import fastai.callback.schedule  # noqa: F401  (adds Learner.fit_one_cycle and Learner.lr_find)
    from fastai.basics import CrossEntropyLossFlat, DataLoader, DataLoaders, Learner, accuracy, set_seed
    from torch.utils.data import TensorDataset

    set_seed(seed, reproducible=True)
    model = architecture()
    loaders = DataLoaders(
        DataLoader(
            TensorDataset(*train), bs=batch_size, shuffle=True, drop_last=len(train[0]) > batch_size, num_workers=0
        ),
        DataLoader(TensorDataset(*valid), bs=256, num_workers=0),
    )
    return accelerate(
        Learner(loaders, model, loss_func=loss_func or CrossEntropyLossFlat(), metrics=metrics or accuracy, wd=wd)
    )


def fit_one_cycle(learn, epochs: int, lr, progress: bool = True):
    """``learn.fit_one_cycle(epochs, lr)``, silent unless ``progress``; returns ``learn``."""
    from fastai.callback.progress import ProgressCallback

    if progress:
        learn.fit_one_cycle(epochs, lr)
    else:
        with learn.removed_cbs(ProgressCallback), learn.no_logging():
            learn.fit_one_cycle(epochs, lr)
    return learn


def fit_from_scratch(
    architecture: Callable[[], nn.Module],
    train: tuple[torch.Tensor, torch.Tensor],
    valid: tuple[torch.Tensor, torch.Tensor],
    epochs: int,
    lr: float = 4e-3,
    batch_size: int = 64,
    wd: float = 1e-2,
    seed: int = 0,
    progress: bool = True,
):
    """Build ``architecture()`` with random weights and train it with one cycle; returns the Learner.

    ``train`` and ``valid`` are ``(images, class indices)``; the Learner's recorder holds the loss
    and validation accuracy of every epoch. Seeded as :func:`tensor_learner`: the same call gives
    the same model.
    """
    return fit_one_cycle(tensor_learner(architecture, train, valid, batch_size, wd, seed), epochs, lr, progress)


@torch.inference_mode()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 256) -> np.ndarray:
    """Predicted class index of every image (model in eval mode)."""
    model.eval()
    return np.concatenate(
        [model(images[i : i + batch_size]).argmax(1).numpy() for i in range(0, len(images), batch_size)]
    )
