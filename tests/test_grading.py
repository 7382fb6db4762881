"""Grading a class: answers compared by recomputation, hostile submissions, limits, resuming.

The class is graded on a tiny chapter (its parameter is SEED, its two exercises double and list it)
so that a kernel run takes seconds; the book's *For instructors* page grades a class on chapter 0.
"""

import json
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from emocourse.cli import main
from emocourse.teach.exercises import Exercise, exercises, matches, plain
from emocourse.teach.grading import STATUSES, assemble
from emocourse.teach.edition import student_edition

new_code, new_markdown = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
TIMEOUT = 20  # seconds per notebook in the class below: a tiny chapter runs in about 5


def _chapter(path: Path) -> Path:
    """A chapter with a parameter, a lesson cell, and two gradable exercises."""
    cells = [
        new_markdown("# A tiny chapter"),
        new_code("SEED = 0", metadata={"tags": ["parameters"]}),
        new_code("base = SEED + 1"),
        new_markdown("**1.** Double the seed; store it in `double`."),
        new_code(
            "double = 2 * SEED\nprint(double)",
            metadata={"tags": ["solution"], "emocourse": {"grade_id": "ex1", "answer": "double", "points": 2}},
        ),
        new_markdown("**2.** The seed's digits, as a set of strings, in `digits`."),
        new_code(
            "digits = set(str(SEED))",
            metadata={
                "tags": ["solution"],
                "emocourse": {"grade_id": "ex2", "answer": "digits", "points": 1, "compare": "set"},
            },
        ),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _answer(edition_path: Path, answers: dict, extra_after: dict | None = None) -> nbformat.NotebookNode:
    """A student's copy of ``edition_path`` with ``answers`` (grade id -> source) typed in."""
    nb = nbformat.read(edition_path, as_version=4)
    cells = []
    for cell in nb.cells:
        grade_id = cell.metadata.get("emocourse", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
        cells.append(cell)
        if grade_id in (extra_after or {}):
            cells.append(new_code(extra_after[grade_id]))
    nb.cells = cells
    return nb


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A class of eight, assigned SEED 11 or 37, graded with a 2-worker local Dask cluster."""
    root = tmp_path_factory.mktemp("class")
    chapter = _chapter(root / "tiny.ipynb")
    roster = root / "roster.csv"
    students = ["correct", "wrong", "copied", "exception", "loop", "not-a-notebook", "hog", "crash"]
    pd.DataFrame({"id": students, "name": students, "email": [f"{s}@example.org" for s in students]}).to_csv(
        roster, index=False
    )
    spec = root / "spec.yml"
    spec.write_text("seed: 3\nparameters:\n  SEED: [11, 37]\n")
    assert (
        main(
            [
                "course",
                "assign",
                str(chapter),
                "--roster",
                str(roster),
                "--spec",
                str(spec),
                "--out",
                str(root / "assigned"),
            ]
        )
        == 0
    )
    seeds = {
        s["id"]: s["parameters"]["SEED"]
        for s in json.loads((root / "assigned" / "assignment.json").read_text())["students"]
    }
    other = {11: 37, 37: 11}
    right = {"ex1": "double = 2 * SEED", "ex2": "digits = set(str(SEED))"}
    subs = root / "submissions"
    made = {
        "correct": right,
        "wrong": {**right, "ex1": "double = 3 * SEED"},
        "copied": {**right, "ex1": f"double = {2 * other[seeds['copied']]}"},
        "exception": {**right, "ex1": "double = 2 * undefined_name"},
        "loop": {**right, "ex1": "while True:\n    pass"},
        "hog": {**right, "ex1": "hoard = []\nwhile True:\n    hoard.append(bytearray(2**20))"},
        "crash": {**right, "ex2": "import os\nos._exit(1)"},
    }
    for student, answers in made.items():
        (subs / student).mkdir(parents=True)
        nb = _answer(root / "assigned" / student / "tiny.ipynb", answers)
        nb.cells[2].source = "base = 'the student changed a chapter cell'"  # restored by the grader
        nbformat.write(nb, subs / student / "tiny.ipynb")
    (subs / "not-a-notebook.pdf").write_bytes(b"%PDF-1.4 a scanned page\n")
    out = root / "grades" / "grades.csv"
    command = ["course", "grade", str(chapter), str(subs), "--assigned", str(root / "assigned")]
    command += ["--out", str(out), "--workers", "2", "--timeout", str(TIMEOUT), "--memory", "0.5"]
    started = time.perf_counter()
    assert main(command) == 0
    return {"out": out, "command": command, "seconds": time.perf_counter() - started, "seeds": seeds}


def _status(grades: pd.DataFrame) -> dict:
    return {(r.student, r.exercise): (r.status, r.points) for r in grades.itertuples()}


def test_the_class_gets_the_expected_rows(graded_class):
    grades = pd.read_csv(graded_class["out"], keep_default_na=False)
    assert list(grades.columns) == ["student", "exercise", "points", "max_points", "status", "message", "run_key"]
    assert set(grades["status"]) <= set(STATUSES)
    status = _status(grades)
    assert status == {
        ("correct", "ex1"): ("correct", 2),
        ("correct", "ex2"): ("correct", 1),
        ("wrong", "ex1"): ("wrong", 0),
        ("wrong", "ex2"): ("correct", 1),
        ("copied", "ex1"): ("wrong", 0),
        ("copied", "ex2"): ("correct", 1),
        ("exception", "ex1"): ("error", 0),
        ("exception", "ex2"): ("correct", 1),
        ("loop", "ex1"): ("timeout", 0),
        ("loop", "ex2"): ("timeout", 0),
        ("not-a-notebook", "ex1"): ("invalid", 0),
        ("not-a-notebook", "ex2"): ("invalid", 0),
        ("hog", "ex1"): ("memory", 0),
        ("hog", "ex2"): ("memory", 0),
        ("crash", "ex1"): ("crashed", 0),
        ("crash", "ex2"): ("crashed", 0),
    }
    messages = grades.set_index(["student", "exercise"])["message"]
    copied_from = {11: 37, 37: 11}[graded_class["seeds"]["copied"]]
    assert messages["copied", "ex1"] == f"this is the answer for other parameters (SEED={copied_from})"
    assert "NameError" in messages["exception", "ex1"] and "memory" in messages["hog", "ex1"]
    assert messages["not-a-notebook", "ex1"].startswith("not-a-notebook.pdf is not a Jupyter notebook")
    assert messages["loop", "ex1"] == f"still running after {TIMEOUT} s; stopped"


def test_every_student_gets_a_feedback_page_without_the_reference(graded_class):
    pages = graded_class["out"].parent / "feedback"
    assert sorted(p.stem for p in pages.glob("*.html")) == sorted(graded_class["seeds"])
    page = (pages / "wrong.html").read_text()
    assert "1 of 3 points" in page and "double = 3 * SEED" in page
    seed = graded_class["seeds"]["wrong"]
    assert f"SEED = {seed}" in page and f">{2 * seed}<" not in page  # the right answer is not shown


def test_a_rerun_skips_what_is_graded_and_grades_what_changed(graded_class, capsys):
    out, command = graded_class["out"], graded_class["command"]
    before = out.read_bytes()
    assert main(command) == 0
    assert "8 students: 8 already graded, 0 to grade" in capsys.readouterr().out
    assert out.read_bytes() == before
    submission = Path(command[3]) / "wrong" / "tiny.ipynb"
    nb = nbformat.read(submission, as_version=4)
    nb.cells = [
        c
        if c.metadata.get("emocourse", {}).get("grade_id") != "ex1"
        else new_code("double = 2 * SEED", metadata=c.metadata)
        for c in nb.cells
    ]
    nbformat.write(nb, submission)
    assert main(command) == 0
    assert "8 students: 7 already graded, 1 to grade" in capsys.readouterr().out
    status = _status(pd.read_csv(out, keep_default_na=False))
    assert status["wrong", "ex1"] == ("correct", 2) and status["loop", "ex1"] == ("timeout", 0)


def assign_one(chapter: Path, student: str) -> Path:
    """A class of one, ``student``, assigned ``chapter`` with SEED 1, in ``chapter``'s folder; its folder."""
    folder = chapter.parent
    pd.DataFrame({"id": [student], "name": ["A"], "email": ["a@x"]}).to_csv(folder / "r.csv", index=False)
    (folder / "s.yml").write_text("parameters:\n  SEED: [1]\n")
    command = ["course", "assign", str(chapter), "--roster", str(folder / "r.csv"), "--spec", str(folder / "s.yml")]
    assert main([*command, "--out", str(folder / "a")]) == 0
    return folder / "a"


def test_a_missing_submission_and_a_stranger_folder(tmp_path, capsys):
    chapter = _chapter(tmp_path / "tiny.ipynb")
    assign_one(chapter, "absent")
    (tmp_path / "subs").mkdir()
    out = tmp_path / "grades.csv"
    assert (
        main(
            [
                "course",
                "grade",
                str(chapter),
                str(tmp_path / "subs"),
                "--assigned",
                str(tmp_path / "a"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert set(pd.read_csv(out)["status"]) == {"no-submission"}
    other = _chapter(tmp_path / "other.ipynb")
    assert (
        main(
            [
                "course",
                "grade",
                str(other),
                str(tmp_path / "subs"),
                "--assigned",
                str(tmp_path / "a"),
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "this assignment is of tiny, not other" in capsys.readouterr().err


def test_assemble_restores_the_chapter_and_keeps_the_students_added_cells(tmp_path):
    chapter = _chapter(tmp_path / "tiny.ipynb")
    edition_path = tmp_path / "edition.ipynb"
    nbformat.write(student_edition(chapter), edition_path)
    submitted = _answer(
        edition_path, {"ex1": "double = helper()"}, extra_after={"ex1": "def helper():\n    return 2 * SEED"}
    )
    submitted.cells[2].source = "SEED = 999"
    graded = exercises(nbformat.read(chapter, as_version=4))
    sources = [cell.source for cell in assemble(student_edition(chapter), submitted, graded).cells]
    assert "SEED = 999" not in sources and "base = SEED + 1" in sources
    assert sources.index("double = helper()") + 1 == sources.index("def helper():\n    return 2 * SEED")


def test_plain_refuses_objects_that_could_pretend_to_be_the_answer():
    class Anything:
        def __eq__(self, other):
            return True

    with pytest.raises(TypeError, match="a Anything cannot be graded"):
        plain(Anything())
    assert plain(pd.Series({"a": 1})) == {"a": 1} and plain({3, 1}) == [1, 3]


@pytest.mark.parametrize(
    "compare, expected, given, right",
    [
        ("close", {"a": 0.5}, {"a": 0.504}, True),
        ("close", {"a": 0.5}, {"a": 0.51}, False),
        ("close", [1.0], [float("nan")], False),
        ("set", ["a", "b"], ["b", "a"], True),
        ("set", ["a", "b"], "ab", False),
        ("equal", {"x": [1, 2]}, {"x": [1, 2]}, True),
        ("equal", True, 1, False),
    ],
)
def test_answers_are_compared_as_the_exercise_says(compare, expected, given, right):
    assert matches(expected, given, Exercise("ex", "a", 1, compare)) is right


def test_bad_exercise_metadata_names_the_cell():
    nb = nbformat.v4.new_notebook(
        cells=[new_code("x = 1", metadata={"emocourse": {"grade_id": "ex1", "answer": "x", "points": 0}})]
    )
    with pytest.raises(ValueError, match="tiny.ipynb, cell 0: points must be a positive number"):
        exercises(nb, "tiny.ipynb")
