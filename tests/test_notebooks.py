"""Every chapter follows the conventions of book/setup.md, and runs under papermill."""

import ast
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

# Non-default parameters each chapter must accept under papermill (a new chapter adds a line).
PAPERMILL_VARIANTS = {
    "00_first_look.ipynb": {"IMAGE_SIZE": 96, "TOP_K": 5},
    "01_building_the_dataset.ipynb": {"THRESHOLD": 4, "SEED": 1},
    "02_baselines.ipynb": {"IMAGE_SIZE": 96, "SEED": 1},
    "03_transfer_learning.ipynb": {"IMAGE_SIZE": 96, "SEED": 1},
}


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_checks_are_hidden_and_solutions_folded(path):
    cells = _code_cells(path)
    checks = [c for c in cells if "lesson-check" in _tags(c)]
    assert checks, "a chapter states results, so it has lesson checks"
    for cell in cells:
        python = TransformerManager().transform_cell(cell.source)  # IPython magics -> plain Python
        asserts = any(isinstance(n, ast.Assert) for n in ast.walk(ast.parse(python)))
        assert asserts == ("lesson-check" in _tags(cell)), f"assert outside a lesson-check cell:\n{cell.source}"
        if "lesson-check" in _tags(cell):
            assert "remove-cell" in _tags(cell)
        if "solution" in _tags(cell):
            assert "hide-cell" in _tags(cell)


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
        str(path), str(tmp_path / path.name), parameters=parameters, cwd=str(path.parent),
        kernel_name="python3", progress_bar=False,
    )


def test_every_chapter_has_a_papermill_variant():
    assert set(PAPERMILL_VARIANTS) == {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_runs_with_non_default_parameters(path, tmp_path):
    parameters = PAPERMILL_VARIANTS[path.name]
    result = _papermill(path, tmp_path, parameters)
    printed = "".join(o.get("text", "") for c in result.cells if c.cell_type == "code" for o in c.outputs)
    for name, value in parameters.items():
        assert f"{name}={value!r}" in printed


@pytest.mark.parametrize(
    "parameters, message",
    [({"IMAGE_SIZE": 5000}, "IMAGE_SIZE=5000: must be an integer"), ({"EPOCHS": 3}, "unknown parameter EPOCHS")],
    ids=["invalid", "unknown"],
)
def test_bad_parameters_stop_the_chapter_with_one_line(tmp_path, parameters, message):
    with pytest.raises(papermill.PapermillExecutionError, match=message):
        _papermill(NOTEBOOKS[0], tmp_path, parameters)
