"""Grading a hostile class in bubblewrap: every attack of the *For instructors* page's threat model,
tried by a student of a tiny chapter on a Dask cluster the test owns (so that the attackers know its
scheduler's address). Honest students are graded correct, no attacker gets a point it did not
compute, the instructor's files hash the same before and after, nothing of the class is left
running, and every feedback page stays under a megabyte."""

import hashlib
import json
import logging
import os
import socket
import threading
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest

from emocourse.cli import main
from emocourse.teach.bubblewrap import problem
from emocourse.teach.feedback import MAX_PAGE_BYTES
from emocourse.teach.grading import UNPROTECTED
from test_grading import _chapter as tiny_chapter
from test_grading import assign_one

pytestmark = pytest.mark.skipif(problem() is not None, reason=f"no sandbox here: {problem()}")

TIMEOUT = 40  # seconds per notebook; a tiny chapter runs in about 7, the 100 MB flood in about 15
MARKER = "emocourse-left-running"  # in the command line of every process an attacker leaves behind

RIGHT = {"ex1": "double = 2 * SEED", "ex2": "digits = set(str(SEED))"}

# Each attack is the answer to exercise 1 (worth 2 points); exercise 2 is answered honestly.
STEAL_SOLUTIONS = """import glob, json, os, emocourse
# the chapter with solutions: beside the installed package, in the grader's command lines, or where it was
places = [os.path.dirname(os.path.dirname(emocourse.__file__)) + "/**/*.ipynb", "{root}/*.ipynb"]
for cmdline in glob.glob("/proc/*/cmdline"):
    places += [a for a in open(cmdline, "rb").read().decode(errors="ignore").split("\\0") if a.endswith(".ipynb")]
for place in places:
    for path in glob.glob(place, recursive=True):
        for cell in json.load(open(path))["cells"]:
            if "solution" in cell["metadata"].get("tags", []) and "double" in "".join(cell["source"]):
                exec("".join(cell["source"]))
"""
VANDALISE = """import os, subprocess, sys, emocourse
home, changed = os.environ["EMOCOURSE_HOME"], 0
tops = [home + "/data", home + "/weights", os.path.dirname(emocourse.__file__), sys.prefix, "{home}", "{root}"]
for top in tops:  # as root, a read-only mount can be made writable again; a new user namespace too
    subprocess.run(["mount", "-o", "remount,bind,rw", top], capture_output=True)
    subprocess.run(["unshare", "-Urm", "mount", "-o", "remount,bind,rw", top], capture_output=True)
for top in tops:
    for folder, _, files in os.walk(top):
        for name in files:
            try:  # opened for writing, its first byte written back as it was: this test harms nothing
                with open(os.path.join(folder, name), "r+b") as f:
                    first = f.read(1)
                    f.seek(0)
                    f.write(first)
                changed += 1
            except OSError:
                pass
print("files it could change:", changed)
double = 2 * SEED
"""
LEAVE_PROCESSES = """import os, subprocess, sys
sleeper = [sys.executable, "-c", "import time; time.sleep(600)", "{marker}"]
if os.fork() == 0:  # a double fork in a new session: a daemon
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, sleeper)
    os._exit(0)
subprocess.Popen(sleeper, start_new_session=True)
double = 2 * SEED
"""
KILL_RUNNER = """import os, signal, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{marker}"], start_new_session=True)
double = 2 * SEED
os.kill(os.getppid(), signal.SIGKILL)  # the process that runs this kernel
"""
FLOOD = """for _ in range(1_000_000):
    print("x" * 99)  # 100 MB
double = 2 * SEED
"""
COPY_A_CLASSMATE = """import json
theirs = json.load(open("{submissions}/honest/tiny.ipynb"))
[double_cell] = [c for c in theirs["cells"] if c["metadata"].get("emocourse", {{}}).get("grade_id") == "ex1"]
exec("".join(double_cell["source"]))
"""
REACH_THE_NETWORK = """import os, socket
own = set()  # this kernel's own sockets
for fd in os.listdir("/proc/self/fd"):
    try:
        own.add(os.readlink(f"/proc/self/fd/{{fd}}"))
    except OSError:
        pass
rows = [line.split() for line in open("/proc/net/tcp").readlines()[1:]]
ports = {{int(r[1].split(":")[1], 16) for r in rows if r[3] == "0A" and f"socket:[{{r[9]}}]" not in own}}
for host, port in [("127.0.0.1", p) for p in ports] + [("127.0.0.1", {port}), ("{ip}", {port})]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        print("reached", host, port)
    except OSError as err:
        print(host, port, err)
from distributed import Client
client = Client("{scheduler}", timeout=5)  # raises: the grader's scheduler is out of reach
client.run(lambda: open("{evidence}", "w").write("ran in the grader's workers"))
double = client.submit(lambda: 2 * SEED).result()
"""
PLANT_A_FIFO = """import os
import emocourse.teach.exercises
emocourse.teach.exercises.save_answers = lambda *args: None
os.mkfifo("answers.json")  # a grader that opens it waits forever
double = 2 * SEED
"""
FORGE_ANSWERS = """import json
import emocourse.teach.exercises
emocourse.teach.exercises.save_answers = lambda *args: None
json.dump({{"double": 2 * SEED, "digits": {{"problem": "=HYPERLINK(1)" * 10**6}}}}, open("answers.json", "w"))
double = 2 * SEED
"""
ATTACKS = {
    "thief": STEAL_SOLUTIONS,
    "vandal": VANDALISE,
    "daemon": LEAVE_PROCESSES,
    "killer": KILL_RUNNER,
    "flood": FLOOD,
    "copier": COPY_A_CLASSMATE,
    "hacker": REACH_THE_NETWORK,
    "fifo": PLANT_A_FIFO,
    "forger": FORGE_ANSWERS,
}


