"""Chapter 5's figures (emocourse.plots.errors) and the bookkeeping the chapter moved into the package."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from emocourse.evaluate import anecdotes, browser, label_issues, probes  # noqa: E402
from emocourse.plots import errors as plots  # noqa: E402


def test_confusion_by_true_class_annotates_each_cell_in_per_cent():
    classes = ["anger", "fear", "sadness"]
    matrix = np.array([[0.5, 0.25, 0.25], [0.0, 0.6, 0.4], [0.1, 0.1, 0.8]])
    fig = plots.confusion_by_true_class(matrix, classes)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["50", "25", "25", "0", "60", "40", "10", "10", "80"]
    assert [t.get_text() for t in ax.get_yticklabels()] == classes
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true class"


def test_accuracy_by_agreement_draws_one_dot_per_group_in_points():
    table = pd.DataFrame(
        {"images": [10, 20], "accuracy": [0.5, 0.8], "low": [0.4, 0.7], "high": [0.6, 0.9]}, index=["3 of 5", "5 of 5"]
    )
    ax = plots.accuracy_by_agreement(table, "raters saying yes").axes[0]
    assert ax.lines[0].get_xydata()[:, 0].tolist() == [50, 80]
    assert ax.get_xlim() == (0, 100) and ax.get_ylabel() == "raters saying yes"


def test_probability_moved_by_probe_marks_zero():
    table = pd.DataFrame({"shift": [0.05, 0.0], "low": [0.03, -0.01], "high": [0.07, 0.01]}, index=["grey", "mirror"])
    ax = plots.probability_moved_by_probe(table).axes[0]
    assert ax.lines[0].get_xydata()[:, 0].tolist() == pytest.approx([5, 0])
    assert any(line.get_xdata()[0] == 0 for line in ax.lines[1:])  # the vertical line at zero


def test_reliability_diagrams_one_panel_per_model_with_its_ece_in_the_title():
    y = np.array([0, 0, 1, 1])
    sure = np.array([[0.95, 0.05], [0.95, 0.05], [0.95, 0.05], [0.05, 0.95]])
    fig = plots.reliability_diagrams({"as trained": sure, "scaled": np.full((4, 2), 0.5)}, y)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title() == "as trained: ECE 20.0%"  # one bin: confidence 0.95, accuracy 3/4
    assert len(fig.axes[0].patches) == 1  # one bin holds all four images
    assert [t.get_text() for t in fig.axes[0].texts] == ["4"]


def test_classes_for_uses_the_datasets_names():
    assert probes.classes_for(["angry", "sad", "fear", "happy", "mine"], ["sadness", "fear"]) == ["sad", "fear"]


def test_retrain_without_flagged_rows_reports_both_training_sets(monkeypatch):
    """The bookkeeping only: chapter 4's head is replaced by class means (the real one is tested with
    chapter 4, and importing it takes seconds)."""
    import sys
    import types

    fake = types.ModuleType("emocourse.train.imbalance")
    fake.fit_head = lambda x, y, n, seed=0: np.stack([x[y == k].mean(0) for k in range(n)])
    fake.logits_of = lambda means, x: -((x[:, None, :] - means[None]) ** 2).sum(-1)
    monkeypatch.setitem(sys.modules, "emocourse.train.imbalance", fake)
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    x = rng.normal(size=(80, 4)) + 3 * y[:, None]
    train = np.arange(80) % 4 != 0
    table = label_issues.retrain_without(x, y, train, ~train, np.array([1, 2, 3]), 2, seeds=(0, 1), true_y=1 - y)
    assert list(table.index) == ["all training labels", "flagged ones removed"]
    assert table["images"].tolist() == [60, 57]
    assert (table["test accuracy (given labels)"] > 0.9).all()
    assert (table["test accuracy (true emotions)"] < 0.1).all()  # scored against the other labels


def test_captions_name_the_pair_the_probability_and_the_votes():
    probabilities = np.array([[0.2, 0.8], [0.9, 0.1]])
    captions = browser.captions(np.array([0, 0]), np.array([1, 0]), probabilities, ["anger", "fear"], [0], [3])
    assert captions == ["anger → fear\np = 0.80, 3 of 5 yes"]


def test_anecdotes_beside_what_we_measured():
    grey = pd.Series({"shift": 0.063, "low": 0.045, "high": 0.083})
    table = anecdotes.beside_anecdotes(grey=grey, doubted=(0.68, 0.62), fear_called=["sadness"])
    measured = dict(zip(table["finding"], table["what we measured"]))
    assert (
        measured["black-and-white images called sadness"] == "grey probe: +6.3 points to sadness + fear (+4.5 to +8.3)"
    )
    assert measured["red close-ups called anger"] == "—"
    assert measured["errors are the raters' doubts"].startswith("68% of our errors")
    assert measured["fear is called sadness"] == "fear → sadness"
