"""The baseline ladder of chapter 2: guessers and linear models on image features.

Every rung is a scikit-learn estimator fitted on the ``train`` split and scored on ``test``,
the protocol of You et al. (2016) for hand-crafted and ImageNet-CNN features. Features come
from :mod:`emocourse.features.cache`. Book: chapter 2, *Baselines*.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from .data.table import Dataset, split_mask, targets

__all__ = ["Score", "fit_and_test", "guesser", "linear_model", "split_mask", "targets"]


def guesser(strategy: str, seed: int = 0):
    """A classifier that ignores the image: ``most_frequent`` (the majority class) or
    ``stratified`` (a random class drawn with the training shares)."""
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy=strategy, random_state=seed)


class CappedPCA(PCA):
    """PCA onto at most ``n_components`` dimensions: as many as the data has, when it has fewer
    (a small dataset of your own has fewer training images than the 256 components chapter 2 asks for)."""

    def _cap(self, X):
        self.n_components = min(self.n_components, *np.shape(X))

    def fit(self, X, y=None):
        self._cap(X)
        return super().fit(X, y)

    def fit_transform(self, X, y=None):
        self._cap(X)
        return super().fit_transform(X, y)


def linear_model(
    kind: str = "logistic", C: float = 1.0, class_weight: str | None = None, pca: int | None = None, seed: int = 0
):
    """Standardise, optionally project onto ``pca`` principal components (fewer when there are fewer
    training images or features), then a linear classifier:
    ``logistic`` regression or a linear ``svm``. ``class_weight="balanced"`` weighs each class by
    the inverse of its frequency, as You et al. did for their SVMs."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    if kind == "logistic":
        head = LogisticRegression(C=C, class_weight=class_weight, max_iter=3000)
    elif kind == "svm":
        head = LinearSVC(C=C, class_weight=class_weight, max_iter=20000, random_state=seed)
    else:
        raise ValueError(f"kind={kind!r}: must be 'logistic' or 'svm'")
    steps = [StandardScaler()] + ([CappedPCA(pca, random_state=seed)] if pca else []) + [head]
    return make_pipeline(*steps)


@dataclass
class Score:
    """A fitted baseline: its test accuracy, its test predictions and the seconds fitting took."""

    name: str
    accuracy: float
    predicted: np.ndarray
    seconds: float


def fit_and_test(name: str, model, x: np.ndarray, dataset: Dataset) -> Score:
    """Fit ``model`` on the train rows of ``x`` (one row per table row) and score it on the test rows."""
    if len(x) != len(dataset.table):
        raise ValueError(f"{name}: {len(x)} feature rows for {len(dataset.table)} images in {dataset.root}")
    y, train, test = targets(dataset), split_mask(dataset, "train"), split_mask(dataset, "test")
    start = time.perf_counter()
    model.fit(x[train], y[train])
    seconds = time.perf_counter() - start
    predicted = model.predict(x[test])
    return Score(name, float((predicted == y[test]).mean()), predicted, seconds)
