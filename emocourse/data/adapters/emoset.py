"""EmoSet-118K (Yang et al. 2023) → canonical table. Book: *Datasets* → EmoSet.

Layout: ``train.json``/``val.json``/``test.json`` list rows ``[label, id, image, annotation]``
(or ``[label, image, annotation]``), with ``image/<emotion>/<id>.jpg`` and
``annotation/<emotion>/<id>.json`` relative to the release folder. EmoSet orders its classes
positive-first; labels are mapped to FI's alphabetical order *by name*.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...fileio import sha256_file
from ...taxonomy import EMOSET, FI
from ..placing import place_image
from ..report import ImportReport
from ..table import DatasetError, read_json, write_dataset

SPLIT_FILES = {"train": "train.json", "valid": "val.json", "test": "test.json"}


def _parse_row(row) -> tuple[str, str, str]:
    """(label, image, annotation) of one split row of either shape."""
    if not isinstance(row, list) or len(row) not in (3, 4) or not all(isinstance(v, str) for v in row):
        raise ValueError(f"expected [label, id, image, annotation] or [label, image, annotation], got {row!r}")
    label, image, annotation = (row[0], row[2], row[3]) if len(row) == 4 else tuple(row)
    if label not in EMOSET:
        raise ValueError(f"unknown label {label!r} (EmoSet classes: {', '.join(EMOSET)})")
    return EMOSET.translate(label, FI), image, annotation


def import_emoset(src: str | Path, out: str | Path):
    """Import an EmoSet release folder (the one holding ``train.json``)."""
    src, out = Path(src), Path(out)
    report = ImportReport(str(src))
    listed = []  # every split file is read and checked before any image is written
    for split, name in SPLIT_FILES.items():
        path = src / name
        if not path.is_file():
            raise DatasetError(f"{src}: {name} is missing (expected train.json, val.json, test.json)")
        entries = read_json(path)
        if not isinstance(entries, list):
            raise DatasetError(
                f"{path}: expected a JSON list of [label, id, image, annotation] rows, "
                f"found a JSON {type(entries).__name__}"
            )
        listed += [(split, f"{name} entry {index}", entry) for index, entry in enumerate(entries)]
    rows = []
    for split, where, entry in listed:
        try:
            label, image, annotation = _parse_row(entry)
        except ValueError as err:
            report.skip(where, str(err))
            continue
        file = src / image
        if not file.resolve().is_relative_to(src.resolve()):
            report.skip(where, f"image path {image!r} leaves the release folder")
            continue
        if not file.is_file():
            report.skip(where, f"image {image} does not exist")
            continue
        placed = place_image(file, out, f"images/{label}/{Path(image).name}", report)
        if placed is not None:
            rows.append(
                {
                    "image": placed,
                    "label": label,
                    "split": split,
                    "source": image,
                    "annotation": annotation,
                    "sha256": sha256_file(file),
                }
            )
    report.kept = len(rows)
    info = {
        "name": "EmoSet",
        "classes": list(FI.classes),
        "citation": "yang2023emoset",
        "licence": "research use; see the EmoSet terms",
        "provenance": f"imported from {src}",
        "emoset_classes": list(EMOSET.classes),
    }
    return write_dataset(out, pd.DataFrame(rows), info), report
