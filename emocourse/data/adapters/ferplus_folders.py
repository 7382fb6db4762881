"""FER+'s folder layout, read as rows of votes and the faces they name. Book: *Datasets* → FER+.

FER+'s ``generate_training_data.py`` (github.com/microsoft/FERPlus) writes ``FER2013Train/``,
``FER2013Valid/`` and ``FER2013Test/`` (→ train, valid, test), each with 48×48 grey PNG faces named
by their ``fer2013.csv`` row (``fer0000000.png``) and a headerless ``label.csv``, one row a face:
``fer0000000.png,"(0, 0, 48, 48)",4,0,0,1,3,2,0,0,0,0`` — image name, face box (left, top, right,
bottom, as FER+'s reader reads it) and the ten votes in ``fer2013new.csv``'s order. Newer copies of
the script write rows without the box: the whole image is then the face.

- a row with the wrong number of fields, a box that is not four integers or a vote that is not a
  count 0..10 stops the import, naming the file and row (as in ``fer2013new.csv``);
- a row whose image is missing or unreadable, or whose box leaves the image, is skipped; an image
  that no row names is skipped; both are reported;
- a face box smaller than the image is cropped, a face of another size resized to 48×48 (the usual
  box ``(0, 0, 48, 48)`` then stands for the whole image), a colour image made grey: kept and
  reported as fixed;
- a missing split folder (or one without ``label.csv``) is noted; with none at all, nothing is imported.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path, PurePosixPath

import pandas as pd
from PIL import Image

from ..images import ImageProblem, read_image
from ..placing import copy_file, save_png
from ..report import ImportReport, NotedReport
from ..table import DatasetError
from .fer_csv import SIDE, VOTE_COLUMNS, check_votes

SPLIT_FOLDERS = {"FER2013Train": "train", "FER2013Valid": "valid", "FER2013Test": "test"}
LABELS = "label.csv"
_BOX = re.compile(r"\(\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*\)")
_FIELDS = "12 (image name, face box, ten votes) or 11 (image name, ten votes), the same in every row"


def find_root(src: Path) -> Path | None:
    """The folder holding the split folders: ``src`` or its ``data/`` (a FERPlus checkout), else ``None``."""
    for root in (src, src / "data"):
        if any((root / name).is_dir() for name in SPLIT_FOLDERS):
            return root
    return None


def read_labels(path: Path) -> pd.DataFrame:
    """One ``label.csv``: ``Image name``, ``box`` (``None`` without one), the ten votes and ``row``."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            lines = [(n, [cell.strip() for cell in row]) for n, row in enumerate(csv.reader(f), 1) if row]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise DatasetError(f"{path}: not a readable CSV ({err})") from err
    width = len(lines[0][1]) if lines else 12
    rows = []
    for n, cells in lines:
        if len(cells) != width or width not in (11, 12):
            raise DatasetError(f"{path} row {n}: {len(cells)} fields; expected {_FIELDS}")
        box = None
        if width == 12:
            match = _BOX.fullmatch(cells[1])
            if match is None:
                raise DatasetError(f"{path} row {n}: face box {cells[1]!r} is not '(left, top, right, bottom)'")
            box = tuple(map(int, match.groups()))
        rows.append({"Image name": cells[0], "box": box, **dict(zip(VOTE_COLUMNS, cells[-10:])), "row": n})
    frame = pd.DataFrame(rows, columns=["Image name", "box", *VOTE_COLUMNS, "row"])
    return check_votes(frame, path, [n for n, _ in lines])


def read_release(root: Path, report: NotedReport) -> tuple[pd.DataFrame, list[str]]:
    """Every split's rows (with ``split``, ``folder``, ``where``) and the splits missing.

    A file that no row names and a row that names an image again are reported as skipped.
    """
    frames, missing = [], []
    for folder, split in SPLIT_FOLDERS.items():
        labels, named = root / folder / LABELS, set()
        if labels.is_file():
            frame = read_labels(labels).assign(split=split, folder=folder)
            frame["where"] = [f"{folder}/{LABELS} row {n}" for n in frame["row"]]
            again = frame["Image name"].duplicated()
            first = dict(zip(frame["Image name"][~again], frame["row"][~again]))
            for name, where in zip(frame["Image name"][again], frame["where"][again]):
                report.skip(where, f"image listed again ({name}, first at row {first[name]})")
            frames.append(frame[~again])
            named = set(first)
        else:
            missing.append(split)
            report.notes.append(f"no {split} split: {labels} does not exist")
        for path in sorted((root / folder).iterdir()) if (root / folder).is_dir() else []:
            if path.name != LABELS and path.name not in named:
                report.skip(f"{folder}/{path.name}", f"no row of {folder}/{LABELS} names it")
    if len(missing) == len(SPLIT_FOLDERS):
        expected = ", ".join(f"{folder}/{LABELS}" for folder in SPLIT_FOLDERS)
        raise DatasetError(f"{root}: no FER+ split to import; expected {expected}")
    return pd.concat(frames, ignore_index=True), missing


def place_face(root: Path, row: pd.Series, out: Path, report: ImportReport) -> str | None:
    """Check the face ``row`` names and put it at ``out/images/<split>/<name>``; its path there, or ``None``."""
    name, where = row["Image name"], row["where"]
    src = root / row["folder"] / name
    if name in (".", "..") or "/" in name or "\\" in name:
        report.skip(where, f"image name {name!r} is not a file name")
        return None
    if not src.is_file():
        report.skip(where, f"image missing ({row['folder']}/{name})")
        return None
    fixes: list[str] = []
    try:
        image = read_image(src, "L", fixes)
        with Image.open(src) as probe:
            if probe.mode == "RGB":
                fixes.append("converted RGB to grey")
    except ImageProblem as err:
        report.skip(where, str(err).removeprefix(f"{src}: "))
        return None
    width, height = image.size
    whole = (0, 0, width, height)
    box = whole if row["box"] in (None, (0, 0, SIDE, SIDE)) else row["box"]  # FER's own box: the whole face
    left, top, right, bottom = box
    if not (0 <= left < right <= width and 0 <= top < bottom <= height):
        report.skip(where, f"face box is empty or leaves the {width}x{height} image ({box})")
        return None
    if box != whole:
        image = image.crop(box)
        fixes.append(f"cropped to the face box {box}")
    if image.size != (SIDE, SIDE):
        fixes.append(f"resized to {SIDE}x{SIDE} (was {image.width}x{image.height})")
        image = image.resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    rel = f"images/{row['split']}/{name}"
    if not fixes:
        copy_file(src, out / rel)
        return rel
    rel = str(PurePosixPath(rel).with_suffix(".png"))
    save_png(image, out / rel)
    report.fix(where, "; ".join(fixes))
    return rel
