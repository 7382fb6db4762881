"""How far does each lesson check's claim move across seeds and thread counts? (``make spread``)

Training rounds differently on another CPU; changing the number of threads changes the order of
reductions the same way. This runs chapters under papermill once per (seed, threads) pair, with
``$EMOCOURSE_CLAIMS_LOG`` set so that every ``written_for(...).check`` is recorded, not asserted,
and writes ``claims.csv`` (one row per claim and run) and ``summary.md`` (per claim: in how many
runs it held, and what each run measured). A claim that does not hold in every run is not a
lesson check: state it with its spread instead. Book: *Setup* → *Lesson checks that hold on
every machine*.

Each thread count gets its own cache of trained models and features (so a 1-thread run never
loads a model a 2-thread run trained); the stand-ins and weights are shared with
``$EMOCOURSE_HOME``, made once before the runs start.

    python tools/lesson_spread.py [--runs 0:1 1:1 2:1 3:1 4:1 0:2] [--out _build/spread] [CHAPTER ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emocourse import paths  # noqa: E402
from emocourse.notebook import find_chapters  # noqa: E402


def _takes_seed(chapter: Path) -> bool:
    cells = nbformat.read(chapter, as_version=4).cells
    return any("parameters" in c.metadata.get("tags", []) and "SEED =" in c.source for c in cells)


def _prepare_shared_home() -> None:
    """Stand-ins and converted weights, made once so that parallel runs do not race to make them."""
    from emocourse.data import load
    from emocourse.data.standins import STANDINS
    from emocourse.models.bundled import weights_path

    weights_path()
    for name in STANDINS:
        load(name)


def _home_for(threads: int, out: Path) -> Path:
    home = out / f"home-{threads}-threads"
    home.mkdir(parents=True, exist_ok=True)
    for shared in (paths.data_dir(), paths.weights_dir()):
        link = home / shared.name
        try:
            link.symlink_to(shared.resolve(), target_is_directory=True)
        except FileExistsError:  # made before, or by a run of the same thread count beside this one
            pass
    return home


def _run(chapters: list[Path], seed: int, threads: int, out: Path) -> list[dict]:
    """Every chapter in order (chapter 5 loads chapter 3's model of the same seed) for one pair."""
    env = dict(
        os.environ,
        EMOCOURSE_HOME=str(_home_for(threads, out)),
        OMP_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
        EMOCOURSE_PROFILE="fast",
    )
    rows = []
    for chapter in chapters:
        if seed != 0 and not _takes_seed(chapter):
            continue
        log = out / "logs" / f"{chapter.stem}-seed{seed}-threads{threads}.jsonl"
        log.parent.mkdir(parents=True, exist_ok=True)
        if not log.with_suffix(".done").exists():
            log.unlink(missing_ok=True)
            _execute(chapter, seed, threads, env, log, out)
        seconds = (
            json.loads(log.with_suffix(".done").read_text())["seconds"] if log.with_suffix(".done").exists() else None
        )
        records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        for number, record in enumerate(records):
            rows.append(
                {
                    "chapter": chapter.stem,
                    "check": number,
                    "claim": record["claim"],
                    "seed": seed,
                    "threads": record["threads"],
                    "holds": record["holds"],
                    "measured": record["measured"],
                    "seconds": seconds,
                }
            )
    return rows


def _execute(chapter: Path, seed: int, threads: int, env: dict, log: Path, out: Path) -> None:
    """Run one chapter under papermill, recording its claims in ``log``; ``log.done`` marks a finished
    run, so that an interrupted ``make spread`` goes on where it stopped."""
    executed = out / "executed" / log.with_suffix(".ipynb").name
    executed.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "papermill", str(chapter), str(executed), "--cwd", str(chapter.parent)]
    command += ["-p", "SEED", str(seed)] if _takes_seed(chapter) else []
    start = time.perf_counter()
    done = subprocess.run(command, env=dict(env, EMOCOURSE_CLAIMS_LOG=str(log)), capture_output=True, text=True)
    seconds = round(time.perf_counter() - start)
    status = "ran" if done.returncode == 0 else f"failed: {done.stderr.strip().splitlines()[-1:]}"
    print(f"{chapter.stem} seed {seed}, {threads} threads: {status} in {seconds} s", flush=True)
    if done.returncode == 0:
        log.with_suffix(".done").write_text(json.dumps({"seconds": seconds}))


def summarise(claims: pd.DataFrame) -> str:
    """Markdown: per claim, how many runs it held in and what every run measured."""
    lines = ["| chapter | claim | held | measured (seed/threads: value) |", "|---|---|---|---|"]
    for (chapter, _, claim), runs in claims.groupby(["chapter", "check", "claim"], sort=True):
        measured = "<br>".join(f"{r.seed}/{r.threads}: {r.measured}" for r in runs.itertuples())
        lines.append(f"| {chapter} | {claim} | {runs['holds'].sum()} of {len(runs)} | {measured} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter stems or paths (default: all)")
    parser.add_argument(
        "--runs", nargs="+", default=["0:1", "1:1", "2:1", "3:1", "4:1", "0:2"], help="SEED:THREADS pairs"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "spread")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    chapters = find_chapters(args.chapters, ROOT / "notebooks")
    runs = [tuple(int(part) for part in run.split(":")) for run in args.runs]
    _prepare_shared_home()
    results = []
    for threads in sorted({t for _, t in runs}):  # as many runs at once as the cores hold: threads that
        # wait for a core spin, and a run slows down many times
        with ThreadPoolExecutor(max(1, (os.cpu_count() or 1) // threads)) as pool:
            pairs = [(seed, t) for seed, t in runs if t == threads]
            results += pool.map(lambda run: _run(chapters, *run, args.out), pairs)
    claims = pd.DataFrame([row for rows in results for row in rows])
    claims.to_csv(args.out / "claims.csv", index=False)
    (args.out / "summary.md").write_text(summarise(claims))
    failing = claims.groupby(["chapter", "check"])["holds"].all()
    print(f"{(~failing).sum()} of {len(failing)} claims did not hold in every run: see {args.out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
