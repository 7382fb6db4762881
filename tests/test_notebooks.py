"""Every chapter follows the conventions of book/setup.md, and runs under papermill."""

import ast
import statistics
import sys
import textwrap
import types
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager

from emocourse.notebook import COLAB_BOOTSTRAP, REPOSITORY

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# Non-default parameters each chapter without a dataset parameter must accept under papermill (a
# chapter with one shows it in its runs on other data, OTHER_DATA_RUNS, which set non-default values
# too, so that each chapter runs as few times as the checks need: CI time, issue 18).
PAPERMILL_VARIANTS = {
    "00_first_look.ipynb": {"IMAGE_SIZE": 96, "TOP_K": 5},
    "01_building_the_dataset.ipynb": {"THRESHOLD": 4, "SEED": 1},
}


SHARES_THE_BOOKS_HOME = True  # see conftest.py


def _code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _tags(cell):
    return set(cell.metadata.get("tags", []))


def test_there_are_chapters():
    assert NOTEBOOKS


def test_table_of_contents_lists_exactly_the_chapters():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [ch["file"] for part in toc["parts"] for ch in part["chapters"]]
    for file in files + [toc["root"]]:
        assert list(ROOT.glob(file + ".*")), f"_toc.yml names {file}, which does not exist"
    in_toc = {f for f in files if f.startswith("notebooks/")}
    assert in_toc == {f"notebooks/{p.stem}" for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_is_the_colab_bootstrap(path):
    assert _code_cells(path)[0].source == COLAB_BOOTSTRAP


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_and_its_check(path):
    cells = _code_cells(path)
    assert "parameters" in _tags(cells[1])
    assigned = []
    for node in ast.parse(cells[1].source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, "the parameters cell only assigns"
        name = node.targets[0].id
        assert name.isupper(), f"parameter {name} must be upper case"
        assigned.append(name)
    calls = [n for n in ast.walk(ast.parse(cells[2].source)) if isinstance(n, ast.Call)]
    check = next(c for c in calls if getattr(c.func, "id", None) == "check_parameters")
    assert ast.literal_eval(check.args[1]) == assigned


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_outputs_committed(path):
    for cell in _code_cells(path):
        assert not cell.outputs and cell.execution_count is None


def _is_lesson_check(node):
    """``assert`` (a claim about any data) or ``<claims>.check(...)`` (a claim about the run the prose was written for)."""
    return isinstance(node, ast.Assert) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "check"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_checks_are_hidden_and_solutions_folded(path):
    cells = _code_cells(path)
    checks = [c for c in cells if "lesson-check" in _tags(c)]
    assert checks, "a chapter states results, so it has lesson checks"
    for cell in cells:
        python = TransformerManager().transform_cell(cell.source)  # IPython magics -> plain Python
        checks = any(_is_lesson_check(n) for n in ast.walk(ast.parse(python)))
        assert checks == ("lesson-check" in _tags(cell)), (
            f"a check outside a lesson-check cell, or none in one:\n{cell.source}"
        )
        if "lesson-check" in _tags(cell):
            assert "remove-cell" in _tags(cell)
        if "solution" in _tags(cell):
            assert "hide-cell" in _tags(cell)


# What a reader sees of a chapter's code: hidden lesson checks, removed cells and folded solutions aside.
HIDDEN = {"remove-cell", "remove-input", "solution"}
MAX_LINES, MAX_MEDIAN = 15, 8


def _visible_lengths(path) -> list[tuple[int, str]]:
    cells = [c for c in _code_cells(path) if not _tags(c) & HIDDEN]
    return [(sum(1 for line in c.source.splitlines() if line.strip()), c.source) for c in cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_visible_cells_are_short(path):
    """The method in short cells (plumbing and figures live in the package): each visible code cell
    has at most 15 non-blank lines, and the chapter's median is at most 8."""
    lengths = _visible_lengths(path)
    for n, source in lengths:
        assert n <= MAX_LINES, f"{path.name}: a visible cell of {n} lines (at most {MAX_LINES}):\n{source[:200]}"
    median = statistics.median(n for n, _ in lengths)
    assert median <= MAX_MEDIAN, f"{path.name}: visible cells have a median of {median} lines"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_ask_to_predict_explain_and_implement(path):
    """Each solution declares its kind; a chapter asks at least once for each of predict, explain and
    implement; a written answer (predict, explain) is a folded markdown admonition, and a prediction
    comes right before a visible cell that shows the result."""
    from emocourse.teach.exercises import GRADED_KINDS, exercise_kinds

    nb = nbformat.read(path, as_version=4)
    kinds = exercise_kinds(nb, path.name)
    assert {"predict", "explain", "implement"} <= {kind for kind, _ in kinds}, f"{path.name} has {kinds}"
    for i, cell in enumerate(nb.cells):
        kind = cell.metadata.get("emocourse", {}).get("kind") if "solution" in _tags(cell) else None
        if kind in GRADED_KINDS:
            assert cell.cell_type == "code" and "grade_id" in cell.metadata["emocourse"]
        elif kind:
            assert cell.cell_type == "markdown" and ":class: dropdown" in cell.source, f"cell {i}: folded?"
        if kind == "predict":
            after = nb.cells[i + 1]
            assert after.cell_type == "code" and not _tags(after) & HIDDEN, f"cell {i}: nothing shows the result"


def test_setup_page_documents_the_bootstrap_verbatim():
    assert textwrap.indent(COLAB_BOOTSTRAP, "   ") in (ROOT / "book" / "setup.md").read_text()


def test_bootstrap_points_at_the_books_repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"] == REPOSITORY


def _run_bootstrap(monkeypatch, in_colab):
    from IPython.core.interactiveshell import InteractiveShell

    installs = []
    shell = InteractiveShell.instance()
    shell.register_magic_function(installs.append, "line", "pip")
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert shell.run_cell(COLAB_BOOTSTRAP).success
    return installs


def test_bootstrap_installs_only_in_colab(monkeypatch):
    assert _run_bootstrap(monkeypatch, in_colab=False) == []
    assert _run_bootstrap(monkeypatch, in_colab=True) == [f'install --quiet "emocourse @ git+{REPOSITORY}"']


def _papermill(path, tmp_path, parameters):
    return papermill.execute_notebook(
        str(path),
        str(tmp_path / path.name),
        parameters=parameters,
        cwd=str(path.parent),
        kernel_name="python3",
        progress_bar=False,
    )


def _printed(result) -> str:
    return "".join(o.get("text", "") for c in result.cells if c.cell_type == "code" for o in c.outputs)


def _alt_text(cell) -> str:
    return cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")


def _assert_figures_have_alt_text(result):
    """Every cell that drew a figure in this run says in words what the figure shows (MyST-NB's
    ``mystnb.image.alt`` cell metadata becomes the image's alt text in the book)."""
    for cell in result.cells:
        drew = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        assert not drew or _alt_text(cell), f"a figure without alt text, from the cell {cell.source[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_alt_texts_describe_their_figures(path):
    for cell in _code_cells(path):
        alt = _alt_text(cell)
        assert not alt or (len(alt.split()) >= 5 and not alt.lower().startswith(("figure", "image", "plot"))), (
            f"{path.name}: alt text {alt!r} should say what the figure shows"
        )


def _assert_parameters_reached_the_chapter(printed: str, parameters: dict):
    for name, value in parameters.items():
        assert f"{name}={value!r}" in printed, f"the chapter did not print {name}={value!r}"


def test_every_chapter_has_a_papermill_variant():
    """A variant of its own, or a run on other data that also changes ``SEED``."""
    reseeded = {name for name, runs in OTHER_DATA_RUNS.items() if any(run.get("SEED", 0) != 0 for run in runs)}
    assert set(PAPERMILL_VARIANTS) | reseeded == {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("name", PAPERMILL_VARIANTS)
def test_chapter_runs_with_non_default_parameters(name, tmp_path):
    parameters = PAPERMILL_VARIANTS[name]
    result = _papermill(ROOT / "notebooks" / name, tmp_path, parameters)
    _assert_parameters_reached_the_chapter(_printed(result), parameters)
    _assert_figures_have_alt_text(result)


@pytest.fixture(scope="session")
def other_datasets(tmp_path_factory):
    """Datasets the chapters were not written for: small stand-ins in each other's place, a folder
    of three classes of one's own (no emotions, so no valence) that has no valid split, the faces
    stand-in as FER+'s folder layout imports it (FER+'s class names, votes, no ``fer2013_label``), and
    an Emotion6 release (balanced keyword classes, fifteen raters' votes, valence and arousal), and the
    faces stand-in's faces as a plain folder (no votes, no group column)."""
    import pandas as pd

    from emocourse.data.adapters import import_emotion6, import_ferplus, import_folder
    from emocourse.data.standins import make_affect, make_faces
    from images import photo, write_emotion6, write_ferplus_folders

    root = tmp_path_factory.mktemp("other-datasets")
    make_faces(root / "faces", n=700)
    make_affect(root / "affect", n=300, size=64)
    rows = []
    for c, label in enumerate(("beach", "city", "forest")):
        for i in range(16):
            rows.append(
                {
                    "path": str(
                        photo(root / "mine" / label / f"{i}.jpg", seed=100 * c + i, size=40).relative_to(root / "mine")
                    ),
                    "label": label,
                    "split": "test" if i < 4 else "train",
                }
            )
    pd.DataFrame(rows).to_csv(root / "mine" / "list.csv", index=False)
    import_folder(root / "mine" / "list.csv", root / "own")
    import_ferplus(write_ferplus_folders(root / "faces" / "release", root / "ferplus-folders"), root / "ferplus")
    import_emotion6(write_emotion6(root / "emotion6-release", per_class=20), root / "emotion6")
    faces = pd.read_csv(root / "faces" / "labels.csv")  # the same faces as a folder: no votes, no groups
    faces[["image", "label", "split"]].rename(columns={"image": "path"}).to_csv(root / "faces" / "plain.csv")
    import_folder(root / "faces" / "plain.csv", root / "faces-plain")
    names = ("faces", "affect", "own", "ferplus", "emotion6", "faces-plain")
    return {name: str(root / name) for name in names}


# Each chapter with a dataset parameter, on data it was not written for (names of `other_datasets`).
OTHER_DATA_RUNS = {
    "02_baselines.ipynb": [
        {"DATASET": "emotion6", "FACE_DATASET": "affect", "IMAGE_SIZE": 64, "EPOCHS": 1, "SEED": 1},
        {"DATASET": "own", "FACE_DATASET": "own", "IMAGE_SIZE": 64, "EPOCHS": 1},
    ],
    "03_transfer_learning.ipynb": [
        {"DATASET": "emotion6", "IMAGE_SIZE": 64, "SEED": 1},
        {"DATASET": "own", "IMAGE_SIZE": 64},
    ],
    "04_imbalance.ipynb": [
        {"DATASET": "emotion6", "FACE_DATASET": "affect", "IMAGE_SIZE": 64, "SEED": 1},
        {"DATASET": "own", "FACE_DATASET": "own", "IMAGE_SIZE": 64},
    ],
    "05_error_analysis.ipynb": [
        {"DATASET": "emotion6", "FACE_DATASET": "affect", "IMAGE_SIZE": 64, "SEED": 1},
        {"DATASET": "own", "FACE_DATASET": "own", "IMAGE_SIZE": 64},
    ],
    "06_faces.ipynb": [
        {"FACE_DATASET": "own", "CROSS_DATASET": "faces", "EPOCHS": 1, "SEED": 1},
        {"FACE_DATASET": "ferplus", "CROSS_DATASET": "posed", "EPOCHS": 1, "SEED": 1},
    ],
    "07_should_we.ipynb": [
        {"FACE_DATASET": "faces-plain", "EPOCHS": 1},
        {"FACE_DATASET": "audit", "EPOCHS": 1, "SEED": 1},
    ],
}


def test_every_chapter_with_a_dataset_parameter_runs_on_other_data():
    takes_data = {p.name for p in NOTEBOOKS if "DATASET" in _code_cells(p)[1].source}
    assert set(OTHER_DATA_RUNS) == takes_data


@pytest.mark.parametrize(
    "name, parameters",
    [(n, p) for n, runs in OTHER_DATA_RUNS.items() for p in runs],
    ids=lambda v: v if isinstance(v, str) else "-".join(map(str, v.values())),
)
def test_chapter_runs_to_its_end_on_other_data(name, parameters, other_datasets, tmp_path):
    on = {k: other_datasets.get(v, v) if k.endswith("DATASET") else v for k, v in parameters.items()}
    result = _papermill(ROOT / "notebooks" / name, tmp_path, on)
    _assert_figures_have_alt_text(result)
    printed = _printed(result)
    _assert_parameters_reached_the_chapter(printed, {k: v for k, v in on.items() if not k.endswith("DATASET")})
    assert "Note: the text says" in printed  # claims about the stand-in are reported, not asserted
    if "own" in (parameters.get("DATASET"), parameters.get("FACE_DATASET")):
        assert "no valid split" in printed
    if name.startswith(("03", "04")):
        assert (
            "section is skipped" if parameters["DATASET"] == "own" else "Classes without a valence are left out"
        ) in printed
    if parameters.get("DATASET") == "emotion6" and name.startswith(("02", "04")):  # balanced classes
        assert "It does not apply here: its classes are about balanced (largest to rarest: 1.0 to 1)" in printed
    if name.startswith("03"):  # valence and arousal as numbers: Emotion6 has them, one's own folder not
        assert ("has no valence or arousal ratings" in printed) == (parameters["DATASET"] == "own")
    if name.startswith("05") and parameters["DATASET"] == "emotion6":  # agreement from the vote shares
        assert "No raters' votes" not in printed
    if name.startswith("06") and parameters["FACE_DATASET"] == "own":  # no votes, no class shared
        assert "has no raters' votes" in printed and "shares no class" in printed
    if name.startswith("06") and parameters["FACE_DATASET"] == "ferplus":  # votes; happy is happiness
        assert "test faces have one most-voted class" in printed and "happiness" in printed
    if name.startswith("07") and parameters["FACE_DATASET"] == "faces-plain":  # no groups: brightness
        assert "faces by brightness quartile" in printed and "Rebalancing is skipped" in printed
        assert "no curve here" in printed and "Is this face" in printed
    if name.startswith("07") and parameters["FACE_DATASET"] == "audit":  # the stand-in, another seed
        assert "faces by subgroup" in printed and "Rebalancing is skipped" not in printed


@pytest.mark.parametrize(
    "parameters, message",
    [({"IMAGE_SIZE": 5000}, "IMAGE_SIZE=5000: must be an integer"), ({"EPOCHS": 3}, "unknown parameter EPOCHS")],
    ids=["invalid", "unknown"],
)
def test_bad_parameters_stop_the_chapter_with_one_line(tmp_path, parameters, message):
    with pytest.raises(papermill.PapermillExecutionError, match=message):
        _papermill(NOTEBOOKS[0], tmp_path, parameters)
