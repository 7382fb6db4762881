"""Per-student variants: a roster, a spec of which chapter parameters vary, and a deterministic draw.

A variant spec is YAML::

    seed: 2026                  # optional: another seed gives every student other values
    parameters:
      THRESHOLD: [3, 4, 5]      # one of these values
      SEED: {range: [0, 999]}   # an integer from 0 to 999

Each student's values are drawn from a generator seeded by the spec's seed, the chapter and the
student's id, so the same roster and spec always give the same variants, and a student added later
changes nobody else's.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..fileio import atomic_write
from ..notebook import RULES
from .edition import write_student_editions

ROSTER_COLUMNS = ("id", "name", "email")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class SpecError(ValueError):
    """A roster or a variant spec that cannot be used; the message names the file and the row or key."""


def read_roster(path: Path) -> pd.DataFrame:
    """The roster CSV: one row per student with at least ``id``, ``name`` and ``email``; other columns
    are kept. Ids must be unique and usable as folder names."""
    path = Path(path)
    try:
        roster = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise SpecError(f"{path}: not a readable CSV roster ({err})") from None
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise SpecError(f"{path}: missing column {missing[0]} (a roster needs {', '.join(ROSTER_COLUMNS)})")
    first_row = {}
    for line, student in enumerate(roster["id"], start=2):  # line 1 is the header
        if not _SAFE_ID.match(student):
            raise SpecError(f"{path}, line {line}: student id {student!r} must be letters, digits, '.', '_' or '-'")
        if student in first_row:
            raise SpecError(
                f"{path}, line {line}: student id {student} appears twice (first on line {first_row[student]})"
            )
        first_row[student] = line
    if roster.empty:
        raise SpecError(f"{path}: the roster has no students")
    return roster


@dataclass(frozen=True)
class Spec:
    """Which parameters vary: ``choices`` holds, per parameter, a list of values or an inclusive range."""

    seed: int
    choices: dict[str, list | range]

    def digest(self) -> str:
        """A short fingerprint of the spec, recorded with every assignment."""
        plain = {k: ([v.start, v.stop - 1] if isinstance(v, range) else v) for k, v in self.choices.items()}
        return hashlib.sha256(json.dumps([self.seed, plain], sort_keys=True).encode()).hexdigest()[:12]


def _check(path: Path, name: str, value: Any) -> None:
    problem = RULES[name](value)
    if problem:
        raise SpecError(f"{path}: {name}={value!r}: {problem}")


def read_spec(path: Path, declared: list[str]) -> Spec:
    """The variant spec at ``path`` for a chapter that declares the parameters ``declared``: every
    varied parameter must be one of them, and every value one its rule accepts."""
    import yaml

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise SpecError(f"{path}: not a readable YAML spec ({err})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("parameters"), dict) or not raw["parameters"]:
        raise SpecError(f"{path}: needs a 'parameters' mapping, e.g. parameters: {{SEED: {{range: [0, 999]}}}}")
    unknown_keys = sorted(set(raw) - {"seed", "parameters"})
    if unknown_keys:
        raise SpecError(f"{path}: unknown key {unknown_keys[0]!r} (a spec has 'seed' and 'parameters')")
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SpecError(f"{path}: seed={seed!r}: must be a non-negative integer")
    choices = {}
    for name, given in raw["parameters"].items():
        if name not in declared:
            raise SpecError(f"{path}: unknown parameter {name}: this chapter takes {', '.join(declared)}")
        if isinstance(given, dict) and set(given) == {"range"}:
            low_high = given["range"]
            if not (isinstance(low_high, list) and len(low_high) == 2 and all(type(v) is int for v in low_high)):
                raise SpecError(f"{path}: {name}: range must be two integers [low, high]")
            low, high = low_high
            if low > high:
                raise SpecError(f"{path}: {name}: range [{low}, {high}] is empty")
            _check(path, name, low)
            _check(path, name, high)
            choices[name] = range(low, high + 1)
        elif isinstance(given, list) and given:
            for value in given:
                _check(path, name, value)
            choices[name] = list(given)
        else:
            raise SpecError(f"{path}: {name}: give a non-empty list of values or {{range: [low, high]}}")
    return Spec(seed, choices)


def _student_seed(spec: Spec, chapter: str, student: str) -> list[int]:
    digest = hashlib.sha256(f"{chapter}\0{student}".encode()).digest()
    return [spec.seed, int.from_bytes(digest[:8], "big")]


def assign(roster: pd.DataFrame, spec: Spec, chapter: str) -> pd.DataFrame:
    """The roster with one column per varied parameter: each student's values for ``chapter``."""
    rows = []
    for student in roster["id"]:
        rng = np.random.default_rng(_student_seed(spec, chapter, student))
        rows.append({name: options[int(rng.integers(len(options)))] for name, options in sorted(spec.choices.items())})
    return pd.concat([roster.reset_index(drop=True), pd.DataFrame(rows, dtype=object)], axis=1)


def write_assignment(chapter: Path, roster: pd.DataFrame, spec: Spec, out: Path) -> pd.DataFrame:
    """One student edition of ``chapter`` per student under ``out/<id>/``, with the student's
    parameters injected by papermill, and ``out/assignment.json`` recording who got what."""
    import papermill

    variants = assign(roster, spec, chapter.stem)
    names = sorted(spec.choices)
    out.mkdir(parents=True, exist_ok=True)
    [edition] = write_student_editions([chapter], out / ".student-edition")
    for _, row in variants.iterrows():
        parameters = {name: _plain(row[name]) for name in names}
        folder = out / row["id"]
        folder.mkdir(exist_ok=True)
        papermill.execute_notebook(
            str(edition), str(folder / chapter.name), parameters=parameters, prepare_only=True, progress_bar=False
        )
    record = {
        "chapter": chapter.stem,
        "spec": spec.digest(),
        "students": [
            {"id": row["id"], "parameters": {n: _plain(row[n]) for n in names}} for _, row in variants.iterrows()
        ],
    }
    with atomic_write(out / "assignment.json") as f:
        f.write(json.dumps(record, indent=2).encode())
    with atomic_write(out / "variants.csv") as f:
        f.write(variants.to_csv(index=False).encode())
    return variants


def _plain(value):
    """numpy scalars from a DataFrame as plain Python values (papermill and JSON want those)."""
    return value.item() if isinstance(value, np.generic) else value
