"""The *Try it* page's files, copied into the built site by ``make book``: the models chapters 3 and 6
trained on the stand-ins (:func:`keep_for_the_book`) and onnxruntime-web's WebAssembly runtime (from
npm, ``tools/onnxruntime-web``). Book: *Try it*.

    python -m emocourse.book_demo _build/html tools/onnxruntime-web/node_modules/onnxruntime-web/dist
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from . import paths

#: The page's models: the folder a chapter keeps, and what the page calls it.
MODELS = {"faces": "chapter 6's network from scratch", "affect": "chapter 3's iterative unfreezing"}
#: onnxruntime-web's files the page loads: the script, and its WebAssembly module with its loader.
RUNTIME = ("ort.wasm.min.js", "ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.mjs")


def kept(name: str) -> Path:
    """Where a chapter keeps the page's model ``name``."""
    return paths.cache_dir() / "book-demo" / name


def keep_for_the_book(name: str, recipe: str, model, classes, config: dict, accuracy: float, images: int) -> Path:
    """Chapters 3 and 6 (a hidden cell, on the run their text was written for): the chapter's model as a
    model folder with its ONNX file, for the *Try it* page."""
    import pandas as pd

    from .train.export import export_onnx
    from .train.recipes import Result, save

    result = Result(model, list(classes), config, pd.DataFrame(), accuracy, "test", images, 0.0)
    save(result, recipe, "fast", kept(name))
    export_onnx(kept(name))
    return kept(name)


def copy_into(site: Path, runtime: Path) -> Path:
    """Copy the kept models and the runtime into ``site/_static/demo``; refuse when one is missing."""
    demo = Path(site) / "_static" / "demo"
    for name, made_by in MODELS.items():
        folder = kept(name)
        missing = [f for f in ("model.onnx", "model.json") if not (folder / f).is_file()]
        if missing:
            raise SystemExit(f"{folder}: no {', '.join(missing)}; {made_by} writes it when the book is built")
        (demo / name).mkdir(parents=True, exist_ok=True)
        for file in ("model.onnx", "model.json"):
            shutil.copyfile(folder / file, demo / name / file)
    (demo / "ort").mkdir(parents=True, exist_ok=True)
    for file in RUNTIME:
        if not (Path(runtime) / file).is_file():
            raise SystemExit(f"{runtime / file}: missing; npm ci --prefix tools/onnxruntime-web installs it")
        shutil.copyfile(Path(runtime) / file, demo / "ort" / file)
    return demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built HTML site (_build/html)")
    parser.add_argument("runtime", type=Path, help="onnxruntime-web's dist folder")
    args = parser.parse_args(argv)
    demo = copy_into(args.site, args.runtime)
    print(f"Try it: models and onnxruntime-web copied into {demo}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
