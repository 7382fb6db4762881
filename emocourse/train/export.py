"""``emocourse export``: a model folder's network as ONNX, for onnxruntime and for web pages.
Book: *Setup* → *The emocourse command*.

The exported network takes what an image decoder gives, ``(N, channels, side, side)`` float pixels
0–255 (the image's centre square, resized bilinearly), and answers class probabilities: every
normalisation and test-time view is inside it (``Recipe.exportable``), so a consumer only
crops, resizes and reads ``model.json``'s ``onnx`` entry, which says all of that.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path

from ..fileio import atomic_write
from .recipes import DESCRIPTION, ONNX_INPUT, ONNX_OUTPUT, RECIPES, load

ONNX = "model.onnx"
#: The ONNX operator set written: one that onnxruntime-web's WebAssembly backend runs.
OPSET = 18


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
            input_names=[ONNX_INPUT],
            output_names=[ONNX_OUTPUT],
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
            "name": ONNX_INPUT,
            "shape": ["batch", channels, pixels["size"], pixels["size"]],
            "dtype": "float32",
            "colour": pixels["colour"],
            "range": [0, 255],
        },
        "output": {"name": ONNX_OUTPUT, "shape": ["batch", len(description["classes"])]},
        "preprocess": "the image's centre square, resized to the input's side with bilinear filtering",
        "normalised_inside": True,
        "test_time_views": recipe.test_time_views(config),
    }
    with atomic_write(folder / DESCRIPTION) as f:
        f.write(json.dumps(description, indent=2).encode())
    return out
