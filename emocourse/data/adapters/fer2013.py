"""FER2013 (Goodfellow et al. 2013) → canonical table. Book: *Datasets* → FER2013.

Two release layouts are read:

- the Kaggle CSV ``fer2013.csv``: ``emotion,pixels,Usage``; ``emotion`` is the label id
  (0 angry … 6 neutral), ``pixels`` 2,304 space-separated grey values (48×48), ``Usage``
  ``Training`` → train, ``PublicTest`` → valid, ``PrivateTest`` → test;
- the common image folders ``train/<class>/Training_<n>.jpg`` and
  ``test/<class>/PublicTest_<n>.jpg`` / ``PrivateTest_<n>.jpg`` (lowercase class folders).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from PIL import Image

from ...taxonomy import FER2013
from ..placing import place_image, save_png
from ..report import ImportReport
from ..table import DatasetError, read_text_csv, write_dataset

SIDE = 48
USAGE_TO_SPLIT = {"Training": "train", "PublicTest": "valid", "PrivateTest": "test"}
COLUMNS = ("emotion", "pixels", "Usage")
INFO = {
    "name": "FER2013",
    "classes": list(FER2013.classes),
    "licence": "research use; see the Kaggle challenge terms",
    "citation": "goodfellow2013challenges",
}


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


def import_csv(csv_path: Path, out: Path, skip: Mapping[int, tuple[str, str]] | None = None
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


_FILE_NAME = re.compile(r"(Training|PublicTest|PrivateTest)_(\d+)\.\w+")


def import_folders(root: Path, out: Path) -> tuple[pd.DataFrame, ImportReport]:
    """Import the ``train/<class>/`` and ``test/<class>/`` image-folder layout."""
    report = ImportReport(str(root))
    rows = []
    for top in ("train", "test"):
        if not (root / top).is_dir():
            raise DatasetError(f"{root}: no {top}/ folder (expected train/<class>/ and test/<class>/)")
        for folder in sorted(p for p in (root / top).iterdir() if p.is_dir()):
            label = folder.name.lower() if folder.name.lower() in FER2013 else None
            for path in sorted(p for p in folder.iterdir() if p.is_file()):
                match = _FILE_NAME.fullmatch(path.name)
                if label is None:
                    report.skip(str(path), f"folder {folder.name!r} is not a FER2013 class ({', '.join(FER2013)})")
                elif match is None:
                    report.skip(str(path), "file name is not Training_/PublicTest_/PrivateTest_<n>")
                else:
                    split = USAGE_TO_SPLIT[match[1]]
                    image = place_image(path, out, f"images/{split}/{label}/{path.name}", report, mode="L")
                    if image is not None:
                        rows.append({"image": image, "label": label, "split": split, "source": f"{top}/{folder.name}/{path.name}"})
    report.kept = len(rows)
    return pd.DataFrame(rows, columns=["image", "label", "split", "source"]), report


def attach_votes(table: pd.DataFrame, votes_path: Path) -> pd.DataFrame:
    """Add FER+'s ten vote counts (``votes_<column>``) to rows imported from ``fer2013.csv``."""
    from .ferplus import VOTE_COLUMNS, read_votes

    votes = read_votes(votes_path)
    if len(votes) <= table["row"].max():
        raise DatasetError(f"{votes_path} has {len(votes)} rows, fewer than fer2013.csv")
    picked = votes.iloc[table["row"].to_numpy()][list(VOTE_COLUMNS)].reset_index(drop=True)
    return pd.concat([table.reset_index(drop=True), picked.add_prefix("votes_")], axis=1)


def import_fer2013(src: str | Path, out: str | Path, with_votes: bool = False):
    """Import FER2013 from ``fer2013.csv`` (or a folder holding it) or from the image-folder layout.

    ``with_votes`` attaches the FER+ votes of ``fer2013new.csv`` next to the CSV, keeping
    FER2013's own labels (use the ``ferplus`` adapter for FER+ majority labels).
    """
    src, out = Path(src), Path(out)
    csv_path = src if src.is_file() else src / "fer2013.csv"
    if csv_path.is_file():
        table, report = import_csv(csv_path, out)
        if with_votes:
            table = attach_votes(table, csv_path.parent / "fer2013new.csv")
        table = table.drop(columns="row")
    elif with_votes:
        raise DatasetError(f"{src}: FER+ votes can only be attached to fer2013.csv rows")
    elif src.is_dir():
        table, report = import_folders(src, out)
    else:
        raise DatasetError(f"{src}: neither fer2013.csv nor a train/ + test/ image folder")
    info = dict(INFO, provenance=f"imported from {src}")
    return write_dataset(out, table, info), report
