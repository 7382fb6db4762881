"""Instructor tools: student editions, rosters, variant specs and deterministic per-student variants."""

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from emocourse.cli import main
from emocourse.teach import SpecError, assign, read_roster, read_spec, student_edition

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHAPTER_1 = ROOT / "notebooks" / "01_building_the_dataset.ipynb"
CHAPTER_1_PARAMETERS = ["PROFILE", "THRESHOLD", "SEED"]


def _tags(cell):
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_takes_out_the_solutions_and_keeps_the_rest(chapter):
    original = nbformat.read(chapter, as_version=4)
    edition = student_edition(chapter)
    assert len(edition.cells) == len(original.cells)
    for before, after in zip(original.cells, edition.cells):
        if "solution" in _tags(before):
            assert _tags(after) == ["answer"] and after.cell_type == before.cell_type
            assert after.source.startswith("# Your solution" if after.cell_type == "code" else "*Your ")
            assert after.metadata["emocourse"]["kind"] == before.metadata["emocourse"]["kind"]
        else:
            assert after.source == before.source and _tags(after) == _tags(before)
    assert any("lesson-check" in _tags(c) for c in edition.cells) == any(
        "lesson-check" in _tags(c) for c in original.cells
    )


def test_a_notebook_without_solutions_is_refused(tmp_path):
    plain = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), plain)
    with pytest.raises(ValueError, match="no cell is tagged 'solution'"):
        student_edition(plain)


def _roster(tmp_path, text):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return path


CLASS = "id,name,email,section\n" + "".join(f"s{i},Student {i},s{i}@uni.example,A\n" for i in range(1, 7))


def test_roster_keeps_extra_columns(tmp_path):
    roster = read_roster(_roster(tmp_path, CLASS))
    assert list(roster.columns) == ["id", "name", "email", "section"] and len(roster) == 6


@pytest.mark.parametrize(
    "text, message",
    [
        ("id,name\ns1,A\n", r"roster\.csv: missing column email"),
        (
            "id,name,email\ns1,A,a@x\ns2,B,b@x\ns1,C,c@x\n",
            r"roster\.csv, line 4: student id s1 appears twice \(first on line 2\)",
        ),
        ("id,name,email\n../etc,A,a@x\n", r"roster\.csv, line 2: student id '\.\./etc' must be"),
        ("id,name,email\n", r"roster\.csv: the roster has no students"),
    ],
    ids=["missing-column", "duplicate-id", "unsafe-id", "empty"],
)
def test_bad_roster_gets_one_line(tmp_path, text, message):
    with pytest.raises(SpecError, match=message) as err:
        read_roster(_roster(tmp_path, text))
    assert "\n" not in str(err.value)


def _spec(tmp_path, text):
    path = tmp_path / "variants.yml"
    path.write_text(text)
    return path


SPEC = "seed: 7\nparameters:\n  THRESHOLD: [3, 4, 5]\n  SEED: {range: [0, 999]}\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("parameters:\n  EPOCHS: [1, 2]\n", "unknown parameter EPOCHS: this chapter takes PROFILE, THRESHOLD, SEED"),
        ("parameters:\n  THRESHOLD: [3, 7]\n", "THRESHOLD=7: must be an integer from 1 to 5"),
        ("parameters:\n  SEED: {range: [-5, 10]}\n", "SEED=-5: must be an integer from 0"),
        ("parameters:\n  PROFILE: ['fast', 'huge']\n", "PROFILE='huge': must be one of 'fast', 'full'"),
        ("parameters:\n  SEED: {range: [9, 3]}\n", r"SEED: range \[9, 3\] is empty"),
        ("parameters:\n  SEED: 4\n", "SEED: give a non-empty list of values"),
        ("params:\n  SEED: [1]\n", "needs a 'parameters' mapping"),
    ],
    ids=[
        "unknown-parameter",
        "out-of-range",
        "range-out-of-range",
        "bad-choice",
        "empty-range",
        "bad-form",
        "no-parameters",
    ],
)
def test_bad_spec_gets_one_line(tmp_path, text, message):
    with pytest.raises(SpecError, match=message) as err:
        read_spec(_spec(tmp_path, text), CHAPTER_1_PARAMETERS)
    assert str(err.value).startswith(str(tmp_path / "variants.yml")) and "\n" not in str(err.value)


