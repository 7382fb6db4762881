"""Where does the network look? Grad-CAM (torchcam), gradient saliency (captum), and the sanity check.

Grad-CAM comes from torchcam: it is the lightest of the CAM libraries (no OpenCV) and takes a layer
by its name. Gradient saliency, the map Amin et al. drew for faces, comes from captum. The sanity
check is Adebayo et al.'s (NeurIPS 2018): redraw the weights of the head and the top block groups
at random and compare each image's map with the trained model's; a map that explains the model
must change when the model does. An edge detector, which never looks at the model, passes for a
saliency map to the eye and fails this check. Book: chapter 5, *Error analysis*.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import torch
from torch import nn


def last_feature_layer(model: nn.Module) -> str:
    """The name of the model's last convolution or batch-norm layer (Grad-CAM's usual target)."""
    names = [name for name, module in model.named_modules() if isinstance(module, (nn.Conv2d, nn.BatchNorm2d))]
    if not names:
        raise ValueError("the model has no convolution layer for Grad-CAM")
    return names[-1]


def check_layer(model: nn.Module, layer: str) -> str:
    """``layer`` if the model has a module of that name, else a ``ValueError`` naming close ones."""
    names = [name for name, _ in model.named_modules() if name]
    if layer not in names:
        tail = layer.rsplit(".", 1)[-1]
        close = [name for name in names if name.endswith(tail)][-3:] or names[-3:]
        raise ValueError(
            f"layer {layer!r}: this model has no such layer; layers with a similar name: {', '.join(close)}"
        )
    return layer


def gradcam(model: nn.Module, x: torch.Tensor, classes, layer: str | None = None) -> torch.Tensor:
    """Grad-CAM maps (images × h × w, each scaled to [0, 1]) of ``classes`` (one per image) at ``layer``
    (default: :func:`last_feature_layer`), for normalised inputs ``x``."""
    from torchcam.methods import GradCAM

    layer = check_layer(model, layer or last_feature_layer(model))
    model.eval()
    x = x.detach().clone().requires_grad_(True)  # a frozen body still passes gradients to its maps
    with GradCAM(model, target_layer=layer, input_shape=tuple(x.shape[1:])) as cam:
        scores = model(x)
        maps = cam(class_idx=[int(c) for c in classes], scores=scores)[0]
    return maps.detach().float().as_subclass(torch.Tensor)


def gradient_saliency(model: nn.Module, x: torch.Tensor, classes) -> torch.Tensor:
    """captum's gradient saliency: |∂ class score / ∂ pixel|, the largest over colour channels
    (images × H × W), each scaled to [0, 1]."""
    from captum.attr import Saliency

    model.eval()
    maps = (
        Saliency(model)
        .attribute(x.detach().clone().requires_grad_(True), target=[int(c) for c in classes], abs=True)
        .amax(1)
    )
    return maps / maps.flatten(1).amax(1).clamp_min(1e-12).view(-1, 1, 1)


def edge_map(x: torch.Tensor) -> torch.Tensor:
    """The Sobel edge strength of each input image (images × H × W): a 'map' that ignores the model."""
    from skimage.filters import sobel

    grey = x.detach().float().mean(1).numpy()
    maps = torch.from_numpy(np.stack([sobel(image) for image in grey])).float()
    return maps / maps.flatten(1).amax(1).clamp_min(1e-12).view(-1, 1, 1)


def randomised(model: nn.Module, top_groups: int = 1, seed: int = 0) -> nn.Module:
    """A copy of a fastai ``Sequential(body, head)`` model whose head and top ``top_groups`` block
    groups have their weights redrawn at random (each tensor keeps its mean and spread)."""
    from ..train.transfer import block_groups

    copied = copy.deepcopy(model)
    groups = block_groups(copied[0].model)
    if not 0 <= top_groups < len(groups):
        raise ValueError(f"top_groups={top_groups}: the body has {len(groups)} block groups")
    generator = torch.Generator().manual_seed(seed)
    parameters = [p for group in groups[len(groups) - top_groups :] for p in group] + list(copied[1].parameters())
    with torch.no_grad():
        for p in parameters:
            noise = torch.randn(p.shape, generator=generator, dtype=p.dtype)
            p.copy_(noise * p.std().nan_to_num(0) + p.mean() if p.numel() > 1 else noise)
    return copied


def rank_correlation(a: torch.Tensor, b: torch.Tensor) -> np.ndarray:
    """Spearman's rank correlation between each pair of maps (two stacks of images × h × w). A flat
    map ranks nothing: it correlates 0 with any other map, 1 with an identical one."""
    from scipy.stats import spearmanr

    def correlation(u, v):
        if u.std() and v.std():
            return spearmanr(u, v).statistic
        return float(np.array_equal(u, v))

    return np.array([correlation(u, v) for u, v in zip(a.flatten(1).numpy(), b.flatten(1).numpy())])


def sanity_check(
    model: nn.Module, x: torch.Tensor, classes, layer: str | None = None, top_groups: int = 1, seed: int = 0
) -> pd.DataFrame:
    """For Grad-CAM, gradient saliency and an edge detector: the rank correlation of each image's map
    under the trained model and under :func:`randomised` (mean and spread over the images).
    A trustworthy method shows a low correlation; the edge detector shows 1."""
    random_model = randomised(model, top_groups, seed)
    pairs = {
        "Grad-CAM": (gradcam(model, x, classes, layer), gradcam(random_model, x, classes, layer)),
        "gradient saliency": (gradient_saliency(model, x, classes), gradient_saliency(random_model, x, classes)),
        "edge detector": (edge_map(x), edge_map(x)),
    }
    rows = {name: rank_correlation(*maps) for name, maps in pairs.items()}
    return pd.DataFrame(
        {
            "rank correlation, trained vs randomised": {k: v.mean() for k, v in rows.items()},
            "sd over images": {k: v.std() for k, v in rows.items()},
        }
    )
