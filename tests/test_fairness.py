"""Chapter 7's audit: the two-group faces stand-in, the groups and metrics handed to fairlearn, and the
pieces its post-processing needs."""

import numpy as np
import pandas as pd
import pytest
import torch
from fairlearn.metrics import MetricFrame, equalized_odds_difference
from fairlearn.postprocessing import ThresholdOptimizer

from emocourse.data.standins import audit, make_audit
from emocourse.evaluate import fairness


def test_audit_faces_are_deterministic_with_the_minority_rare_in_training_only(tmp_path):
    a, b = make_audit(tmp_path / "a", n=200, seed=2), make_audit(tmp_path / "b", n=200, seed=2)
    assert a.table.equals(b.table)
    for image in a.table["image"].sample(20, random_state=0):
        assert (a.root / image).read_bytes() == (b.root / image).read_bytes()
    counts = a.table.groupby(["split", "subgroup"]).size()
    assert counts["train"].to_dict() == {"A": 180, "B": 20}
    assert counts["valid"].to_dict() == {"A": 20, "B": 20} and counts["test"].to_dict() == {"A": 40, "B": 40}
    assert a.info["generator"] == {"n": 200, "seed": 2, "minority_share": 0.1, "version": audit.VERSION}


def test_the_test_faces_do_not_depend_on_the_training_share(tmp_path):
    rare, even = make_audit(tmp_path / "rare", n=100), make_audit(tmp_path / "even", n=100, minority_share=0.5)
    test = rare.table["split"] == "test"
    for image in rare.table.loc[test, "image"]:
        assert (rare.root / image).read_bytes() == (even.root / image).read_bytes()
    assert (even.table.query("split == 'train'")["subgroup"] == "B").sum() == 50
    faces, labels = audit.training_tensors(0.25, list(audit.SHARES), n=40)
    assert faces.shape == (40, 1, 48, 48) and faces.dtype == torch.uint8 and labels.max() < 7
    with pytest.raises(ValueError, match="minority_share=1.5"):
        audit.training_faces(1.5)


def test_the_groups_look_different():
    _, groups, pixels = audit.training_faces(0.5, n=200)
    centre = pixels[:, 16:40, 12:36].mean((1, 2))  # mostly skin
    groups = np.array(groups)
    assert centre[groups == "B"].mean() + 30 < centre[groups == "A"].mean()


def test_brightness_quartiles_stand_in_for_a_missing_group_column(tmp_path):
    faces = torch.arange(8, dtype=torch.uint8).repeat_interleave(48 * 48).reshape(8, 1, 48, 48)
    quartiles = fairness.brightness_quartiles(faces)
    assert list(quartiles) == [q for q in fairness.QUARTILES for _ in range(2)]
    darker = fairness.brightness_quartiles(faces[:2], reference=faces + 100)  # cut on brighter faces
    assert list(darker) == [fairness.QUARTILES[0]] * 2
    dataset = make_audit(tmp_path / "audit", n=100)
    from emocourse.train.faces import face_pixels

    tensors = face_pixels(dataset)
    groups, name = fairness.groups_by_split(dataset, tensors)
    assert name == "subgroup" and (groups["test"] == "B").sum() == 20
    dataset.table.loc[3, "subgroup"] = None  # a row without a group: the whole audit goes by brightness
    groups, name = fairness.groups_by_split(dataset, tensors)
    assert name == "brightness quartile" and set(groups["valid"]) <= set(fairness.QUARTILES)
    assert pd.Series(groups["train"]).value_counts().min() >= 19  # quartiles of the training faces


def test_recall_and_selection_rate_per_class_and_group():
    y_true = np.array([0, 0, 1, 1, 0, 1])
    y_pred = np.array([0, 1, 1, 1, 0, 0])
    groups = np.array(["A", "A", "A", "B", "B", "B"])
    frame = MetricFrame(
        metrics={**fairness.recalls(["x", "y"]), **fairness.selection_rates(["x", "y"])},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=groups,
    )
    assert frame.by_group.loc["A", "recall x"] == 0.5 and frame.by_group.loc["B", "recall y"] == 0.5
    assert frame.by_group.loc["A", "says y"] == pytest.approx(2 / 3) and frame.overall["recall x"] == pytest.approx(
        2 / 3
    )
    table = fairness.gap_table({("as collected", 0): y_pred}, y_true, groups)
    assert table.loc[0, "A"] == pytest.approx(2 / 3) and table.loc[0, "gap"] == pytest.approx(0.0)


def test_given_scores_let_threshold_optimizer_equalise_the_odds():
    rng = np.random.default_rng(0)
    groups = np.where(rng.random(2000) < 0.5, "A", "B")
    yes = rng.random(2000) < 0.3
    signal = np.where(groups == "A", 0.4, 0.15)  # the model separates B's faces less well
    scores = np.clip(0.3 + signal * yes + rng.normal(0, 0.1, 2000), 0, 1).astype(np.float32)
    optimizer = ThresholdOptimizer(
        estimator=fairness.GivenScores(), constraints="equalized_odds", prefit=True, predict_method="predict"
    )
    optimizer.fit(scores[:, None], yes, sensitive_features=groups)
    adjusted = optimizer.predict(scores[:, None], sensitive_features=groups, random_state=0)
    before = equalized_odds_difference(yes, scores > 0.5, sensitive_features=groups)
    assert equalized_odds_difference(yes, adjusted, sensitive_features=groups) < before / 2
    rates = fairness.group_rates(yes, scores > 0.5, groups)
    assert list(rates.columns) == ["TPR", "FPR", "faces"]
    assert rates.loc["A", "TPR"] > rates.loc["B", "TPR"]


def test_thresholds_need_both_outcomes_in_every_group():
    assert fairness.lacks_both_outcomes([True, False, True, False], ["A", "A", "B", "B"]) is None
    assert "group B has no faces" in fairness.lacks_both_outcomes([True, False, False, False], ["A", "A", "B", "B"])
    assert "group A has only faces" in fairness.lacks_both_outcomes([True, True, False, True], ["A", "A", "B", "B"])
