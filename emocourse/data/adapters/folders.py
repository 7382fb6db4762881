"""Image-folder releases → canonical table: FI, and any ``<class>/*.jpg`` tree or CSV list.

FI (You et al. 2016) ships as ``emotion_dataset/<emotion>/<emotion>_<n>.jpg`` with no split
and no votes; public copies contain "photo unavailable" placeholders. Book: *Datasets*.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pandas as pd

from ...fileio import sha256_file
from ...taxonomy import FI
from ..curation import FI_FRACTIONS, split_groups
from ..placing import place_image
from ..report import ImportReport
from ..table import SPLITS, DatasetError, read_text_csv, write_dataset

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
#: A file whose exact bytes occur this often is a placeholder ("photo unavailable"), not a photo.
PLACEHOLDER_COPIES = 3


def _image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def shown(path: Path | str) -> str:
    """``path`` as printable text, even when its name is not valid UTF-8 (bytes shown as ``\\xNN``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _place_all(items: list[tuple[Path, str, str | None]], out: Path, report: ImportReport) -> pd.DataFrame:
    """Check and copy (path, label, split) items; placeholders and unreadable files are reported."""
    digests = {path: sha256_file(path) for path, _, _ in items}
    copies = Counter(digests.values())
    rows = []
    for number, (path, label, split) in enumerate(items):
        if copies[digests[path]] >= PLACEHOLDER_COPIES:
            report.skip(shown(path), f"placeholder: the same bytes occur {copies[digests[path]]} times")
            continue
        # numbered, because a CSV may list files of the same name from different folders
        name = path.name
        if shown(name) != name:  # labels.csv is UTF-8 text: such a name cannot be written into it
            name = "renamed" + (path.suffix.lower() if shown(path.suffix) == path.suffix else "")
            report.fix(shown(path), f"file name is not valid UTF-8; kept as {number:06d}_{name}")
        image = place_image(path, out, f"images/{label}/{number:06d}_{name}", report, where=shown(path))
        if image is not None:
            rows.append(
                {"image": image, "label": label, "split": split, "source": shown(path), "sha256": digests[path]}
            )
    report.kept = len(rows)
    return pd.DataFrame(rows, columns=["image", "label", "split", "source", "sha256"])


def split_missing(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Fill empty splits with a seeded, stratified 80/5/15 split (identical files kept together)."""
    todo = table["split"].isna() | (table["split"] == "")
    if todo.any():
        groups = pd.factorize(table.loc[todo, "sha256"])[0]
        table.loc[todo, "split"] = split_groups(table.loc[todo, "label"], groups, FI_FRACTIONS, seed)
    return table


def import_fi(src: str | Path, out: str | Path, seed: int = 0):
    """Import FI's ``emotion_dataset/<emotion>/`` folders (or the folder holding ``emotion_dataset``)."""
    src, out = Path(src), Path(out)
    root = src / "emotion_dataset" if (src / "emotion_dataset").is_dir() else src
    report = ImportReport(str(root))
    folders = {p.name.lower(): p for p in root.iterdir() if p.is_dir()} if root.is_dir() else {}
    missing = [e for e in FI if e not in folders]
    if missing:
        raise DatasetError(
            f"{root}: not the FI layout, no folder for {', '.join(missing)} (expected emotion_dataset/<emotion>/)"
        )
    for name, folder in folders.items():
        if name not in FI:
            report.skip(str(folder), f"folder {name!r} is not an FI emotion")
    items = [(path, emotion, None) for emotion in FI for path in _image_files(folders[emotion])]
    table = split_missing(_place_all(items, out, report), seed)
    info = {
        "name": "FI",
        "classes": list(FI.classes),
        "citation": "you2016building",
        "licence": "research use; see the authors' page",
        "provenance": f"imported from {root}",
        "split": f"seeded ({seed}) stratified 80/5/15 train/valid/test, as You et al.",
    }
    return write_dataset(out, table, info), report


def import_folder(src: str | Path, out: str | Path, seed: int = 0):
    """Import a ``<class>/<image>`` tree, or a CSV with ``path,label[,split]``.

    CSV paths are relative to the CSV and must stay inside its folder; rows with an empty label,
    a path outside that folder or a missing file are reported and skipped. A file name that is not
    valid UTF-8 is kept under a numbered name and reported.
    """
    src, out = Path(src), Path(out)
    report = ImportReport(str(src))
    if src.is_file():
        listing = read_text_csv(src)
        if not {"path", "label"} <= set(listing.columns):
            raise DatasetError(f"{src}: needs columns path,label[,split]; found {','.join(listing.columns)}")
        items = []
        for index, row in listing.iterrows():
            where, path, split = f"{src} row {index + 2}", src.parent / row["path"], row.get("split", "") or None
            if split is not None and split not in SPLITS:
                raise DatasetError(f"{where}: split {split!r} is not one of {', '.join(SPLITS)}")
            if not row["label"].strip():
                report.skip(where, "empty label")
            elif not path.resolve().is_relative_to(src.parent.resolve()):
                report.skip(where, f"path {row['path']!r} leaves the CSV's folder {src.parent}")
            elif not path.is_file():
                report.skip(where, f"file {path} does not exist")
            else:
                items.append((path, row["label"].strip(), split))
    elif src.is_dir():
        items = []
        for folder in sorted(p for p in src.iterdir() if p.is_dir()):
            if shown(folder.name) != folder.name:
                report.skip(shown(folder), "class folder name is not valid UTF-8: rename it to import its images")
            else:
                items += [(path, folder.name, None) for path in _image_files(folder)]
    else:
        raise DatasetError(f"{src}: neither a folder of <class>/ folders nor a CSV file")
    if not items:
        raise DatasetError(f"{src}: no images found")
    classes = sorted({label for _, label, _ in items})
    table = split_missing(_place_all(items, out, report), seed)
    info = {"name": src.stem, "classes": classes, "provenance": f"imported from {src}"}
    return write_dataset(out, table, info), report
