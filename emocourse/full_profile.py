"""``make test-full``: every chapter under papermill in the full profile, each on the real dataset
that an environment variable names, with a summary of every chapter's headline numbers.

    python -m emocourse.full_profile [--out DIR] [--force] [CHAPTER ...]

A real dataset is a canonical folder (``emocourse data import`` writes one); a variable left unset
leaves the chapter on its stand-in, with a notice. On a machine without a CUDA GPU the run is refused
(the full profile trains at 224 px for tens of epochs) unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Mapping

import nbformat

from .fileio import atomic_write
from .notebook import ParameterError, find_chapters
from .train.acceleration import training_device

#: Chapter parameter -> the environment variables that may name its real dataset, first one set wins
#: (FER+ before FER2013: the same faces, with ten votes each).
DATASET_VARIABLES: Mapping[str, tuple[str, ...]] = {
    "DATASET": ("EMOCOURSE_FI",),
    "FACE_DATASET": ("EMOCOURSE_FERPLUS", "EMOCOURSE_FER2013"),
}

_RESULT_ROWS = "{f\"{r['method']}, accuracy % ({r['measured on']})\": r['accuracy'] for r in results}"

#: Per chapter, an expression evaluated in the executed chapter: its headline numbers, {name: value}.
HEADLINES: Mapping[str, str] = {
    "00_first_look": "{'bundled backbone, parameters (millions)': round(n_params / 1e6, 2)}",
    "01_building_the_dataset": "{'images kept': len(dataset.table)}",
    "02_baselines": _RESULT_ROWS,  # rows of the chapter's results table
    "03_transfer_learning": _RESULT_ROWS,
    "04_imbalance": "{f'{m}, macro-F1 %': round(100 * v, 1) for m, v in summary[('macro-F1', 'mean')].items()}",
    "05_error_analysis": "{'chapter 3 model, test accuracy %': round(100 * float((predicted == y_test).mean()), 1),"
    " **{f'ECE {k} %': round(100 * v, 1) for k, v in ece.items()}}",
    "06_faces": _RESULT_ROWS,
    "07_should_we": "{**{f'accuracy % of {group_name} {g}': round(100 * a, 1) for g, a in accuracy.items()},"
    " 'gap between the groups, points': round(100 * gap, 1)}",
}

_MARK = "emocourse-headline:"


class FullProfileError(RuntimeError):
    """The full-profile run cannot start: no GPU, or a dataset variable that names no dataset."""


def refusal(device: str, force: bool) -> str | None:
    """Why the run does not start on ``device``, or ``None`` when it does."""
    if device == "cuda" or force:
        return None
    return (
        f"make test-full trains every chapter at 224 px for tens of epochs and needs a CUDA GPU; "
        f"this machine trains on {device}. Run it anyway with FORCE=1 (hours on a CPU)."
    )


def real_datasets(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The dataset parameters the environment sets ({parameter: folder}), and a notice for each left unset."""
    found, notices = {}, []
    for parameter, variables in DATASET_VARIABLES.items():
        named = [v for v in variables if environ.get(v)]
        if not named:
            notices.append(f"{' or '.join(variables)} not set: {parameter} stays on its stand-in")
            continue
        folder = Path(environ[named[0]]).expanduser()
        if not (folder / "labels.csv").is_file():
            raise FullProfileError(
                f"{named[0]}={environ[named[0]]}: not a canonical dataset folder (no labels.csv); "
                "`emocourse data import` makes one"
            )
        found[parameter] = str(folder.resolve())
    return found, notices


def chapter_parameters(notebook: Path, datasets: Mapping[str, str]) -> dict:
    """Papermill parameters for ``notebook``: the full profile, and the real datasets it declares."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    parameters = {"PROFILE": "full"} if "PROFILE" in declared else {}
    parameters.update({k: v for k, v in datasets.items() if k in declared})
    return parameters


def _with_headline_cell(notebook: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(notebook, as_version=4)
    expression = HEADLINES.get(notebook.stem)
    if expression:
        source = (
            "import json as _json\n"
            f"try:\n    _headline = {expression}\n"
            "except Exception as _err:  # a chapter that ran is not failed by its summary line\n"
            "    _headline = {'headline not available': f'{type(_err).__name__}: {_err}'}\n"
            f"print({_MARK!r}, _json.dumps(_headline, default=float))"
        )
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["headline"]}))
    return nb


def headline(executed: nbformat.NotebookNode) -> dict:
    """The headline numbers the appended cell printed, or {} when it did not run."""
    for cell in reversed(executed.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            if text.startswith(_MARK):
                return json.loads(text[len(_MARK) :])
    return {}


def run_chapter(notebook: Path, parameters: dict, out: Path) -> dict:
    """Execute one chapter into ``out``; returns its row of the summary."""
    import papermill

    source = out / "inputs" / notebook.name
    source.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(_with_headline_cell(notebook), source)
    executed_path = out / notebook.name
    start = time.perf_counter()
    error = None
    try:
        papermill.execute_notebook(
            str(source), str(executed_path), parameters=parameters, cwd=str(notebook.parent), kernel_name="python3"
        )
    except papermill.PapermillExecutionError as err:
        error = f"{err.ename}: {err.evalue}".splitlines()[0]
    numbers = headline(nbformat.read(executed_path, as_version=4)) if executed_path.exists() else {}
    return {
        "chapter": notebook.stem,
        "status": "failed: " + error if error else "ok",
        "minutes": round((time.perf_counter() - start) / 60, 1),
        "parameters": parameters,
        "headline": numbers,
    }


def summary_markdown(rows: list[dict], notices: list[str], device: str) -> str:
    """The summary table (one row per headline number) with the run's notices."""
    lines = [f"# Full profile on {device}", ""]
    lines += [f"- {n}" for n in notices] + ([""] if notices else [])
    lines += ["| chapter | status | minutes | number | value |", "|---|---|---|---|---|"]
    for row in rows:
        numbers = list(row["headline"].items()) or [("(none)", "")]
        for i, (name, value) in enumerate(numbers):
            first = (row["chapter"], row["status"], row["minutes"]) if i == 0 else ("", "", "")
            lines.append(f"| {' | '.join(map(str, first))} | {name} | {value} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emocourse.full_profile", description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter names (default: every chapter)")
    parser.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="the chapters' folder")
    parser.add_argument("--out", type=Path, default=Path("_build/full"), help="executed chapters and summary")
    parser.add_argument("--force", action="store_true", help="run without a CUDA GPU")
    args = parser.parse_args(argv)
    device = training_device()
    try:
        reason = refusal(device, args.force or os.environ.get("FORCE") == "1")
        if reason:
            raise FullProfileError(reason)
        notebooks = find_chapters(args.chapters, args.notebooks)
        datasets, notices = real_datasets(os.environ)
    except (FullProfileError, ParameterError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for notice in notices:
        print(f"notice: {notice}")
    os.environ["EMOCOURSE_PROFILE"] = "full"
    rows = []
    for notebook in notebooks:
        parameters = chapter_parameters(notebook, datasets)
        print(f"{notebook.stem}: {parameters}", flush=True)
        rows.append(run_chapter(notebook, parameters, args.out))
        print(f"{notebook.stem}: {rows[-1]['status']} in {rows[-1]['minutes']} min", flush=True)
    for name, text in [
        ("summary.json", json.dumps(rows, indent=2)),
        ("summary.md", summary_markdown(rows, notices, device)),
    ]:
        with atomic_write(args.out / name) as f:
            f.write(text.encode())
    print(f"summary: {args.out / 'summary.md'}")
    return 0 if all(row["status"] == "ok" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
