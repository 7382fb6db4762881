"""The faces recipe: a CNN trained from scratch on 48 × 48 grey faces, done well (Amin et al.'s batch
norm and dropout, fastai's one-cycle schedule, flips and small shifts, rotations and zooms, label
smoothing, flip test-time augmentation). The faces are decoded once into a uint8 tensor; every epoch
trains from memory. With raters' votes (FER+), a network can also learn the vote distribution
instead of one label (Barsoum et al. 2016): :func:`soft_cross_entropy`, or a label drawn from the
votes afresh at every step, :func:`drawn_label_cross_entropy`. Book: chapter 6, *Faces*;
``emocourse train --recipe faces``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from .. import taxonomy
from ..data.table import Dataset
from ..models.small_cnn import compact_cnn
from .scratch import fit_one_cycle, pixels, standardize, tensor_learner

FACE_SIZE = 48


@dataclass(frozen=True)
class FacesConfig:
    """Everything that decides a faces model."""

    widths: tuple[int, ...] = (16, 32, 64, 128)
    dropout: float = 0.2
    epochs: int = 10
    lr: float = 4e-3
    batch_size: int = 128
    wd: float = 1e-2
    label_smoothing: float = 0.1
    max_rotate: float = 10.0  # degrees
    max_shift: float = 0.08  # of the side
    max_zoom: float = 0.1
    max_lighting: float = 0.0  # brightness and contrast change, as a share (0: colours untouched)
    erase: float = 0.0  # share of faces with a random rectangle blanked out (random erasing)
    tta_shift: int = 0  # pixels: test-time augmentation adds faces shifted by this much (0: flip only)
    seed: int = 0


#: ``fast`` trains FER2013's 28,709 faces on a 2-core CPU in under ten minutes (benchmarks/faces_recipe.py):
#: narrow early blocks, where a 48-pixel face costs most, and more epochs rather than a wider network.
#: ``full`` is a VGG-like network for a GPU, trained longer.
PROFILES = {
    "fast": FacesConfig(widths=(8, 16, 48, 96), epochs=15, batch_size=64, lr=8e-3, erase=0.5, tta_shift=2),
    "full": FacesConfig(widths=(64, 128, 256, 512), dropout=0.3, epochs=60, lr=3e-3, erase=0.5, tta_shift=2),
}


class Standardize(nn.Module):
    """The network's first layer: uint8 (or float 0..255) pixels to about -2..2."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return standardize(images)


def faces_network(n_classes: int, config: FacesConfig) -> nn.Sequential:
    """:class:`Standardize` followed by the compact CNN of ``config``'s widths, for grey faces."""
    return nn.Sequential(Standardize(), compact_cnn(n_classes, 1, config.widths, config.dropout))


def augment(images: torch.Tensor, config: FacesConfig) -> torch.Tensor:
    """Each face flipped at random, shifted, rotated and zoomed a little (one affine warp, on the
    batch); with ``config.max_lighting``, also made brighter or darker and more or less contrasted."""
    images = images.float()
    n = len(images)

    def uniform(limit: float) -> torch.Tensor:
        return (torch.rand(n) * 2 - 1) * limit

    angle, scale = uniform(math.radians(config.max_rotate)), 1 + uniform(config.max_zoom)
    flip = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    shift = uniform(2 * config.max_shift), uniform(2 * config.max_shift)  # grid units span 2
    theta = torch.stack([torch.stack([cos * flip, -sin, shift[0]], 1), torch.stack([sin * flip, cos, shift[1]], 1)], 1)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    images = F.grid_sample(images, grid, padding_mode="border", align_corners=False)
    if config.max_lighting:
        contrast, brightness = 1 + uniform(config.max_lighting), uniform(config.max_lighting) * 128
        images = ((images - 128) * contrast[:, None, None, None] + 128 + brightness[:, None, None, None]).clamp(0, 255)
    if config.erase:
        images = erase_patches(images, config.erase)
    return images


def erase_patches(images: torch.Tensor, share: float, area=(0.02, 0.2), ratio=(0.3, 3.3)) -> torch.Tensor:
    """Random erasing (Zhong et al. 2020) on a batch: in ``share`` of the faces, a rectangle of ``area``
    of the face and aspect ratio ``ratio`` set to mid-grey, each face its own. (torchvision's
    ``RandomErasing`` draws one rectangle a call: looping over a batch cost seconds an epoch.)"""
    n, _, height, width = images.shape
    size = torch.empty(n).uniform_(*area) * height * width
    aspect = torch.empty(n).uniform_(math.log(ratio[0]), math.log(ratio[1])).exp()
    h = (size * aspect).sqrt().clamp(max=height)
    w = (size / aspect).sqrt().clamp(max=width)
    top, left = torch.rand(n) * (height - h), torch.rand(n) * (width - w)
    rows, cols = torch.arange(height)[None, :, None], torch.arange(width)[None, None, :]
    inside = (rows >= top[:, None, None]) & (rows < (top + h)[:, None, None])
    inside = inside & (cols >= left[:, None, None]) & (cols < (left + w)[:, None, None])
    chosen = (torch.rand(n) < share)[:, None, None]
    return images.masked_fill((inside & chosen)[:, None], 128.0)


def _augmentation(config: FacesConfig):
    from fastai.callback.core import Callback

    class AugmentFaces(Callback):
        def before_batch(self):
            if self.training:
                self.learn.xb = (augment(self.xb[0], config),)

    return AugmentFaces()


