"""fastai DataLoaders for a canonical dataset (train and valid splits; test via ``dls.test_dl``). Book: chapter 3."""

from __future__ import annotations

import os

from ..data.table import Dataset


def default_workers() -> int:
    """Loader processes: none on a 2-core laptop (worker start-up costs more than it saves), else up to 4."""
    cpus = os.cpu_count() or 1
    return 0 if cpus <= 2 else min(4, cpus - 1)


def dataloaders(
    dataset: Dataset,
    image_size: int = 128,
    batch_size: int = 64,
    seed: int = 0,
    augment: bool = True,
    num_workers: int | None = None,
):
    """Images resized to ``image_size``, labels in the dataset's class order; random horizontal
    flips of the training batches when ``augment``.

    Flips only (Carroll et al. used flips and blur): the lighting, contrast and warping changes of fastai's
    ``aug_transforms`` would change the very colour and brightness cues that emotion lives in.
    """
    from fastai.vision.all import CategoryBlock, ColReader, ColSplitter, DataBlock, Flip, ImageBlock, Resize

    rows = dataset.table[dataset.table["split"].isin(["train", "valid"])].copy()
    rows["is_valid"] = rows["split"] == "valid"
    block = DataBlock(
        blocks=(ImageBlock, CategoryBlock(vocab=dataset.classes, sort=False)),  # fastai sorts a vocab unless told
        get_x=ColReader("image", pref=f"{dataset.root}{os.sep}"),
        get_y=ColReader("label"),
        splitter=ColSplitter("is_valid"),
        item_tfms=Resize(image_size),
        batch_tfms=Flip() if augment else None,
    )
    workers = default_workers() if num_workers is None else num_workers
    n_train = int((~rows["is_valid"]).sum())  # fastai drops the last, incomplete batch: keep one on tiny sets
    return block.dataloaders(rows, bs=max(1, min(batch_size, n_train)), seed=seed, num_workers=workers)
