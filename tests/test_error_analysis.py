"""Chapter 5's evaluation tools: calibration, agreement, probes, saliency (with the sanity check), label issues."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from emocourse.evaluate import agreement, browser, confidence, label_issues, probes, saliency


def test_probabilities_that_do_not_sum_to_one_are_refused_naming_the_row():
    p = np.array([[0.5, 0.5], [0.9, 0.3]])
    with pytest.raises(ValueError, match="row 1 is not a probability distribution .*sums to 1.200"):
        confidence.expected_calibration_error(p, [0, 1])
    with pytest.raises(ValueError, match="row 1"):
        label_issues.label_issues(np.array([0, 1]), p)


def test_calibration_error_and_temperature():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 2000)
    logits = rng.normal(size=(2000, 3))
    logits[np.arange(2000), y] += 1.0
    sharp = confidence.softmax(4 * logits)  # overconfident
    temperature = confidence.fit_temperature(np.log(sharp), y)
    assert 3 < temperature < 5
    scaled = confidence.softmax(np.log(sharp), temperature)
    assert (scaled.argmax(1) == sharp.argmax(1)).all()
    assert confidence.expected_calibration_error(scaled, y) < confidence.expected_calibration_error(sharp, y) / 2
    table = confidence.reliability(scaled, y)
    assert table["images"].sum() == 2000


def test_accuracy_by_group_has_bootstrap_intervals():
    table = agreement.accuracy_by(["a"] * 50 + ["b"] * 50, [1] * 45 + [0] * 5 + [1] * 20 + [0] * 30, seed=0)
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "low"] < 0.9 < table.loc["a", "high"]
    assert table.loc["b", "high"] < table.loc["a", "low"]


def test_interval_plot_draws_each_row_in_points_top_to_bottom():
    import matplotlib

    matplotlib.use("Agg")
    table = pd.DataFrame({"accuracy": [0.5, 0.8], "low": [0.4, 0.7], "high": [0.6, 0.9]}, index=["3 of 5", "5 of 5"])
    ax = agreement.plot_intervals(table, "accuracy", "accuracy (%)")
    dots = ax.lines[0].get_xydata()
    assert dots[:, 0].tolist() == [50, 80] and ax.yaxis_inverted()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3 of 5", "5 of 5"]


def test_top_vote_share_and_majority_on_fer_style_votes(tmp_path):
    from emocourse.data.table import Dataset

    table = pd.DataFrame(
        {
            "image": ["a.png", "b.png", "c.png"],
            "label": ["angry", "happy", "sad"],
            "split": ["train"] * 3,
            "votes_anger": [10, 1, 0],
            "votes_happiness": [0, 2, 0],
            "votes_sadness": [0, 7, 0],
        }
    )
    dataset = Dataset(tmp_path, table, {"classes": ["angry", "happy", "sad"]})
    shares = agreement.top_vote_share(dataset)
    assert shares.iloc[:2].astype(str).tolist() == ["0.9–1.0", "0.0–0.5"] and pd.isna(shares.iloc[2])
    assert agreement.majority_disagrees(dataset).tolist() == [False, True, False]


def test_probe_shift_and_unknown_classes():
    before = np.array([[0.8, 0.2], [0.6, 0.4]])
    after = np.array([[0.6, 0.4], [0.3, 0.7]])
    result = probes.shift(before, after, ["joy", "sadness"], ["sadness"])
    assert result["shift"] == pytest.approx(0.25) and result["predictions changed"] == 0.5
    with pytest.raises(ValueError, match=r"towards=\['fear'\]"):
        probes.shift(before, after, ["joy", "sadness"], ["fear"])


def test_pixel_probes():
    pixels = torch.rand(2, 3, 8, 8)
    grey = probes.grey(pixels)
    assert torch.allclose(grey[:, 0], grey[:, 1]) and torch.allclose(grey[:, 1], grey[:, 2])
    assert torch.equal(probes.mirror(probes.mirror(pixels)), pixels)
    assert (probes.red_tint(pixels)[:, 0] >= probes.red_tint(pixels)[:, 1] - 1).all()


class Body(nn.Module):
    """A tiny timm-like body (blocks in groups) for the saliency tests."""

    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU()
        )

    def forward(self, x):
        return self.model(x)


def tiny_model():
    torch.manual_seed(0)
    model = nn.Sequential(Body(), nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3)))
    return model.eval()


def test_gradcam_refuses_a_layer_the_model_lacks():
    model = tiny_model()
    assert saliency.last_feature_layer(model) == "0.model.3"
    with pytest.raises(ValueError, match="layer '0.model.9': this model has no such layer"):
        saliency.gradcam(model, torch.rand(2, 3, 16, 16), [0, 1], layer="0.model.9")


def test_saliency_maps_have_the_expected_shapes():
    model, x = tiny_model(), torch.rand(4, 3, 16, 16)
    assert saliency.gradcam(model, x, [0, 1, 2, 0]).shape == (4, 16, 16)
    maps = saliency.gradient_saliency(model, x, [0, 1, 2, 0])
    assert maps.shape == (4, 16, 16) and float(maps.max()) == pytest.approx(1.0)


@pytest.fixture
def tiny_groups(monkeypatch):
    """The tiny body's two convolutions as its two block groups (timm models name their own)."""
    import emocourse.train.transfer as transfer

    monkeypatch.setattr(
        transfer,
        "block_groups",
        lambda body: [list(body[0].parameters()), list(body[2].parameters()) + list(body[3].parameters())],
    )


