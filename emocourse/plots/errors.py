"""The figures of chapter 5, *Error analysis*: one function per figure, each returning the figure.

The figure is closed before it is returned, so that a notebook shows it once, as the cell's value.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import taxonomy as tx
from ..evaluate import confidence
from ..evaluate.agreement import plot_intervals


def _done(fig):
    fig.tight_layout()
    plt.close(fig)
    return fig


def confusion_by_true_class(matrix: np.ndarray, classes: list[str]):
    """Chapter 5, §1 The confusion matrix: ``matrix`` (true class × predicted class, each row a
    fraction of its true class, as ``confusion_matrix(..., normalize="true")`` gives) as a heatmap in
    per cent; the emotions' names in the book's colours."""
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    frame = pd.DataFrame(100 * np.asarray(matrix), index=classes, columns=classes)
    colour_bar = {"label": "% of the true class"}
    sns.heatmap(frame, annot=True, fmt=".0f", cmap="Blues", vmin=0, vmax=100, cbar_kws=colour_bar, ax=ax)
    ax.set(xlabel="predicted", ylabel="true class")
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        name = label.get_text()
        label.set_color(tx.color(name) if name in tx.COLORS else "0.2")
    return _done(fig)


def accuracy_by_agreement(table: pd.DataFrame, groups: str):
    """Chapter 5, §2 Errors and the raters' doubts: the test accuracy of each group of images
    (``table`` from :func:`emocourse.evaluate.agreement.accuracy_by`, one row per group) as a dot
    with its 95 % bootstrap interval, in per cent; ``groups`` names the rows (the y axis)."""
    ax = plot_intervals(table, "accuracy", "test accuracy (%), 95 % bootstrap interval", groups)
    ax.set_xlim(0, 100)
    return _done(ax.figure)


def probability_moved_by_probe(table: pd.DataFrame):
    """Chapter 5, §3 Probes: for each probe (a row of ``table``, from
    :func:`emocourse.evaluate.probes.probe_table`), the mean probability moved towards its target
    emotions with its 95 % interval, in points; a grey line marks zero."""
    ax = plot_intervals(table, "shift", "probability moved (points), mean and 95 % interval")
    ax.axvline(0, color="0.7", lw=1)
    return _done(ax.figure)


def reliability_diagrams(panels: dict[str, np.ndarray], y_true, bins: int = 10):
    """Chapter 5, §6 Does the model know when it is wrong?: one reliability diagram per entry of
    ``panels`` (a title → the test images' class probabilities): the accuracy of each confidence bin
    as a bar, labelled with its number of images, beside the diagonal of perfect calibration; the
    title gives the expected calibration error."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.6), sharey=True, squeeze=False)
    for ax, (name, p) in zip(axes[0], panels.items()):
        table = confidence.reliability(p, y_true, bins)
        bars = ax.bar(table["centre"], table["accuracy"], width=0.9 / bins, alpha=0.7, label="accuracy")
        ax.bar_label(bars, table["images"], fontsize=7, color="0.3")  # images in each bin
        ax.plot([0, 1], [0, 1], color="0.5", ls="--", lw=1, label="perfectly calibrated")
        ece = confidence.expected_calibration_error(p, y_true, bins)
        ax.set(title=f"{name}: ECE {ece:.1%}", xlabel="confidence (top probability)", xlim=(0, 1))
    axes[0, 0].set_ylabel("accuracy")
    axes[0, 0].legend(fontsize=8, loc="upper left")
    return _done(fig)
