"""Datasets: the canonical table, adapters for real releases, offline stand-ins.

``load("affect")`` or ``load("faces")`` returns a stand-in, generating it on first use under
``$EMOCOURSE_HOME/data``; ``load(path)`` reads any canonical dataset folder. Book: *Datasets*.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..paths import data_dir
from .table import Dataset, DatasetError, read_dataset, write_dataset

__all__ = ["Dataset", "DatasetError", "load", "read_dataset", "write_dataset"]


def _generator_version(folder: Path) -> int:
    """The stand-in generator version recorded in ``folder/dataset.json`` (1 before versions were recorded)."""
    from .table import read_json

    generator = read_json(folder / "dataset.json").get("generator", {})
    return int(generator.get("version", 1))


def _generate(name: str, folder: Path) -> None:
    """Generate stand-in ``name`` beside ``folder``, then swap it in: an interrupted run leaves the old one."""
    from .standins import STANDINS

    fresh = folder.with_name(f".{name}.new")
    shutil.rmtree(fresh, ignore_errors=True)
    STANDINS[name](fresh)
    old = folder.with_name(f".{name}.old")
    if folder.exists():
        shutil.rmtree(old, ignore_errors=True)
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def load(path_or_name: str | os.PathLike) -> Dataset:
    """A validated dataset: a folder with ``labels.csv``, or the name of a stand-in (``affect``, ``faces``)."""
    from .standins import GENERATOR_VERSIONS, STANDINS

    path = Path(path_or_name).expanduser()
    if path.is_dir():
        return read_dataset(path)
    name = str(path_or_name)
    if name in STANDINS:
        folder = data_dir() / name
        if not (folder / "labels.csv").is_file():
            print(f"Generating the {name} stand-in into {folder} (once; later runs reuse it)...")
            _generate(name, folder)
        elif (made_by := _generator_version(folder)) != GENERATOR_VERSIONS[name]:
            print(
                f"The {name} stand-in in {folder} was made by generator version {made_by}; "
                f"regenerating it with version {GENERATOR_VERSIONS[name]}..."
            )
            _generate(name, folder)
        return read_dataset(folder)
    raise DatasetError(f"no dataset at {path_or_name!r}: give a folder with labels.csv or one of {', '.join(STANDINS)}")
