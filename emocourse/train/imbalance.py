"""Class imbalance: the ways to handle it, for a head on cached features and for the image learner.

A :class:`Balance` names one strategy (``BALANCES`` lists them) and its setting. The strategies act
at three moments of training:

* on the **training rows**: random oversampling (duplicates), oversampling with Carroll et al.'s
  blur-and-flip views, random undersampling, SMOTE (:func:`resample`, imbalanced-learn's samplers);
* on the **loss**: class weights by inverse frequency or by Cui et al.'s effective number, focal
  loss (:func:`loss_function`, fastai's losses);
* on the **logits** at prediction time: Menon et al.'s logit adjustment (:func:`adjust_logits`, with
  τ chosen on the validation split by :func:`choose_tau`).

:func:`fit_head` trains a linear head on cached features with any of them in a second;
``Config(balance=...)`` in :mod:`emocourse.train.transfer` applies them to the image learner.
Book: chapter 4, *Imbalance*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

#: Every strategy, with how the book names it.
BALANCES = {
    "none": "nothing",
    "weights": "class weights (inverse frequency)",
    "effective_number": "class weights (effective number)",
    "oversample": "oversampling (duplicates)",
    "oversample_blur_flip": "oversampling (blur + flip views)",
    "undersample": "undersampling",
    "focal": "focal loss",
    "logit_adjust": "logit adjustment",
    "smote": "SMOTE on features",
}
SAMPLERS = ("oversample", "oversample_blur_flip", "undersample", "smote")
FEATURES_ONLY = ("oversample_blur_flip", "smote")  # they make new feature rows, not new images


@dataclass(frozen=True)
class Balance:
    """One strategy and its setting: ``tau`` for logit adjustment (``None``: chosen on ``valid``),
    ``beta`` for the effective number, ``gamma`` for the focal loss."""

    name: str = "none"
    tau: float | None = None
    beta: float = 0.999
    gamma: float = 2.0

    def __post_init__(self):
        if self.name not in BALANCES:
            raise ValueError(f"balance={self.name!r}: must be one of {', '.join(BALANCES)}")
        if self.tau is not None and not self.tau >= 0:
            raise ValueError(f"tau={self.tau}: must be 0 or more (0 leaves the logits as they are)")
        if not 0 <= self.beta < 1:
            raise ValueError(f"beta={self.beta}: must be in [0, 1)")
        if not self.gamma >= 0:
            raise ValueError(f"gamma={self.gamma}: must be 0 or more")

    @property
    def label(self) -> str:
        return BALANCES[self.name]


def class_counts(y: np.ndarray, classes: list[str]) -> np.ndarray:
    """Training images per class; a ``ValueError`` names a class that has none (no strategy can help it)."""
    counts = np.bincount(np.asarray(y), minlength=len(classes))
    if (counts == 0).any():
        missing = ", ".join(c for c, n in zip(classes, counts) if n == 0)
        raise ValueError(f"no training images of {missing}: a classifier cannot learn a class it never sees")
    return counts


def class_weights(counts: np.ndarray, effective_number: bool = False, beta: float = 0.999) -> np.ndarray:
    """One weight per class, inversely proportional to its count (or to Cui et al.'s effective number
    ``(1 - beta**n) / (1 - beta)``), scaled so that the weighted training set keeps its size."""
    counts = np.asarray(counts, dtype=float)
    size = (1 - beta**counts) / (1 - beta) if effective_number else counts
    weights = 1 / size
    return weights * counts.sum() / (weights * counts).sum()


def loss_function(balance: Balance, counts: np.ndarray):
    """fastai's loss for ``balance``: weighted cross-entropy, focal loss, or plain cross-entropy."""
    from fastai.losses import CrossEntropyLossFlat, FocalLossFlat

    if balance.name in ("weights", "effective_number"):
        weights = class_weights(counts, balance.name == "effective_number", balance.beta)
        return CrossEntropyLossFlat(weight=torch.tensor(weights, dtype=torch.float32))
    if balance.name == "focal":
        return FocalLossFlat(gamma=balance.gamma)
    return CrossEntropyLossFlat()


def resample(y: np.ndarray, balance: Balance, seed: int = 0) -> np.ndarray:
    """Indices of the training rows to train on: every class drawn up to the largest (``oversample``)
    or down to the smallest (``undersample``) by imbalanced-learn's random samplers; all rows, once,
    for strategies that keep the rows."""
    from imblearn.under_sampling import RandomUnderSampler
    from imblearn.over_sampling import RandomOverSampler

    rows = np.arange(len(y))
    if balance.name not in ("oversample", "undersample"):
        return rows
    sampler = (RandomOverSampler if balance.name == "oversample" else RandomUnderSampler)(random_state=seed)
    chosen, _ = sampler.fit_resample(rows[:, None], y)
    return chosen[:, 0]


