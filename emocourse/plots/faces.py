"""Chapter 6's figures (*Faces*): one function per figure, each returning the figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from .. import taxonomy as tx

GREY = {"cmap": "grey", "vmin": 0, "vmax": 255}


def _array(image) -> np.ndarray:
    """A tensor or array as a numpy array (matplotlib warns on tensors)."""
    return image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)


def faces_by_class(images: torch.Tensor, labels, classes: list[str], per_class: int = 3):
    """Chapter 6, §Faces: the first ``per_class`` faces of every class, one column per class."""
    labels = np.asarray(labels)
    fig, axes = plt.subplots(per_class, len(classes), figsize=(1.3 * len(classes), 1.4 * per_class), squeeze=False)
    for k, emotion in enumerate(classes):
        shown = np.flatnonzero(labels == k)[:per_class]
        for row, ax in enumerate(axes[:, k]):
            if row < len(shown):
                ax.imshow(_array(images[shown[row], 0]), **GREY)
            ax.set_axis_off()
        axes[0, k].set_title(emotion, color=tx.color(emotion) if emotion in tx.COLORS else "0.2")
    fig.tight_layout()
    return fig


def augmented_faces(face: torch.Tensor, policies: dict, copies: int = 6, seed: int = 0):
    """Chapter 6, §Heavier augmentation hurts: one face (``(1, 48, 48)``) and ``copies`` augmented
    versions of it under each policy (a :class:`~emocourse.train.faces.FacesConfig`), one row each."""
    from ..train.faces import augment

    torch.manual_seed(seed)
    batch = face[None].repeat(copies, 1, 1, 1)
    fig, axes = plt.subplots(len(policies), copies + 1, figsize=(9, 1.4 * len(policies)), squeeze=False)
    for row, (name, policy) in enumerate(policies.items()):
        axes[row, 0].imshow(_array(face[0]), **GREY)
        for ax, warped in zip(axes[row, 1:], augment(batch, policy)):
            ax.imshow(_array(warped[0]), **GREY)
        axes[row, 0].set_title("original" if row == 0 else "", fontsize=9)
        axes[row, 1].set_title(f"{name} augmentation", fontsize=9, loc="left")
    for ax in axes.flat:
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def accuracy_by_cpu_seconds(curve_seconds, curve_accuracy, points: dict, majority_share: float):
    """Chapter 6, §Transfer, honestly: the network from scratch's validation accuracy after each epoch
    against the CPU seconds spent, and each transferred model as one point (``points``: label ->
    ``(seconds, test accuracy)``); accuracies are fractions, drawn in %."""
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.plot(
        curve_seconds,
        100 * np.asarray(curve_accuracy),
        "o-",
        color="#2f6fad",
        label="from scratch (validation, per epoch)",
    )
    for (label, (seconds, accuracy)), colour in zip(points.items(), ["#f4a62a", "#b2182b", "#5a9e6f"]):
        ax.scatter([seconds], [100 * accuracy], color=colour, s=60, zorder=3, label=label)
    ax.axhline(100 * majority_share, color="0.6", ls=":", label="majority class")
    ax.set(xlabel="CPU seconds", ylabel="accuracy (%)", ylim=(0, 100))
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def accuracy_by_training_faces(table: pd.DataFrame, majority_share: float):
    """Chapter 6, §How many faces: each method's test accuracy (columns of ``table``, fractions) against
    the number of training faces it learned from (the index), on a log scale."""
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    for (method, accuracy), style in zip(table.items(), [("o-", "#2f6fad"), ("s--", "#f4a62a")]):
        ax.plot(table.index, 100 * accuracy, style[0], color=style[1], label=method)
    ax.axhline(100 * majority_share, color="0.6", ls=":", label="majority class")
    ax.set_xscale("log")
    ax.set_xticks(table.index, [f"{n:,}" for n in table.index])
    ax.minorticks_off()
    ax.set(xlabel="training faces", ylabel="test accuracy (%)", ylim=(0, 100))
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def accuracy_by_agreement(table: pd.DataFrame, counts: pd.Series):
    """Chapter 6, §Votes as soft labels: each model's accuracy (columns of ``table``, fractions) in each
    band of rater agreement (its rows), the number of faces under each band (``counts``); see
    :func:`emocourse.evaluate.faces.accuracy_by_agreement`."""
    colours = ["#9a9a9a", "#2f6fad", "#f4a62a", "#5a9e6f", "#b2182b"]
    ax = (100 * table).plot.bar(
        figsize=(6.5, 3.2), rot=0, ylim=(0, 100), ylabel="accuracy (%)", width=0.8, color=colours[: table.shape[1]]
    )
    ax.set_xticks(range(len(counts)), [f"{band}\n({n} faces)" for band, n in counts.items()])
    ax.legend(fontsize=8, title="trained on", title_fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def recall_on_two_datasets(recall: pd.DataFrame):
    """Chapter 6, §Another dataset: each shared class's recall (rows; fractions, drawn in %) on our test
    faces and on the other dataset's (two columns)."""
    ax = (100 * recall).plot.barh(figsize=(6.5, 3), xlim=(0, 100), xlabel="recall (%)", color=["#2f6fad", "#b2182b"])
    ax.invert_yaxis()
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    return ax.figure


def photo_and_prediction(photo, box, face: torch.Tensor, top: pd.Series):
    """Chapter 6, §Your own photo: the photo with the detected face's ``box``, the ``(1, 1, 48, 48)``
    face the model sees, and the model's ``top`` probabilities (a Series, class -> probability)."""
    fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), width_ratios=[1.2, 1, 1.4])
    axes[0].imshow(photo)
    if box:
        left, top_edge, right, bottom = box
        axes[0].add_patch(plt.Rectangle((left, top_edge), right - left, bottom - top_edge, fill=False, color="#e8475f"))
    axes[1].imshow(_array(face[0, 0]), cmap="grey")
    for ax, title in zip(axes[:2], ["the photo", "what the model sees"]):
        ax.set(title=title, xticks=[], yticks=[])
    names = list(top.index[::-1])
    axes[2].barh(names, 100 * top.to_numpy()[::-1], color=tx.palette(names))
    axes[2].set(xlim=(0, 100), xlabel="probability (%)", title=f"top {len(top)}")
    fig.tight_layout()
    return fig


def mean_saliency_maps(examples: dict[str, torch.Tensor], mean_maps: dict[str, np.ndarray]):
    """Chapter 6, §Where does the network look: for each class, one of its faces (``examples``) above
    the mean saliency map of its correctly classified faces (``mean_maps``)."""
    fig, axes = plt.subplots(2, len(mean_maps), figsize=(1.3 * len(mean_maps), 3), squeeze=False)
    for k, (emotion, mean_map) in enumerate(mean_maps.items()):
        axes[0, k].imshow(_array(examples[emotion][0]), cmap="grey")
        axes[1, k].imshow(_array(mean_map), cmap="magma")
        axes[0, k].set_title(emotion, fontsize=9)
    for ax in axes.flat:
        ax.set_axis_off()
    fig.tight_layout()
    return fig
