"""Grading a class by recomputation: every submission is executed under its student's parameters and
each answer compared with the reference solution run on the same parameters. Book: *For instructors*.

Order of work: first the reference solution once per variant that has something to grade (trusted
code; its answers are kept in this process only and its scratch folder is deleted), then the
submissions, each in its own bubblewrap sandbox, scratch folder and kernel under time, memory and
output limits (:mod:`.sandbox`, :mod:`.bubblewrap`). ``grades.csv`` is rewritten after every finished submission, so an interrupted
batch resumes where it stopped: a student's rows are kept while the submission, the chapter and the
student's parameters are unchanged.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

from ..fileio import atomic_write
from .edition import student_edition
from .exercises import Exercise, exercises, matches
from .feedback import write_feedback
from .sandbox import Run, run_notebook, with_answer_cell

COLUMNS = ["student", "exercise", "points", "max_points", "status", "message", "run_key"]
#: every status a row can have
STATUSES = {
    "correct": "the answer matches the reference for the student's parameters",
    "wrong": "an answer, but not the reference's",
    "missing": "the notebook never assigned the answer (or assigned something that cannot be graded)",
    "error": "the answer cell raised an exception",
    "timeout": "the notebook ran past the time limit",
    "memory": "the notebook used more memory than allowed",
    "crashed": "the kernel, the process running it, or its worker died",
    "invalid": "the submission is not a notebook",
    "no-submission": "no file was found for the student",
    "reference-failed": "the reference solution did not compute this answer; not graded",
}


#: what ``--unsafe-no-sandbox`` leaves unprotected, printed when it is used
UNPROTECTED = (
    "--unsafe-no-sandbox: submissions run with your own rights. They can read your files (the chapters "
    "with their solutions too), change your stand-ins and weights, reach the network and the grading "
    "cluster, and leave processes running. Only the time, memory and output limits hold."
)


class SandboxUnavailable(ValueError):
    """Bubblewrap cannot run where a submission would be graded."""


@dataclass(frozen=True)
class Limits:
    """Per-notebook limits: wall-clock seconds and resident memory in bytes; ``sandboxed=False``
    runs notebooks without bubblewrap (``--unsafe-no-sandbox``)."""

    timeout: float = 600.0
    memory_bytes: int = 4 * 2**30
    sandboxed: bool = True

    def run(self, client, nb_json: str, kind: str, read_only: tuple[str, ...]):
        """Submit :func:`.sandbox.run_notebook` of ``nb_json`` under these limits to ``client``."""
        limits = (self.timeout, self.memory_bytes, kind, self.sandboxed, read_only)
        return client.submit(run_notebook, nb_json, *limits, pure=False)


@dataclass
class _Student:
    id: str
    parameters: dict
    key: str
    file: Path | None
    notebook: str | None = None  # the assembled notebook, when there is one to run
    problem: tuple[str, str] | None = None  # (status, message) when there is none

    @property
    def variant(self) -> str:
        return json.dumps(self.parameters, sort_keys=True)


def grade_class(chapter: Path, submissions: Path, assigned: Path, out: Path, client, limits: Limits = Limits()):
    """Grade every student of the assignment in ``assigned`` (written by ``course assign``) from the
    folder ``submissions``, on the Dask ``client``; write ``out`` (grades.csv) and one feedback page
    per student in ``out``'s folder under ``feedback/``. Returns the grade table."""
    _check_sandbox(client, limits, chapter)
    full = nbformat.read(chapter, as_version=4)
    graded = exercises(full, chapter)
    if not graded:
        raise ValueError(f"{chapter}: no solution cell declares a gradable exercise, so there is nothing to grade")
    names = [exercise.answer for exercise in graded]
    edition = student_edition(chapter)
    chapter_bytes = chapter.read_bytes()
    students = [
        _locate(entry, submissions, chapter, chapter_bytes, edition, graded)
        for entry in _read_assignment(assigned, chapter)
    ]
    previous = _read_grades(out)
    kept = previous[previous["run_key"].isin({s.key for s in students})]
    todo = [s for s in students if s.key not in set(kept["run_key"])]
    book = _Gradebook(out, kept, [s.id for s in students], [e.grade_id for e in graded])
    print(f"{len(students)} students: {len(students) - len(todo)} already graded, {len(todo)} to grade")

    runnable = [s for s in todo if s.notebook is not None]
    for student in todo:
        if student.problem:
            rows = [_row(student, e, *student.problem) for e in graded]
            book.add(student, rows)
            write_feedback(
                out.parent / "feedback" / f"{student.id}.html", chapter.stem, student, rows, Run(*student.problem)
            )
    if not runnable:
        return book.table
    defaults = _default_parameters(chapter)
    references = _references(full, names, {s.variant: s.parameters for s in runnable}, defaults, client, limits)

    futures = {
        limits.run(client, s.notebook, "submission", _named_paths({**defaults, **s.parameters})): s for s in runnable
    }
    from distributed import as_completed
    from tqdm import tqdm

    # a progress bar on a terminal; none in logs or a notebook's shell cell
    progress = tqdm(as_completed(futures), total=len(futures), desc="grading", unit="notebook", disable=None)
    for future in progress:
        student = futures.pop(future)
        run = _result(future)
        rows = [_score(student, exercise, run, references) for exercise in graded]
        book.add(student, rows)
        write_feedback(out.parent / "feedback" / f"{student.id}.html", chapter.stem, student, rows, run)
    return book.table


