"""What a chapter trains on: every split it needs, and on a CPU a bounded sample of a big dataset.

Both return the dataset unchanged when there is nothing to do, and otherwise a new in-memory
:class:`~emocourse.data.table.Dataset` (the folder on disk is never touched) and one sentence that
says what changed, for the chapter to print. Book: *Setup* → *Your own data*.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .curation import FI_FRACTIONS, split_groups
from .table import Dataset, DatasetError


def complete_splits(dataset: Dataset, seed: int = 0) -> tuple[Dataset, str | None]:
    """``dataset`` with ``valid`` and ``test`` rows: a split it lacks is dealt from its training
    images (seeded, stratified by class, duplicate groups kept together, in You et al.'s 80/5/15
    proportions). Without training images it is an error that says what to do."""
    table = dataset.table
    present = set(table["split"])
    if "train" not in present:
        raise DatasetError(
            f"{dataset.root / 'labels.csv'}: no row has split 'train'. Mark the images to learn "
            "from as train, or import the images with `emocourse data import folder`, which "
            "splits them 80/5/15"
        )
    missing = [s for s in ("valid", "test") if s not in present]
    if not missing:
        return dataset, None
    train = table["split"] == "train"
    groups = pd.factorize(table.loc[train, "group"] if "group" in table else table.index[train])[0]
    fractions = {"train": FI_FRACTIONS["train"], **{s: FI_FRACTIONS[s] for s in missing}}
    dealt = split_groups(table.loc[train, "label"], groups, fractions, seed)
    rng = np.random.default_rng(seed)
    for split in missing:  # a small dataset gets at least one group of images in each split
        if not (dealt == split).any():
            dealt[groups == groups[rng.choice(np.flatnonzero(dealt == "train"))]] = split
    table = table.copy()
    table.loc[train, "split"] = dealt
    dealt = table.loc[train, "split"].value_counts()
    note = (
        f"{dataset.name} has no {' and no '.join(missing)} split: "
        + ", ".join(f"{dealt.get(s, 0)} of its {train.sum()} training images became {s}" for s in missing)
        + f" (seed {seed}, stratified by class)"
    )
    return Dataset(dataset.root, table, dataset.info), note


def bounded_sample(dataset: Dataset, max_images: int, seed: int = 0) -> tuple[Dataset, str | None]:
    """At most about ``max_images`` rows: the same seeded fraction of every split and every class,
    so shares stay as they are. Smaller datasets are returned whole."""
    table = dataset.table
    if len(table) <= max_images:
        return dataset, None
    fraction = max_images / len(table)
    kept = table.groupby(["split", "label"], sort=False).sample(frac=fraction, random_state=seed).sort_index()
    note = (
        f"{dataset.name} has {len(table):,} images; this profile uses a seeded sample of {len(kept):,} "
        f"({fraction:.0%} of every split and class) to stay within minutes on a CPU"
    )
    return Dataset(dataset.root, kept.reset_index(drop=True), dataset.info), note


def few_training_images(dataset: Dataset, n: int, seed: int = 0) -> pd.DataFrame:
    """A seeded sample of ``n`` training rows of ``dataset``'s table and every validation row, with a
    boolean ``is_valid`` column (for fastai's ``from_df``). Book: chapter 3, *fastai in plain sight*."""
    table = dataset.table
    train = table[table["split"] == "train"]
    small = pd.concat([train.sample(min(n, len(train)), random_state=seed), table[table["split"] == "valid"]])
    return small.assign(is_valid=small["split"] == "valid")
