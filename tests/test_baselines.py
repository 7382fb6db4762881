"""The baseline ladder's models, metrics and the published numbers beside them."""

import numpy as np
import pandas as pd
import pytest

from emocourse.baselines import fit_and_test, guesser, linear_model, split_mask, targets
from emocourse.data.standins import make_affect
from emocourse.evaluate import PUBLISHED, beside_published, per_class_tpr, top_confusions


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return make_affect(tmp_path_factory.mktemp("ladder") / "affect", n=120, size=32, seed=5, workers=1)


def test_targets_and_masks_follow_the_table(small):
    y = targets(small)
    assert [small.classes[i] for i in y] == list(small.table["label"])
    masks = [split_mask(small, s) for s in ("train", "valid", "test")]
    assert (sum(m.astype(int) for m in masks) == 1).all()


def test_majority_guess_scores_the_largest_test_share(small):
    score = fit_and_test("majority", guesser("most_frequent"), np.zeros((len(small.table), 1)), small)
    y, train, test = targets(small), split_mask(small, "train"), split_mask(small, "test")
    assert score.accuracy == pytest.approx((y[test] == np.bincount(y[train]).argmax()).mean())
    assert len(score.predicted) == test.sum()


def test_linear_models_learn_a_separable_problem(small):
    y = targets(small)
    x = np.eye(len(small.classes))[y] + np.random.default_rng(0).normal(0, 0.1, (len(y), len(small.classes)))
    for model in (
        linear_model("logistic"),
        linear_model("svm", class_weight="balanced"),
        linear_model("svm", C=0.1, pca=7, seed=1),
    ):
        assert fit_and_test("m", model, x, small).accuracy == 1.0


def test_bad_arguments_are_named(small):
    with pytest.raises(ValueError, match="kind='forest'"):
        linear_model("forest")
    with pytest.raises(ValueError, match="3 feature rows for 120 images"):
        fit_and_test("m", linear_model(), np.zeros((3, 2)), small)


def test_per_class_tpr_and_confusions():
    classes = ["a", "b", "c"]
    y_true, y_pred = np.array([0, 0, 0, 1, 1]), np.array([0, 0, 1, 1, 0])
    rates = per_class_tpr(y_true, y_pred, classes)
    assert rates["a"] == pytest.approx(2 / 3) and rates["b"] == 0.5 and np.isnan(rates["c"])
    assert top_confusions(y_true, y_pred, classes) == [("a", "b", 1), ("b", "a", 1)]
    assert top_confusions(y_true, y_pred, classes, n=1) == [("a", "b", 1)]


def test_every_published_number_names_its_data_and_source():
    assert PUBLISHED["measured on"].str.len().gt(0).all() and PUBLISHED["source"].str.len().gt(0).all()
    assert PUBLISHED["accuracy"].between(0, 100).all()


def test_our_rows_come_first_within_their_rung():
    ours = pd.DataFrame(
        [
            {
                "rung": "frozen features + linear classifier",
                "method": "ours",
                "accuracy": 70.0,
                "measured on": "stand-in",
            },
            {"rung": "guessing", "method": "majority", "accuracy": 23.0, "measured on": "stand-in"},
        ]
    )
    table = beside_published(ours)
    assert list(table["method"][:2]) == ["ours", "ImageNet-CNN features + SVM"]
    assert table.loc[2, "method"] == "majority" and (table["source"] == "this book").sum() == 2
    assert set(table["rung"]) == {"frozen features + linear classifier", "guessing"}
    also = beside_published(ours, also=("fine-tuned network",))
    assert list(also["rung"][len(table) :]) == ["fine-tuned network"] * 2
