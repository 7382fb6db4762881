"""Which labels are wrong? Out-of-fold probabilities on cached features, then cleanlab's confident learning.

A model cannot judge the labels it was trained on, so every image gets its probabilities from a
model that never saw it (``cross_val_predict``); cleanlab (Northcutt et al. 2021) then flags the
images whose given label the probabilities contradict, more than the estimated noise between each
pair of classes allows. Book: chapter 5, *Error analysis*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .confidence import check_probabilities


def out_of_fold_probabilities(
    x: np.ndarray, y: np.ndarray, folds: int = 5, components: int | None = 128, seed: int = 0
) -> np.ndarray:
    """Each row's class probabilities from a logistic regression trained on the other folds (features
    standardised, then reduced to ``components`` principal components, which halves the time on 1,280
    features; stratified folds, as many as the rarest class allows, at least 2)."""
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rarest = np.bincount(y).min(initial=len(y)) if len(y) else 0
    if rarest < 2:
        raise ValueError(f"a class has {rarest} image(s): out-of-fold probabilities need at least two per class")
    n_splits = int(min(folds, rarest))
    fitted_rows = len(y) - -(-len(y) // n_splits)  # the fewest rows a fold trains on
    reduce = [PCA(min(components, fitted_rows, x.shape[1]), random_state=seed)] if components else []
    model = make_pipeline(StandardScaler(), *reduce, LogisticRegression(C=0.05, max_iter=300))
    splits = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return cross_val_predict(model, x, y, cv=splits, method="predict_proba")


def label_issues(y: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Indices of the rows whose label looks wrong, most suspicious first (cleanlab's
    ``find_label_issues``, pruned by the estimated noise rates, ranked by self-confidence)."""
    from cleanlab.filter import find_label_issues

    p = check_probabilities(probabilities, "out-of-fold probabilities")
    y = np.asarray(y)
    if len(y) != len(p):
        raise ValueError(f"{len(y)} labels but {len(p)} rows of probabilities")
    if y.min(initial=0) < 0 or y.max(initial=0) >= p.shape[1]:
        raise ValueError(f"labels must be class indices 0–{p.shape[1] - 1}; got {y.min()}–{y.max()}")
    return find_label_issues(y, p, return_indices_ranked_by="self_confidence")


def least_confident(y: np.ndarray, probabilities: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` rows whose own label gets the lowest probability: the simple baseline to beat."""
    p = check_probabilities(probabilities)
    return np.argsort(p[np.arange(len(y)), y], kind="stable")[:n]


def flag_quality(flagged: np.ndarray, wrong: np.ndarray) -> pd.Series:
    """How well a flagged set finds the rows that are truly ``wrong`` (a boolean mask): the number
    flagged, precision, recall, and the precision of flagging that many rows at random."""
    wrong = np.asarray(wrong, dtype=bool)
    hits = int(wrong[flagged].sum())
    return pd.Series(
        {
            "flagged": len(flagged),
            "truly wrong": hits,
            "precision": hits / len(flagged) if len(flagged) else np.nan,
            "recall": hits / wrong.sum() if wrong.any() else np.nan,
            "precision at random": wrong.mean(),
        }
    )


def retrain_without(
    x: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    flagged: np.ndarray,
    n_classes: int,
    seeds=(0, 1, 2),
    true_y: np.ndarray | None = None,
) -> pd.DataFrame:
    """Chapter 5, §5: does removing the ``flagged`` rows from training help? A linear head
    (chapter 4's ``fit_head``) on the features ``x``, trained on the ``train`` rows with and without
    the flagged ones, once per seed; the mean test accuracy against the given labels ``y`` and, when
    ``true_y`` is given (the stand-in's drawn emotions), against those. One row per training set."""
    from ..train.imbalance import fit_head, logits_of

    cleaned = train.copy()
    cleaned[flagged] = False
    rows = []
    for name, keep in [("all training labels", train), ("flagged ones removed", cleaned)]:
        for seed in seeds:
            guess = logits_of(fit_head(x[keep], y[keep], n_classes, seed=seed), x[test]).argmax(1)
            row = {
                "training": name,
                "images": int(keep.sum()),
                "test accuracy (given labels)": (guess == y[test]).mean(),
            }
            if true_y is not None:
                row["test accuracy (true emotions)"] = (guess == true_y[test]).mean()
            rows.append(row)
    return pd.DataFrame(rows).groupby("training", sort=False).mean()
