"""Emotion6 (Peng et al. 2015) → canonical table with the raters' votes. Book: *Datasets* → Emotion6.

The release holds ``images/<keyword>/<n>.jpg``, 330 Flickr photos for each of six search keywords
(anger, disgust, fear, joy, sadness, surprise), and ``ground_truth.txt``: a header line, then one row
a photo, fields separated by tabs: ``disgust/1.jpg  2.5  3.8  0.133333  0.7  0  0.0666667  0.1  0  0``
— the image (relative to ``images/``), the raters' mean valence and arousal (1–9), and the share of
the 15 raters who chose anger, disgust, fear, joy, sadness, surprise, neutral.

- the label is the keyword (``label="keyword"``, a weak label) or the raters' most-chosen of the
  seven (``label="raters"``, neutral included; a tie for the top share is skipped and reported);
- each share becomes a count of raters (share × 15, rounded: ``votes_<emotion>``); a share more
  than 0.2 votes from a whole count, counts that do not add up to 15, a field that is not a number,
  a valence or arousal outside 1–9 or a row of the wrong width stops the import, naming the row;
- a row whose image is missing or unreadable, whose folder is not one of the six keywords, or that
  names an image again, and an image that no row names, are skipped and reported;
- no split ships: train/valid/test are dealt as for any folder (seeded, stratified 80/5/15).
"""

from __future__ import annotations

import math
from pathlib import Path, PurePosixPath

import pandas as pd

from ...fileio import sha256_file
from ...taxonomy import EMOTION6
from ..placing import place_image
from ..report import NotedReport
from ..table import DatasetError, write_dataset
from .ferplus import plurality
from .folders import split_missing

GROUND_TRUTH = "ground_truth.txt"
RATERS = 15
#: How far (in votes) a share × 15 may lie from a whole count: generous, as the release prints the
#: shares (multiples of 1/15) to six digits.
TOLERANCE = 0.2
KEYWORDS = EMOTION6.classes[:6]
VOTES = [f"votes_{c}" for c in EMOTION6.classes]
FIELDS = ("image_filename", "valence", "arousal", *(f"prob. {c}" for c in EMOTION6.classes))
LABELS = {
    "keyword": "the search keyword the photo was found with (its folder): a weak label",
    "raters": "the raters' most-chosen of the seven emotions, neutral included; ties skipped",
}


def holds_release(folder: Path) -> bool:
    return (folder / "images").is_dir() and (folder / GROUND_TRUTH).is_file()


def find_release(src: Path) -> Path:
    """``src`` if it holds ``images/`` and ``ground_truth.txt``, else its one subfolder that does."""
    if holds_release(src):
        return src
    found = [d for d in sorted(src.iterdir()) if d.is_dir() and holds_release(d)] if src.is_dir() else []
    if len(found) != 1:
        which = f"; found it in {', '.join(d.name for d in found)}" if found else ""
        raise DatasetError(
            f"{src}: expected one Emotion6 release (images/ and {GROUND_TRUTH}) here or in one subfolder{which}"
        )
    return found[0]


