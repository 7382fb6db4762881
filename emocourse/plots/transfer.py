"""Figures of chapter 3, *Transfer learning*."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.ticker import MaxNLocator

from ..train.transfer import HEAD_STAGE


def validation_by_epoch(history: pd.DataFrame):
    """Chapter 3, *The same schedule, made fast*: validation accuracy after every epoch of a schedule,
    the head on cached features (left), then each unfrozen stage (right, labelled at its last epoch)."""
    head = history[history["stage"] == HEAD_STAGE]
    body = history[history["stage"] != HEAD_STAGE].reset_index(drop=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    left.plot(head["epoch"], 100 * head["valid_accuracy"], marker=".", color="0.45")
    left.set(title="1. the head, on cached features", xlabel="epoch", ylabel="validation accuracy (%)")
    start = 100 * head["valid_accuracy"].iloc[-1]
    right.axhline(start, color="0.45", linestyle="--", linewidth=1)
    right.plot(np.arange(len(body) + 1), [start, *(100 * body["valid_accuracy"])], marker="o")
    for n, (epoch, end) in enumerate(body.groupby("stage", sort=False).tail(1).iterrows()):
        right.annotate(  # below and above in turn, so that neighbouring labels do not overlap
            end["stage"],
            (epoch + 1, 100 * end["valid_accuracy"]),
            xytext=(0, 7 if n % 2 else -14),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    right.set(title="2. then the body, a stage at a time", xlabel="epochs after the head")
    right.margins(x=0.25)
    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def accuracy_bars(table: pd.DataFrame, colors=("0.6", "tab:blue")):
    """Chapter 3, *What the unfrozen blocks learned*: one bar per model (columns) and group of images
    (rows) of test accuracy in %, from :func:`emocourse.evaluate.results.accuracy_by_group`."""
    ax = table.plot.barh(figsize=(7, 0.6 + 0.9 * len(table)), color=list(colors)[: table.shape[1]], width=0.75)
    ax.set(xlabel="test accuracy (%)", xlim=(0, 100))
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    for bars in ax.containers:
        ax.bar_label(bars, fmt="%.1f", fontsize=8, padding=2)
    return ax.figure


def ratings_against_predictions(rated: pd.DataFrame, predicted: pd.DataFrame, labels: pd.Series):
    """Chapter 3, *Valence and arousal as numbers*: each test image's predicted rating against the
    raters' mean, one panel per dimension (a column of ``rated`` and ``predicted``), coloured by the
    image's label; on the diagonal the prediction would be exact."""
    from ..taxonomy import palette

    classes = sorted(labels.unique())
    colors = dict(zip(classes, palette(classes)))
    fig, axes = plt.subplots(1, len(rated.columns), figsize=(4.2 * len(rated.columns), 4), squeeze=False)
    for ax, dimension in zip(axes[0], rated.columns):
        ax.scatter(rated[dimension], predicted[dimension], s=9, alpha=0.7, c=labels.map(colors).tolist())
        low, high = 1, 9
        ax.plot([low, high], [low, high], color="0.5", linestyle="--", linewidth=1)
        ax.axhline(rated[dimension].mean(), color="0.75", linewidth=1)  # about what the mean guesses
        ax.set(xlim=(low, high), ylim=(low, high), aspect="equal", title=dimension)
        ax.set(xlabel="raters' mean (1-9)", ylabel="predicted from frozen features")
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=colors[c], label=c) for c in classes]
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
