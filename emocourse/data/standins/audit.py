"""A faces stand-in for a fairness audit: FER-like faces in two groups, A and B, drawn in two looks,
with group B under-represented in training. Book: *Datasets* → *Stand-in faces*; chapter 7.

Group B's faces are drawn differently (:data:`LOOKS`): a darker skin range, features lighter than the
skin instead of darker, the eyes higher and the mouth closer to them. We built that difference so that a
model must learn B's faces from B's faces; the two looks stand for no real group of people. The
training split holds ``minority_share`` of B (10 % by default); the validation and test splits hold both
groups equally, as an audit benchmark does, and do not depend on the share, so models trained at
different shares (:func:`training_faces`) are measured on the same faces. Expressions are clearer than
the FER-like stand-in's (every face at least half its prototype's intensity), so that a small network
learns them from 3,000 faces in seconds.
"""

from __future__ import annotations

import numpy as np

from ..curation import apportion
from .faces import SHARES, Look, _prototype, draw_face

#: Bumped whenever the same arguments would draw other faces.
VERSION = 1
LOOKS = {"A": Look(), "B": Look(skin=(40, 100), lighter_features=True, eyes=0.22, mouth=0.36)}
MINORITY = "B"
#: Validation and test faces per training face (both balanced between the groups).
VALID_SHARE, TEST_SHARE = 0.2, 0.4


def clear_expression(label: str, rng: np.random.Generator) -> np.ndarray:
    """Facial actions of a face of class ``label`` at half to full intensity, with some noise."""
    actions = rng.uniform(0.5, 1.1) * _prototype(label) + rng.normal(0, 0.2, len(_prototype(label)))
    return np.clip(actions, -1.2, 1.2)


def draw_split(n: int, minority_share: float, rng: np.random.Generator) -> tuple[list[str], list[str], np.ndarray]:
    """``n`` faces, ``minority_share`` of them in group B, each group in FER2013's class shares, in a
    shuffled order: their labels, groups and ``(n, 48, 48)`` uint8 pixels."""
    n_minority = round(n * minority_share)
    rows = [
        (label, group)
        for group, size in ((MINORITY, n_minority), ("A", n - n_minority))
        for label, k in apportion(size, SHARES).items()
        for _ in range(k)
    ]
    rows = [rows[i] for i in rng.permutation(len(rows))]
    faces = [draw_face(clear_expression(label, rng), rng, look=LOOKS[group]) for label, group in rows]
    return [label for label, _ in rows], [group for _, group in rows], np.stack(faces)


def training_faces(minority_share: float, n: int = 3000, seed: int = 0):
    """The training split of the audit stand-in drawn with ``minority_share`` of group B (the stand-in's
    own is :func:`~emocourse.data.standins.make_audit`'s): labels, groups, pixels."""
    if not 0 <= minority_share <= 1:
        raise ValueError(f"minority_share={minority_share}: must be between 0 and 1")
    return draw_split(n, minority_share, np.random.default_rng([seed, 0]))


def evaluation_faces(split: str, n: int, seed: int = 0):
    """The ``valid`` or ``test`` split: both groups equally, the same whatever the training share."""
    return draw_split(n, 0.5, np.random.default_rng([seed, {"valid": 1, "test": 2}[split]]))


def training_tensors(minority_share: float, classes: list[str], n: int = 3000, seed: int = 0):
    """:func:`training_faces` as the faces recipe takes them: uint8 faces ``(n, 1, 48, 48)`` and class
    indices in the order of ``classes``."""
    import torch

    labels, _, pixels = training_faces(minority_share, n, seed)
    return torch.from_numpy(pixels)[:, None], torch.tensor([classes.index(label) for label in labels])
