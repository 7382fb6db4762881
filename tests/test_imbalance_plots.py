"""Chapter 4's figures and bookkeeping (emocourse.plots.imbalance, emocourse.evaluate.imbalance_runs)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from emocourse.data.table import Dataset  # noqa: E402
from emocourse.evaluate import imbalance_runs  # noqa: E402
from emocourse.plots import imbalance as figures  # noqa: E402
from emocourse.train.imbalance import BALANCES  # noqa: E402

CLASSES = ["common", "middle", "rare"]


@pytest.fixture(scope="module")
def lopsided():
    """A dataset of 60/30/10 training rows per class (and 10 valid, 10 test rows each), with features
    that separate the classes, noisily."""
    rng = np.random.default_rng(0)
    rows = []
    for split, sizes in (("train", (60, 30, 10)), ("valid", (10, 10, 10)), ("test", (10, 10, 10))):
        for c, n in enumerate(sizes):
            rows += [{"image": f"{split}{c}_{i}.jpg", "label": CLASSES[c], "split": split} for i in range(n)]
    table = pd.DataFrame(rows)
    y = table["label"].map(CLASSES.index).to_numpy()
    x = (np.eye(3)[y] * 1.5 + rng.normal(size=(len(y), 3))).astype(np.float32)
    return Dataset(Path("nowhere"), table, {"classes": CLASSES, "name": "lopsided"}), x


def test_class_counts_of_counts_each_split(lopsided):
    dataset, _ = lopsided
    assert imbalance_runs.class_counts_of(dataset).to_dict() == {"common": 60, "middle": 30, "rare": 10}
    assert imbalance_runs.class_counts_of(dataset, "test").tolist() == [10, 10, 10]


def test_tau_for_chooses_on_valid_only_when_every_class_is_there(lopsided, capsys):
    dataset, _ = lopsided
    assert imbalance_runs.tau_for(dataset) is None
    rare_in_valid = (dataset.table["split"] == "valid") & (dataset.table["label"] == "rare")
    no_rare = Dataset(dataset.root, dataset.table[~rare_in_valid], dataset.info)
    assert imbalance_runs.tau_for(no_rare) == 1.0 and "τ = 1" in capsys.readouterr().out


def test_compare_methods_has_a_row_per_method_and_seed_and_summarise_a_row_per_method(lopsided):
    dataset, x = lopsided
    runs = imbalance_runs.compare_methods(dataset, x, ["none", "weights", "logit_adjust"], [0, 1], "rare")
    assert len(runs) == 6 and list(runs["method"]) == ["none"] * 2 + ["weights"] * 2 + ["logit_adjust"] * 2
    assert runs["rare recall"].between(0, 1).all() and runs["τ"].notna().tolist() == [False] * 4 + [True] * 2
    summary = imbalance_runs.summarise(runs, ["accuracy", "rare recall"])
    assert list(summary.index) == [BALANCES[m] for m in ("none", "weights", "logit_adjust")]
    assert summary[("accuracy", "mean")].iloc[0] == pytest.approx(runs["accuracy"][:2].mean())
    change = imbalance_runs.change_per_seed(runs, "weights", "accuracy")
    wide = runs.set_index(["method", "seed"])["accuracy"]
    assert change.loc[1] == pytest.approx(wide["weights", 1] - wide["none", 1])


def test_tau_sweep_at_zero_is_the_plain_argmax_and_a_large_tau_favours_the_rare_class():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 2.0, 1.5], [1.0, 0.0, 0.5]])
    y = np.array([0, 1, 2])
    sweep = imbalance_runs.tau_sweep(logits, y, [80, 15, 5], [0.0, 3.0], CLASSES)
    assert sweep.loc[0.0, "accuracy"] == pytest.approx(2 / 3) and sweep.loc[0.0, "rare"] == 0
    assert sweep.loc[3.0, "rare"] == 1 and sweep.loc[3.0, "common"] == 0


def test_imbalance_curve_shrinks_the_minority_and_keeps_one_row_per_method_and_ratio(lopsided):
    dataset, x = lopsided
    counts = imbalance_runs.class_counts_of(dataset)
    curve, minority, n = imbalance_runs.imbalance_curve(dataset, x, counts, [1, 5], ["none", "weights"], [0])
    assert minority == ["rare"] and n == 10
    assert len(curve) == 4 and set(curve["ratio"]) == {1, 5}
    assert curve["minority recall"].between(0, 1).all()


def test_valence_errors_skips_a_dataset_without_valence(lopsided, capsys):
    dataset, x = lopsided
    assert imbalance_runs.valence_errors(dataset, x, {"ours": "none"}) is None
    assert "section is skipped" in capsys.readouterr().out


def test_training_images_per_class_draws_one_bar_per_class_largest_first():
    counts = pd.Series([60, 30, 10], index=CLASSES)
    ax = figures.training_images_per_class(counts).axes[0]
    assert [bar.get_width() for bar in ax.patches] == [60, 30, 10]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # the first class on top


def test_blur_flip_views_draws_one_titled_panel_per_view():
    image = Image.new("RGB", (8, 8), "red")
    fig = figures.blur_flip_views({"original": image, "mirror": image})
    assert [ax.get_title() for ax in fig.axes] == ["original", "mirror"]


def test_scores_against_tau_labels_a_class_as_its_recall():
    sweep = pd.DataFrame({"accuracy": [0.7, 0.6], "rare": [0.4, 0.9]}, index=[0.0, 3.0])
    ax = figures.scores_against_tau(sweep, ["accuracy", "rare"]).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["accuracy", "rare recall"]
    assert list(ax.lines[1].get_ydata()) == [0.4, 0.9]


def test_scores_by_method_draws_a_panel_per_metric_with_a_point_per_method():
    columns = pd.MultiIndex.from_product([["accuracy", "macro-F1"], ["mean", "std"]])
    summary = pd.DataFrame([[0.7, 0.01, 0.6, 0.02], [0.72, 0.01, 0.65, 0.01]], ["nothing", "weights"], columns)
    fig = figures.scores_by_method(summary, ["accuracy", "macro-F1"])
    assert [ax.get_title() for ax in fig.axes] == ["accuracy", "macro-F1"]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["nothing", "weights"]
    assert list(fig.axes[1].lines[0].get_xdata()) == [0.6, 0.65]


def test_minority_recall_by_imbalance_draws_a_line_per_method():
    curve = pd.DataFrame(
        {
            "method": ["a", "a", "b", "b"],
            "ratio": [1, 10, 1, 10],
            "minority recall": [0.6, 0.2, 0.6, 0.4],
            "macro-F1": [0.6, 0.4, 0.6, 0.5],
        }
    )
    fig = figures.minority_recall_by_imbalance(curve)
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["1:1", "10:1"]
    assert list(fig.axes[0].lines[1].get_ydata()) == [0.6, 0.4]
