"""Does a stand-in behave like the real dataset? Measure it against targets. Book: *Datasets*.

``emocourse data calibrate DIR`` prints one line per target — what FI or FER2013 shows,
what the stand-in measures, and whether it is inside the target — and fails if any is not.

Calibration is a property of the generator and of the training code, not of every commit: it
trains for a quarter of an hour, so ``make calibrate`` measures the default stand-ins once and
writes :data:`REPORTS` (committed), and ``make test`` checks in a second that each report was
measured on today's stand-in bytes and training code (:func:`stale`) and meets every target.
"""

from __future__ import annotations

import ast
import hashlib
import json
import platform
import time
from dataclasses import asdict, dataclass, replace
from datetime import date
from functools import partial
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit

from ..baselines import linear_model
from ..data.standins.affect import SHARES as FI_SHARES
from ..data.standins.faces import SHARES as FER2013_SHARES
from ..data.table import Dataset
from ..fileio import atomic_write, sha256_file
from ..features.cache import HANDCRAFTED, features
from ..models import DEFAULT_BACKBONE
from ..models.small_cnn import compact_cnn
from ..taxonomy import FER2013, FERPLUS, FI, POSITIVE, valence
from ..train import fit_from_scratch, predict, split_tensors
from ..train.transfer import PROFILE_CONFIGS, predict_test_split, train_or_load
from .metrics import per_class_tpr, top_confusions


@dataclass
class Check:
    target: str
    measured: str
    ok: bool


def _share_checks(dataset: Dataset, shares: dict[str, float], rows: pd.DataFrame, name: str) -> list[Check]:
    measured = rows["label"].value_counts(normalize=True).reindex(dataset.classes, fill_value=0) * 100
    worst = max(dataset.classes, key=lambda c: abs(measured[c] - shares[c]))
    text = ", ".join(f"{c} {measured[c]:.1f}" for c in dataset.classes)
    return [
        Check(
            f"class shares within ±2 points of {name}",
            f"{text} (largest gap: {worst})",
            abs(measured[worst] - shares[worst]) <= 2,
        )
    ]


def _linear_probe(x_train, y_train, x_test, y_test):
    model = linear_model("logistic", C=0.5).fit(x_train, y_train)
    predicted = model.predict(x_test)
    return float((predicted == y_test).mean()), predicted


