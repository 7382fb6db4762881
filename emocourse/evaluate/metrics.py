"""Per-class rates and the most frequent confusions."""

from __future__ import annotations

import numpy as np
import pandas as pd


def per_class_tpr(y_true, y_pred, classes: list[str]) -> pd.Series:
    """True-positive rate (recall) of each class, in class order: the share of its test images
    predicted as that class, as in You et al.'s per-emotion figures. NaN for a class with no test images."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rates = [(y_pred[y_true == i] == i).mean() if (y_true == i).any() else np.nan for i in range(len(classes))]
    return pd.Series(rates, index=classes, name="true-positive rate")


def top_confusions(y_true, y_pred, classes: list[str], n: int | None = None) -> list[tuple[str, str, int]]:
    """``(true class, predicted class, count)`` for every wrong pair, most frequent first (``n`` of them)."""
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(y_true, y_pred, labels=range(len(classes)))
    cells = [
        (classes[i], classes[j], int(cm[i, j]))
        for i in range(len(classes))
        for j in range(len(classes))
        if i != j and cm[i, j]
    ]
    return sorted(cells, key=lambda c: -c[2])[:n]
