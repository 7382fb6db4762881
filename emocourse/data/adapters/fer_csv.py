"""The two CSV files of FER2013 and FER+, read row by row. Book: *Datasets* → FER2013, FER+.

- ``fer2013.csv``: ``emotion,pixels,Usage``; ``emotion`` is the label id (0 angry … 6 neutral),
  ``pixels`` 2,304 space-separated grey values (48×48), ``Usage`` ``Training`` → train,
  ``PublicTest`` → valid, ``PrivateTest`` → test;
- ``fer2013new.csv`` (FER+): the same faces in the same order, with the header
  ``Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF``
  and ten votes per face.

Both adapters (:mod:`.fer2013` with optional votes, :mod:`.ferplus` with majority labels) read them here;
:func:`check_votes` also checks the votes of FER+'s folder layout (:mod:`.ferplus_folders`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from PIL import Image

from ...taxonomy import FER2013, FERPLUS
from ..placing import save_png
from ..report import ImportReport
from ..table import DatasetError, read_text_csv

SIDE = 48
USAGE_TO_SPLIT = {"Training": "train", "PublicTest": "valid", "PrivateTest": "test"}
COLUMNS = ("emotion", "pixels", "Usage")
VOTE_COLUMNS = (*FERPLUS.classes, "unknown", "NF")
HEADER = ("Usage", "Image name", *VOTE_COLUMNS)


def read_csv(path: Path) -> pd.DataFrame:
    """Read ``fer2013.csv`` as strings, checking its columns."""
    frame = read_text_csv(path)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DatasetError(f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
    return frame


def parse_pixels(text: str) -> np.ndarray:
    """One ``pixels`` cell → a 48×48 uint8 array; ``ValueError`` says what is wrong."""
    values = text.split()
    if len(values) != SIDE * SIDE:
        raise ValueError(f"{len(values)} pixel values, expected {SIDE * SIDE}")
    try:
        array = np.array(values, dtype=np.int64)
    except ValueError:
        raise ValueError("pixel values must be integers") from None
    if array.min() < 0 or array.max() > 255:
        raise ValueError(f"pixel values must be 0..255, found {array.min()}..{array.max()}")
    return array.astype(np.uint8).reshape(SIDE, SIDE)


def parse_row(row: pd.Series) -> tuple[str, str, np.ndarray]:
    """(label, split, pixels) of one CSV row, or ``ValueError`` naming the bad field."""
    if row["Usage"] not in USAGE_TO_SPLIT:
        raise ValueError(f"Usage {row['Usage']!r} is not one of {', '.join(USAGE_TO_SPLIT)}")
    if not row["emotion"].strip().isdigit() or int(row["emotion"]) >= len(FER2013):
        raise ValueError(f"emotion {row['emotion']!r} is not a label id 0..{len(FER2013) - 1}")
    return FER2013.label(int(row["emotion"])), USAGE_TO_SPLIT[row["Usage"]], parse_pixels(row["pixels"])


def import_csv(
    csv_path: Path, out: Path, skip: Mapping[int, tuple[str, str]] | None = None
) -> tuple[pd.DataFrame, ImportReport]:
    """Write one PNG per valid row under ``out/images`` and return the table (``source`` = CSV row).

    ``skip`` maps row numbers (0-based) that a caller has already ruled out to ``(where, why)``;
    they are reported and not written.
    """
    report = ImportReport(str(csv_path))
    skip = skip or {}
    rows = []
    for index, row in read_csv(csv_path).iterrows():
        if index in skip:
            report.skip(*skip[index])
            continue
        where = f"{csv_path.name} row {index + 2}"
        try:
            label, split, pixels = parse_row(row)
        except ValueError as err:
            report.skip(where, str(err))
            continue
        image = f"images/{split}/{index:05d}.png"
        save_png(Image.fromarray(pixels, mode="L"), out / image)
        rows.append({"image": image, "label": label, "split": split, "source": where, "row": index})
    report.kept = len(rows)
    return pd.DataFrame(rows), report


def read_votes(path: Path) -> pd.DataFrame:
    """Read ``fer2013new.csv``, checking the header and that every vote is a count 0..10."""
    frame = read_text_csv(path)
    if tuple(frame.columns) != HEADER:
        raise DatasetError(f"{path}: header must be {','.join(HEADER)}; found {','.join(frame.columns)}")
    return check_votes(frame, path, range(2, len(frame) + 2))


def check_votes(frame: pd.DataFrame, path: Path, rows: Sequence[int]) -> pd.DataFrame:
    """``frame`` with its ten vote columns as integers, or a :class:`DatasetError` at the first
    vote that is not a count 0..10, naming ``path`` and the row (``rows``: the file's row number
    of each of ``frame``'s rows)."""
    votes = frame[list(VOTE_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    bad = votes.isna() | (votes < 0) | (votes > 10) | (votes != votes.round())
    if bad.to_numpy().any():
        row, col = map(int, next(zip(*bad.to_numpy().nonzero())))
        raise DatasetError(
            f"{path} row {rows[row]}: {VOTE_COLUMNS[col]} must be a vote count 0..10, "
            f"got {frame.iloc[row][VOTE_COLUMNS[col]]!r}"
        )
    frame = frame.copy()
    frame[list(VOTE_COLUMNS)] = votes.astype(int)
    return frame
