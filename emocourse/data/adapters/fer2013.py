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

import pandas as pd

from ...taxonomy import FER2013
from ..placing import place_image
from ..report import ImportReport
from ..table import DatasetError, write_dataset
from .fer_csv import USAGE_TO_SPLIT, VOTE_COLUMNS, import_csv, read_votes

INFO = {
    "name": "FER2013",
    "classes": list(FER2013.classes),
    "licence": "research use; see the Kaggle challenge terms",
    "citation": "goodfellow2013challenges",
}


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
                        rows.append(
                            {
                                "image": image,
                                "label": label,
                                "split": split,
                                "source": f"{top}/{folder.name}/{path.name}",
                            }
                        )
    report.kept = len(rows)
    return pd.DataFrame(rows, columns=["image", "label", "split", "source"]), report


def attach_votes(table: pd.DataFrame, votes_path: Path) -> pd.DataFrame:
    """Add FER+'s ten vote counts (``votes_<column>``) to rows imported from ``fer2013.csv``."""
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
