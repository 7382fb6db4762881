"""Running one notebook that nobody vouched for, and reading back its answers.

Each run gets a fresh scratch folder (its working directory and its ``$EMOCOURSE_HOME``, where the
grader's generated stand-ins and converted weights are linked in), a kernel of its own started by a
child process in a new session, a wall-clock limit and a memory limit (the resident memory of the
child and everything it starts, polled; the data segment is capped at twice the limit as well, so
that a single huge allocation fails at once with a MemoryError, which also counts as running out). The whole process tree is killed when a limit is reached, and the
scratch folder is deleted afterwards. This keeps one submission from hurting the batch or another
student's grade; it is not an operating-system sandbox (see the book's *For instructors* page).
"""

from __future__ import annotations

import copy
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..paths import data_dir, weights_dir

ANSWERS = "answers.json"
_POLL_SECONDS = 0.2


@dataclass
class Run:
    """What one run gave: ``status`` is ``finished``, ``timeout``, ``memory`` or ``crashed``."""

    status: str
    message: str = ""
    answers: dict = field(default_factory=dict)
    executed: dict | None = None  # the executed notebook as JSON data, when it finished

    def exercise_cells(self) -> dict[str, list[dict]]:
        """The executed cells of each exercise: its answer cell and the cells the student added."""
        cells: dict[str, list[dict]] = {}
        for cell in (self.executed or {}).get("cells", []):
            meta = cell.get("metadata", {}).get("emocourse", {})
            grade_id = meta.get("grade_id") or meta.get("part_of")
            if grade_id:
                cells.setdefault(grade_id, []).append(cell)
        return cells


def with_answer_cell(nb: nbformat.NotebookNode, names: list[str]) -> nbformat.NotebookNode:
    """``nb`` with a last cell that writes the variables ``names`` to ``answers.json``."""
    nb = copy.deepcopy(nb)
    source = f"from emocourse.teach.exercises import save_answers\n\nsave_answers(globals(), {names!r}, {ANSWERS!r})\n"
    nb.cells.append(nbformat.v4.new_code_cell(source, id="emocourse-answers"))
    return nb


def run_notebook(nb_json: str, timeout: float, memory_bytes: int, kind: str = "submission") -> Run:
    """Execute the notebook ``nb_json`` (a string, so that it travels to any Dask worker) in a
    scratch folder under the limits; the notebook should end with :func:`with_answer_cell`.
    ``kind`` (``submission`` or ``reference``) only names the scratch folder."""
    scratch = Path(tempfile.mkdtemp(prefix=f"emocourse-{kind}-"))
    try:
        _prepare_home(scratch / "home")
        (scratch / "notebook.ipynb").write_text(nb_json)
        return _supervise(scratch, timeout, memory_bytes)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _prepare_home(home: Path) -> None:
    """A fresh emocourse home whose stand-ins and weights are links to the grader's own."""
    (home / "data").mkdir(parents=True)
    from ..data.standins import STANDINS

    for name in STANDINS:
        if (data_dir() / name / "labels.csv").is_file():
            (home / "data" / name).symlink_to(data_dir() / name, target_is_directory=True)
    if weights_dir().is_dir():
        (home / "weights").symlink_to(weights_dir(), target_is_directory=True)


def _supervise(scratch: Path, timeout: float, memory_bytes: int) -> Run:
    import psutil

    env = {**os.environ, "EMOCOURSE_HOME": str(scratch / "home"), "TMPDIR": str(scratch)}
    with open(scratch / "runner.log", "wb") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "emocourse.teach.sandbox", str(scratch)],
            cwd=scratch,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: _cap_data_segment(2 * memory_bytes),
        )
    tree = psutil.Process(child.pid)
    deadline = time.monotonic() + timeout
    while child.poll() is None:
        if time.monotonic() > deadline:
            _kill(tree)
            return Run("timeout", f"still running after {timeout:g} s; stopped")
        if _resident_bytes(tree) > memory_bytes:
            _kill(tree)
            return Run("memory", f"used more than {memory_bytes / 2**30:.1f} GiB of memory; stopped")
        time.sleep(_POLL_SECONDS)
    _kill(tree)  # a kernel or process the notebook left behind
    executed = scratch / "executed.ipynb"
    if not executed.is_file():
        return Run("crashed", "the kernel died before the notebook ended")
    executed = json.loads(executed.read_text())
    if any(output.get("ename") == "MemoryError" for cell in executed["cells"] for output in cell.get("outputs", [])):
        return Run("memory", f"ran out of memory (MemoryError; the limit is {memory_bytes / 2**30:.1f} GiB)")
    answers = scratch / ANSWERS
    return Run("finished", answers=json.loads(answers.read_text()) if answers.is_file() else {}, executed=executed)


def _cap_data_segment(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))


def _resident_bytes(tree) -> int:
    import psutil

    total = 0
    for process in [tree, *tree.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total


def _kill(tree) -> None:
    import psutil

    try:
        processes = [tree, *tree.children(recursive=True)]
    except psutil.Error:
        processes = []
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(processes, timeout=5)


def _execute(scratch: Path) -> int:
    """The child process: run ``notebook.ipynb`` cell by cell (a failing cell does not stop the
    rest) and write ``executed.ipynb``; a kernel that dies leaves no executed notebook."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    nb = nbformat.read(scratch / "notebook.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=None, allow_errors=True, resources={"metadata": {"path": str(scratch)}})
    try:
        client.execute()
    except DeadKernelError:
        return 1
    nbformat.write(nb, scratch / "executed.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(_execute(Path(sys.argv[1])))