def calibrate_affect(dataset: Dataset) -> list[Check]:
    """The affect stand-in against FI's numbers (shares, crawl, baselines, confusions, valence)."""
    checks = _share_checks(dataset, FI_SHARES, dataset.table, "FI")
    votes = pd.read_csv(dataset.root / "crawl" / "votes.csv")
    manifest = pd.read_csv(dataset.root / "crawl" / "manifest.csv")
    yes = votes.filter(like="rater_").sum(axis=1) >= 3
    overall = yes.sum() / len(manifest)
    checks.append(
        Check("20–35 % of crawled candidates get ≥ 3 of 5 yes (FI: 26 %)", f"{overall:.1%}", 0.20 <= overall <= 0.35)
    )
    rate = yes.groupby(votes["query"]).sum() / manifest.groupby("query").size()
    checks.append(
        Check(
            "acceptance lowest for anger, highest for contentment",
            f"lowest {rate.idxmin()} {rate.min():.1%}, highest {rate.idxmax()} {rate.max():.1%}",
            rate.idxmin() == "anger" and rate.idxmax() == "contentment",
        )
    )

    table = dataset.table
    y = table["label"].map(FI.index).to_numpy()
    train, test = (table["split"] == "train").to_numpy(), (table["split"] == "test").to_numpy()
    majority = float((y[test] == np.bincount(y[train]).argmax()).mean())
    checks.append(Check("majority-class accuracy about 23 % (21–25)", f"{majority:.1%}", 0.21 <= majority <= 0.25))

    size = int(dataset.info.get("generator", {}).get("size", 128))
    handcrafted = features(dataset, HANDCRAFTED, size, progress=False)
    hand_acc, _ = _linear_probe(handcrafted[train], y[train], handcrafted[test], y[test])
    checks.append(
        Check(
            "hand-crafted colour + texture features, logistic regression: 35–55 %",
            f"{hand_acc:.1%}",
            0.35 <= hand_acc <= 0.55,
        )
    )
    frozen = features(dataset, DEFAULT_BACKBONE, size, progress=False)
    frozen_acc, predicted = _linear_probe(frozen[train], y[train], frozen[test], y[test])
    checks.append(
        Check(
            "frozen bundled-backbone features + linear head ≥ hand-crafted + 10 points",
            f"{frozen_acc:.1%} ({(frozen_acc - hand_acc) * 100:+.1f} points)",
            frozen_acc >= hand_acc + 0.10,
        )
    )
    checks.append(_agreement_check(frozen, y, table))
    confusions = top_confusions(y[test], predicted, FI.classes)
    top, fear = confusions[0], [(b, n) for a, b, n in confusions if a == "fear"][:2]
    checks.append(
        Check(
            "amusement↔excitement the most frequent confusion; sadness what fear is most often taken for",
            f"top: {top[0]}→{top[1]} ({top[2]}); fear taken for {'; '.join(f'{b} ({n})' for b, n in fear)}",
            {top[0], top[1]} == {"amusement", "excitement"} and bool(fear) and fear[0][0] == "sadness",
        )
    )
    positive = np.array([valence(c) == POSITIVE for c in table["label"]])
    valence_acc, _ = _linear_probe(frozen[train], positive[train], frozen[test], positive[test])
    checks.append(
        Check("valence (2-class) accuracy of frozen features ≥ 80 %", f"{valence_acc:.1%}", valence_acc >= 0.80)
    )
    checks.append(_fine_tuning_check(dataset))
    return checks


#: How many random train/test splits the agreement check averages over.
AGREEMENT_RESPLITS = 10


def _agreement_check(x: np.ndarray, y: np.ndarray, table: pd.DataFrame) -> Check:
    """Linear probes trained and tested on the ≥ 4-agreement subset against the whole ≥ 3 table, on the
    same re-splits (duplicate groups kept together). One split's difference is as large as its noise
    (about ±2 points on the affect stand-in's 500 test images), so the check reads the mean."""
    strict = (table["agree"] >= 4).to_numpy()
    gains = []
    for train, test in GroupShuffleSplit(AGREEMENT_RESPLITS, test_size=0.2, random_state=0).split(x, y, table["group"]):
        strict_train, strict_test = train[strict[train]], test[strict[test]]
        loose_acc, _ = _linear_probe(x[train], y[train], x[test], y[test])
        strict_acc, _ = _linear_probe(x[strict_train], y[strict_train], x[strict_test], y[strict_test])
        gains.append(100 * (strict_acc - loose_acc))
    return Check(
        f"the ≥ 4-agreement subset gives higher test accuracy than ≥ 3 (mean of {AGREEMENT_RESPLITS} splits)",
        f"{np.mean(gains):+.1f} points (splits range {min(gains):+.1f} to {max(gains):+.1f})",
        np.mean(gains) > 0,
    )


#: The seeds over which chapter 3's gain from unfreezing is averaged.
FINE_TUNING_SEEDS = (0, 1, 2)


def _fine_tuning_check(dataset: Dataset) -> Check:
    """Chapter 3's fast profile: iterative unfreezing against the frozen linear head, seed by seed (the
    models are cached, so chapter 3 loads the ones trained here)."""

    def accuracy(config):
        true, predicted = predict_test_split(train_or_load(dataset, config, progress=False))
        return 100 * float((true == predicted).mean())

    runs = [
        (accuracy(replace(config, schedule="head")), accuracy(config))
        for config in (replace(PROFILE_CONFIGS["fast"], seed=seed) for seed in FINE_TUNING_SEEDS)
    ]
    gains = np.array([tuned - head for head, tuned in runs])
    measured = "; ".join(
        f"seed {seed}: {head:.1f} → {tuned:.1f} %" for seed, (head, tuned) in zip(FINE_TUNING_SEEDS, runs)
    )
    return Check(
        "chapter 3's iterative unfreezing beats the frozen linear head by ≥ 3 points (mean of seeds "
        f"{', '.join(map(str, FINE_TUNING_SEEDS))}) and on every seed (FI, You et al.: 32.1 → 58.3 %)",
        f"{measured}; mean gain {gains.mean():+.1f} points",
        gains.mean() >= 3 and (gains > 0).all(),
    )


