"""FER+ (Barsoum et al. 2016): ten votes per FER2013 face → canonical table with vote counts.

Two layouts are read (book: *Datasets* → FER+):

- ``fer2013.csv`` + ``fer2013new.csv``: the same rows in the same order; ``fer2013new.csv`` has the
  header ``Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF``.
  The images come from the FER2013 pixels; FER+ adds the votes;
- the ``FER2013Train/``, ``FER2013Valid/``, ``FER2013Test/`` folders that FER+'s own script writes
  (PNG faces + a ``label.csv`` of votes each; :mod:`.ferplus_folders`). They carry no FER2013 labels.

Labelling rules, the same for both:

- a row whose ``Image name`` is empty is not a face (FER+'s raters said so): skipped;
- the label is the emotion with the most votes; a tie for the most votes is skipped as
  ambiguous, and so is a face where ``unknown`` or ``NF`` got more votes than any emotion;
- every kept row keeps all ten vote counts (``votes_<column>``) and, from the CSV files only,
  FER2013's own label (``fer2013_label``), which disagrees with the FER+ majority on many faces.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...taxonomy import FER2013, FERPLUS
from ..report import NotedReport
from ..table import DatasetError, write_dataset
from .fer_csv import USAGE_TO_SPLIT, VOTE_COLUMNS, import_csv, read_votes
from .ferplus_folders import SPLIT_FOLDERS, find_root, place_face, read_release

INFO = {
    "name": "FER+",
    "classes": list(FERPLUS.classes),
    "licence": "FER+ labels: MIT; images: FER2013 terms",
    "citation": "barsoum2016training",
}
NO_FER2013_LABEL = "the folder layout has no FER2013 labels"


def plurality(counts: pd.Series) -> tuple[str | None, str]:
    """The name with the most votes in ``counts``, or ``(None, reason)`` on a tie for the most."""
    top = counts.max()
    winners = counts.index[counts == top]
    if len(winners) > 1:
        return None, f"tie between {' and '.join(winners)} ({top} votes each)"
    return winners[0], ""


def majority(votes: pd.Series) -> tuple[str | None, str]:
    """FER+ majority label of one row's votes, or ``(None, reason)`` under the rules above."""
    emotions = votes[list(FERPLUS.classes)]
    if max(votes["unknown"], votes["NF"]) > emotions.max():
        return None, "more unknown/not-a-face votes than for any emotion"
    return plurality(emotions)


def decide(votes: pd.DataFrame, wheres) -> tuple[dict, dict]:
    """Label of each row index that passes the rules above, and ``(where, why)`` of each that does not."""
    labels, skip = {}, {}
    for (index, row), where in zip(votes.iterrows(), wheres):
        label, why = majority(row) if row["Image name"].strip() else (None, "not a face (empty Image name)")
        if label is None:
            skip[index] = (where, why)
        else:
            labels[index] = label
    return labels, skip


def import_ferplus(src: str | Path, out: str | Path, votes_csv: str | Path | None = None):
    """Import FER+ from a folder holding ``fer2013.csv`` and ``fer2013new.csv``, or from one holding
    FER+'s ``FER2013Train/``, ``FER2013Valid/`` and ``FER2013Test/`` (directly or in ``data/``)."""
    src, out = Path(src), Path(out)
    fer_csv = src if src.is_file() else src / "fer2013.csv"
    if votes_csv is None and not fer_csv.is_file():
        root = find_root(src)
        if root is None:
            raise DatasetError(
                f"{src}: no FER+ release; expected fer2013.csv + fer2013new.csv, or the folders "
                f"{', '.join(SPLIT_FOLDERS)} with a label.csv each (FER+'s generate_training_data.py)"
            )
        return import_folder_layout(root, out)
    votes_path = Path(votes_csv) if votes_csv else fer_csv.parent / "fer2013new.csv"
    for required in (fer_csv, votes_path):
        if not required.is_file():
            raise DatasetError(f"FER+ needs {required.name}: {required} does not exist")
    votes = read_votes(votes_path)
    labels, skip = decide(votes, [f"{votes_path.name} row {index + 2}" for index in votes.index])
    table, report = import_csv(fer_csv, out, skip)  # decided from the votes alone, before any image is written
    report.source = f"{fer_csv} + {votes_path.name} (FER+ CSV layout)"
    if len(votes) != report.kept + report.skipped:
        raise DatasetError(
            f"{votes_path} has {len(votes)} rows but {fer_csv.name} has a different number: "
            "the two files must list the same faces in the same order"
        )
    rows = []
    for record in table.to_dict("records"):
        row = votes.iloc[record["row"]]
        split_in_votes = USAGE_TO_SPLIT.get(row["Usage"])
        if split_in_votes != record["split"]:
            raise DatasetError(
                f"{votes_path.name} row {record['row'] + 2}: Usage {row['Usage']!r} does not match "
                f"fer2013.csv's split {record['split']!r}; are the two files from the same release?"
            )
        rows.append(
            {
                **{k: record[k] for k in ("image", "split", "source")},
                "label": labels[record["row"]],
                "fer2013_label": record["label"],
                **{f"votes_{c}": int(row[c]) for c in VOTE_COLUMNS},
            }
        )
    report.kept = len(rows)
    info = dict(INFO, provenance=f"imported from {fer_csv} and {votes_path}", fer2013_classes=list(FER2013.classes))
    return write_dataset(out, pd.DataFrame(rows), info), report


def import_folder_layout(root: Path, out: Path):
    """Import FER+'s split folders under ``root``: same labels and votes, no ``fer2013_label``."""
    report = NotedReport(f"{root} (FER+ folder layout)")
    votes, missing = read_release(root, report)
    labels, skip = decide(votes, votes["where"])
    rows = []
    for index, row in votes.iterrows():
        if index in skip:
            report.skip(*skip[index])
        elif (image := place_face(root, row, out, report)) is not None:
            rows.append(
                {
                    "image": image,
                    "label": labels[index],
                    "split": row["split"],
                    "source": row["where"],
                    **{f"votes_{c}": int(row[c]) for c in VOTE_COLUMNS},
                }
            )
    report.kept = len(rows)
    report.notes.append(f"no fer2013_label column: {NO_FER2013_LABEL}")
    info = dict(
        INFO, provenance=f"imported from FER+'s folder layout in {root}", fer2013_label=f"absent: {NO_FER2013_LABEL}"
    )
    if missing:
        info["missing_splits"] = missing
    columns = ["image", "label", "split", "source", *(f"votes_{c}" for c in VOTE_COLUMNS)]
    return write_dataset(out, pd.DataFrame(rows, columns=columns), info), report
