"""Controlled probes: change every test image in one way and measure how the predictions move.

Sreenivas & Zhao saw black-and-white images among anger errors called sadness and guessed that the
network associates monochrome with sadness; a probe turns the guess into a measurement: make every
colour image grey, and measure how much probability moves to sadness and fear, with an interval.
A probe works on the model's input pixels (after resizing, before normalising), so it runs on any
fastai image learner. Book: chapter 5, *Error analysis*.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import torch

from .agreement import mean_interval

RED = (0.85, 0.1, 0.1)


def grey(pixels: torch.Tensor) -> torch.Tensor:
    """Luminance (ITU-R 601 weights) in all three channels."""
    weights = pixels.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    return (pixels * weights).sum(1, keepdim=True).expand_as(pixels)


def red_tint(pixels: torch.Tensor, strength: float = 0.3) -> torch.Tensor:
    """Each pixel moved ``strength`` of the way towards a warm red."""
    return (1 - strength) * pixels + strength * pixels.new_tensor(RED).view(1, 3, 1, 1)


def mirror(pixels: torch.Tensor) -> torch.Tensor:
    """The mirror image (left and right swapped)."""
    return pixels.flip(-1)


PROBES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {"grey": grey, "red tint": red_tint, "mirror": mirror}


def _normalisation(learn) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean and standard deviation the learner's batches are normalised with."""
    from fastai.data.transforms import Normalize

    normalize = next((t for t in learn.dls.after_batch if isinstance(t, Normalize)), None)
    if normalize is None:
        return torch.zeros(1, 3, 1, 1), torch.ones(1, 3, 1, 1)
    return normalize.mean.view(1, -1, 1, 1).cpu(), normalize.std.view(1, -1, 1, 1).cpu()


def input_batches(learn, table: pd.DataFrame, probe: Callable | None = None, batch_size: int = 64):
    """The model's normalised input batches for the rows of ``table`` (fastai's test pipeline: the
    learner's resize and normalisation), each changed by ``probe`` in pixel space first."""
    dl = learn.dls.test_dl(table, bs=batch_size)
    mean, std = _normalisation(learn)
    for batch in dl:
        x = batch[0].cpu().float().as_subclass(torch.Tensor)  # a plain tensor, not fastai's TensorImage
        if probe is not None:
            x = (probe((x * std + mean).clamp(0, 1)) - mean) / std
        yield x


@torch.no_grad()
def probabilities(learn, table: pd.DataFrame, probe: Callable | None = None) -> np.ndarray:
    """Class probabilities of the rows of ``table``, each image changed by ``probe`` (``None``: as it is)."""
    model = learn.model.eval()
    batches = input_batches(learn, table, probe)
    return torch.cat([model(x.contiguous(memory_format=torch.channels_last)).softmax(1) for x in batches]).numpy()


@torch.no_grad()
def colourful(learn, table: pd.DataFrame, threshold: float = 0.02) -> np.ndarray:
    """For each row: does the image have colour? (Its channels differ by more than ``threshold`` on average.)"""
    mean, std = _normalisation(learn)
    spread = [((x * std + mean).amax(1) - (x * std + mean).amin(1)).mean((1, 2)) for x in input_batches(learn, table)]
    return (torch.cat(spread) > threshold).numpy()


def shift(before: np.ndarray, after: np.ndarray, classes: list[str], towards: list[str], seed: int = 0) -> pd.Series:
    """How much probability moved to the ``towards`` classes (summed), per image: the mean, its 95 %
    bootstrap interval, and the share of images whose predicted class changed."""
    missing = [c for c in towards if c not in classes]
    if missing:
        raise ValueError(f"towards={missing}: not classes of this model ({', '.join(classes)})")
    columns = [classes.index(c) for c in towards]
    moved = after[:, columns].sum(1) - before[:, columns].sum(1)
    mean, low, high = mean_interval(moved, seed)
    return pd.Series(
        {
            "images": len(moved),
            "shift": mean,
            "low": low,
            "high": high,
            "predictions changed": float((before.argmax(1) != after.argmax(1)).mean()),
        }
    )


def classes_for(classes: list[str], emotions) -> list[str]:
    """This dataset's names for ``emotions`` (concepts such as "sadness"; FER2013 says "sad"), in the
    dataset's order; classes that are no emotion the book knows are left out."""
    from ..taxonomy import concept, valence_or_none

    return [c for c in classes if valence_or_none(c) is not None and concept(c) in emotions]


def probe_table(
    learn, table: pd.DataFrame, before: np.ndarray, classes: list[str], targets: dict[str, list[str]], seed: int = 0
) -> pd.DataFrame:
    """Chapter 5, §3: one row per probe of :data:`PROBES` named in ``targets`` (probe → the emotions it
    should move probability to): :func:`shift` from ``before`` (the rows' probabilities as they are) to
    the probabilities of the probed images. A probe whose emotions this dataset lacks is left out; an
    empty table when no row is given."""
    rows = {}
    for name, emotions in targets.items():
        towards = classes_for(classes, emotions)
        if towards and len(table):
            after = probabilities(learn, table, PROBES[name])
            rows[f"{name} → {' + '.join(towards)}"] = shift(before, after, classes, towards, seed)
    columns = ["images", "shift", "low", "high", "predictions changed"]
    return pd.DataFrame(rows, index=columns).T if rows else pd.DataFrame(columns=columns)
