"""Image features computed once per dataset, extractor and image size, then read from disk.

``features(dataset, "handcrafted", 128)`` or ``features(dataset, "tf_efficientnet_lite0", 128)``
returns one row per image of ``dataset.table``, in table order. The first call computes them
and stores them under ``$EMOCOURSE_HOME/cache/features``; later calls read them back in a
fraction of a second. The cache key holds the dataset's name, a checksum of its
``labels.csv`` and ``dataset.json`` and of the list of images, the extractor (with a version for hand-crafted features)
and the image size, so a changed table never meets stale features. Backbone features use
timm's evaluation transform for the backbone; ``fastai_resize=True`` instead crops the centre
square and resizes it to ``image_size`` with bilinear interpolation, as fastai's validation
pipeline feeds the same backbone, so that a head trained on those features fits the network it
is later put on (chapter 3). Book: chapter 2, *Baselines*.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ..data.table import Dataset
from ..fileio import atomic_write
from ..paths import cache_dir

HANDCRAFTED = "handcrafted"
#: Bumped whenever an extractor changes what it computes (part of every cache file name).
VERSION = 3


def dataset_key(dataset: Dataset, columns: tuple[str, ...] = ("image", "label", "split")) -> str:
    """``<name>-<12 hex digits>``: the dataset's name and a checksum of its table files on disk and of
    ``columns`` of the table in memory (a sample, or splits dealt in memory, get keys of their own)."""
    digest = hashlib.sha256()
    for name in ("labels.csv", "dataset.json"):
        path = dataset.root / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    digest.update(dataset.table[list(columns)].to_csv(index=False, lineterminator="\n").encode())
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", dataset.name)
    return f"{slug}-{digest.hexdigest()[:12]}"


def cache_path(dataset: Dataset, extractor: str, image_size: int, fastai_resize: bool = False) -> Path:
    """Where the features of ``dataset`` by ``extractor`` at ``image_size`` pixels are stored."""
    resize = "-fastai" if fastai_resize else ""
    return (
        cache_dir()
        / "features"
        / dataset_key(dataset, ("image",))
        / f"{extractor}-v{VERSION}-{image_size}px{resize}.npz"
    )


def features(
    dataset: Dataset,
    extractor: str = HANDCRAFTED,
    image_size: int = 128,
    refresh: bool = False,
    progress: bool = True,
    fastai_resize: bool = False,
) -> np.ndarray:
    """Features of every image of ``dataset`` (rows in table order), from the cache when present.

    ``extractor`` is ``"handcrafted"`` (colour, texture, composition; 38 values) or a backbone
    name (the pooled output of the pretrained network, e.g. 1,280 values for the bundled one).
    ``fastai_resize`` (backbones only) resizes as fastai's ``Resize`` does instead of timm's
    evaluation transform. ``refresh=True`` recomputes and
    overwrites the cached copy. A cache file that cannot be read,
    or whose image list differs from the table, is recomputed with a warning.
    """
    if fastai_resize and extractor == HANDCRAFTED:
        raise ValueError("fastai_resize applies to backbone features; hand-crafted features use the whole image")
    path = cache_path(dataset, extractor, image_size, fastai_resize)
    images = dataset.table["image"].to_numpy(dtype=str)
    if not refresh:
        cached = _read(path, images)
        if cached is not None:
            return cached
    paths = dataset.paths()
    if extractor == HANDCRAFTED:
        values = handcrafted_matrix(paths, image_size, progress)
    else:
        values = backbone_matrix(paths, extractor, image_size, progress, fastai_resize=fastai_resize)
    with atomic_write(path) as f:
        np.savez(f, features=values, images=images)
    return values


def _read(path: Path, images: np.ndarray) -> np.ndarray | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            values, stored_images = stored["features"], stored["images"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
        warnings.warn(f"feature cache {path} is unreadable ({err}); computing the features again", stacklevel=3)
        return None
    if values.shape[0] != len(images) or not np.array_equal(stored_images, images):
        warnings.warn(
            f"feature cache {path} lists other images than the table; computing the features again", stacklevel=3
        )
        return None
    return values


def handcrafted_matrix(
    paths: list[Path], image_size: int, progress: bool = True, workers: int | None = None
) -> np.ndarray:
    """Hand-crafted features of image files, one process per core (``workers`` overrides)."""
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    from .handcrafted import NAMES, handcrafted_file

    workers = workers or os.cpu_count() or 1
    jobs = Parallel(n_jobs=workers, return_as="generator", batch_size=32)(
        delayed(handcrafted_file)(p, image_size) for p in paths
    )
    rows = list(
        tqdm(jobs, total=len(paths), desc=f"hand-crafted features, {image_size} px", unit="img", disable=not progress)
    )
    return np.stack(rows) if rows else np.zeros((0, len(NAMES)), np.float32)


def backbone_matrix(
    paths: list[Path],
    name: str,
    image_size: int,
    progress: bool = True,
    batch_size: int = 16,
    fastai_resize: bool = False,
) -> np.ndarray:
    """Pooled features of a frozen pretrained backbone for image files (timm's eval transform,
    or fastai's resizing when ``fastai_resize``).

    Batches of 16 are the fastest on a 2-core CPU (``benchmarks/feature_extraction.py``).
    """
    import torch
    from PIL import Image
    from tqdm.auto import tqdm

    from ..models import create_backbone, eval_transform, extract_features

    model = create_backbone(name)
    fastai_like = {"crop_pct": 1.0, "interpolation": "bilinear"} if fastai_resize else {}
    transform = eval_transform(model, image_size, **fastai_like)

    def rgb(path):
        with Image.open(path) as image:
            return image.convert("RGB")

    starts = range(0, len(paths), batch_size)
    batches = (torch.stack([transform(rgb(p)) for p in paths[s : s + batch_size]]) for s in starts)
    return extract_features(
        model,
        tqdm(batches, total=len(starts), desc=f"{name} features, {image_size} px", unit="batch", disable=not progress),
    )