def test_sanity_check_tells_a_saliency_method_from_an_edge_detector(tiny_groups):
    """Adebayo et al.: randomising the model must change a trustworthy map; an edge map never changes."""
    model = tiny_model()
    x = torch.rand(6, 3, 16, 16)
    table = saliency.sanity_check(model, x, [0, 1, 2, 0, 1, 2], top_groups=1)
    correlation = table.iloc[:, 0]
    assert correlation["edge detector"] == pytest.approx(1.0)
    assert correlation["gradient saliency"] < 0.6
    assert correlation["Grad-CAM"] < 0.6
    same = saliency.rank_correlation(
        saliency.gradient_saliency(model, x, [0] * 6), saliency.gradient_saliency(model, x, [0] * 6)
    )
    assert np.allclose(same, 1.0)


def test_randomised_copy_leaves_the_model_alone(tiny_groups):
    model = tiny_model()
    before = [p.clone() for p in model.parameters()]
    saliency.randomised(model, top_groups=0)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_label_issues_find_flipped_labels_better_than_chance():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 3, 600)
    x = rng.normal(size=(600, 5)) + 3 * np.eye(3, 5)[y_true]
    y = y_true.copy()
    flipped = rng.choice(600, 30, replace=False)
    y[flipped] = (y[flipped] + 1) % 3
    probabilities = label_issues.out_of_fold_probabilities(x, y, components=None)
    flagged = label_issues.label_issues(y, probabilities)
    quality = label_issues.flag_quality(flagged, y != y_true)
    assert quality["precision"] > 5 * quality["precision at random"]
    assert quality["recall"] > 0.6
    assert len(label_issues.least_confident(y, probabilities, 10)) == 10


def test_out_of_fold_needs_two_images_per_class():
    with pytest.raises(ValueError, match="a class has 1 image"):
        label_issues.out_of_fold_probabilities(np.zeros((3, 2)), np.array([0, 0, 1]))


def test_error_browser_refuses_an_empty_pair():
    y_true, y_pred = np.array([0, 0, 1, 2]), np.array([1, 1, 1, 2])
    assert browser.error_rows(y_true, y_pred, ["a", "b", "c"], "a", "b").tolist() == [0, 1]
    with pytest.raises(ValueError, match="no test image of c was called a; the most frequent errors: a→b \\(2\\)"):
        browser.error_rows(y_true, y_pred, ["a", "b", "c"], "c", "a")
    with pytest.raises(ValueError, match="'d' is not a class"):
        browser.error_rows(y_true, y_pred, ["a", "b", "c"], "d", "a")


def test_error_browser_pages_through_a_pair():
    import matplotlib.pyplot as plt

    shown = []

    def draw(positions):
        shown.append(list(positions))
        return plt.figure()

    view = browser.ErrorBrowser(np.array([0] * 8 + [1]), np.array([1] * 8 + [0]), ["a", "b"], draw, per_page=6)
    assert shown[-1] == [0, 1, 2, 3, 4, 5] and view.page.max == 1
    view.page.value = 1
    assert shown[-1] == [6, 7]
    assert view.output.outputs[0]["data"]["image/png"]
    with pytest.raises(ValueError, match="no errors"):
        browser.ErrorBrowser(np.array([0, 1]), np.array([0, 1]), ["a", "b"], draw)