def test_variants_are_deterministic_per_student(tmp_path):
    roster = read_roster(_roster(tmp_path, CLASS))
    spec = read_spec(_spec(tmp_path, SPEC), CHAPTER_1_PARAMETERS)
    first = assign(roster, spec, CHAPTER_1.stem)
    pd.testing.assert_frame_equal(first, assign(roster, spec, CHAPTER_1.stem))
    assert set(first["THRESHOLD"]) <= {3, 4, 5} and all(0 <= s <= 999 for s in first["SEED"])
    assert first["SEED"].nunique() > 1  # students get different values
    joined = pd.concat([roster, pd.DataFrame([{"id": "s7", "name": "Late", "email": "l@x", "section": "B"}])])
    later = assign(joined, spec, CHAPTER_1.stem)
    pd.testing.assert_frame_equal(later.iloc[:6], first)  # a student added later changes nobody else's
    reseeded = read_spec(_spec(tmp_path, SPEC.replace("seed: 7", "seed: 8")), CHAPTER_1_PARAMETERS)
    assert not assign(roster, reseeded, CHAPTER_1.stem)["SEED"].equals(first["SEED"])


def test_assign_writes_one_parameterised_student_edition_per_student(tmp_path, capsys):
    roster, spec, out = _roster(tmp_path, CLASS), _spec(tmp_path, SPEC), tmp_path / "assigned"
    args = ["course", "assign", CHAPTER_1.stem, "--roster", str(roster), "--spec", str(spec), "--out", str(out)]
    assert main(args) == 0
    assert "6 students, 01_building_the_dataset: SEED" in capsys.readouterr().out
    record = json.loads((out / "assignment.json").read_text())
    assert [s["id"] for s in record["students"]] == [f"s{i}" for i in range(1, 7)]
    variants = pd.read_csv(out / "variants.csv")
    assert list(variants.columns) == ["id", "name", "email", "section", "SEED", "THRESHOLD"]
    for student in record["students"]:
        nb = nbformat.read(out / student["id"] / CHAPTER_1.name, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in _tags(c)]
        assert len(injected) == 1
        for name, value in student["parameters"].items():
            assert f"{name} = {value!r}" in injected[0].source
        assert not any("solution" in _tags(c) for c in nb.cells)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # prepared, not run


def test_course_commands_fail_in_one_line(tmp_path, capsys):
    roster = _roster(tmp_path, "id,name\ns1,A\n")
    args = ["course", "assign", CHAPTER_1.stem, "--roster", str(roster), "--spec", str(_spec(tmp_path, SPEC))]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    assert main(["course", "student-edition", "99_nothing", "--out", str(tmp_path)]) == 2
    assert "unknown chapter 99_nothing" in capsys.readouterr().err


def test_student_edition_command_writes_every_chapter_given(tmp_path, capsys):
    assert main(["course", "student-edition", "00_first_look", str(CHAPTER_1), "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == ["00_first_look.ipynb", CHAPTER_1.name]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_is_gradable(chapter):
    """Each solution in code declares its exercise (grade id, answer variable, points), assigns the
    answer variable, and the exercise's text tells the student that variable's name."""
    import ast

    from emocourse.teach.exercises import exercises

    nb = nbformat.read(chapter, as_version=4)
    declared = {e.grade_id: e for e in exercises(nb, chapter.name)}
    solutions = [i for i, c in enumerate(nb.cells) if "solution" in _tags(c) and c.cell_type == "code"]
    assert len(declared) == len(solutions)
    for i in solutions:
        exercise = declared[nb.cells[i].metadata["emocourse"]["grade_id"]]
        source = "\n".join(line for line in nb.cells[i].source.splitlines() if not line.lstrip().startswith(("%", "!")))
        tree = ast.parse(source)
        assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        assert exercise.answer in assigned, f"cell {i} never assigns {exercise.answer}"
        text = [c.source for c in nb.cells[:i] if c.cell_type == "markdown"]
        assert any(f"`{exercise.answer}`" in t for t in text), f"no exercise text names `{exercise.answer}`"
