"""Are the model's errors the raters' doubts? Accuracy by rater agreement, with bootstrap intervals.

Book: chapter 5, *Error analysis*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import bootstrap

from ..data.table import Dataset
from ..taxonomy import concept


def _emotion(label: str) -> str:
    """The concept behind a label or vote column ("angry" → "anger"); other names stay as they are."""
    try:
        return concept(label)
    except KeyError:
        return label


def mean_interval(values, seed: int = 0, level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of ``values`` and its bootstrap percentile interval (SciPy)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or np.all(values == values[0]):
        return float(values.mean()), float(values.mean()), float(values.mean())
    result = bootstrap(
        (values,),
        np.mean,
        confidence_level=level,
        n_resamples=2000,
        method="percentile",
        random_state=np.random.default_rng(seed),
    )
    return float(values.mean()), float(result.confidence_interval.low), float(result.confidence_interval.high)


def accuracy_by(groups, correct, seed: int = 0) -> pd.DataFrame:
    """Accuracy of the images in each group (sorted), with its image count and 95 % bootstrap interval."""
    frame = pd.DataFrame({"group": np.asarray(groups), "correct": np.asarray(correct, dtype=float)})
    rows = {}
    for group, part in frame.groupby("group", sort=True):
        mean, low, high = mean_interval(part["correct"], seed)
        rows[group] = {"images": len(part), "accuracy": mean, "low": low, "high": high}
    return pd.DataFrame.from_dict(rows, orient="index")


def plot_intervals(table: pd.DataFrame, value: str, xlabel: str, ylabel: str = "", ax=None):
    """One dot per row of ``table`` at ``value`` (a fraction, drawn in points) with its ``low``–``high``
    interval as a horizontal bar; rows top to bottom in table order."""
    import matplotlib.pyplot as plt

    ax = ax or plt.figure(figsize=(6, 0.5 + 0.55 * len(table))).gca()
    ax.errorbar(
        100 * table[value],
        table.index.astype(str),
        fmt="o",
        color="0.2",
        xerr=[100 * (table[value] - table["low"]), 100 * (table["high"] - table[value])],
    )
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.invert_yaxis()
    return ax


def top_vote_share(dataset: Dataset, bins=(0, 0.5, 0.7, 0.9, 1.0)) -> pd.Series | None:
    """For a dataset with ``votes_*`` columns: the share of the raters' votes that went to the image's own
    label, binned (``"0.7–0.9"`` …), indexed like ``dataset.table``; ``None`` without votes. Votes for
    classes the dataset does not have (FER+'s contempt, unknown, not a face) count as votes against."""
    votes = dataset.votes
    if votes is None:
        return None

    labels = dataset.table["label"].to_numpy()
    own_columns = {label: [_emotion(label) == _emotion(c) for c in votes.columns] for label in set(labels)}
    own = (votes.to_numpy(dtype=float) * np.array([own_columns[label] for label in labels])).sum(1)
    total = votes.sum(axis=1).to_numpy(dtype=float)
    share = np.divide(own, total, out=np.full(len(own), np.nan), where=total > 0)
    names = [f"{low:.1f}–{high:.1f}" for low, high in zip(bins[:-1], bins[1:])]
    binned = pd.cut(share, bins=list(bins), labels=names, include_lowest=True)
    return pd.Series(binned, index=dataset.table.index, name="share of votes for the label")


def majority_disagrees(dataset: Dataset) -> pd.Series | None:
    """For a dataset with ``votes_*`` columns: does the raters' most voted class name another emotion
    than the image's label (FER2013's label against FER+'s majority)? False where nobody voted;
    ``None`` without votes."""
    votes = dataset.votes
    if votes is None:
        return None
    majority = votes.idxmax(axis=1).map(_emotion)
    voted = votes.sum(axis=1) > 0
    return (voted & (majority != dataset.table["label"].map(_emotion))).rename("majority vote disagrees")
