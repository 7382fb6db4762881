"""Prediction throughput of each recipe's network in torch and in onnxruntime (images/s), and the size
of its ONNX file, side by side.

    python benchmarks/onnx_runtime.py [--batches 1 32] [--repeats 5]

Each recipe's fast-profile network (untrained: the speed does not depend on the weights) is written
as a model folder, exported with ``emocourse export``'s code, and fed the same batch of random pixels
by both runtimes, with every test-time view the recipe uses. Prints one JSON line per recipe and
batch size. Numbers, not assertions: the tests never time anything.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import onnxruntime
import pandas as pd
import torch

from emocourse.train import faces, transfer
from emocourse.train.export import export_onnx
from emocourse.train.recipes import ONNX_INPUT, ONNX_OUTPUT, RECIPES, Result, read_description, save

CONFIGS = {"faces": asdict(faces.PROFILES["fast"]), "transfer": asdict(transfer.PROFILE_CONFIGS["fast"])}
CLASSES = {"faces": 7, "transfer": 8}


def model_folder(recipe: str, out: Path) -> Path:
    """An untrained fast-profile model of ``recipe`` as a model folder, exported to ONNX."""
    config = CONFIGS[recipe]
    classes = [f"class {k}" for k in range(CLASSES[recipe])]
    model = RECIPES[recipe].build(config, len(classes))
    save(Result(model, classes, config, pd.DataFrame(), 0.0, "test", 0, 0.0), recipe, "fast", out)
    export_onnx(out)
    return out


def best_seconds(run, repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for recipe in RECIPES:
            folder = model_folder(recipe, Path(tmp) / recipe)
            entry = read_description(folder)["onnx"]
            network = RECIPES[recipe].exportable(CONFIGS[recipe], RECIPES[recipe].build(CONFIGS[recipe], 2)).eval()
            session = onnxruntime.InferenceSession(str(folder / entry["file"]), providers=["CPUExecutionProvider"])
            _, channels, side, _ = entry["input"]["shape"]
            for batch in args.batches:
                pixels = torch.rand(batch, channels, side, side) * 255
                with torch.inference_mode():
                    torch_seconds = best_seconds(lambda: network(pixels), args.repeats)
                onnx_seconds = best_seconds(
                    lambda: session.run([ONNX_OUTPUT], {ONNX_INPUT: pixels.numpy()}), args.repeats
                )
                print(
                    json.dumps(
                        {
                            "recipe": recipe,
                            "input": entry["input"]["shape"][1:],
                            "views per image": 1 + len(entry["test_time_views"]),
                            "batch": batch,
                            "torch images/s": round(batch / torch_seconds, 1),
                            "onnxruntime images/s": round(batch / onnx_seconds, 1),
                            "onnx MB": round((folder / entry["file"]).stat().st_size / 1e6, 2),
                            "torch threads": torch.get_num_threads(),
                            "machine": platform.processor() or platform.machine(),
                        }
                    ),
                    flush=True,
                )


if __name__ == "__main__":
    main()