def _chapter(path: Path, data: Path) -> Path:
    """test_grading's tiny chapter, whose parameter DATA names a dataset folder (shown read-only)."""
    nb = nbformat.read(tiny_chapter(path), as_version=4)
    nb.cells[1].source += f"\nDATA = {str(data)!r}"
    nb.cells[2].source = "rows = len(open(DATA + '/labels.csv').read().splitlines())"
    nbformat.write(nb, path)
    return path


def _hashes(*tops: Path) -> dict[str, str]:
    """The SHA-256 of every file under ``tops``."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for top in tops
        for path in sorted(top.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _own_address() -> str:
    """This machine's address on its network, as other machines see it (loopback if it has none)."""
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


class _Listener:
    """A TCP server on every interface of this machine that counts who connects."""

    def __init__(self):
        self.server = socket.create_server(("0.0.0.0", 0))
        self.port, self.connections = self.server.getsockname()[1], 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.server.accept()[0].close()
            except OSError:
                return
            self.connections += 1


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    from distributed import LocalCluster

    import emocourse

    root = tmp_path_factory.mktemp("hostile")
    home = root / "instructor-home"
    (home / "weights").mkdir(parents=True)
    (home / "weights" / "backbone.safetensors").write_bytes(os.urandom(4096))
    data = root / "dataset"
    data.mkdir()
    (data / "labels.csv").write_text("image,label\na.png,awe\n")
    chapter = _chapter(root / "tiny.ipynb", data)
    students = ["honest", *ATTACKS]
    pd.DataFrame({"id": students, "name": students, "email": [f"{s}@example.org" for s in students]}).to_csv(
        root / "roster.csv", index=False
    )
    (root / "spec.yml").write_text("seed: 3\nparameters:\n  SEED: [11, 37]\n")
    assigned, subs = root / "assigned", root / "submissions"
    command = ["course", "assign", str(chapter), "--roster", str(root / "roster.csv"), "--spec", str(root / "spec.yml")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EMOCOURSE_HOME", str(home))
        assert main([*command, "--out", str(assigned)]) == 0
        listener = _Listener()
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            memory_limit=0,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        evidence = root / "evidence.txt"
        blanks = {
            "root": root,
            "home": home,
            "marker": MARKER,
            "submissions": subs,
            "port": listener.port,
            "ip": _own_address(),
            "scheduler": cluster.scheduler_address,
            "evidence": evidence,
        }
        for student in students:
            answers = {**RIGHT, "ex1": ATTACKS[student].format(**blanks)} if student in ATTACKS else RIGHT
            nb = nbformat.read(assigned / student / "tiny.ipynb", as_version=4)
            for cell in nb.cells:
                cell.source = answers.get(cell.metadata.get("emocourse", {}).get("grade_id"), cell.source)
            (subs / student).mkdir(parents=True)
            nbformat.write(nb, subs / student / "tiny.ipynb")
        # the package, and everything of the instructor's: home, chapter, dataset, submissions, assignment
        guarded = [Path(emocourse.__file__).parent, root.parent]
        before = _hashes(*guarded)
        out = root / "grades" / "grades.csv"
        grade = ["course", "grade", str(chapter), str(subs), "--assigned", str(assigned), "--out", str(out)]
        grade += ["--scheduler", cluster.scheduler_address, "--timeout", str(TIMEOUT), "--memory", "1"]
        try:
            assert main(grade) == 0
        finally:
            cluster.close()
        after = _hashes(*guarded)
    return {
        "out": out,
        "before": before,
        "after": after,
        "listener": listener,
        "evidence": evidence,
        "seeds": {
            s["id"]: s["parameters"]["SEED"] for s in json.loads((assigned / "assignment.json").read_text())["students"]
        },
    }


def test_honest_students_are_graded_and_attackers_get_no_stolen_point(hostile_class):
    grades = pd.read_csv(hostile_class["out"], keep_default_na=False)
    status = {(r.student, r.exercise): (r.status, r.points) for r in grades.itertuples()}
    assert status["honest", "ex1"] == ("correct", 2) and status["honest", "ex2"] == ("correct", 1)
    # the attacks that leave the kernel running cost only their own exercise
    for student in ["thief", "copier", "hacker"]:
        assert status[student, "ex1"][1] == 0 and status[student, "ex1"][0] in {"missing", "error", "wrong"}
        assert status[student, "ex2"] == ("correct", 1), student
    # the attacks computed their answer honestly besides, and are graded for it
    for student in ["vandal", "daemon", "flood"]:
        assert status[student, "ex1"] == ("correct", 2) and status[student, "ex2"] == ("correct", 1), student
    assert status["killer", "ex1"] == ("crashed", 0) and status["killer", "ex2"] == ("crashed", 0)
    # answers the grader did not write are no answers, and their messages are short and inert
    for student in ["fifo", "forger"]:
        assert status[student, "ex1"] == ("missing", 0) and status[student, "ex2"] == ("missing", 0), student
    messages = grades.set_index(["student", "exercise"])["message"]
    assert len(messages["forger", "ex2"]) <= 200 and not messages["forger", "ex2"].startswith("=")


def test_the_instructors_files_are_unchanged(hostile_class):
    before, after = hostile_class["before"], hostile_class["after"]
    changed = [path for path in before if after.get(path) != before[path]]
    assert not changed, changed[:5]


def test_nothing_of_the_class_is_left_running(hostile_class):
    left = [p.info["pid"] for p in psutil.process_iter(["pid", "cmdline"]) if MARKER in (p.info["cmdline"] or [])]
    assert not left


def test_no_network_and_no_cluster_was_reached(hostile_class):
    assert hostile_class["listener"].connections == 0
    assert not hostile_class["evidence"].exists()
    grades = pd.read_csv(hostile_class["out"], keep_default_na=False).set_index(["student", "exercise"])
    assert grades.loc[("hacker", "ex1"), "status"] == "error"
    assert (
        "OSError" in grades.loc[("hacker", "ex1"), "message"] or "Timeout" in grades.loc[("hacker", "ex1"), "message"]
    )


def test_feedback_pages_stay_small_and_say_what_was_cut(hostile_class):
    pages = hostile_class["out"].parent / "feedback"
    sizes = {page.stem: page.stat().st_size for page in pages.glob("*.html")}
    assert set(sizes) == {"honest", *ATTACKS} and max(sizes.values()) < MAX_PAGE_BYTES
    assert "lines cut" in (pages / "flood.html").read_text()
    assert "files it could change: 0" in (pages / "vandal.html").read_text()


def test_where_bubblewrap_cannot_run_grading_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    import emocourse.teach.bubblewrap as bubblewrap

    monkeypatch.setattr(bubblewrap, "problem", lambda: "bubblewrap needs Linux (this is darwin)")
    chapter = _chapter(tmp_path / "tiny.ipynb", tmp_path)
    assign_one(chapter, "a")
    (tmp_path / "subs").mkdir()
    grade = ["course", "grade", str(chapter), str(tmp_path / "subs"), "--assigned", str(tmp_path / "a")]
    grade += ["--out", str(tmp_path / "grades.csv"), "--workers", "1"]
    assert main(grade) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "bubblewrap needs Linux" in error and "--unsafe-no-sandbox" in error
    assert main([*grade, "--unsafe-no-sandbox"]) == 0
    assert UNPROTECTED in capsys.readouterr().out


def test_a_chapter_every_sandbox_would_show_is_refused(tmp_path, monkeypatch, capsys):
    import emocourse.teach.bubblewrap as bubblewrap

    chapter = _chapter(tmp_path / "tiny.ipynb", tmp_path)
    assign_one(chapter, "a")
    monkeypatch.setattr(bubblewrap, "python_roots", lambda: [tmp_path])  # as a clone inside the environment
    (tmp_path / "subs").mkdir()
    grade = ["course", "grade", str(chapter), str(tmp_path / "subs"), "--assigned", str(tmp_path / "a")]
    assert main([*grade, "--out", str(tmp_path / "grades.csv"), "--workers", "1"]) == 2
    assert f"{chapter} is inside {tmp_path}, which every sandbox shows read-only" in capsys.readouterr().err
