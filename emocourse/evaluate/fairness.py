"""Whom a model fails: the groups an audit compares and the metrics it compares them by, for fairlearn's
``MetricFrame``, and the pieces its post-processing needs. Book: chapter 7, *Should we?*
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator

from .metrics import per_class_tpr

#: The column the audit stand-in keeps its groups in (chapter 7's ``GROUP_COLUMN`` default).
GROUP_COLUMN = "subgroup"
QUARTILES = ("1 (darkest)", "2", "3", "4 (brightest)")


def brightness(faces: torch.Tensor) -> np.ndarray:
    """Each face's mean grey level (uint8 faces, ``(N, 1, H, W)``)."""
    return faces.float().mean(dim=(1, 2, 3)).numpy()


def brightness_quartiles(faces: torch.Tensor, reference: torch.Tensor | None = None) -> np.ndarray:
    """Each face's quartile of mean brightness, the quartiles cut on ``reference`` (default: ``faces``): an
    attribute every photo has, for an audit of data without a group column (underexposed faces are a
    known failure)."""
    edges = np.quantile(brightness(faces if reference is None else reference), [0.25, 0.5, 0.75])
    return np.array(QUARTILES, dtype=object)[np.searchsorted(edges, brightness(faces), side="right")]


def groups_by_split(dataset, tensors: dict, column: str = GROUP_COLUMN) -> tuple[dict[str, np.ndarray], str]:
    """Each split's groups (``tensors``: :func:`~emocourse.train.faces.face_pixels` of ``dataset``) and the
    attribute's name: the table's ``column`` when every row has one, else each face's brightness
    quartile, cut on the training faces."""
    table = dataset.table
    if column in table and table[column].notna().all():
        split_of = table["split"]
        return {s: table.loc[split_of == s, column].astype(str).to_numpy() for s in tensors}, column
    reference = tensors["train"][0]
    return {s: brightness_quartiles(faces, reference) for s, (faces, _) in tensors.items()}, "brightness quartile"


def _selection(y_true, y_pred, k: int) -> float:
    return float((np.asarray(y_pred) == k).mean())


def recalls(classes: list[str]) -> dict:
    """``MetricFrame`` metrics: the recall of each class (the share of its faces the model finds)."""
    return {f"recall {c}": partial(_recall, k=k, classes=classes) for k, c in enumerate(classes)}


def _recall(y_true, y_pred, k: int, classes: list[str]) -> float:
    return float(per_class_tpr(y_true, y_pred, classes).iloc[k])


def selection_rates(classes: list[str]) -> dict:
    """``MetricFrame`` metrics: how often the model answers each class (fairlearn's selection rate, per class)."""
    return {f"says {c}": partial(_selection, k=k) for k, c in enumerate(classes)}


class GivenScores(BaseEstimator):
    """A scikit-learn estimator whose prediction is its input's first column: hands a trained network's
    scores to fairlearn's ``ThresholdOptimizer(prefit=True)``, which needs an estimator to call."""

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.asarray(X, dtype=np.float64)[:, 0]

    def __sklearn_is_fitted__(self):
        return True


def group_rates(y_true, y_pred, groups) -> pd.DataFrame:
    """For a yes/no decision: each group's true-positive rate (TPR: the share of its yes faces the decision
    finds), false-positive rate (FPR: the share of its no faces it calls yes) and number of faces."""
    frame = pd.DataFrame({"y": np.asarray(y_true, bool), "p": np.asarray(y_pred, bool), "group": groups})
    return frame.groupby("group").apply(
        lambda g: pd.Series({"TPR": g.p[g.y].mean(), "FPR": g.p[~g.y].mean(), "faces": len(g)}),
        include_groups=False,
    )


def accuracy_by_group(y_true, y_pred, groups) -> pd.Series:
    """Each group's accuracy: fairlearn's ``MetricFrame(metrics=accuracy_score, ...).by_group``."""
    from fairlearn.metrics import MetricFrame
    from sklearn.metrics import accuracy_score

    return MetricFrame(metrics=accuracy_score, y_true=y_true, y_pred=y_pred, sensitive_features=groups).by_group


def gap_table(predictions: dict, y_true, groups) -> pd.DataFrame:
    """One row per run (``predictions``: ``(training, seed)`` -> predicted classes): each group's accuracy,
    the overall accuracy, and the gap between the best and the worst group."""
    rows = []
    for (training, seed), predicted in predictions.items():
        by_group = accuracy_by_group(y_true, predicted, groups)
        overall = float((np.asarray(predicted) == np.asarray(y_true)).mean())
        gap = by_group.max() - by_group.min()
        rows.append({"training": training, "seed": seed, **by_group, "overall": overall, "gap": gap})
    return pd.DataFrame(rows)


def lacks_both_outcomes(decision, groups) -> str | None:
    """Why group-specific thresholds cannot be fitted to a yes/no ``decision`` (a group without a yes or
    without a no: ``ThresholdOptimizer`` needs both in every group), or ``None`` when they can."""
    frame = pd.DataFrame({"yes": np.asarray(decision, bool), "group": np.asarray(groups)})
    for group, rows in frame.groupby("group"):
        if rows["yes"].all() or not rows["yes"].any():
            return (
                f"group {group} has {'no' if not rows['yes'].any() else 'only'} faces of the class in its valid split"
            )
    return None
