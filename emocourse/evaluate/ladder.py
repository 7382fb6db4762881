"""Bookkeeping for the baseline ladder of chapter 2: shares, subsets and tables around the fits.

The fits themselves stand in the chapter (scikit-learn pipelines, :func:`emocourse.train.fit_from_scratch`);
these helpers only count, pick rows and lay out tables. Book: chapter 2, *Baselines*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def class_shares(y: np.ndarray, classes: list[str]) -> pd.Series:
    """Chapter 2, §Where the errors go: the share of each class among the labels ``y`` (class
    indices), indexed by class name, 0 for a class that does not occur."""
    counts = np.bincount(np.asarray(y), minlength=len(classes))[: len(classes)]
    return pd.Series(counts / max(counts.sum(), 1), index=list(classes), name="share of training images")


def a_tenth(train: np.ndarray, n_classes: int, seed: int = 0) -> np.ndarray:
    """Chapter 2, §Rung 3: sorted table rows of a random tenth of the training rows (``train`` is a
    boolean mask), but at least two per class's worth on a tiny dataset (all rows if fewer)."""
    rows = np.flatnonzero(train)
    size = max(len(rows) // 10, min(len(rows), 2 * n_classes))
    return np.sort(np.random.default_rng(seed).choice(rows, size=size, replace=False))


def tensor_rows(tensors: tuple, split: np.ndarray, rows: np.ndarray) -> tuple:
    """Chapter 2, §Rung 3: the ``(images, class indices)`` of table ``rows`` out of one split's
    tensors (as :func:`emocourse.train.split_tensors` builds them, in table order); ``split`` is
    that split's boolean mask, and every row must lie in it."""
    in_split = np.flatnonzero(split)
    position = np.searchsorted(in_split, rows)
    if not np.array_equal(in_split[np.minimum(position, len(in_split) - 1)], rows):
        raise ValueError("some rows are not in the split")
    return tensors[0][position], tensors[1][position]


def test_accuracy(model, test: tuple) -> float:
    """Chapter 2, §Rung 3: the share of the ``(images, class indices)`` in ``test`` that ``model``
    (a torch classifier) gets right."""
    from ..train import predict

    return float((predict(model, test[0]) == np.asarray(test[1])).mean())


test_accuracy.__test__ = False  # not a pytest test
