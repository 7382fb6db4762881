"""Transfer learning with fastai: a pretrained body, a new head, and unfreezing schedules.

One :class:`Config` describes a whole run: the task (8 emotions or valence), the backbone and
image size, the head (linear, or one hidden layer), and the schedule:

``head``
    only the new head is trained, on cached frozen features (seconds on a CPU);
``whole_network``
    the head first, then the whole network at once with discriminative learning rates
    ``slice(lr / 100, lr)`` (what fastai's ``Learner.fine_tune`` does after its frozen epochs);
``iterative``
    the head first, then more and more of the body: each stage unfreezes the next block
    groups from the top and trains with its own, smaller learning rate (Sreenivas & Zhao).

The body is split into timm's coarse block groups (stem, each stage of blocks, head conv),
so ``freeze_to(-k)`` unfreezes one group at a time; fastai alone gives a timm model only two
groups. While a stage trains only the top groups, the frozen body below them computes the same
maps in every epoch (its batch-norm statistics stay frozen too), so :class:`FrozenMaps` computes
them once, for each training image and its mirror image, and the top groups train on those.
:func:`train_or_load` stores the trained weights and the metric history under a key
made of the dataset and the whole config, so a later run, or a later chapter, loads instead
of training. Book: chapter 3, *Transfer learning*.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from .. import taxonomy
from ..data.table import Dataset, split_mask, targets
from ..features.cache import dataset_key, features
from ..fileio import atomic_write
from ..models import DEFAULT_BACKBONE, fastai_learner
from ..paths import cache_dir
from .imbalance import (
    FEATURES_ONLY,
    Balance,
    adjust_logits,
    balanced_rows,
    blur_flip_features,
    choose_tau,
    class_counts,
    loss_function,
    resample,
)
from .acceleration import accelerate
from .loaders import dataloaders
from .scratch import fit_one_cycle, tensor_learner

TASKS = ("emotion", "valence")
SCHEDULES = ("head", "whole_network", "iterative")
HEAD_STAGE = "head on cached features"  # the first stage of every schedule, in the metric history


def for_task(dataset: Dataset, task: str) -> Dataset:
    """The dataset labelled for ``task``: its own classes (``emotion``), or ``positive``/``negative``
    (``valence``, from :attr:`Dataset.valences`) for the images whose class has a valence; images of
    classes without one (FER2013's surprise and neutral, a user's own classes) are left out, keeping
    their row index. Raises ``ValueError`` when fewer than two valences remain in a split."""
    if task == "emotion":
        return dataset
    if task != "valence":
        raise ValueError(f"task={task!r}: must be one of {', '.join(TASKS)}")
    valences = dataset.valences
    table = dataset.table.assign(label=valences)[valences.notna()]
    for split in ("train", "valid", "test"):
        found = set(table.loc[table["split"] == split, "label"])
        if found != {taxonomy.POSITIVE, taxonomy.NEGATIVE}:
            raise ValueError(
                f"{dataset.name}: the valence task needs positive and negative {split} images; "
                f"its classes with a valence give {sorted(found) or 'none'}"
            )
    info = {**dataset.info, "classes": [taxonomy.POSITIVE, taxonomy.NEGATIVE]}
    return Dataset(dataset.root, table, info)


def valence_problem(dataset: Dataset) -> str | None:
    """Why the valence task cannot run on ``dataset``, or ``None`` when it can."""
    try:
        for_task(dataset, "valence")
    except ValueError as err:
        return str(err)
    return None


#: The dimensions of emotion that raters score on a 1–9 scale (Emotion6, the affect stand-in).
DIMENSIONS = ("valence", "arousal")


def rated_dimensions(dataset: Dataset) -> list[str]:
    """Those of :data:`DIMENSIONS` that ``dataset``'s table holds as a number for every image."""
    table = dataset.table
    return [d for d in DIMENSIONS if d in table and pd.api.types.is_numeric_dtype(table[d]) and table[d].notna().all()]


def without_valence(dataset: Dataset) -> pd.Series:
    """Images per class that the valence task leaves out (classes without a valence), largest first."""
    return dataset.table.loc[dataset.valences.isna(), "label"].value_counts()


