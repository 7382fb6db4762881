"""Chapter 6's figures and bookkeeping (emocourse.plots.faces, emocourse.evaluate.faces), on small inputs."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from emocourse.evaluate import faces as face_eval  # noqa: E402
from emocourse.plots import faces as plots  # noqa: E402
from emocourse.train.faces import FacesConfig  # noqa: E402

CLASSES = ["angry", "happy", "sad"]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_accuracy_by_agreement_bins_faces_by_top_share():
    top = np.array([0.4, 0.5, 0.6, 0.8, 0.95, 1.0, 1.0])
    correct = {"a": np.array([0, 0, 1, 1, 1, 1, 0], bool), "b": np.ones(7, bool)}
    scored = np.array([1, 1, 1, 1, 1, 1, 0], bool)
    table, counts = face_eval.accuracy_by_agreement(correct, top, scored)
    assert list(table.columns) == ["a", "b"] and list(counts) == [2, 1, 1, 2]
    np.testing.assert_allclose(table["a"], [0, 1, 1, 1])
    fig = plots.accuracy_by_agreement(table, counts)
    ax = fig.axes[0]
    assert len(ax.patches) == 8  # four bands, two models
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "≤ 50 %\n(2 faces)"
    assert max(p.get_height() for p in ax.patches) == pytest.approx(100)


def test_shared_classes_says_what_is_not_scored():
    other = type("Other", (), {"name": "posed", "classes": ["anger", "contempt", "happy"]})()
    other.table = pd.DataFrame({"label": ["anger", "contempt", "contempt", "happy"]})
    shared = face_eval.shared_classes(CLASSES, other.classes)
    assert shared.matched == {"anger": "angry", "happy": "happy"}
    assert shared.unmatched == ["contempt"] and shared.never_shown == ["sad"]
    text = shared.describe(other)
    assert "contempt (2 faces, not scored)" in text and "lacks: sad" in text


def test_saliency_by_class_and_region():
    maps = np.zeros((5, 48, 48))
    maps[:, 31:44] = 1.0  # all saliency on the mouth
    mean_maps = face_eval.mean_maps_by_class(maps, np.array([0, 0, 0, 1, 2]), CLASSES)
    assert list(mean_maps) == ["angry"]  # the others have fewer than three faces
    regions = face_eval.saliency_by_region(mean_maps)
    assert regions.loc["angry", "brows and eyes"] == 0 and regions.loc["angry", "mouth"] == 1
    fig = plots.mean_saliency_maps({"angry": torch.zeros(1, 48, 48)}, mean_maps)
    assert len(fig.axes) == 2 and fig.axes[0].get_title() == "angry"


def test_face_figures_draw_one_panel_per_face():
    images = torch.randint(0, 255, (9, 1, 48, 48), dtype=torch.uint8)
    fig = plots.faces_by_class(images, [0, 1, 2] * 3, CLASSES)
    assert len(fig.axes) == 9 and [ax.get_title() for ax in fig.axes[:3]] == CLASSES
    assert sum(len(ax.images) for ax in fig.axes) == 9
    policies = {"recipe": FacesConfig(), "heavy": FacesConfig(max_rotate=30)}
    fig = plots.augmented_faces(images[0], policies, copies=4)
    assert len(fig.axes) == 10 and fig.axes[1].get_title(loc="left") == "recipe augmentation"


def test_accuracy_by_cpu_seconds_draws_the_curve_and_the_points():
    points = {"head": (5.0, 0.3), "tuned": (9.0, 0.2)}
    fig = plots.accuracy_by_cpu_seconds([1, 2, 3], [0.2, 0.3, 0.4], points, 0.25)
    ax = fig.axes[0]
    assert list(ax.lines[0].get_ydata()) == pytest.approx([20, 30, 40])
    assert len(ax.collections) == 2 and ax.get_legend().get_texts()[1].get_text() == "head"


def test_recall_and_photo_figures():
    recall = pd.DataFrame({"ours": [0.8, 0.5], "theirs": [0.9, 0.1]}, index=["happy", "sad"])
    ax = plots.recall_on_two_datasets(recall).axes[0]
    assert len(ax.patches) == 4 and ax.get_xlim() == (0, 100)
    photo = Image.new("RGB", (100, 80), "white")
    face, box = face_eval.face_for_model(photo)  # no face: the whole photo, and no box
    assert face.shape == (1, 1, 48, 48) and face.dtype == torch.uint8 and box is None
    top = pd.Series([0.5, 0.3, 0.2], index=CLASSES)
    fig = plots.photo_and_prediction(photo, (10, 10, 50, 50), face, top)
    assert len(fig.axes) == 3 and len(fig.axes[0].patches) == 1 and len(fig.axes[2].patches) == 3


def test_nested_samples_grow_by_adding_faces_and_end_with_all():
    samples = dict(face_eval.nested_samples(5000, seed=3))
    assert list(samples) == [1000, 4000, 5000] and list(samples[5000]) == list(range(5000))
    assert set(samples[1000]) <= set(samples[4000]) and len(set(samples[4000])) == 4000
    assert [n for n, _ in face_eval.nested_samples(800)] == [800]  # sizes above the training set are left out
    assert np.array_equal(dict(face_eval.nested_samples(5000, seed=3))[1000], samples[1000])


def test_by_split_keeps_the_order_of_face_pixels():
    dataset = type("D", (), {"table": pd.DataFrame({"split": ["test", "train", "test", "valid"]})})()
    grouped = face_eval.by_split(np.arange(4), dataset)
    assert list(grouped) == ["test", "train", "valid"] and list(grouped["test"]) == [0, 2]


def test_accuracy_by_training_faces_draws_one_line_per_method():
    table = pd.DataFrame({"scratch": [0.3, 0.5, 0.7], "frozen": [0.4, 0.45, 0.5]}, index=[1000, 4000, 9600])
    ax = plots.accuracy_by_training_faces(table, 0.25).axes[0]
    assert list(ax.lines[0].get_ydata()) == pytest.approx([30, 50, 70]) and ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1,000", "4,000", "9,600"]