def smote(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels with every class brought up to the largest by SMOTE (Chawla et al. 2002):
    each new row lies between a minority row and one of its nearest neighbours of the same class."""
    from imblearn.over_sampling import SMOTE

    neighbours = min(5, int(np.bincount(y)[np.bincount(y) > 0].min()) - 1)
    if neighbours < 1:
        return x, y  # a class of one image has no neighbour to interpolate towards
    return SMOTE(k_neighbors=neighbours, random_state=seed).fit_resample(x, y)


def log_prior(counts: np.ndarray) -> np.ndarray:
    """log of each class's share of the training images."""
    counts = np.asarray(counts, dtype=float)
    return np.log(counts / counts.sum())


def adjust_logits(logits, counts: np.ndarray, tau: float):
    """Menon et al.'s post-hoc logit adjustment: ``logits - tau * log(prior)``. Rare classes gain the
    most; ``tau = 1`` turns a classifier of the training distribution into one for balanced classes."""
    shift = tau * log_prior(counts)
    return logits - (torch.as_tensor(shift, dtype=logits.dtype) if torch.is_tensor(logits) else shift)


def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean per-class recall (scikit-learn), over the classes present in ``y_true``."""
    from sklearn.metrics import balanced_accuracy_score

    return float(balanced_accuracy_score(y_true, y_pred))


def choose_tau(
    logits: np.ndarray, y: np.ndarray, counts: np.ndarray, classes: list[str], grid: np.ndarray = np.linspace(0, 2, 9)
) -> float:
    """The τ of ``grid`` whose adjusted ``logits`` give the best balanced accuracy on ``y`` (the
    validation split); a ``ValueError`` names a class missing from it, whose recall cannot be measured."""
    missing = [c for i, c in enumerate(classes) if not (np.asarray(y) == i).any()]
    if missing:
        raise ValueError(
            f"the validation split has no image of {', '.join(missing)}: "
            "τ cannot be chosen on it (give tau=..., or a split with every class)"
        )
    scores = [balanced_accuracy(y, adjust_logits(logits, counts, tau).argmax(1)) for tau in grid]
    return float(grid[int(np.argmax(scores))])


def balanced_rows(
    x: np.ndarray, y: np.ndarray, balance: Balance, seed: int = 0, views: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The training features and labels that ``balance``'s sampler gives a head: resampled rows, SMOTE's
    new rows, or (``oversample_blur_flip``) the rows with ``views``, the features and labels of
    :func:`blur_flip_features`, added."""
    rows = resample(y, balance, seed)
    x, y = x[rows], y[rows]
    if balance.name == "smote":
        return smote(x, y, seed)
    if balance.name == "oversample_blur_flip":
        if views is None:
            raise ValueError("oversample_blur_flip needs the features of its views (blur_flip_features)")
        return np.concatenate([x, views[0]]), np.concatenate([y, views[1]])
    return x, y


def fit_head(
    x: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    balance: Balance = Balance(),
    seed: int = 0,
    views: tuple[np.ndarray, np.ndarray] | None = None,
    epochs: int = 20,
    lr: float = 3e-3,
    batch_size: int = 64,
    wd: float = 1e-2,
    dropout: float = 0.25,
) -> nn.Module:
    """A linear head (dropout + linear, as chapter 3's) trained on features ``x`` with ``balance``'s
    sampler (:func:`balanced_rows`) and loss, by AdamW on a one-cycle schedule; seeded, so the same
    call gives the same head. Logit adjustment is not applied here: see :func:`adjust_logits`."""
    counts = np.bincount(y, minlength=n_classes)
    x, y = balanced_rows(x, y, balance, seed, views)
    torch.manual_seed(seed)
    head = nn.Sequential(nn.Dropout(dropout), nn.Linear(x.shape[1], n_classes))
    loss = loss_function(balance, counts)
    xt, yt = torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.long)
    steps = max(1, len(xt) // batch_size)
    optimiser = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=wd)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=epochs * steps)
    generator = torch.Generator().manual_seed(seed)
    head.train()
    for _ in range(epochs):
        order = torch.randperm(len(xt), generator=generator)[: steps * batch_size].view(steps, -1)
        for batch in order:
            optimiser.zero_grad()
            loss(head(xt[batch]), yt[batch]).backward()
            optimiser.step()
            schedule.step()
    return head.eval()


@torch.no_grad()
def logits_of(head: nn.Module, x: np.ndarray) -> np.ndarray:
    """The head's logits for features ``x``."""
    return head.eval()(torch.as_tensor(x, dtype=torch.float32)).numpy()


def blur_flip_pairs(y: np.ndarray, views: int = 3, seed: int = 0) -> np.ndarray:
    """``(row, view)`` pairs that bring every class up to the largest, as oversampling would, but each
    copy a *view* of a training row instead of a duplicate: each class's rows in a seeded order, all
    with view 0, then all with view 1, …, cycling when a class lacks more than ``views`` times its size."""
    rng = np.random.default_rng(seed)
    counts = np.bincount(y)
    pairs = []
    for c, n in enumerate(counts):
        rows = rng.permutation(np.flatnonzero(y == c))
        need = counts.max() - n
        if need and n:
            cycle = np.array([(r, v) for v in range(views) for r in rows])
            pairs.append(cycle[np.arange(need) % len(cycle)])
    return np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=int)