def classifier(n_features: int, n_classes: int, hidden: int | None = None, dropout: float = 0.25) -> nn.Sequential:
    """The head on pooled features: dropout + linear, or dropout + linear(``hidden``) + ReLU + dropout + linear."""
    layers: list[nn.Module] = [nn.Dropout(dropout)]
    if hidden:
        layers += [nn.Linear(n_features, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout)]
    layers.append(nn.Linear(hidden or n_features, n_classes))
    return nn.Sequential(*layers)


class Normalised(nn.Module):
    """A network for ImageNet-normalised images, fed 0–255 pixels; it answers probabilities."""

    def __init__(self, model: nn.Module, mean, std):
        super().__init__()
        self.model = model
        self.register_buffer("mean", 255 * torch.tensor(mean, dtype=torch.float32)[:, None, None])
        self.register_buffer("std", 255 * torch.tensor(std, dtype=torch.float32)[:, None, None])

    def forward(self, pixels):
        return self.model((pixels - self.mean) / self.std).softmax(1)


def pooled_head(head: nn.Module) -> nn.Sequential:
    """``head`` behind global average pooling, to sit on a body's feature maps; ``[2]`` is ``head``."""
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), head)


def block_groups(body: nn.Module) -> list[list[nn.Parameter]]:
    """The body's parameters in timm's coarse groups, from the input up (stem, stages, head conv)."""
    from timm.models import group_parameters

    groups = group_parameters(body, body.group_matcher(coarse=True), return_values=True)
    return [list(groups[k]) for k in sorted(groups)]


def splitter(model: nn.Sequential) -> list[list[nn.Parameter]]:
    """fastai splitter for ``Sequential(TimmBody, head)``: one group per block group, then the head."""
    return block_groups(model[0].model) + [list(model[1].parameters())]


def group_summary(model: nn.Sequential) -> pd.DataFrame:
    """One row per parameter group of :func:`splitter`, from the input up: the layers in it, its
    number of parameters and whether they train now (after ``freeze_to``)."""
    from timm.models import group_parameters

    body = model[0].model
    names = group_parameters(body, body.group_matcher(coarse=True))
    layers = [", ".join(dict.fromkeys(_layer(n) for n in names[k])) for k in sorted(names)] + ["new head"]
    groups = splitter(model)
    return pd.DataFrame(
        {
            "layers": layers,
            "parameters": [sum(p.numel() for p in g) for g in groups],
            "trains": [all(p.requires_grad for p in g) for g in groups],
        }
    )


def _layer(parameter: str) -> str:
    """``blocks.3.1.conv_pw.weight`` → ``blocks.3``; ``conv_stem.weight`` → ``conv_stem``."""
    parts = parameter.split(".")
    return ".".join(parts[:2]) if parts[0] == "blocks" else parts[0]


@dataclass(frozen=True)
class Config:
    """Everything that decides a trained model; its :meth:`key` names the cached copy."""

    task: str = "emotion"
    backbone: str = DEFAULT_BACKBONE
    image_size: int = 128
    hidden: int | None = None  # None: a linear head; else the width of one hidden layer
    dropout: float = 0.25
    wd: float = 1e-2
    head_epochs: int = 20  # on cached features
    head_lr: float = 3e-3
    schedule: str = "iterative"
    stages: tuple[int, ...] = (1, 2)  # iterative: body groups trainable in each stage (0 = all)
    stage_lrs: tuple[float, ...] = (1e-3, 3e-4)  # iterative: one per stage; whole_network: the first
    stage_epochs: int = 1
    train_images: int | None = None  # None: every training image; else a seeded sample for the image stages
    batch_size: int = 64
    seed: int = 0
    balance: str = "none"  # a strategy of emocourse.train.imbalance.BALANCES (chapter 4)

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"task={self.task!r}: must be one of {', '.join(TASKS)}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule={self.schedule!r}: must be one of {', '.join(SCHEDULES)}")
        if self.schedule == "iterative" and len(self.stages) != len(self.stage_lrs):
            raise ValueError(f"stages={self.stages} and stage_lrs={self.stage_lrs} must have the same length")
        Balance(self.balance)
        if self.balance in FEATURES_ONLY and self.schedule != "head":
            raise ValueError(
                f"balance={self.balance!r} makes new feature rows, not images: it works with schedule='head' only"
            )

    def key(self) -> str:
        fields = asdict(self)
        if fields["balance"] == "none":
            del fields["balance"]  # configs from before chapter 4 keep their cached models
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]