def _number(path: Path, n: int, name: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise DatasetError(f"{path} row {n}: {name} must be a number, got {text!r}")
    if not low <= value <= high:
        raise DatasetError(f"{path} row {n}: {name} must be {low:g}..{high:g}, got {text!r}")
    return value


def parse_row(path: Path, n: int, cells: list[str]) -> dict:
    """One row of ``ground_truth.txt`` (file row ``n``), checked: image, valence, arousal, vote counts."""
    if len(cells) != len(FIELDS):
        raise DatasetError(f"{path} row {n}: {len(cells)} fields; expected {len(FIELDS)} ({', '.join(FIELDS)})")
    row = {"name": cells[0], "row": n}
    for name, text in zip(FIELDS[1:3], cells[1:3]):
        row[name] = _number(path, n, name, text, 1, 9)
    shares = [_number(path, n, name, text, 0, 1) for name, text in zip(FIELDS[3:], cells[3:])]
    for name, text, share in zip(FIELDS[3:], cells[3:], shares):
        if abs(share * RATERS - round(share * RATERS)) > TOLERANCE:
            raise DatasetError(f"{path} row {n}: {name} {text} is no whole number of {RATERS} raters' votes")
    row.update(zip(VOTES, (round(share * RATERS) for share in shares)))
    if sum(row[c] for c in VOTES) != RATERS:
        raise DatasetError(
            f"{path} row {n}: the seven shares sum to {sum(shares):.4g}, not 1 "
            f"({sum(row[c] for c in VOTES)} of {RATERS} raters' votes)"
        )
    return row


def read_ground_truth(path: Path) -> pd.DataFrame:
    """Every row of ``ground_truth.txt`` after its header (taken by position), checked; ``row`` is the
    file's line number, ``majority`` the raters' choice (missing on a tie, ``why`` says which)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DatasetError(f"{path}: not a readable text file ({err})") from err
    if not lines:
        raise DatasetError(f"{path} is empty")
    if "/" in lines[0].split("\t")[0]:
        raise DatasetError(f"{path} row 1: a photo's row; the first line must be the header ([image_filename] …)")
    rows = [parse_row(path, n, line.split()) for n, line in enumerate(lines[1:], 2) if line.strip()]
    truth = pd.DataFrame(rows, columns=["name", "row", "valence", "arousal", *VOTES])
    votes = truth[VOTES].set_axis(EMOTION6.classes, axis=1)
    decided = [plurality(counts) for _, counts in votes.iterrows()]
    truth["majority"], truth["why"] = [m for m, _ in decided], [why for _, why in decided]
    return truth


def agreement_note(photos: pd.DataFrame) -> str:
    """How often the raters' majority is the keyword, neutral, or a tie, among ``photos``."""

    def share(mask: pd.Series) -> str:
        return f"{100 * mask.sum() / max(len(photos), 1):.1f} % ({mask.sum()})"

    majority = photos["majority"]
    return (
        f"raters' majority = keyword for {share(majority == photos['keyword'])} of {len(photos)} photos; "
        f"neutral for {share(majority == 'neutral')}; tied for {share(majority.isna())}"
    )


def import_emotion6(src: str | Path, out: str | Path, label: str = "keyword", seed: int = 0):
    """Import the Emotion6 release folder (``images/`` + ``ground_truth.txt``), or the folder holding it.

    ``label``: ``"keyword"`` (the search keyword) or ``"raters"`` (the raters' majority of seven).
    """
    if label not in LABELS:
        raise ValueError(f"label must be one of {', '.join(LABELS)}, got {label!r}")
    root, out = find_release(Path(src)), Path(out)
    truth = read_ground_truth(root / GROUND_TRUTH)  # every row is checked before any image is written
    report = NotedReport(f"{root} (Emotion6)")
    truth["where"] = [f"{GROUND_TRUTH} row {n}" for n in truth["row"]]
    truth["keyword"] = truth["name"].map(lambda name: PurePosixPath(name).parts[0])
    again = truth["name"].duplicated()
    first = dict(zip(truth["name"][~again], truth["row"][~again]))
    for name, where in zip(truth["name"][again], truth["where"][again]):
        report.skip(where, f"image listed again ({name}, first at row {first[name]})")
    for file in sorted(p for p in (root / "images").rglob("*") if p.is_file()):
        if file.relative_to(root / "images").as_posix() not in first:
            report.skip(file.relative_to(root).as_posix(), f"no row of {GROUND_TRUTH} names it")
    photos = truth[~again & truth["keyword"].isin(KEYWORDS)]
    rows = []
    for _, row in truth[~again].iterrows():
        keyword, file = row["keyword"], root / "images" / row["name"]
        parts = PurePosixPath(row["name"]).parts
        if len(parts) != 2 or parts[1] == "..":
            report.skip(row["where"], f"image {row['name']!r} is not <keyword>/<file>")
        elif keyword not in KEYWORDS:
            report.skip(row["where"], f"folder {keyword!r} is not an Emotion6 keyword ({', '.join(KEYWORDS)})")
        elif not file.is_file():
            report.skip(row["where"], f"image missing (images/{row['name']})")
        elif label == "raters" and pd.isna(row["majority"]):
            report.skip(row["where"], row["why"])
        elif (image := place_image(file, out, f"images/{row['name']}", report, where=row["where"])) is not None:
            rows.append(
                {
                    "image": image,
                    "label": keyword if label == "keyword" else row["majority"],
                    "split": None,
                    "source": f"images/{row['name']}",
                    "sha256": sha256_file(file),
                    "keyword": keyword,
                    **row[["valence", "arousal", *VOTES]].to_dict(),
                }
            )
    report.kept = len(rows)
    columns = ["image", "label", "split", "source", "sha256", "keyword", "valence", "arousal", *VOTES]
    table = split_missing(pd.DataFrame(rows, columns=columns), seed)
    split = f"none ships: seeded ({seed}) stratified 80/5/15 train/valid/test, as for any folder"
    report.notes += [f"label: {LABELS[label]}", agreement_note(photos), f"split: {split}"]
    info = {
        "name": "Emotion6",
        "classes": list(KEYWORDS if label == "keyword" else EMOTION6.classes),
        "citation": "peng2015mixed",
        "licence": "academic research only; image copyright stays with the Flickr owners; see the dataset page's terms",
        "provenance": f"imported from {root}",
        "label": f"{label}: {LABELS[label]}",
        "split": split,
        "columns": {
            "keyword": "the search keyword (the release's folder)",
            "valence, arousal": "the raters' mean ratings, 1 (negative, calm) to 9 (positive, excited)",
            "votes_<emotion>": f"how many of the {RATERS} raters chose it: ground_truth.txt's share × {RATERS}",
        },
    }
    return write_dataset(out, table.astype({c: int for c in VOTES}), info), report
