"""Datasets: the canonical table, adapters for real releases, offline stand-ins.

``load("affect")`` or ``load("faces")`` returns a stand-in, generating it on first use under
``$EMOCOURSE_HOME/data``; ``load(path)`` reads any canonical dataset folder. Book: *Datasets*.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..paths import data_dir
from .table import Dataset, DatasetError, read_dataset, write_dataset

__all__ = ["Dataset", "DatasetError", "load", "read_dataset", "write_dataset"]


def load(path_or_name: str | os.PathLike) -> Dataset:
    """A validated dataset: a folder with ``labels.csv``, or the name of a stand-in (``affect``, ``faces``)."""
    from .standins import STANDINS

    path = Path(path_or_name).expanduser()
    if path.is_dir():
        return read_dataset(path)
    name = str(path_or_name)
    if name in STANDINS:
        folder = data_dir() / name
        if not (folder / "labels.csv").is_file():
            print(f"Generating the {name} stand-in into {folder} (once; later runs reuse it)...")
            STANDINS[name](folder)
        return read_dataset(folder)
    raise DatasetError(f"no dataset at {path_or_name!r}: give a folder with labels.csv or one of {', '.join(STANDINS)}")
