"""``emocourse export``: a model folder's network as ONNX, for onnxruntime and for web pages.
Book: *Setup* → *The emocourse command*.

The exported network takes what an image decoder gives, ``(N, channels, side, side)`` float pixels
0–255 (the image's centre square, resized bilinearly), and answers class probabilities: every
normalisation and test-time view is inside it (:meth:`Recipe.exportable`), so a consumer only
crops, resizes and reads ``model.json``'s ``onnx`` entry, which says all of that.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path

import numpy as np

from ..fileio import atomic_write
from .recipes import DESCRIPTION, RECIPES, ModelDirError, load, read_description

ONNX = "model.onnx"
#: The ONNX operator set written: one that onnxruntime-web's WebAssembly backend runs.
OPSET = 18
INPUT, OUTPUT = "pixels", "probabilities"


def export_onnx(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the model of ``folder`` as ONNX (``out``, default ``folder/model.onnx``) and describe it
    in ``model.json`` under ``onnx``; return the file's path."""
    import torch

    folder = Path(folder)
    model, description = load(folder)
    recipe, config = RECIPES[description["recipe"]], description["config"]
    pixels = recipe.pixels(config)
    channels = 1 if pixels["colour"] == "L" else 3
    example = torch.full((2, channels, pixels["size"], pixels["size"]), 128.0)
    with contextlib.redirect_stdout(io.StringIO()):  # the exporter reports each of its steps
        program = torch.onnx.export(
            recipe.exportable(config, model).eval(),
            (example,),
            input_names=[INPUT],
            output_names=[OUTPUT],
            dynamic_shapes=({0: torch.export.Dim("batch")},),
            opset_version=OPSET,
            dynamo=True,
            external_data=False,
        )
    data = program.model_proto.SerializeToString()
    out = Path(out) if out else folder / ONNX
    with atomic_write(out) as f:
        f.write(data)
    description["onnx"] = {
        "file": out.name if out.parent.resolve() == folder.resolve() else str(out.resolve()),
        "sha256": hashlib.sha256(data).hexdigest(),
        "opset": OPSET,
        "input": {
            "name": INPUT,
            "shape": ["batch", channels, pixels["size"], pixels["size"]],
            "dtype": "float32",
            "colour": pixels["colour"],
            "range": [0, 255],
        },
        "output": {"name": OUTPUT, "shape": ["batch", len(description["classes"])]},
        "preprocess": "the image's centre square, resized to the input's side with bilinear filtering",
        "normalised_inside": True,
        "test_time_views": recipe.test_time_views(config),
    }
    with atomic_write(folder / DESCRIPTION) as f:
        f.write(json.dumps(description, indent=2).encode())
    return out


def onnx_probabilities(folder: str | Path, batch: np.ndarray) -> np.ndarray:
    """Class probabilities of a batch (from :meth:`Recipe.inputs`) under the ONNX file of ``folder``,
    run by onnxruntime; refuses a folder never exported, or whose file differs from ``model.json``'s."""
    import onnxruntime

    folder = Path(folder)
    entry = read_description(folder).get("onnx")
    if not entry:
        raise ModelDirError(f"{folder}: no ONNX model; run 'emocourse export {folder}' first")
    path = folder / entry["file"]
    data = path.read_bytes() if path.is_file() else b""
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ModelDirError(f"{path}: missing or damaged (its SHA-256 differs from {DESCRIPTION}'s)")
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    return session.run([OUTPUT], {INPUT: np.asarray(batch, dtype=np.float32)})[0]
