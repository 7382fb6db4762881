"""Gradable exercises: what a chapter's solution cells declare, and how an answer is compared.

A solution cell declares its exercise in its metadata, with nbgrader's names for the id and the points::

    "emocourse": {"kind": "measure", "grade_id": "ex1", "points": 2, "answer": "missing", "compare": "set"}

``answer`` is the variable the solution (and the student) assigns; ``compare`` is one of
:data:`COMPARISONS`; ``tolerance`` (for ``close``) is an absolute difference, default 0.005.

``kind`` says what the exercise asks of the student (:data:`KINDS`): to *predict* a result before a
cell shows it, to *explain* a why, to *implement* the method itself, or to *measure* something with
the chapter's tools. The last two are graded by recomputation; a prediction or an explanation is
free text, and its solution is a markdown cell with a folded model answer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

import nbformat

COMPARISONS = ("equal", "set", "close")
KINDS = ("predict", "explain", "implement", "measure")
GRADED_KINDS = ("implement", "measure")


@dataclass(frozen=True)
class Exercise:
    """One gradable exercise of a chapter."""

    grade_id: str
    answer: str
    points: float
    compare: str = "equal"
    tolerance: float = 0.005
    kind: str = "measure"

    @classmethod
    def from_metadata(cls, meta: Mapping[str, Any], where: str) -> Exercise:
        """The exercise a cell's ``emocourse`` metadata declares; ``where`` names the cell in errors."""
        missing = [key for key in ("grade_id", "answer", "points") if key not in meta]
        if missing:
            raise ValueError(f"{where}: exercise metadata lacks {missing[0]!r}")
        if not str(meta["answer"]).isidentifier():
            raise ValueError(f"{where}: answer {meta['answer']!r} must be a Python variable name")
        if meta.get("compare", "equal") not in COMPARISONS:
            raise ValueError(f"{where}: compare {meta['compare']!r} must be one of {', '.join(COMPARISONS)}")
        if not (isinstance(meta["points"], Real) and meta["points"] > 0):
            raise ValueError(f"{where}: points must be a positive number, not {meta['points']!r}")
        if meta.get("kind", "measure") not in GRADED_KINDS:
            raise ValueError(
                f"{where}: kind {meta['kind']!r} is not graded; a graded exercise is one of {', '.join(GRADED_KINDS)}"
            )
        known = {"grade_id", "answer", "points", "compare", "tolerance", "kind"}
        return cls(**{key: value for key, value in meta.items() if key in known})


def exercises(nb: nbformat.NotebookNode, where: str | Path = "notebook") -> list[Exercise]:
    """The gradable exercises of ``nb``, in order: its cells whose metadata declare one."""
    found = []
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("emocourse")
        if meta and "grade_id" in meta:
            found.append(Exercise.from_metadata(meta, f"{where}, cell {index}"))
    ids = [exercise.grade_id for exercise in found]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{where}: two exercises share a grade_id ({', '.join(ids)})")
    return found


def exercise_kinds(nb: nbformat.NotebookNode, where: str | Path = "notebook") -> list[tuple[str, str | None]]:
    """``(kind, grade_id)`` of every solution cell of ``nb``, in order (``grade_id`` is None for an
    exercise that is not graded: a prediction or an explanation)."""
    found = []
    for index, cell in enumerate(nb.cells):
        if "solution" not in cell.metadata.get("tags", []):
            continue
        meta = cell.metadata.get("emocourse", {})
        if meta.get("kind") not in KINDS:
            raise ValueError(f"{where}, cell {index}: a solution declares its kind, one of {', '.join(KINDS)}")
        found.append((meta["kind"], meta.get("grade_id")))
    return found


def plain(value: Any) -> Any:
    """``value`` as JSON data: numbers, strings, booleans, lists, and string-keyed mappings. pandas
    Series and DataFrames become mappings; sets become sorted lists. Anything else is refused, so
    that an object cannot pretend to equal the reference."""
    import numpy as np
    import pandas as pd

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.DataFrame):
        return {str(column): plain(value[column]) for column in value.columns}
    if isinstance(value, pd.Series):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return [plain(item) for item in value.tolist()]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(item) for item in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    raise TypeError(f"a {type(value).__name__} cannot be graded; give a number, text, list, dict or table")


def save_answers(namespace: Mapping[str, Any], names: list[str], path: str) -> None:
    """Write the answers ``names`` found in ``namespace`` to the JSON file ``path`` (run in the kernel,
    after the chapter): ``{name: {"value": ...}}`` or ``{name: {"problem": "..."}}``."""
    found = {}
    for name in names:
        if name not in namespace:
            found[name] = {"problem": f"the notebook never assigns {name}"}
            continue
        try:
            found[name] = {"value": plain(namespace[name])}
        except TypeError as err:
            found[name] = {"problem": str(err)}
    Path(path).write_text(json.dumps(found))


def matches(expected: Any, given: Any, exercise: Exercise) -> bool:
    """Whether ``given`` is a right answer when the reference computed ``expected``."""
    if exercise.compare == "set":
        return isinstance(given, list) and _as_set(given) == _as_set(expected)
    if exercise.compare == "close":
        return _close(expected, given, exercise.tolerance)
    return json.dumps(expected, sort_keys=True) == json.dumps(given, sort_keys=True)


def _as_set(items: list) -> frozenset:
    return frozenset(json.dumps(item, sort_keys=True) for item in items)


def _close(expected: Any, given: Any, tolerance: float) -> bool:
    if isinstance(expected, bool) or isinstance(given, bool):
        return expected is given
    if isinstance(expected, (int, float)) and isinstance(given, (int, float)):
        return math.isfinite(given) and abs(expected - given) <= tolerance
    if isinstance(expected, dict) and isinstance(given, dict):
        return expected.keys() == given.keys() and all(_close(expected[k], given[k], tolerance) for k in expected)
    if isinstance(expected, list) and isinstance(given, list):
        return len(expected) == len(given) and all(_close(e, g, tolerance) for e, g in zip(expected, given))
    return expected == given
