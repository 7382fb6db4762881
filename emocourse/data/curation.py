"""Curation helpers: near-duplicate groups and leak-free, stratified splits. Book: chapter 1."""

from __future__ import annotations

from pathlib import Path

import imagehash
import numpy as np
import pandas as pd
from PIL import Image

#: Two images whose 64-bit perceptual hashes differ in at most this many bits are treated as
#: copies of one picture (re-uploads, re-encodes, small crops).
DUPLICATE_BITS = 6
#: The split of You et al. (2016): 80 % train, 5 % valid, 15 % test.
FI_FRACTIONS = {"train": 0.80, "valid": 0.05, "test": 0.15}


def apportion(n: int, shares: dict[str, float]) -> dict[str, int]:
    """Split ``n`` items into whole counts proportional to ``shares`` (largest remainders)."""
    total = sum(shares.values())
    raw = {k: n * v / total for k, v in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: n - sum(counts.values())]:
        counts[k] += 1
    return counts


def perceptual_hashes(paths: list[Path]) -> np.ndarray:
    """64-bit pHash of each image as unsigned integers."""
    hashes = []
    for path in paths:
        with Image.open(path) as image:
            bits = imagehash.phash(image).hash.ravel()
        hashes.append(int("".join("1" if b else "0" for b in bits), 2))
    return np.array(hashes, dtype=np.uint64)


def duplicate_groups(hashes: np.ndarray, max_bits: int = DUPLICATE_BITS) -> np.ndarray:
    """Group id per image: images linked by a chain of near-identical hashes share a group."""
    parent = np.arange(len(hashes))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(hashes) - 1):
        close = np.nonzero(np.bitwise_count(hashes[i + 1:] ^ hashes[i]) <= max_bits)[0] + i + 1
        for j in close:
            parent[root(int(j))] = root(i)
    roots = np.array([root(i) for i in range(len(hashes))])
    return np.unique(roots, return_inverse=True)[1]


def split_groups(labels: pd.Series, groups: np.ndarray, fractions: dict[str, float] = FI_FRACTIONS,
                 seed: int = 0) -> np.ndarray:
    """Assign ``train``/``valid``/``test`` per image: stratified by label, never splitting a group.

    Within each label, that label's groups (a group goes with its first image's label) are
    shuffled with ``seed`` and dealt to the splits in proportion to ``fractions``, so even a
    class of three images gets a test image. Written by hand because scikit-learn's
    ``StratifiedGroupKFold`` needs every class to fill all its folds.
    """
    labels = pd.Series(np.asarray(labels))
    groups = pd.Series(np.asarray(groups))
    rng = np.random.default_rng(seed)
    group_label = labels.groupby(groups, sort=True).first()
    split_of_group = {}
    for label in sorted(group_label.unique()):
        members = group_label.index[group_label == label].to_numpy()
        members = members[rng.permutation(len(members))]
        start = 0
        for split, count in apportion(len(members), fractions).items():
            split_of_group.update(dict.fromkeys(members[start:start + count], split))
            start += count
    return groups.map(split_of_group).to_numpy()