def calibrate_faces(dataset: Dataset) -> list[Check]:
    """The faces stand-in against FER2013's numbers (shares, a CNN from scratch, FER+ votes)."""
    table = dataset.table
    checks = _share_checks(dataset, FER2013_SHARES, table[table["split"] == "train"], "FER2013 train")
    tensors = split_tensors(dataset, mode="L")  # the faces stand-in's classes are FER2013's, in its order
    x_test, y_test = tensors["test"][0], tensors["test"][1].numpy()
    start, cpu_start = time.perf_counter(), time.process_time()
    model = fit_from_scratch(
        partial(compact_cnn, len(FER2013), widths=(8, 16, 32, 64)),
        tensors["train"],
        tensors["valid"],
        epochs=6,
        progress=False,
    ).model
    minutes, cpu_minutes = (time.perf_counter() - start) / 60, (time.process_time() - cpu_start) / 60
    predicted = predict(model, x_test)
    accuracy = float((predicted == y_test).mean())
    checks.append(
        Check(
            "small CNN from scratch, 6 epochs (≤ 2 CPU-minutes): 55–85 % test accuracy",
            f"{accuracy:.1%} after {minutes:.1f} min of training ({cpu_minutes:.1f} CPU-min over all cores)",
            0.55 <= accuracy <= 0.85,
        )
    )
    recall = per_class_tpr(y_test, predicted, FER2013.classes).to_dict()
    best = max(recall, key=recall.get)
    checks.append(
        Check("happy has the highest recall", ", ".join(f"{c} {r:.0%}" for c, r in recall.items()), best == "happy")
    )
    confusions = top_confusions(y_test, predicted, FER2013.classes)
    block = {"sad", "fear", "neutral"}
    inside = sum(n for a, b, n in confusions if {a, b} <= block)
    share = inside / max(1, sum(n for _, _, n in confusions))
    top = confusions[0]
    checks.append(
        Check(
            "sad/fear/neutral confusions dominate (≥ 40 % of errors, and the top one)",
            f"{share:.0%} of errors; top: {top[0]}→{top[1]} ({top[2]})",
            share >= 0.40 and {top[0], top[1]} <= block,
        )
    )
    votes = table[[f"votes_{c}" for c in FERPLUS.classes]].to_numpy()
    faces = votes.sum(1) > 0
    majority = np.array(FERPLUS.classes)[votes.argmax(1)]
    agrees = np.array([FERPLUS.find(label) == m for label, m in zip(table["label"], majority)]) & faces
    top_share = votes.max(1) / np.maximum(votes.sum(1), 1)
    agree_share, disagree_share = top_share[agrees].mean(), top_share[faces & ~agrees].mean()
    checks.append(
        Check(
            "FER+-style votes disagree on ambiguous faces (lower top-vote share where labels differ)",
            f"FER2013 label = FER+ majority on {agrees.sum() / faces.sum():.0%} of faces; top-vote share "
            f"{agree_share:.0%} where they agree, {disagree_share:.0%} where they differ",
            disagree_share < agree_share,
        )
    )
    return checks


CALIBRATIONS = {"affect": calibrate_affect, "faces": calibrate_faces}


def calibrate(dataset: Dataset) -> list[Check]:
    """Run the calibration that fits ``dataset`` (its ``dataset.json`` names the stand-in)."""
    kind = dataset.info.get("standin")
    if kind not in CALIBRATIONS:
        raise ValueError(
            f"{dataset.root} is not a stand-in this command can calibrate (dataset.json 'standin': {kind!r})"
        )
    return CALIBRATIONS[kind](dataset)


