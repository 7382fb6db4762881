"""Running one notebook that nobody vouched for, and reading back its answers.

Each run gets a fresh scratch folder and a kernel of its own, started by a runner process inside a
bubblewrap sandbox (:mod:`.bubblewrap`): the scratch folder is all it can write, the grader's
stand-ins and weights are read-only, none of the instructor's files but the Python environment is
visible, it has no network, and every process it starts ends with it. Outside, the grader keeps a
wall-clock limit and a memory limit (the resident memory of the whole process tree, polled; the
data segment is capped at twice the limit as well, so that a single huge allocation fails at once
with a MemoryError, which also counts as running out). The tree is killed when a limit is reached,
what the notebook printed is cut to :data:`MAX_CELL_CHARS` a cell, the answers are read back only
from a regular file, and the scratch folder is deleted afterwards.

``sandboxed=False`` runs the same notebook without bubblewrap, with the grader's rights and a home
whose stand-ins and weights are links to the grader's own (``course grade --unsafe-no-sandbox``).
"""

from __future__ import annotations

import copy
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from ..paths import data_dir, weights_dir
from . import bubblewrap

ANSWERS = "answers.json"
EXECUTED = "executed.ipynb"
#: what the outputs of one cell may hold, in characters; the rest is cut, with a note of how much
MAX_CELL_CHARS = 100_000
#: the largest file a run may write (its outputs, its caches); larger writes fail
MAX_FILE_BYTES = 2 * 2**30
#: the largest executed notebook and answers file the grader reads back; a run that wrote more crashed
MAX_RESULT_BYTES = 64 * 2**20
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


def run_notebook(
    nb_json: str,
    timeout: float,
    memory_bytes: int,
    kind: str = "submission",
    sandboxed: bool = True,
    read_only: tuple[str, ...] = (),
) -> Run:
    """Execute the notebook ``nb_json`` (a string, so that it travels to any Dask worker) in a
    scratch folder under the limits; the notebook should end with :func:`with_answer_cell`.
    ``kind`` (``submission`` or ``reference``) only names the scratch folder; ``read_only`` are
    host paths the sandbox shows read-only at the same place (the datasets a chapter's parameters name)."""
    scratch = Path(tempfile.mkdtemp(prefix=f"emocourse-{kind}-"))
    try:
        (scratch / "notebook.ipynb").write_text(nb_json)
        if sandboxed:
            child = _start_sandboxed(scratch, memory_bytes, read_only)
        else:
            child = _start_unprotected(scratch, memory_bytes)
        return _supervise(child, scratch, timeout, memory_bytes)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _start_sandboxed(scratch: Path, memory_bytes: int, read_only: tuple[str, ...]) -> subprocess.Popen:
    home = f"{bubblewrap.HOME}/emocourse"
    binds = {f"{home}/weights": weights_dir()} if weights_dir().is_dir() else {}
    binds |= {f"{home}/data/{name}": data_dir() / name for name in _current_standins()}
    binds |= {path: Path(path) for path in read_only if Path(path).exists()}
    (scratch / "home" / "emocourse").mkdir(parents=True)
    env = {"EMOCOURSE_HOME": home, **{k: os.environ[k] for k in bubblewrap.KEPT if k in os.environ}}
    argv = [sys.executable, "-m", "emocourse.teach.sandbox", bubblewrap.SCRATCH]
    jail = bubblewrap.command(scratch, binds, env, argv, shm_bytes=memory_bytes // 4)
    return _start(jail, scratch, os.environ, memory_bytes)


def _start_unprotected(scratch: Path, memory_bytes: int) -> subprocess.Popen:
    home = scratch / "home"
    (home / "data").mkdir(parents=True)
    for name in _current_standins():
        (home / "data" / name).symlink_to(data_dir() / name, target_is_directory=True)
    if weights_dir().is_dir():
        (home / "weights").symlink_to(weights_dir(), target_is_directory=True)
    env = {**os.environ, "EMOCOURSE_HOME": str(home), "TMPDIR": str(scratch)}
    return _start([sys.executable, "-m", "emocourse.teach.sandbox", str(scratch)], scratch, env, memory_bytes)


def _current_standins() -> list[str]:
    """The grader's stand-ins that exist and are made by the current generator (an outdated one
    would be regenerated, which a read-only copy cannot be: the run then generates its own)."""
    from ..data import DatasetError, _generator_version
    from ..data.standins import GENERATOR_VERSIONS

    current = []
    for name, version in GENERATOR_VERSIONS.items():
        try:
            if (data_dir() / name / "labels.csv").is_file() and _generator_version(data_dir() / name) == version:
                current.append(name)
        except DatasetError:
            pass
    return current


def _start(argv: list[str], scratch: Path, env, memory_bytes: int) -> subprocess.Popen:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (2 * memory_bytes, 2 * memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))

    with open(scratch / "runner.log", "wb") as log:
        return subprocess.Popen(
            argv, cwd=scratch, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=limit
        )


