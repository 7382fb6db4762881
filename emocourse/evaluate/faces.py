"""Chapter 6's bookkeeping: accuracy by rater agreement, nested samples of training faces, the classes
two face datasets share, a photo cropped to what a FER2013 model sees, and saliency averaged by class
and by region of the face."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

#: The bands of the share of votes for the most-voted class (chapter 6, §Votes as soft labels).
AGREEMENT_BINS = (0.0, 0.5, 0.7, 0.9, 1.0)
AGREEMENT_LABELS = ("≤ 50 %", "50–70 %", "70–90 %", "> 90 %")


def accuracy_by_agreement(
    correct: dict[str, np.ndarray], top_share: np.ndarray, scored: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Chapter 6, §Votes as soft labels: each model's accuracy (columns, from ``correct``: one boolean
    per test face) in each band of ``top_share`` (the share of votes for the most-voted class), over
    the faces ``scored`` (default: all); and the number of faces in each band."""
    scored = np.ones(len(top_share), bool) if scored is None else np.asarray(scored, bool)
    bands = pd.cut(np.asarray(top_share)[scored], AGREEMENT_BINS, labels=list(AGREEMENT_LABELS))
    table = pd.DataFrame(
        {
            name: pd.Series(np.asarray(hits)[scored]).groupby(bands, observed=False).mean()
            for name, hits in correct.items()
        }
    )
    table.index.name = "share of votes for the top class"
    return table, pd.Series(bands).value_counts(sort=False)


def nested_samples(n_train: int, sizes=(1000, 4000), seed: int = 0):
    """Chapter 6, §How many faces: ``(size, sorted row indices)`` for each of ``sizes`` below ``n_train``
    and for all ``n_train`` rows; each sample holds the smaller ones (the first rows of one seeded
    permutation), so a larger training set only adds faces."""
    order = np.random.default_rng(seed).permutation(n_train)
    for n in [*(n for n in sizes if n < n_train), n_train]:
        yield n, np.sort(order[:n])


def by_split(values: np.ndarray, dataset) -> dict[str, np.ndarray]:
    """Rows of ``values`` (one per row of ``dataset``'s table, in its order) grouped by split, in the
    order :func:`emocourse.train.faces.face_pixels` gives each split's faces."""
    split = dataset.table["split"].to_numpy()
    return {name: values[split == name] for name in dataset.table["split"].unique()}


@dataclass
class SharedClasses:
    """Chapter 6, §Another dataset: how another dataset's classes map onto ours."""

    matched: dict[str, str]  # their class -> ours
    unmatched: list[str]  # their classes our model does not know
    never_shown: list[str]  # our classes they have no faces of

    def describe(self, other) -> str:
        """A few lines saying what is scored and what is not."""
        pairs = ", ".join(f"{theirs} → {ours}" for theirs, ours in self.matched.items())
        lines = [
            f"{other.name}: {len(other.table)} faces in {len(other.classes)} classes",
            f"  classes our model knows: {pairs or 'none'}",
        ]
        if self.unmatched:
            left = int(other.table["label"].isin(self.unmatched).sum())
            names = ", ".join(self.unmatched)
            lines.append(f"  classes our model does not know: {names} ({left} faces, not scored)")
        if self.never_shown:
            lines.append(f"  our classes {other.name} lacks: {', '.join(self.never_shown)} (nothing to score)")
        return "\n".join(lines)


def shared_classes(classes: list[str], other_classes: list[str]) -> SharedClasses:
    """Chapter 6, §Another dataset: match ``other_classes`` onto ``classes`` by emotion, then by name."""
    from ..taxonomy import match_classes

    matched = match_classes(classes, other_classes)
    return SharedClasses(
        matched,
        [c for c in other_classes if c not in matched],
        [c for c in classes if c not in matched.values()],
    )


def face_for_model(photo, size: int = 48) -> tuple[torch.Tensor, tuple | None]:
    """Chapter 6, §Your own photo: what ``emocourse predict --face auto`` shows a faces model of a PIL
    ``photo`` (:func:`emocourse.train.photos.face_crop`: its largest frontal face, or the whole photo
    if it is small enough to be a face crop already), grey, the centre square at ``size`` pixels, as a
    ``(1, 1, size, size)`` uint8 tensor, and the face's box; without a face, the whole photo and
    ``None`` (where ``predict`` stops)."""
    from ..train.photos import face_crop
    from ..train.scratch import square

    face, box = face_crop(photo, "auto")
    if face is None:
        print("no frontal face found: using the whole photo (expect a poor answer)")
        face = photo
    return torch.from_numpy(np.array(square(face, size, "L")))[None, None], box


def mean_maps_by_class(
    maps: torch.Tensor | np.ndarray, predicted: np.ndarray, classes: list[str], min_faces: int = 3
) -> dict[str, np.ndarray]:
    """Chapter 6, §Where does the network look: the mean saliency map of each class predicted for at
    least ``min_faces`` of the faces whose ``maps`` are given."""
    maps, predicted = np.asarray(maps), np.asarray(predicted)
    return {c: maps[predicted == k].mean(0) for k, c in enumerate(classes) if (predicted == k).sum() >= min_faces}


#: Rows of a 48 × 48 face (chapter 6, §Where does the network look).
FACE_REGIONS = {"brows and eyes": slice(14, 28), "mouth": slice(31, 44)}


def saliency_by_region(mean_maps: dict[str, np.ndarray], regions: dict[str, slice] = FACE_REGIONS) -> pd.DataFrame:
    """Chapter 6, §Where does the network look: each class's mean saliency per pixel in each band of
    rows, and the ratio of the mouth's to the eyes'."""
    table = pd.DataFrame(
        {name: {c: float(m[rows].mean()) for c, m in mean_maps.items()} for name, rows in regions.items()},
        columns=list(regions),
    )
    table["mouth / eyes"] = table["mouth"] / table["brows and eyes"]
    return table
