"""Published accuracies, each with the dataset it was measured on, to set beside ours.

A number from a paper is only comparable with ours when it was measured on the same data;
the tables in the book therefore always say which data each number comes from. The
numbers and their sources are listed in the book's references.
"""

from __future__ import annotations

import pandas as pd

from .. import taxonomy

_COLUMNS = ["rung", "method", "accuracy", "measured on", "source"]

#: Test accuracies (%) reported by the studies behind the book, by rung of the baseline ladder.
PUBLISHED = pd.DataFrame.from_records(
    [
        (
            "frozen features + linear classifier",
            "ImageNet-CNN features + SVM",
            32.1,
            "FI, 8 classes",
            "You et al. 2016",
        ),
        (
            "frozen features + MLP head",
            "frozen embedding + 3-layer MLP",
            18.0,
            "the 8 FI emotions, their own download",
            "Kowalski et al.",
        ),
        (
            "ResNet-18 from scratch",
            "ResNet-18 from scratch, 32 × 32 px",
            24.0,
            "the 8 FI emotions, their own download",
            "Kowalski et al.",
        ),
        ("fine-tuned network", "fine-tuned CaffeNet", 58.3, "FI, 8 classes", "You et al. 2016"),
        (
            "frozen body, linear head",
            "Inception-ResNet, linear head",
            66.0,
            "FI, 8 classes, filtered by agreement",
            "Carroll et al.",
        ),
        (
            "frozen body, hidden-layer head",
            "Inception-ResNet, one hidden layer of 100",
            69.0,
            "FI, 8 classes, filtered by agreement",
            "Carroll et al.",
        ),
        (
            "fine-tuned network",
            "VGG19, iterative unfreezing",
            60.1,
            "8 emotions, majority-vote labels (their data)",
            "Sreenivas & Zhao",
        ),
        (
            "valence, frozen body",
            "Inception-ResNet, positive vs negative (89–90 %)",
            89.0,
            "FI, 2 classes",
            "Carroll et al.",
        ),
        ("compact CNN from scratch", "CNN from scratch", 61.0, "FER2013, 7 classes", "Amin et al. 2017"),
        (
            "compact CNN from scratch",
            "VGG-style network from scratch",
            73.28,
            "FER2013, 7 classes",
            "Khaireddin & Chen 2021",
        ),
        ("people", "human accuracy (about)", 65.0, "FER2013, 7 classes", "Goodfellow et al. 2013"),
    ],
    columns=_COLUMNS,
)


#: Carroll et al.'s error on FI's test images of each valence, with a linear head on frozen features
#: (chapters 3 and 4 set ours beside it).
CARROLL_VALENCE_ERROR = {taxonomy.POSITIVE: 0.07, taxonomy.NEGATIVE: 0.20}


def beside_published(
    ours: pd.DataFrame, published: pd.DataFrame = PUBLISHED, also: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Our results (columns ``rung``, ``method``, ``accuracy`` in %, ``measured on``), each rung
    followed by the published numbers for it; then the published numbers of the rungs in
    ``also`` that we did not run (a later chapter's, people's)."""
    ours = ours.assign(source="this book")[_COLUMNS]
    rungs = list(dict.fromkeys(list(ours["rung"]) + list(also)))
    published = published[published["rung"].isin(rungs)]
    both = pd.concat([ours, published], ignore_index=True)
    both["order"] = both["rung"].map(rungs.index)
    return both.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)
