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
#: The split of Kowalski et al.: 90 % train, 5 % valid, 5 % test.
KOWALSKI_FRACTIONS = {"train": 0.90, "valid": 0.05, "test": 0.05}


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
        close = np.nonzero(np.bitwise_count(hashes[i + 1 :] ^ hashes[i]) <= max_bits)[0] + i + 1
        for j in close:
            parent[root(int(j))] = root(i)
    roots = np.array([root(i) for i in range(len(hashes))])
    return np.unique(roots, return_inverse=True)[1]


def split_groups(
    labels: pd.Series, groups: np.ndarray, fractions: dict[str, float] = FI_FRACTIONS, seed: int = 0
) -> np.ndarray:
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
            split_of_group.update(dict.fromkeys(members[start : start + count], split))
            start += count
    return groups.map(split_of_group).to_numpy()


def resolve_duplicates(
    table: pd.DataFrame, group: str = "group", agree: str = "agree", raters: str = "raters"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one image per near-duplicate group: the one with the least divisive vote. Book: chapter 1.

    Within a group, the row whose raters agreed most (highest ``agree / raters``) is kept; ties
    go to the first row. Returns ``(kept, dropped)``; ``dropped`` says which row replaced each.
    This rule is the book's own, not Sreenivas & Zhao's (they trained on majority-vote labels).
    """
    share = table[agree].astype(float) / table[raters].astype(float)
    order = table.assign(_share=share, _pos=np.arange(len(table))).sort_values(
        ["_share", "_pos"], ascending=[False, True]
    )
    keep = order.drop_duplicates(group).sort_values("_pos").index
    kept = table.loc[keep]
    dropped = table.drop(index=keep).copy()
    winners = kept.set_index(group)
    dropped["kept_instead"] = dropped[group].map(winners["image"])
    dropped["conflicting_label"] = dropped["label"] != dropped[group].map(winners["label"])
    return kept, dropped


def threshold_table(
    votes: pd.DataFrame, classes: list[str], truth: pd.Series | None = None, thresholds=(3, 4, 5)
) -> pd.DataFrame:
    """Images kept per class at each agreement threshold, the imbalance ratio, and label precision.

    ``votes`` has ``label`` and ``agree`` columns (one row per rated candidate); ``truth``
    (optional, same index) is each candidate's true main emotion, known only for stand-ins:
    label precision is the share of kept images whose label is their main emotion.
    """
    rows = {}
    for threshold in thresholds:
        kept = votes[votes["agree"] >= threshold]
        counts = kept["label"].value_counts().reindex(classes, fill_value=0)
        row = {**counts.to_dict(), "total": len(kept), "imbalance": counts.max() / max(counts.min(), 1)}
        if truth is not None:
            row["label precision"] = float((truth[kept.index] == kept["label"]).mean())
        rows[f"≥ {threshold}"] = row
    return pd.DataFrame(rows).T.astype({c: int for c in [*classes, "total"]})


TABLE_COLUMNS = ["image", "label", "split", "agree", "raters", "group", "source", "sha256"]


def crawl_table(kept: pd.DataFrame) -> pd.DataFrame:
    """The canonical table's rows for curated crawl downloads (chapter 1, §Curate and split):
    duplicate groups become text ids (``g12``), each image's URL becomes its ``source``, and only
    the columns of :data:`TABLE_COLUMNS` are kept, in that order."""
    return kept.assign(group="g" + kept["group"].astype(str), source=kept["url"])[TABLE_COLUMNS]
