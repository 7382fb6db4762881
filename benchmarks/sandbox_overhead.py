"""What bubblewrap costs a graded notebook: chapter 0's reference solution run as ``course grade``
runs it, with and without the sandbox, alternately (seconds per run, wall clock).

    python benchmarks/sandbox_overhead.py [--chapter notebooks/00_first_look.ipynb] [--repeats 3]

Prints one JSON line. Numbers, not assertions: the tests never time anything.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import nbformat

from emocourse.teach.exercises import exercises
from emocourse.teach.sandbox import run_notebook, with_answer_cell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="notebooks/00_first_look.ipynb")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    chapter = nbformat.read(args.chapter, as_version=4)
    notebook = nbformat.writes(with_answer_cell(chapter, [e.answer for e in exercises(chapter, args.chapter)]))
    seconds: dict[str, list[float]] = {"sandboxed": [], "unprotected": []}
    run_notebook(notebook, 600, 4 * 2**30)  # a warm-up: the stand-ins and caches the chapter reads are read once
    for _ in range(args.repeats):
        for mode in seconds:
            started = time.perf_counter()
            run = run_notebook(notebook, 600, 4 * 2**30, sandboxed=mode == "sandboxed")
            seconds[mode].append(round(time.perf_counter() - started, 2))
            if run.status != "finished":
                raise SystemExit(f"{mode}: the chapter did not finish ({run.status}: {run.message})")
    medians = {mode: statistics.median(times) for mode, times in seconds.items()}
    print(
        json.dumps(
            {
                "benchmark": "sandbox_overhead",
                "chapter": args.chapter,
                "seconds": seconds,
                "median_overhead_s": round(medians["sandboxed"] - medians["unprotected"], 2),
                "cpu": platform.processor() or platform.machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