def format_report(dataset: Dataset, checks: list[Check]) -> str:
    """The report as aligned text: one line per target."""
    lines = [f"Calibration of {dataset.name} ({dataset.root}, {len(dataset.table)} images)"]
    for check in checks:
        lines.append(f"  [{'ok' if check.ok else 'FAIL'}] {check.target}\n         measured: {check.measured}")
    passed = sum(c.ok for c in checks)
    lines.append(f"{passed} of {len(checks)} targets met")
    return "\n".join(lines)


#: The committed calibration reports of the default stand-ins, one JSON file each.
REPORTS = Path(__file__).with_name("calibration_reports")

#: The code whose results the calibration measures, besides the stand-in's bytes: the training,
#: models, features and baselines it runs, and the calibration itself.
_PACKAGE = Path(__file__).resolve().parents[1]
TRAINING_CODE = ("train", "models", "features", "baselines.py", "evaluate/calibration.py", "evaluate/metrics.py")

#: Libraries whose versions a report records (information: a new version does not make it stale).
_LIBRARIES = ("torch", "timm", "fastai", "numpy", "scikit-learn", "Pillow")


def _without_docstrings(source: str) -> str:
    """The code of a module as ``ast.unparse`` writes it, without comments and docstrings."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def training_fingerprint() -> str:
    """SHA-256 of :data:`TRAINING_CODE` (code only: editing a comment or a docstring keeps it)."""
    digest = hashlib.sha256()
    for entry in TRAINING_CODE:
        path = _PACKAGE / entry
        for module in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(module.relative_to(_PACKAGE).as_posix().encode())
            digest.update(_without_docstrings(module.read_text(encoding="utf-8")).encode())
    return digest.hexdigest()


def data_fingerprint(dataset: Dataset) -> str:
    """SHA-256 of the stand-in's tables (``labels.csv`` lists every image's SHA-256; the crawl's CSVs)."""
    digest = hashlib.sha256()
    for table in [dataset.root / "labels.csv", *sorted((dataset.root / "crawl").glob("*.csv"))]:
        digest.update(f"{table.relative_to(dataset.root).as_posix()} {sha256_file(table)}\n".encode())
    return digest.hexdigest()


def record(dataset: Dataset, checks: list[Check], seconds: float) -> Path:
    """Write the committed report of a default stand-in: its checks, and what they were measured on."""
    import torch

    report = {
        "standin": dataset.info["standin"],
        "data_sha256": data_fingerprint(dataset),
        "training_code_sha256": training_fingerprint(),
        "measured": {
            "date": date.today().isoformat(),
            "minutes": round(seconds / 60, 1),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "threads": torch.get_num_threads(),
            **{library: version(library) for library in _LIBRARIES},
        },
        "checks": [asdict(check) | {"ok": bool(check.ok)} for check in checks],
    }
    path = REPORTS / f"{report['standin']}.json"
    with atomic_write(path) as f:
        f.write((json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode())
    return path


def stale(dataset: Dataset) -> str | None:
    """Why the committed report of this default stand-in no longer vouches for it, or ``None``."""
    path = REPORTS / f"{dataset.info.get('standin')}.json"
    rerun = "run `make calibrate` (a quarter of an hour) and commit"
    if not path.is_file():
        return f"no calibration report {path}: {rerun} it"
    report = json.loads(path.read_text(encoding="utf-8"))
    if report["data_sha256"] != data_fingerprint(dataset):
        return f"the {report['standin']} stand-in's bytes are not those {path.name} was measured on: {rerun} {path}"
    if report["training_code_sha256"] != training_fingerprint():
        changed = ", ".join(TRAINING_CODE)
        return f"the training code ({changed}) changed since {path.name} was measured: {rerun} {path}"
    missed = [c["target"] for c in report["checks"] if not c["ok"]]
    if missed:
        return f"{path} records missed targets: {'; '.join(missed)}"
    return None
