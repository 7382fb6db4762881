"""The canonical dataset table: one folder, ``labels.csv`` + ``dataset.json`` + images.

Every dataset in the book, real or generated, is stored the same way, so every chapter can
start from any of them (book: *Datasets*):

``labels.csv``
    ``image`` (path relative to the folder, POSIX), ``label`` (a class of the dataset),
    ``split`` (``train``/``valid``/``test``); optional ``votes_<name>`` rater counts,
    ``agree``/``raters`` verification votes, ``source``, ``sha256``, ``group``.
``dataset.json``
    ``name``, ordered ``classes``, ``valence``, ``licence``, ``citation``, ``provenance``,
    and the generator's parameters for stand-ins.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from ..fileio import atomic_write
from ..taxonomy import valence_or_none

REQUIRED = ("image", "label", "split")
SPLITS = ("train", "valid", "test")


class DatasetError(ValueError):
    """A dataset folder or table is invalid; the message names the file and row."""


@dataclass
class Dataset:
    """A validated dataset folder: its table, its classes and where its images are."""

    root: Path
    table: pd.DataFrame
    info: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.info.get("name", self.root.name)

    @property
    def classes(self) -> list[str]:
        return list(self.info["classes"])

    @property
    def vote_columns(self) -> list[str]:
        return [c for c in self.table.columns if c.startswith("votes_")]

    @property
    def votes(self) -> pd.DataFrame | None:
        """Rater vote counts per image (``votes_<name>`` columns), or ``None`` without votes."""
        columns = self.vote_columns
        return self.table[columns].rename(columns=lambda c: c[len("votes_") :]) if columns else None

    @property
    def valences(self) -> pd.Series:
        """Valence of every row (``positive``/``negative``, ``None`` where its class has none): from
        ``dataset.json``'s ``valence`` map, else from :mod:`emocourse.taxonomy`."""
        known = self.info.get("valence") or {}
        return self.table["label"].map(lambda label: known.get(label, valence_or_none(label)))

    def split(self, name: str) -> pd.DataFrame:
        """Rows of one split (``train``, ``valid`` or ``test``)."""
        if name not in SPLITS:
            raise DatasetError(f"split must be one of {', '.join(SPLITS)}, got {name!r}")
        return self.table[self.table["split"] == name]

    def paths(self, rows: pd.DataFrame | None = None) -> list[Path]:
        """Absolute image paths of ``rows`` (default: all rows)."""
        rows = self.table if rows is None else rows
        return [self.root / p for p in rows["image"]]

    def counts(self) -> pd.DataFrame:
        """Images per class and split, classes in dataset order."""
        counts = pd.crosstab(self.table["label"], self.table["split"]).reindex(self.classes, fill_value=0)
        return counts.reindex(columns=[s for s in SPLITS if s in counts.columns])


def targets(dataset: Dataset) -> np.ndarray:
    """Class index of every row of the table, in the dataset's class order."""
    return dataset.table["label"].map(dataset.classes.index).to_numpy()


def split_mask(dataset: Dataset, split: str) -> np.ndarray:
    """Boolean mask of the rows in ``split`` (``train``, ``valid`` or ``test``)."""
    return (dataset.table["split"] == split).to_numpy()


def read_text_csv(path: Path) -> pd.DataFrame:
    """A release's CSV file with every cell as a string, or a :class:`DatasetError` naming it."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DatasetError(f"{path}: not a readable CSV ({err})") from err


def read_json(path: Path):
    """A JSON file's content, or a :class:`DatasetError` naming the file."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise DatasetError(f"{path}: not valid JSON ({err})") from err


def _row(index: int) -> str:
    return f"row {index + 2}"  # +1 for the header, +1 for 1-based line numbers


def validate(table: pd.DataFrame, classes: list[str], where: str, root: Path | None = None) -> None:
    """Raise :class:`DatasetError` at the first problem in ``table``, naming ``where`` and the row."""
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise DatasetError(
            f"{where}: missing column(s) {', '.join(missing)}; found {', '.join(map(str, table.columns))}"
        )
    if len(set(classes)) != len(classes) or not classes or not all(isinstance(c, str) and c.strip() for c in classes):
        raise DatasetError(f"{where}: classes must be a non-empty list of names without repeats, got {classes}")
    checks = [
        (~table["label"].isin(classes), lambda v: f"unknown label {v!r} (classes: {', '.join(classes)})", "label"),
        (~table["split"].isin(SPLITS), lambda v: f"split {v!r} is not one of {', '.join(SPLITS)}", "split"),
        (table["image"].duplicated(), lambda v: f"image {v!r} is listed twice", "image"),
    ]
    for bad, message, column in checks:
        if bad.any():
            index = int(bad.to_numpy().nonzero()[0][0])
            raise DatasetError(f"{where} {_row(index)}: {message(table[column].iloc[index])}")
    for index, image in enumerate(table["image"]):
        pure = PurePosixPath(str(image))
        if pure.is_absolute() or ".." in pure.parts or "\\" in str(image):
            raise DatasetError(
                f"{where} {_row(index)}: image path {image!r} must be relative to the dataset folder, POSIX"
            )
        if root is not None and not (root / pure).is_file():
            raise DatasetError(f"{where} {_row(index)}: image file {root / pure} does not exist")
    for column in table.columns:
        if column.startswith("votes_") or column in ("agree", "raters"):
            values = pd.to_numeric(table[column], errors="coerce")
            bad = values.isna() | (values < 0) | (values != values.round())
            if bad.any():
                index = int(bad.to_numpy().nonzero()[0][0])
                raise DatasetError(
                    f"{where} {_row(index)}: {column} must be a count, got {table[column].iloc[index]!r}"
                )


def write_dataset(root: str | os.PathLike, table: pd.DataFrame, info: dict) -> Dataset:
    """Validate and write ``labels.csv`` and ``dataset.json`` into ``root`` (atomically).

    ``info`` needs ``name`` and ``classes``; ``valence`` is filled in from the taxonomy.
    Images must already be in place.
    """
    root = Path(root)
    info = dict(info)
    info.setdefault("valence", {c: valence_or_none(c) for c in info["classes"]})
    validate(table, list(info["classes"]), str(root / "labels.csv"), root)
    table = table[[*REQUIRED, *(c for c in table.columns if c not in REQUIRED)]].reset_index(drop=True)
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    with atomic_write(root / "labels.csv") as f:
        f.write(buffer.getvalue().encode())
    with atomic_write(root / "dataset.json") as f:
        f.write((json.dumps(info, indent=2, sort_keys=True) + "\n").encode())
    return Dataset(root, table, info)


def read_dataset(root: str | os.PathLike) -> Dataset:
    """Read and validate a dataset folder written by :func:`write_dataset` or an adapter."""
    root = Path(root)
    labels, meta = root / "labels.csv", root / "dataset.json"
    for required in (labels, meta):
        if not required.is_file():
            raise DatasetError(f"{root} is not a dataset folder: {required.name} is missing")
    info = read_json(meta)
    if "classes" not in info:
        raise DatasetError(f"{meta}: no 'classes' list")
    try:
        table = pd.read_csv(
            labels,
            dtype={"image": str, "label": str, "split": str, "source": str, "sha256": str, "group": str},
            keep_default_na=False,
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DatasetError(f"{labels}: not a readable CSV ({err})") from err
    validate(table, list(info["classes"]), str(labels), root)
    return Dataset(root, table, info)