#: The two profiles: ``fast`` fits a laptop CPU (a chapter in minutes), ``full`` is paper scale on a GPU.
PROFILE_CONFIGS = {
    "fast": Config(
        image_size=128, head_epochs=20, stages=(1, 2), stage_lrs=(1e-3, 5e-4), stage_epochs=4, train_images=None
    ),
    "full": Config(
        image_size=224,
        head_epochs=30,
        stages=(1, 2, 3, 0),
        stage_lrs=(1e-4, 1e-5, 1e-5, 1e-6),
        stage_epochs=5,
        train_images=None,
    ),
}


@dataclass
class Trained:
    """A trained learner, its metric history (one row per epoch) and where it is cached."""

    learn: object
    history: pd.DataFrame
    config: Config
    loaded: bool = False
    dataset: Dataset = field(repr=False, default=None)  # labelled for config.task
    source: Dataset = field(repr=False, default=None)  # as given to train(): the frozen features' cache key


def _image_rows(dataset: Dataset, config: Config) -> Dataset:
    """The dataset with a seeded sample of ``config.train_images`` training rows (all other splits kept),
    then its training rows over- or undersampled as ``config.balance`` asks."""
    if config.train_images is None and config.balance not in ("oversample", "undersample"):
        return dataset
    train = dataset.table[dataset.table["split"] == "train"]
    if config.train_images is not None:
        train = train.sample(n=min(config.train_images, len(train)), random_state=config.seed)
    keep = train.index[
        resample(train["label"].map(dataset.classes.index).to_numpy(), Balance(config.balance), config.seed)
    ]
    rows = np.sort(
        np.concatenate([dataset.table.index.get_indexer(keep), np.flatnonzero(dataset.table["split"] != "train")])
    )
    return Dataset(dataset.root, dataset.table.iloc[rows].reset_index(drop=True), dataset.info)


def _loss(dataset: Dataset, config: Config):
    """The loss ``config.balance`` asks for, weighted by the training split's class counts."""
    counts = class_counts(targets(dataset)[split_mask(dataset, "train")], dataset.classes)
    return loss_function(Balance(config.balance), counts)


def keep_batchnorm_statistics():
    """A fastai callback that keeps every batch-norm layer on its pretrained running statistics
    while training. Unfrozen layers still learn their scale and shift; only the statistics stay.
    On small datasets, statistics re-estimated from a few batches shift the features under the
    head at any learning rate, and fine-tuning then loses accuracy instead of gaining it."""
    from fastai.callback.core import Callback

    class KeepBatchNormStatistics(Callback):
        def before_train(self):
            for module in self.learn.model.modules():
                if isinstance(module, nn.modules.batchnorm._BatchNorm):
                    module.eval()

    return KeepBatchNormStatistics()


def build_learner(dataset: Dataset, config: Config):
    """A fastai learner for ``config`` on ``dataset`` (already labelled for the task): pretrained body
    split into block groups, a new head, body frozen."""
    from fastai.metrics import accuracy

    dls = dataloaders(_image_rows(dataset, config), config.image_size, config.batch_size, seed=config.seed)
    n_features = _num_features(config.backbone)
    head = pooled_head(classifier(n_features, len(dataset.classes), config.hidden, config.dropout))
    learn = fastai_learner(
        dls,
        config.backbone,
        custom_head=head,
        splitter=splitter,
        metrics=accuracy,
        wd=config.wd,
        train_bn=False,
        cbs=keep_batchnorm_statistics(),
        loss_func=_loss(dataset, config),
    )
    return accelerate(learn.to_channelslast(use_amp=False))  # channels-last: 1.5-2x faster on a CPU


def _num_features(backbone: str) -> int:
    import timm

    return timm.create_model(backbone, pretrained=False, num_classes=0).num_features


