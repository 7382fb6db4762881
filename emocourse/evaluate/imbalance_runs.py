"""Chapter 4's bookkeeping: the imbalance methods over seeds, the imbalance curve, the valence errors
and the faces' rare class, each as one table. The methods themselves live in
:mod:`emocourse.train.imbalance`; here they are only run and counted. Book: chapter 4, *Imbalance*."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..data.table import split_mask, targets
from ..train.imbalance import BALANCES, Balance, adjust_logits, predict_balanced, scores
from .literature import CARROLL_VALENCE_ERROR
from .metrics import per_class_tpr


def class_counts_of(dataset, split: str = "train") -> pd.Series:
    """Images per class of ``dataset``'s ``split``, indexed by class (chapter 4, §What accuracy hides)."""
    y = targets(dataset)[split_mask(dataset, split)]
    return pd.Series(np.bincount(y, minlength=len(dataset.classes)), index=dataset.classes)


def tau_for(dataset) -> float | None:
    """``None`` (τ chosen on ``valid``) when the validation split has every class, else τ = 1 with a
    one-line note (chapter 4, §The methods): a missing class's recall cannot be measured."""
    y = targets(dataset)[split_mask(dataset, "valid")]
    if np.isin(np.arange(len(dataset.classes)), y).all():
        return None
    print("The validation split lacks a class, so τ cannot be chosen on it: logit adjustment uses τ = 1.")
    return 1.0


def compare_methods(
    dataset, x: np.ndarray, methods, seeds, rarest: str, tau: float | None = None, **features
) -> pd.DataFrame:
    """One row per method and seed: the test scores (:func:`scores`), the recall of ``rarest``, the τ
    used and the seconds taken, of a head trained by :func:`predict_balanced` (chapter 4, §The methods).
    ``features`` (``backbone``, ``image_size``) name the features, for the blur-and-flip views."""
    y = targets(dataset)[split_mask(dataset, "test")]
    runs = []
    for method in methods:
        for seed in seeds:
            start = time.perf_counter()
            predicted, chosen = predict_balanced(dataset, x, Balance(method, tau=tau), seed, **features)
            recall = per_class_tpr(y, predicted, dataset.classes)[rarest]
            runs.append(
                {"method": method, "seed": seed, **scores(y, predicted), f"{rarest} recall": recall}
                | {"τ": chosen, "seconds": time.perf_counter() - start}
            )
    return pd.DataFrame(runs)


def summarise(runs: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Mean and standard deviation over seeds of ``metrics``, one row per method (its book name)."""
    summary = runs.groupby("method", sort=False)[metrics].agg(["mean", "std"])
    summary.index = [BALANCES.get(m, m) for m in summary.index]
    return summary


def change_per_seed(runs: pd.DataFrame, method: str, metric: str, reference: str = "none") -> pd.Series:
    """``method``'s ``metric`` minus the ``reference``'s, seed by seed (chapter 4, §The methods: how
    much class weights cost in accuracy, beside its spread)."""
    wide = runs.pivot(index="seed", columns="method", values=metric)
    return (wide[method] - wide[reference]).rename(f"{metric}: {method} − {reference}")


def tau_sweep(logits: np.ndarray, y_true: np.ndarray, counts, taus, classes: list[str]) -> pd.DataFrame:
    """Test scores and per-class recall of ``logits`` adjusted by each τ of ``taus`` (one row per τ;
    chapter 4, §Logit adjustment)."""
    rows = []
    for tau in taus:
        predicted = adjust_logits(logits, np.asarray(counts), tau).argmax(1)
        rows.append({"τ": tau, **scores(y_true, predicted), **per_class_tpr(y_true, predicted, classes)})
    return pd.DataFrame(rows).set_index("τ")


def imbalance_curve(
    dataset,
    x: np.ndarray,
    counts: pd.Series,
    ratios,
    methods,
    seeds,
    tau: float | None = None,
    seed: int = 0,
    largest_per_class: int = 100,
) -> tuple[pd.DataFrame, list[str], int]:
    """Chapter 4, §The imbalance curve: from a balanced training set (up to ``largest_per_class``
    images per class) shrink the rarer half of the classes to one image for every ``ratio`` of the
    others, and train each method on each seed. Returns the mean minority recall and macro-F1 per
    method and ratio, the minority classes, and the images per class at 1:1."""
    y, train = targets(dataset), split_mask(dataset, "train")
    test = split_mask(dataset, "test")
    minority = list(counts.nsmallest(len(dataset.classes) // 2).index)
    per_class_n = int(min(largest_per_class, counts.min()))
    rng = np.random.default_rng(seed)
    pool = {c: rng.permutation(np.flatnonzero(train & (y == i))) for i, c in enumerate(dataset.classes)}
    curve = []
    for ratio in ratios:
        n_minority = max(1, round(per_class_n / ratio))
        rows = np.sort(
            np.concatenate([pool[c][: n_minority if c in minority else per_class_n] for c in dataset.classes])
        )
        for method in methods:
            for s in seeds:
                predicted, _ = predict_balanced(dataset, x, Balance(method, tau=tau), s, train_rows=rows)
                recall = per_class_tpr(y[test], predicted, dataset.classes)
                curve.append(
                    {
                        "ratio": ratio,
                        "method": BALANCES[method],
                        "minority recall": recall[minority].mean(),
                        "macro-F1": scores(y[test], predicted)["macro-F1"],
                    }
                )
    curve = pd.DataFrame(curve).groupby(["method", "ratio"], sort=False).mean().reset_index()
    return curve, minority, per_class_n


def valence_errors(dataset, x: np.ndarray, methods: dict[str, str], seed: int = 0) -> pd.DataFrame | None:
    """Chapter 4, §The valence bias: the error of a positive-against-negative head on the test images
    of each valence, one column per method (``{column name: method}``), beside Carroll et al.'s.
    ``None``, with a one-line note, when the dataset has no valence task."""
    from ..train.transfer import for_task, valence_problem, without_valence

    skip = valence_problem(dataset)
    if skip:
        print(f"This dataset has no valence task, so this section is skipped: {skip}")
        return None
    left_out = without_valence(dataset)
    if left_out.sum():
        named = ", ".join(f"{c} ({n} images)" for c, n in left_out.items())
        print(f"Classes without a valence are left out: {named}")
    valence = for_task(dataset, "valence")
    rows = dataset.table.index.get_indexer(valence.table.index)
    vy = targets(valence)[split_mask(valence, "test")]
    table = {"Carroll et al. (FI)": [CARROLL_VALENCE_ERROR[c] for c in valence.classes]}
    for column, method in methods.items():
        predicted, _ = predict_balanced(valence, x[rows], Balance(method), seed=seed)
        table[column] = 1 - per_class_tpr(vy, predicted, valence.classes)
    table = pd.DataFrame(table, index=valence.classes)
    table.index.name = "error on images that are"
    return table


def rare_class_runs(
    dataset, x: np.ndarray, target: str, methods, seeds, tau: float | None = None, **features
) -> pd.DataFrame:
    """Chapter 4, §Faces: the recall of ``target``, accuracy and macro-F1 of each method, the mean over
    ``seeds``, one row per method (its book name)."""
    runs = compare_methods(dataset, x, methods, seeds, target, tau, **features)
    mean = runs.groupby("method", sort=False)[[f"{target} recall", "accuracy", "macro-F1"]].mean()
    mean.index = [BALANCES[m] for m in mean.index]
    return mean
