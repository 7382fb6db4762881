"""Chapter 7's figures (*Should we?*): one function per figure, each returning the figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from .faces import GREY, _array

COLOURS = ["#2f6fad", "#b2182b", "#f4a62a", "#5a9e6f", "#7b5ea7", "#9a9a9a"]


def faces_by_group(images: torch.Tensor, groups, per_group: int = 8):
    """Chapter 7, §Whom the model fails: the first ``per_group`` faces of every group, one row each."""
    groups = np.asarray(groups)
    names = sorted(set(groups))
    fig, axes = plt.subplots(len(names), per_group, figsize=(1.1 * per_group, 1.25 * len(names)), squeeze=False)
    for row, name in enumerate(names):
        for ax, i in zip(axes[row], np.flatnonzero(groups == name)[:per_group]):
            ax.imshow(_array(images[i, 0]), **GREY)
        for ax in axes[row]:
            ax.set_axis_off()
        axes[row, 0].set_title(f"group {name}", fontsize=9, loc="left")
    fig.tight_layout()
    return fig


def recall_by_group(by_group: pd.DataFrame):
    """Chapter 7, §The audit: each class's recall (the ``recall <class>`` columns of fairlearn's
    ``MetricFrame.by_group``; fractions, drawn in %) in each group (its rows)."""
    recall = by_group[[c for c in by_group if c.startswith("recall ")]]
    recall = recall.rename(columns=lambda c: c.removeprefix("recall ")).T
    ax = (100 * recall).plot.bar(
        figsize=(6.5, 3.1), rot=0, ylim=(0, 100), ylabel="recall (%)", width=0.8, color=COLOURS[: recall.shape[1]]
    )
    ax.legend(fontsize=8, title=recall.columns.name, title_fontsize=8, ncol=2)
    ax.figure.tight_layout()
    return ax.figure


def accuracy_by_share(table: pd.DataFrame, minority: str):
    """Chapter 7, §Where the gap comes from: each group's test accuracy (columns of ``table``; fractions,
    drawn in %) against the ``minority`` group's share of the training faces (the index, a fraction)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.1))
    for (group, accuracy), colour in zip(table.items(), COLOURS):
        ax.plot(100 * table.index, 100 * accuracy, "o-", color=colour, label=f"group {group}")
    ax.set_xticks(100 * table.index, [f"{100 * s:g} %" for s in table.index])
    ax.set(xlabel=f"share of group {minority} in the training faces", ylabel="test accuracy (%)", ylim=(0, 100))
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def gaps_by_seed(gaps: pd.DataFrame):
    """Chapter 7, §Two mitigations: the accuracy gap between the groups (fractions, drawn in points) of
    every run (rows: seeds; columns: how the model was trained), one dot per seed."""
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    for row, (training, gap) in enumerate(gaps.items()):
        ax.scatter(100 * gap, np.full(len(gap), row), color=COLOURS[row], s=50, zorder=3)
        ax.text(100 * gap.mean(), row + 0.25, f"mean {100 * gap.mean():.1f}", ha="center", fontsize=8)
    ax.axvline(0, color="0.6", lw=1)
    ax.set_yticks(range(gaps.shape[1]), list(gaps.columns))
    ax.set(xlabel="accuracy gap between the groups (points)", ylim=(-0.6, gaps.shape[1] - 0.3))
    fig.tight_layout()
    return fig
