"""Chapter 2's figures and ladder bookkeeping (emocourse.plots.baselines, emocourse.evaluate.ladder)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from emocourse.evaluate import Results  # noqa: E402
from emocourse.evaluate.ladder import a_tenth, class_shares, tensor_rows  # noqa: E402
from emocourse.evaluate.ladder import test_accuracy as accuracy_of  # noqa: E402
from emocourse.evaluate.results import ladder, styled  # noqa: E402
from emocourse.plots import baselines as figures  # noqa: E402

CLASSES = ["amusement", "fear", "sadness"]


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_feature_means_by_emotion_draws_one_panel_per_feature_with_the_class_means():
    x = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 30.0], [7.0, 40.0]])
    labels = ["fear", "amusement", "fear", "amusement"]
    fig = figures.feature_means_by_emotion(x, ["a", "b"], labels, CLASSES, show=("a", "b"))
    assert len(fig.axes) == 2 and [ax.get_title() for ax in fig.axes] == ["a", "b"]
    widths = [bar.get_width() for bar in _bars(fig.axes[0])]
    assert widths[:2] == [5.0, 3.0]  # amusement, fear in class order; sadness has no images
    assert len(widths) == 3 and not widths[2] > 0


def test_tsne_map_has_one_point_group_per_class():
    xy = np.random.default_rng(0).normal(size=(6, 2))
    fig = figures.tsne_map(xy, ["fear", "fear", "amusement", "sadness", "sadness", "sadness"], CLASSES, "t")
    ax = fig.axes[0]
    assert [len(c.get_offsets()) for c in ax.collections] == [1, 2, 3]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == CLASSES and ax.get_title() == "t"


def test_true_positive_rates_draws_a_bar_per_class_and_model():
    rates = pd.DataFrame({"m1": [0.1, 0.5, 0.9], "m2": [0.2, 0.4, 0.6]}, index=CLASSES)
    ax = figures.true_positive_rates(rates).axes[0]
    assert sorted(round(b.get_height(), 2) for b in _bars(ax)) == [0.1, 0.2, 0.4, 0.5, 0.6, 0.9]
    assert ax.get_ylim() == (0, 1) and [t.get_text() for t in ax.get_xticklabels()] == CLASSES


def test_rates_per_expression_and_ladder_accuracies():
    ax = figures.rates_per_expression(pd.Series([0.3, 0.8, 0.5], index=CLASSES)).axes[0]
    assert [round(b.get_height(), 1) for b in _bars(ax)] == [0.3, 0.8, 0.5]
    table = pd.DataFrame({"method": ["guess", "svm"], "accuracy": [23.2, 72.0]})
    ax = figures.ladder_accuracies(table, "ladder").axes[0]
    assert [b.get_width() for b in _bars(ax)] == [23.2, 72.0] and ax.get_xlim() == (0, 100)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["guess", "svm"]


def test_class_shares_count_every_class():
    shares = class_shares(np.array([0, 0, 1, 0]), CLASSES)
    assert list(shares.index) == CLASSES and list(shares) == [0.75, 0.25, 0.0]


def test_a_tenth_is_a_sorted_subset_of_train_with_a_floor_per_class():
    train = np.arange(300) % 3 != 0  # 200 training rows
    few = a_tenth(train, 3, seed=1)
    assert len(few) == 20 and train[few].all() and (np.diff(few) > 0).all()
    assert np.array_equal(few, a_tenth(train, 3, seed=1))
    assert len(a_tenth(np.ones(30, bool), 8)) == 16  # two per class on a tiny dataset
    assert len(a_tenth(np.ones(5, bool), 8)) == 5


def test_tensor_rows_picks_the_rows_of_the_split():
    split = np.array([True, False, True, True, False])
    tensors = (torch.tensor([[10.0], [12.0], [13.0]]), torch.tensor([0, 2, 3]))
    images, labels = tensor_rows(tensors, split, np.array([2, 3]))
    assert images[:, 0].tolist() == [12.0, 13.0] and labels.tolist() == [2, 3]
    with pytest.raises(ValueError, match="not in the split"):
        tensor_rows(tensors, split, np.array([1]))


def test_test_accuracy_of_a_torch_model():
    model = torch.nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.eye(2))
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    assert accuracy_of(model, (x, torch.tensor([0, 1, 1, 1]))) == 0.75


def test_ladder_puts_every_dataset_beside_the_papers():
    images, faces = Results("affect"), Results("faces")
    images.add("ResNet-18 from scratch", "ResNet-18 from scratch, 32 × 32 px", 0.669)
    faces.add("compact CNN from scratch", "compact CNN", 0.657)
    table = ladder(images, faces, also=("people",))
    ours = table[table["source"] == "this book"]
    assert list(ours["measured on"]) == ["affect", "faces"] and list(ours["accuracy"]) == [66.9, 65.7]
    kowalski = table[table["source"] == "Kowalski et al."]
    assert list(kowalski["accuracy"]) == [24.0]  # only the rung we ran
    assert table["source"].iloc[-1] == "Goodfellow et al. 2013"
    assert "font-weight: bold" in styled(table).to_html()