def _check_sandbox(client, limits: Limits, chapter: Path) -> None:
    """Refuse, in one line, to grade where a worker cannot sandbox, or where every sandbox would show
    the chapter with its solutions; say what ``--unsafe-no-sandbox`` gives up."""
    from .bubblewrap import problem, shown_by

    if not limits.sandboxed:
        print(UNPROTECTED)
        return
    if shown := shown_by(chapter):
        raise SandboxUnavailable(
            f"{chapter} is inside {shown}, which every sandbox shows read-only: students could read its "
            "solutions. Keep your course folder outside the system folders and the Python environment"
        )
    problems = {why for why in client.run(problem).values() if why}
    if problems:
        raise SandboxUnavailable(
            f"cannot grade untrusted notebooks safely: {'; '.join(sorted(problems))}. Grade on Linux with "
            "bubblewrap, or pass --unsafe-no-sandbox to run them with your own rights"
        )


def _default_parameters(chapter: Path) -> dict:
    """The values of the chapter's parameters cell that are Python literals."""
    import ast

    import papermill

    defaults = {}
    for name, parameter in papermill.inspect_notebook(str(chapter)).items():
        try:
            defaults[name] = ast.literal_eval(parameter["default"])
        except (ValueError, SyntaxError):
            pass
    return defaults


def _named_paths(parameters: dict) -> tuple[str, ...]:
    """The absolute paths among the parameters' values (a dataset folder): the sandbox shows them read-only."""
    import os

    return tuple(sorted({value for value in parameters.values() if isinstance(value, str) and os.path.isabs(value)}))


def _read_assignment(assigned: Path, chapter: Path) -> list[dict]:
    path = assigned / "assignment.json"
    try:
        record = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not an assignment written by 'emocourse course assign' ({err})") from None
    if record.get("chapter") != chapter.stem:
        raise ValueError(f"{path}: this assignment is of {record.get('chapter')}, not {chapter.stem}")
    return record["students"]


def _locate(entry: dict, submissions: Path, chapter: Path, chapter_bytes: bytes, edition, graded) -> _Student:
    """A student's submission: ``<id>/<chapter>.ipynb``, the one file in ``<id>/``, or ``<id>.*``."""
    student_id, parameters = entry["id"], entry["parameters"]
    folder = submissions / student_id
    candidates = [folder / chapter.name] if (folder / chapter.name).is_file() else []
    candidates = candidates or sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith("."))
    candidates = candidates or sorted(submissions.glob(f"{student_id}.*"))
    found = candidates[0] if len(candidates) == 1 else None
    content = found.read_bytes() if found else b""
    key = hashlib.sha256(b"\0".join([chapter_bytes, content, json.dumps(parameters, sort_keys=True).encode()]))
    student = _Student(student_id, parameters, key.hexdigest()[:16], found)
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates)
        student.problem = ("invalid", f"several files and none named {chapter.name}: {names}")
    elif found is None:
        student.problem = ("no-submission", f"nothing at {folder / chapter.name} or {submissions / student_id}.ipynb")
    else:
        try:
            submitted = _read_notebook(content)
        except ValueError as err:
            student.problem = ("invalid", f"{found.name} is not a Jupyter notebook ({err})")
        else:
            assembled = with_answer_cell(assemble(edition, submitted, graded), [e.answer for e in graded])
            student.notebook = _with_parameters(assembled, parameters)
    return student