def blur_flip_drawable(y: np.ndarray, views: int = 3) -> np.ndarray:
    """Every ``(row, view)`` pair that :func:`blur_flip_pairs` can draw for ``y``, whatever its seed: all
    rows of each class that needs copies, with as many views as its copies can reach."""
    counts = np.bincount(y)
    pairs = [
        (row, view)
        for c, n in enumerate(counts)
        if n and counts.max() > n
        for view in range(min(views, -(-(counts.max() - n) // n)))
        for row in np.flatnonzero(y == c)
    ]
    return np.array(pairs, dtype=int).reshape(-1, 2)


def blur_flip_view(image, view: int, image_size: int, seed: int):
    """Carroll et al.'s augmentation, the only kind they trusted not to change an image's emotion:
    view 0 is the mirror image, view 1 a Gaussian blur, view 2 both. The blur radius (0.5-1.5 px at
    ``image_size``, drawn from ``seed``) is scaled to the image, so a large photo blurs as much."""
    from PIL import ImageFilter, ImageOps

    if view in (0, 2):
        image = ImageOps.mirror(image)
    if view in (1, 2):
        radius = np.random.default_rng(seed).uniform(0.5, 1.5) * min(image.size) / image_size
        image = image.filter(ImageFilter.GaussianBlur(radius))
    return image


def blur_flip_features(
    dataset, backbone: str, image_size: int, seed: int = 0, views: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Frozen ``backbone`` features and labels of the copies that :func:`blur_flip_pairs` adds to the
    training split of ``dataset`` for ``seed``. Every view any seed can draw (:func:`blur_flip_drawable`;
    a view's blur depends on its image, not on the seed) is written once under the cache, a dataset of
    its own, and its features are computed once through the frozen body: never per epoch, nor per seed."""
    import io

    import pandas as pd
    from PIL import Image

    from ..data.table import Dataset, split_mask, targets
    from ..features.cache import dataset_key, features
    from ..fileio import atomic_write
    from ..paths import cache_dir

    train = dataset.table[split_mask(dataset, "train")]
    y = targets(dataset)[split_mask(dataset, "train")]
    root = cache_dir() / "views" / f"{dataset_key(dataset)}-blurflip"
    names = []
    for row, view in blur_flip_drawable(y, views):
        name = f"view{view}/{train['image'].iloc[row]}"
        if not (root / name).is_file():
            with Image.open(dataset.root / train["image"].iloc[row]) as image:
                buffer = io.BytesIO()
                blur_flip_view(image.convert("RGB"), view, image_size, int(row)).save(buffer, "PNG")
            with atomic_write(root / name) as f:
                f.write(buffer.getvalue())
        names.append(name)
    table = pd.DataFrame({"image": names, "label": "", "split": "train"})
    x = features(Dataset(root, table, dataset.info), backbone, image_size, progress=False, fastai_resize=True)
    where = {name: i for i, name in enumerate(names)}
    pairs = blur_flip_pairs(y, views, seed)
    return x[[where[f"view{view}/{train['image'].iloc[row]}"] for row, view in pairs]], y[pairs[:, 0]]


def scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Accuracy, balanced accuracy (mean per-class recall) and macro-F1 (scikit-learn)."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced accuracy": balanced_accuracy(y_true, y_pred),
        "macro-F1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
    }


def predict_balanced(
    dataset,
    x: np.ndarray,
    balance: Balance,
    seed: int = 0,
    train_rows: np.ndarray | None = None,
    backbone: str | None = None,
    image_size: int = 128,
) -> tuple[np.ndarray, float | None]:
    """Test-split predictions of a head trained with ``balance`` on the cached features ``x`` of
    ``dataset`` (rows in table order), and the τ used (logit adjustment only). ``train_rows`` (positions
    in the table) restricts training to a subset; ``backbone`` and ``image_size`` name the features,
    which ``oversample_blur_flip`` computes for its views."""
    from ..data.table import split_mask, targets

    y = targets(dataset)
    train = np.flatnonzero(split_mask(dataset, "train")) if train_rows is None else np.asarray(train_rows)
    valid, test = split_mask(dataset, "valid"), split_mask(dataset, "test")
    counts = class_counts(y[train], dataset.classes)
    views = None
    if balance.name == "oversample_blur_flip":
        if train_rows is not None or backbone is None:
            raise ValueError("oversample_blur_flip needs the whole training split and the backbone's name")
        views = blur_flip_features(dataset, backbone, image_size, seed)
    head = fit_head(x[train], y[train], len(dataset.classes), balance, seed, views)
    logits, tau = logits_of(head, x[test]), None
    if balance.name == "logit_adjust":
        tau = (
            balance.tau
            if balance.tau is not None
            else choose_tau(logits_of(head, x[valid]), y[valid], counts, dataset.classes)
        )
        logits = adjust_logits(logits, counts, tau)
    return logits.argmax(1), tau
