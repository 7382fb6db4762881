"""Chapter 4's figures (*Imbalance*): one function per figure, each returning its figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def training_images_per_class(counts: pd.Series, colors=None):
    """Chapter 4, §What accuracy hides: a horizontal bar per class, its training images, largest on top."""
    fig, ax = plt.subplots(figsize=(6, 2.8))
    ax.barh(counts.index, counts.to_numpy(), color=colors)
    ax.invert_yaxis()
    ax.set_xlabel("training images")
    fig.tight_layout()
    return fig


def blur_flip_views(views: dict):
    """Chapter 4, §The methods: an image and its blur-and-flip views side by side
    (``{title: PIL image}``)."""
    fig, axes = plt.subplots(1, len(views), figsize=(2.2 * len(views), 2.4))
    for ax, (title, image) in zip(np.atleast_1d(axes), views.items()):
        ax.imshow(image)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig


def scores_against_tau(sweep: pd.DataFrame, columns: list[str]):
    """Chapter 4, §Logit adjustment: each of ``columns`` of :func:`~emocourse.evaluate.imbalance_runs.tau_sweep`
    (test scores, a class's recall) against τ."""
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    for column in columns:
        scored = column in ("accuracy", "balanced accuracy", "macro-F1")
        ax.plot(sweep.index, sweep[column], marker=".", label=column if scored else f"{column} recall")
    ax.set(xlabel="τ", ylabel="test")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def scores_by_method(summary: pd.DataFrame, metrics: list[str]):
    """Chapter 4, §The methods: one dot plot per metric, each method's mean ± sd over seeds (rows of
    :func:`~emocourse.evaluate.imbalance_runs.summarise`), the first row (doing nothing) dashed."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(11, 3.2), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, metric in zip(axes, metrics):
        ax.errorbar(summary[(metric, "mean")], range(len(summary)), xerr=summary[(metric, "std")], fmt="o", color="0.2")
        ax.axvline(summary[(metric, "mean")].iloc[0], color="0.7", ls="--", lw=1)
        ax.set(title=metric, xlabel="test (mean ± sd over seeds)")
    axes[0].set_yticks(range(len(summary)), summary.index)
    axes[0].invert_yaxis()
    fig.tight_layout()
    return fig


def minority_recall_by_imbalance(curve: pd.DataFrame, metrics=("minority recall", "macro-F1")):
    """Chapter 4, §The imbalance curve: one line per method, each of ``metrics`` against the imbalance
    (rows of :func:`~emocourse.evaluate.imbalance_runs.imbalance_curve`), on a log axis."""
    ratios = sorted(curve["ratio"].unique())
    fig, axes = plt.subplots(1, len(metrics), figsize=(11, 3.6))
    axes = np.atleast_1d(axes)
    for ax, metric in zip(axes, metrics):
        for method, rows in curve.groupby("method", sort=False):
            ax.plot(rows["ratio"], rows[metric], marker="o", label=method)
        ax.set(xscale="log", xlabel="imbalance (others : minority)", ylabel=f"{metric} (test)", title=metric)
        ax.set_xticks(ratios, [f"{r}:1" for r in ratios])
        ax.minorticks_off()
    axes[-1].legend(fontsize=8)
    fig.tight_layout()
    return fig
