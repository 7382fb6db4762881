"""Figures of chapters 0 (a first look) and 1 (building the dataset): emotions and their colours,
a network's guesses on photos, and what happens to a crawl on its way to a dataset. Each function
takes what the chapter computed, draws it and returns the figure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from PIL import Image

from .. import taxonomy as tx


def emotion_colors(concepts: Sequence[str] | None = None) -> Figure:
    """Chapter 0, §Eight emotions, two valences: one bar per emotion in the colour the book gives
    it, labelled with its valence (``none`` for surprise and neutral). Default: every emotion."""
    concepts = list(tx.COLORS if concepts is None else concepts)
    fig, ax = plt.subplots(figsize=(12, 2))
    ax.bar(range(len(concepts)), 1, color=[tx.color(c) for c in concepts], width=0.9)
    labels = [f"{c}\n({tx.valence(c) or 'none'})" for c in concepts]
    ax.set_xticks(range(len(concepts)), labels, fontsize=8)
    ax.set_yticks([])
    ax.set_title("The book's colour for each emotion (valence in brackets)")
    ax.spines[:].set_visible(False)
    return fig


def photos_with_guesses(
    images: Sequence[Image.Image], names: Sequence[str], guesses: Sequence[Sequence[tuple[str, float]]]
) -> Figure:
    """Chapter 0, §A network that knows objects, not emotions: each photo titled with its name and
    the network's top guesses (``guesses[i]`` is ``[(ImageNet label, probability), ...]``, as
    :func:`emocourse.models.imagenet_top_k` returns; only a label's first name is shown)."""
    fig, axes = plt.subplots(1, len(images), figsize=(3 * len(images), 3.4), squeeze=False)
    for ax, image, name, top in zip(axes[0], images, names, guesses):
        ax.imshow(image)
        lines = [f"{label.split(',')[0]} {p:.0%}" for label, p in top]
        ax.set_title("\n".join([name, *lines]), fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig


def download_outcomes(outcomes: pd.Series) -> Figure:
    """Chapter 1, §Downloading, carefully: how many URLs ended in each download outcome
    (``outcomes`` maps an outcome such as ``ok`` or ``dead`` to its count), largest first."""
    fig, ax = plt.subplots(figsize=(6, 2.6))
    outcomes.sort_values(ascending=False).plot.barh(ax=ax, color="#2f6fad")
    ax.set_xlabel("URLs")
    ax.set_title("What happened to each search result")
    ax.invert_yaxis()
    return fig


def duplicate_pair(uploads: pd.DataFrame, folder: str | Path) -> Figure:
    """Chapter 1, §Near-duplicates: the first two ``uploads`` (rows with ``id``, ``label`` and
    ``file``, a path under ``folder``) side by side, each titled with its id and label."""
    pair = uploads.head(2)
    fig, axes = plt.subplots(1, len(pair), figsize=(2.5 * len(pair), 2.6), squeeze=False)
    for ax, row in zip(axes[0], pair.itertuples()):
        with Image.open(Path(folder) / row.file) as image:
            ax.imshow(image.copy())
        ax.set_title(f"{row.id}: {row.label}", fontsize=9)
        ax.axis("off")
    fig.suptitle("One picture, two uploads")
    fig.tight_layout()
    return fig


def agreement_counts(agree: pd.Series, raters: int = 5) -> Figure:
    """Chapter 1, §Votes and thresholds: how many images got 0, 1, ..., ``raters`` "yes" votes."""
    counts = agree.value_counts().reindex(range(raters + 1), fill_value=0)
    fig, ax = plt.subplots(figsize=(5, 2.6))
    counts.plot.bar(ax=ax, color="#8e6cc9", rot=0)
    ax.set_xlabel(f'"yes" votes out of {raters}')
    ax.set_ylabel("images")
    ax.set_title("Agreement of the raters")
    return fig


def kept_per_emotion(table: pd.DataFrame, classes: Sequence[str]) -> Figure:
    """Chapter 1, §Votes and thresholds: images kept per emotion at each agreement threshold
    (``table`` as :func:`emocourse.data.curation.threshold_table` returns: a row per threshold,
    a column per class), one group of bars per emotion, darker for a stricter threshold."""
    fig, ax = plt.subplots(figsize=(7, 3))
    shades = plt.get_cmap("Blues")([0.35 + 0.6 * i / max(len(table) - 1, 1) for i in range(len(table))])
    table[list(classes)].T.plot.bar(ax=ax, color=list(shades))
    ax.set_ylabel("images kept")
    ax.set_title("Images kept per emotion at each agreement threshold")
    return fig


def class_balance(labels: pd.Series, classes: Sequence[str], name: str = "dataset") -> Figure:
    """Chapter 1, §The dataset card: each class's share of ``labels``, in the book's colours."""
    shares = labels.value_counts(normalize=True).reindex(list(classes), fill_value=0)
    fig, ax = plt.subplots(figsize=(7, 2.6))
    shares.plot.bar(ax=ax, color=[tx.color(c) for c in classes])
    ax.set_ylabel("share of images")
    ax.set_title(f"{name}: class balance")
    return fig


def examples_per_emotion(dataset, per_row: int = 6, seed: int = 0) -> Figure:
    """Chapter 1, §The dataset card: ``per_row`` random images of each of ``dataset``'s classes
    (a :class:`~emocourse.data.table.Dataset`), one row per class, drawn with ``seed``."""
    classes = list(dataset.classes)
    fig, axes = plt.subplots(len(classes), per_row, figsize=(7, 1.2 * len(classes)), squeeze=False)
    for row, emotion in zip(axes, classes):
        of_emotion = dataset.table[dataset.table["label"] == emotion]
        examples = of_emotion.sample(min(per_row, len(of_emotion)), random_state=seed)
        for ax in row:
            ax.set_xticks([]), ax.set_yticks([])
            ax.spines[:].set_visible(False)
        for ax, path in zip(row, dataset.paths(examples)):
            with Image.open(path) as image:
                ax.imshow(image.copy())
        row[0].set_ylabel(emotion, fontsize=9, color=tx.color(emotion))
    fig.suptitle(f"{per_row} images per emotion")
    fig.tight_layout()
    return fig