def _supervise(child: subprocess.Popen, scratch: Path, timeout: float, memory_bytes: int) -> Run:
    import psutil

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
    _kill(tree)  # a kernel or process the notebook left behind (the sandbox has ended them already)
    executed = _read_json(scratch / EXECUTED) if child.returncode == 0 else None
    if not isinstance(executed, dict) or not isinstance(executed.get("cells"), list):
        return Run("crashed", "the kernel, or the process running it, died before the notebook ended")
    if any(output.get("ename") == "MemoryError" for cell in executed["cells"] for output in cell.get("outputs", [])):
        return Run("memory", f"ran out of memory (MemoryError; the limit is {memory_bytes / 2**30:.1f} GiB)")
    return Run("finished", answers=_answers(_read_json(scratch / ANSWERS)), executed=executed)


def _read_json(path: Path):
    """The JSON in ``path``, a regular file of at most :data:`MAX_RESULT_BYTES` that the run wrote;
    None for anything else: missing, not JSON, too big, or something the notebook planted to make
    the grader read another file (a link) or wait forever (a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_RESULT_BYTES:
            return None
        try:
            return json.loads(f.read(MAX_RESULT_BYTES))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None


def _answers(data) -> dict:
    """The answers of ``answers.json`` as :func:`.exercises.save_answers` writes them, whatever the
    notebook wrote there instead: ``{name: {"value": ...}}`` or ``{name: {"problem": "..."}}``."""
    answers = {}
    for name, entry in (data if isinstance(data, dict) else {}).items():
        if isinstance(entry, dict) and "value" in entry:
            answers[name] = {"value": entry["value"]}
        else:
            problem = entry.get("problem") if isinstance(entry, dict) else None
            problem = problem if isinstance(problem, str) else "not an answer the grader wrote"
            answers[name] = {"problem": problem[:200].lstrip("=+-@\t\r")}
    return answers


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
    """The runner: run ``notebook.ipynb`` cell by cell (a failing cell does not stop the rest), each
    cell's outputs cut to :data:`MAX_CELL_CHARS`, and write ``executed.ipynb``; a kernel that dies
    leaves no executed notebook."""
    from nbclient.exceptions import DeadKernelError

    nb = nbformat.read(scratch / "notebook.ipynb", as_version=4)
    client = _CappedClient(nb, timeout=None, allow_errors=True, resources={"metadata": {"path": str(scratch)}})
    try:
        client.execute()
    except DeadKernelError:
        return 1
    nb.metadata.pop("widgets", None)  # widget state: not graded, and not capped
    for cell in nb.cells:  # outputs that bypass the client's cap: updated displays
        cell_chars = 0
        for output in list(cell.get("outputs", [])):
            cell_chars += _size(output)
            if cell_chars > 2 * MAX_CELL_CHARS:
                cell.outputs.remove(output)
    nbformat.write(nb, scratch / EXECUTED)
    return 0


class _CappedClient(NotebookClient):
    """nbclient's client, keeping at most :data:`MAX_CELL_CHARS` of each cell's outputs (the
    first ones) and replacing the rest with one line that says how much was cut."""

    def output(self, outs, msg, display_id, cell_index):
        kept = self.__dict__.setdefault("_kept", {})
        if not outs:
            kept[cell_index] = 0
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return None
        room = MAX_CELL_CHARS - kept.get(cell_index, 0)
        kept[cell_index] = kept.get(cell_index, 0) + _size(out)
        if kept[cell_index] <= MAX_CELL_CHARS:
            return out
        cut, head = _lines(out), ""
        if out.get("output_type") == "stream" and room > 0:  # keep the whole lines that fit
            head = out.text[:room].rpartition("\n")[0]
            cut -= head.count("\n") + bool(head)
        if head:
            out.text = head + "\n"
        else:
            outs.remove(out)
        if not (outs and outs[-1].get("metadata", {}).get("emocourse_cut")):
            outs.append(nbformat.v4.new_output("stream", name="stderr", text=""))
            outs[-1].metadata = {"emocourse_cut": 0}
        note = outs[-1]
        note.metadata["emocourse_cut"] += cut
        note.text = f"… {note.metadata['emocourse_cut']:,} lines cut (a cell keeps {MAX_CELL_CHARS:,} characters)\n"
        return None


def _size(output) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    return sum(len(str(value)) for value in output.get("data", {}).values()) + len(str(output.get("traceback", "")))


def _lines(output) -> int:
    text = output.get("text", "") if output.get("output_type") == "stream" else ""
    return max(1, text.count("\n"))


if __name__ == "__main__":
    sys.exit(_execute(Path(sys.argv[1])))