def head_learner(dataset: Dataset, config: Config, progress: bool = False):
    """A fastai Learner for ``config``'s new head alone, untrained, on the cached frozen features of
    ``dataset`` (computed on first use, resized as fastai does): for ``lr_find``, or for training
    in seconds what :func:`build_learner` would train in minutes."""
    from functools import partial

    task_data, x = _frozen_features(dataset, config, progress)
    y, train, valid = targets(task_data), split_mask(task_data, "train"), split_mask(task_data, "valid")
    x_train, y_train = _balanced_rows(task_data, config, x[train], y[train])
    return tensor_learner(
        partial(classifier, x.shape[1], len(task_data.classes), config.hidden, config.dropout),
        (torch.from_numpy(x_train).float(), torch.from_numpy(y_train).long()),
        (torch.from_numpy(x[valid]).float(), torch.from_numpy(y[valid]).long()),
        batch_size=config.batch_size,
        wd=config.wd,
        seed=config.seed,
        loss_func=_loss(task_data, config),
    )


def _balanced_rows(task_data: Dataset, config: Config, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The training features and labels that ``config.balance``'s sampler gives the head."""
    views = (
        blur_flip_features(task_data, config.backbone, config.image_size, config.seed)
        if config.balance == "oversample_blur_flip"
        else None
    )
    return balanced_rows(x, y, Balance(config.balance), config.seed, views)


def _frozen_features(dataset: Dataset, config: Config, progress: bool = False) -> tuple[Dataset, np.ndarray]:
    """``dataset`` labelled for ``config.task``, and the cached frozen features of its rows (computed on
    first use; valence leaves some rows out)."""
    task_data = for_task(dataset, config.task)
    x = features(dataset, config.backbone, config.image_size, progress=progress, fastai_resize=True)
    return task_data, x[dataset.table.index.get_indexer(task_data.table.index)]


def _below_and_top(body: nn.Module, groups: int) -> tuple[nn.Sequential, nn.Sequential] | None:
    """A timm EfficientNet-style body (``conv_stem``, ``bn1``, ``blocks``, ``conv_head``, ``bn2``) cut below
    its top ``groups`` block groups (the top group is the last stage of blocks with the head conv), or
    ``None`` for bodies of another layout."""
    if not all(hasattr(body, name) for name in ("conv_stem", "bn1", "blocks", "conv_head", "bn2")):
        return None
    cut = len(body.blocks) - groups
    if not 0 <= cut < len(body.blocks):
        return None
    return (
        nn.Sequential(body.conv_stem, body.bn1, *body.blocks[:cut]),
        nn.Sequential(*body.blocks[cut:], body.conv_head, body.bn2),
    )


@torch.no_grad()
def _frozen_maps(below: nn.Module, loader, mirror: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The feature maps ``below`` computes for every batch of ``loader`` (and for its mirror images when
    ``mirror``: the flips the image loader would have drawn), with their labels."""
    below.eval()
    maps, labels = [], []
    for xb, yb in loader:
        xb, yb = (
            xb.as_subclass(torch.Tensor).contiguous(memory_format=torch.channels_last),
            yb.as_subclass(torch.Tensor),
        )
        for x in (xb, xb.flip(-1)) if mirror else (xb,):
            maps.append(below(x))
            labels.append(yb)
    return torch.cat(maps), torch.cat(labels)


class FrozenMaps:
    """Feature maps of the frozen body below its top ``deepest`` block groups, for the training images
    (each with its mirror image, the loader's only augmentation) and the validation images, computed
    once: batch-norm statistics stay frozen, so that body computes the same maps in every epoch. The
    maps below fewer top groups are derived from them while the groups in between are still frozen."""

    def __init__(self, learn, deepest: int):
        learn.model.to(memory_format=torch.channels_last)  # as the learner's ChannelsLast does when it fits
        self.body, self.deepest = learn.model[0].model, deepest
        below, _ = _below_and_top(self.body, deepest)
        self.train = _frozen_maps(below, learn.dls.train.new(shuffle=False, drop_last=False), mirror=True)
        self.valid = _frozen_maps(below, learn.dls.valid, mirror=False)

    @torch.no_grad()
    def below(self, groups: int) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        """``(train, valid)`` maps and labels below the top ``groups`` block groups (``groups <= deepest``)."""
        blocks = self.body.blocks
        between = nn.Sequential(*blocks[len(blocks) - self.deepest : len(blocks) - groups]).eval()
        return tuple(
            (torch.cat([between(chunk) for chunk in maps.split(256)]), labels)
            for maps, labels in (self.train, self.valid)
        )


def fit_top_groups_on_maps(
    learn, groups: int, epochs: int, lr: float, config: Config, progress: bool = False, maps: FrozenMaps | None = None
):
    """Train the top ``groups`` block groups and the head of ``learn`` on :class:`FrozenMaps` (``maps``, or
    computed here) instead of images. The modules are shared, so ``learn.model`` is trained in place.
    Returns the maps' learner (for its metric history), or ``None`` when the body's layout cannot be cut."""
    cut = _below_and_top(learn.model[0].model, groups)
    if cut is None:
        return None
    train_maps, valid_maps = (maps or FrozenMaps(learn, groups)).below(groups)
    model = nn.Sequential(cut[1], learn.model[1])
    for parameter in model.parameters():
        parameter.requires_grad_(True)
    maps_learn = tensor_learner(
        lambda: model, train_maps, valid_maps, batch_size=config.batch_size, wd=config.wd, seed=config.seed
    )
    maps_learn.add_cb(keep_batchnorm_statistics())
    fit_one_cycle(maps_learn, epochs, lr, progress)
    return maps_learn


def stage_summary(trained: Trained) -> pd.DataFrame:
    """One row per stage of ``trained``'s metric history: what was trainable, epochs, the last
    validation accuracy (%) and the seconds the stage took. Book: chapter 3, *The same schedule, made fast*."""
    stages = trained.history.groupby("stage", sort=False).agg(
        trainable=("trainable", "last"),
        epochs=("epoch", "size"),
        valid_accuracy=("valid_accuracy", "last"),
        seconds=("seconds", "sum"),
    )
    return stages.assign(valid_accuracy=(100 * stages["valid_accuracy"]).round(1), seconds=stages["seconds"].round(1))


def _history(learn, stage: str, trainable: str, seconds: float) -> pd.DataFrame:
    values = np.array(learn.recorder.values, dtype=float)
    return pd.DataFrame(
        {
            "stage": stage,
            "trainable": trainable,
            "epoch": np.arange(1, len(values) + 1),
            "train_loss": values[:, 0],
            "valid_loss": values[:, 1],
            "valid_accuracy": values[:, 2],
            "seconds": seconds / max(1, len(values)),
        }
    )


def _stages(config: Config, n_groups: int) -> list[tuple[str, int, float]]:
    """``(name, body groups trainable, learning rate)`` for every image stage of the schedule."""
    if config.schedule == "head":
        return []
    if config.schedule == "whole_network":
        return [("whole network", n_groups, config.stage_lrs[0])]
    return [
        (
            f"top {k} block group{'s' if k > 1 else ''}" if 0 < k < n_groups else "whole network",
            k if 0 < k < n_groups else n_groups,
            lr,
        )
        for k, lr in zip(config.stages, config.stage_lrs)
    ]


def train(
    dataset: Dataset, config: Config, progress: bool = True, after_stage: Callable[[str, Trained], None] | None = None
) -> Trained:
    """Train from the pretrained weights following ``config`` (no cache; see :func:`train_or_load`).
    ``after_stage(stage name, model so far)``, if given, is called after the head and after each image stage."""
    from fastai.basics import set_seed

    task_data = for_task(dataset, config.task)
    head = head_learner(dataset, config, progress)
    start = time.perf_counter()
    fit_one_cycle(head, config.head_epochs, config.head_lr, progress=False)
    history = [_history(head, HEAD_STAGE, "head", time.perf_counter() - start)]
    set_seed(config.seed, reproducible=True)
    learn = build_learner(task_data, config)
    learn.model[1][2].load_state_dict(head.model.state_dict())

    def so_far() -> Trained:
        return Trained(learn, pd.concat(history, ignore_index=True), config, dataset=task_data, source=dataset)

    if after_stage:
        after_stage(HEAD_STAGE, so_far())
    n_groups = len(splitter(learn.model)) - 1
    stages = _stages(config, n_groups)
    partial = [groups for _, groups, _ in stages if groups < n_groups] if config.schedule == "iterative" else []
    maps = None  # the frozen maps below the deepest partial stage, computed at its first use
    for name, groups, lr in stages:
        learn.freeze_to(-(groups + 1))
        start = time.perf_counter()
        trained = None
        if groups in partial and _below_and_top(learn.model[0].model, max(partial)) is not None:
            maps = maps or FrozenMaps(learn, max(partial))
            trained = fit_top_groups_on_maps(learn, groups, config.stage_epochs, lr, config, progress, maps)
        if trained is None:
            maps = None  # a stage on images may change the body below the cut
            trained = fit_one_cycle(
                learn, config.stage_epochs, slice(lr / 100, lr) if config.schedule == "whole_network" else lr, progress
            )
        history.append(
            _history(trained, name, f"{groups} of {n_groups} block groups + head", time.perf_counter() - start)
        )
        if after_stage:
            after_stage(name, so_far())
    learn.freeze()
    return so_far()


#: Bumped whenever the training code changes what a config trains (part of every model folder's name),
#: so an upgraded emocourse never loads a model an older version trained.
TRAINING_VERSION = 2


def model_dir(dataset: Dataset, config: Config):
    """Where :func:`train_or_load` keeps the model of ``config`` trained on ``dataset``."""
    name = f"{config.schedule}-{config.task}-v{TRAINING_VERSION}-{config.key()}"
    return cache_dir() / "models" / dataset_key(dataset) / name


def train_or_load(dataset: Dataset, config: Config, progress: bool = True, refresh: bool = False) -> Trained:
    """The model of ``config`` on ``dataset``: loaded from the cache when it was trained before,
    else trained and stored (weights, metric history and config, each written atomically)."""
    folder = model_dir(dataset, config)
    weights, history_csv = folder / "model.pt", folder / "history.csv"
    if not refresh and weights.is_file() and history_csv.is_file():
        task_data = for_task(dataset, config.task)
        learn = build_learner(task_data, config)
        learn.model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        return Trained(learn, pd.read_csv(history_csv), config, loaded=True, dataset=task_data, source=dataset)
    trained = train(dataset, config, progress)
    buffer = io.BytesIO()
    torch.save(trained.learn.model.state_dict(), buffer)
    with atomic_write(folder / "config.json") as f:
        f.write(json.dumps(asdict(config), indent=2).encode())
    with atomic_write(history_csv) as f:
        f.write(trained.history.to_csv(index=False).encode())
    with atomic_write(weights) as f:
        f.write(buffer.getvalue())
    return trained


def predict_test_split(trained: Trained) -> tuple[np.ndarray, np.ndarray]:
    """``(true, predicted)`` class indices on the test split."""

    data, y = trained.dataset, targets(trained.dataset)
    test, valid = split_mask(data, "test"), split_mask(data, "valid")
    logits = _logits(trained, test)
    if trained.config.balance == "logit_adjust":  # τ chosen on the validation split
        counts = class_counts(y[split_mask(data, "train")], data.classes)
        tau = choose_tau(_logits(trained, valid).numpy(), y[valid], counts, data.classes)
        logits = adjust_logits(logits, counts, tau)
    return y[test], logits.argmax(1).numpy()


def test_accuracy(trained: Trained) -> float:
    """The fraction of the test split that ``trained`` classifies right."""
    true, predicted = predict_test_split(trained)
    return float((true == predicted).mean())


def _logits(trained: Trained, rows: np.ndarray) -> torch.Tensor:
    """The model's logits for the ``rows`` (a mask) of its dataset."""
    if trained.config.schedule == "head" and trained.source is not None:  # the body is still frozen:
        _, x = _frozen_features(trained.source, trained.config)  # its features are cached, the head runs alone
        with torch.no_grad():
            return trained.learn.model[1][2].eval()(torch.from_numpy(x[rows]).float())
    dl = trained.learn.dls.test_dl(trained.dataset.table[rows], with_labels=True)
    with trained.learn.no_bar():
        logits, _ = trained.learn.get_preds(dl=dl, with_decoded=False, act=lambda t: t)
    return logits
