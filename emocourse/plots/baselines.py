"""The figures of chapter 2, *Baselines*: one function per figure, each returning the figure.

The figure is closed before it is returned, so that a notebook shows it once, as the cell's value.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import taxonomy as tx


def _done(fig):
    fig.tight_layout()
    plt.close(fig)
    return fig


def feature_means_by_emotion(
    x: np.ndarray, names, labels, classes: list[str], show=("pleasure", "saturation", "log_detail")
):
    """Chapter 2, §Rung 1: hand-crafted features: one horizontal bar chart per feature in ``show``,
    the mean of that column of ``x`` (named by ``names``) over the images of each class (``labels``
    are the images' class names)."""
    means = pd.DataFrame(x, columns=list(names)).groupby(np.asarray(labels)).mean().reindex(classes)
    fig, axes = plt.subplots(1, len(show), figsize=(11, 2.8), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], show):
        means[name].plot.barh(ax=ax, color=tx.palette(classes), title=name)
    axes[0, 0].invert_yaxis()
    return _done(fig)


def tsne_map(xy: np.ndarray, labels, classes: list[str], title: str = ""):
    """Chapter 2, §Rung 2: frozen ImageNet features: the t-SNE map ``xy`` (one point per image),
    coloured by the images' class names ``labels``."""
    labels = np.asarray(labels)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    for emotion, colour in zip(classes, tx.palette(classes)):
        ax.scatter(*xy[labels == emotion].T, s=9, color=colour, label=emotion)
    ax.set(xticks=[], yticks=[], title=title)
    ax.legend(markerscale=2, fontsize=8, bbox_to_anchor=(1, 1), loc="upper left")
    return _done(fig)


def true_positive_rates(rates: pd.DataFrame, title: str = ""):
    """Chapter 2, §Where the errors go: grouped bars, the true-positive rate of each class (rows of
    ``rates``) for each model (its columns)."""
    fig, ax = plt.subplots(figsize=(9, 3))
    rates.plot.bar(ax=ax, width=0.8, ylim=(0, 1), ylabel="true-positive rate", title=title)
    ax.legend(fontsize=8)
    return _done(fig)


def rates_per_expression(rates: pd.Series, title: str = "compact CNN per expression"):
    """Chapter 2, §Faces: one bar per class, its true-positive rate (``rates``, indexed by class)."""
    fig, ax = plt.subplots(figsize=(6, 2.5))
    rates.plot.bar(ax=ax, color=tx.palette(list(rates.index)), ylim=(0, 1), ylabel="true-positive rate", title=title)
    return _done(fig)


def ladder_accuracies(table: pd.DataFrame, title: str = ""):
    """Chapter 2, §The ladder: one horizontal bar per model of ``table`` (columns ``method`` and
    ``accuracy`` in %), top to bottom in the table's order."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.barh(table["method"], table["accuracy"], color="#2f6fad")
    ax.set(xlim=(0, 100), xlabel="test accuracy (%)", title=title)
    ax.invert_yaxis()
    return _done(fig)