def face_pixels(dataset: Dataset) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """``{split: (uint8 faces (N, 1, 48, 48), class indices)}``, decoded once."""
    tensors = {}
    for split in dataset.table["split"].unique():
        rows = dataset.table[dataset.table["split"] == split]
        labels = torch.tensor(rows["label"].map(dataset.classes.index).to_numpy())
        tensors[split] = pixels(dataset, rows, FACE_SIZE, "L"), labels
    return tensors


def vote_shares(dataset: Dataset, rows: pd.DataFrame | None = None) -> np.ndarray | None:
    """Each row's votes as shares over ``dataset.classes`` (``(N, classes)``, rows summing to 1), or
    ``None`` when the dataset has no votes for its classes. Vote columns map to classes by emotion
    (FER+'s ``votes_happiness`` counts for FER2013's ``happy``); votes for emotions outside the class
    list (contempt, unknown, not a face) are left out, and a row left with no votes counts as one
    vote for its label."""
    rows = dataset.table if rows is None else rows
    named = {column.removeprefix("votes_"): column for column in dataset.vote_columns}
    matched = taxonomy.match_classes(dataset.classes, list(named))
    columns = {named[name]: dataset.classes.index(label) for name, label in matched.items()}
    if not columns:
        return None
    counts = np.zeros((len(rows), len(dataset.classes)))
    for column, k in columns.items():
        counts[:, k] += rows[column].to_numpy(float)
    empty = counts.sum(1) == 0
    counts[empty, rows["label"].map(dataset.classes.index).to_numpy()[empty]] = 1
    return counts / counts.sum(1, keepdims=True)


def soft_cross_entropy(logits: torch.Tensor, shares: torch.Tensor) -> torch.Tensor:
    """Cross-entropy to the vote distribution (Barsoum et al.'s "CEL")."""
    return -(shares * logits.log_softmax(1)).sum(1).mean()


def drawn_label_cross_entropy(logits: torch.Tensor, shares: torch.Tensor) -> torch.Tensor:
    """Cross-entropy to one label per face drawn from its votes afresh at every step (Barsoum et
    al.'s probabilistic label drawing, "PLD")."""
    return F.cross_entropy(logits, torch.multinomial(shares, 1).squeeze(1))


def majority_accuracy(logits: torch.Tensor, shares: torch.Tensor) -> torch.Tensor:
    """Accuracy against the class with the most votes."""
    return (logits.argmax(1) == shares.argmax(1)).float().mean()


def train_faces(
    tensors: dict[str, tuple[torch.Tensor, torch.Tensor]],
    n_classes: int,
    config: FacesConfig,
    progress: bool = True,
    loss_func=None,
):
    """A fastai Learner for ``config``'s network trained on the ``train`` faces of ``tensors`` (from
    :func:`face_pixels`), validated on ``valid``, or on ``test`` when there is no validation split.

    Targets are class indices, trained with label smoothing; or vote shares (``(N, classes)``, from
    :func:`vote_shares`) with ``loss_func`` :func:`soft_cross_entropy` or
    :func:`drawn_label_cross_entropy`, measured against the majority."""
    from fastai.callback.channelslast import ChannelsLast
    from fastai.losses import LabelSmoothingCrossEntropyFlat

    valid = tensors.get("valid", tensors.get("test"))
    soft = tensors["train"][1].ndim == 2
    learn = tensor_learner(
        partial(faces_network, n_classes, config),
        tensors["train"],
        valid,
        batch_size=config.batch_size,
        wd=config.wd,
        seed=config.seed,
        loss_func=loss_func or LabelSmoothingCrossEntropyFlat(eps=config.label_smoothing),
        metrics=majority_accuracy if soft else None,
    )
    learn.add_cbs([_augmentation(config), ChannelsLast()])  # channels-last: 1.5x faster on a CPU
    return fit_one_cycle(learn, config.epochs, config.lr, progress)


def shifted(faces: torch.Tensor, pixels: int) -> list[torch.Tensor]:
    """``faces`` moved ``pixels`` left, right, up and down, the edge repeated into the gap."""
    p = pixels
    padded = F.pad(faces.float(), (p, p, p, p), mode="replicate")
    side_h, side_w = faces.shape[-2:]
    corners = ((p, 0), (p, 2 * p), (0, p), (2 * p, p))  # (top, left) of each window
    return [padded[..., top : top + side_h, left : left + side_w] for top, left in corners]


class WithTestTimeViews(nn.Module):
    """A faces network fed 0–255 pixels that answers probabilities averaged over each face and its
    mirror image, and with ``shift`` over both moved that many pixels in four directions (as
    :func:`face_probabilities` does): the network ``emocourse export`` writes."""

    def __init__(self, model: nn.Module, shift: int = 0):
        super().__init__()
        self.model, self.shift = model, shift

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        views = [pixels, *(shifted(pixels, self.shift) if self.shift else [])]
        views += [view.flip(-1) for view in views]
        return sum(self.model(view).softmax(1) for view in views) / len(views)


@torch.inference_mode()
def face_probabilities(model: nn.Module, faces: torch.Tensor, shift: int = 0, batch_size: int = 512) -> torch.Tensor:
    """Class probabilities of uint8 faces, averaged over each face and its mirror image (test-time
    augmentation); with ``shift``, also over both shifted by that many pixels in four directions."""
    with_views = WithTestTimeViews(model, shift).eval()
    return torch.cat([with_views(faces[i : i + batch_size]) for i in range(0, len(faces), batch_size)])