def _read_notebook(content: bytes) -> nbformat.NotebookNode:
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("it is not JSON text") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        raise ValueError("JSON, but not a notebook in format 4")
    try:
        nb = nbformat.from_dict(data)
        nbformat.validate(nb)
    except Exception as err:  # nbformat raises many kinds on malformed input
        first_line = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ValueError(f"JSON, but not a valid notebook: {first_line[:100]}") from None
    return nbformat.reads(json.dumps(data), as_version=4)


def assemble(edition: nbformat.NotebookNode, submitted: nbformat.NotebookNode, graded: list[Exercise]):
    """The notebook that is run for a submission: the chapter's own cells as the student edition has
    them (whatever the student changed there), with each exercise's answer cell, and the code cells
    the student added right after it, taken from the submission (nbgrader restores locked cells in
    the same way)."""
    wanted = {exercise.grade_id for exercise in graded}
    ids = {cell.get("id") for cell in edition.cells} - {None}
    sources = {cell.source for cell in edition.cells}
    answers: dict[str, list] = {}
    current = None
    for cell in submitted.cells:
        grade_id = cell.metadata.get("emocourse", {}).get("grade_id")
        if grade_id in wanted and cell.cell_type == "code":
            current = grade_id
            answers[current] = [cell]
        elif cell.get("id") in ids or cell.source in sources:
            current = None
        elif current and cell.cell_type == "code":
            answers[current].append(cell)
    assembled = copy.deepcopy(edition)
    cells = []
    for cell in assembled.cells:
        grade_id = cell.metadata.get("emocourse", {}).get("grade_id")
        if grade_id not in answers:
            cells.append(cell)
            continue
        for n, theirs in enumerate(answers[grade_id]):
            meta = {"emocourse": {"grade_id": grade_id} if n == 0 else {"part_of": grade_id}}
            cells.append(nbformat.v4.new_code_cell(theirs.source, metadata=meta))
    assembled.cells = cells
    return assembled


def _with_parameters(nb: nbformat.NotebookNode, parameters: dict) -> str:
    """``nb`` with ``parameters`` injected after its parameters cell, as papermill does, as JSON text."""
    from papermill.parameterize import parameterize_notebook

    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])  # what papermill expects of a notebook it loaded itself
    nb.metadata.setdefault("papermill", {})
    return nbformat.writes(parameterize_notebook(nb, parameters))


def _references(
    full, names: list[str], variants: dict[str, dict], defaults: dict, client, limits: Limits
) -> dict[str, Run]:
    """The reference solution's answers for each variant, computed once each, each in a sandbox of
    its own made as the submissions' are (so that both see the same files)."""
    notebook = with_answer_cell(full, names)
    futures = {
        key: limits.run(
            client, _with_parameters(notebook, parameters), "reference", _named_paths({**defaults, **parameters})
        )
        for key, parameters in variants.items()
    }
    print(f"computing the reference solution for {len(futures)} variant(s)")
    results = {key: _result(future) for key, future in futures.items()}
    for future in futures.values():
        future.release()
    return results


def _result(future) -> Run:
    try:
        return future.result()
    except Exception as err:  # KilledWorker, a lost connection: the batch goes on
        return Run("crashed", f"the worker running it was lost ({type(err).__name__})")


def _answer_errors(run: Run) -> dict[str, str]:
    """The first exception each exercise's cells raised in ``run``."""
    errors: dict[str, str] = {}
    for grade_id, cells in run.exercise_cells().items():
        for output in (output for cell in cells for output in cell.get("outputs", [])):
            if output.get("output_type") == "error":
                errors.setdefault(grade_id, f"{output['ename']}: {output['evalue']}"[:200])
    return errors


def _score(student: _Student, exercise: Exercise, run: Run, references: dict[str, Run]) -> dict:
    if run.status != "finished":
        return _row(student, exercise, run.status, run.message)
    reference = references[student.variant].answers.get(exercise.answer, {})
    if "value" not in reference:
        why = references[student.variant].message or reference.get("problem", "no answer")
        return _row(student, exercise, "reference-failed", f"the reference solution failed here: {why}")
    error = _answer_errors(run).get(exercise.grade_id)
    if error:
        return _row(student, exercise, "error", f"your answer cell raised {error}")
    given = run.answers.get(exercise.answer, {"problem": f"the notebook never assigns {exercise.answer}"})
    if "value" not in given:
        return _row(student, exercise, "missing", given["problem"])
    if matches(reference["value"], given["value"], exercise):
        return _row(student, exercise, "correct", "", exercise.points)
    others = [
        json.loads(key)
        for key, other in references.items()
        if key != student.variant
        and matches(other.answers.get(exercise.answer, {}).get("value"), given["value"], exercise)
    ]
    if others:
        return _row(student, exercise, "wrong", f"this is the answer for other parameters ({_named(others[0])})")
    within = f" (tolerance {exercise.tolerance:g})" if exercise.compare == "close" else ""
    return _row(student, exercise, "wrong", f"{exercise.answer} differs from the answer for your parameters{within}")


def _named(parameters: dict) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in sorted(parameters.items()))


def _row(student: _Student, exercise: Exercise, status: str, message: str, points: float = 0) -> dict:
    return {
        "student": student.id,
        "exercise": exercise.grade_id,
        "points": points,
        "max_points": exercise.points,
        "status": status,
        "message": message,
        "run_key": student.key,
    }


def _read_grades(out: Path) -> pd.DataFrame:
    if not out.is_file():
        return pd.DataFrame(columns=COLUMNS)
    try:
        table = pd.read_csv(out, dtype={"student": str, "run_key": str}, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise ValueError(f"{out}: not a grades.csv this command wrote ({err}); move it away to start over") from None
    if list(table.columns) != COLUMNS:
        raise ValueError(f"{out}: columns {list(table.columns)} are not a grades.csv this command wrote")
    return table


class _Gradebook:
    """grades.csv, rewritten atomically each time a student's rows are added."""

    def __init__(self, out: Path, kept: pd.DataFrame, students: list[str], exercise_ids: list[str]):
        self.out, self.students, self.exercise_ids = out, students, exercise_ids
        self.rows = kept.to_dict("records")

    def add(self, student: _Student, rows: list[dict]) -> None:
        self.rows = [row for row in self.rows if row["student"] != student.id] + rows
        with atomic_write(self.out) as f:
            f.write(self.table.to_csv(index=False).encode())

    @property
    def table(self) -> pd.DataFrame:
        table = pd.DataFrame(self.rows, columns=COLUMNS)
        order = {s: i for i, s in enumerate(self.students)}, {e: i for i, e in enumerate(self.exercise_ids)}
        rank = table["student"].map(order[0]) * len(order[1]) + table["exercise"].map(order[1])
        return table.iloc[rank.argsort(kind="stable")].reset_index(drop=True)


def print_summary(grades: pd.DataFrame, out: Path, seconds: float) -> None:
    """Each student's total, how long grading took, and where the rows and the feedback pages are."""
    totals = grades.groupby("student", sort=False)[["points", "max_points"]].sum()
    problems = grades[grades["status"] != "correct"].groupby("student", sort=False)["status"]
    totals["not correct"] = problems.agg(lambda s: ", ".join(sorted(set(s)))).reindex(totals.index).fillna("")
    print(totals.to_string())
    print(f"{seconds:.0f} s; rows: {out}; feedback pages: {out.parent / 'feedback'}")
