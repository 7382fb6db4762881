"""The figures of chapters 0 and 1 (emocourse.plots.dataset) and the crawl table of chapter 1."""

from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest
from PIL import Image

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from emocourse import taxonomy as tx  # noqa: E402
from emocourse.data.curation import TABLE_COLUMNS, crawl_table  # noqa: E402
from emocourse.plots import dataset as plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _bar_heights(ax):
    return [round(p.get_height(), 6) for p in ax.patches]


def test_emotion_colors_draws_one_bar_per_emotion_in_its_colour():
    fig = plots.emotion_colors(["amusement", "fear", "surprise"])
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["amusement\n(positive)", "fear\n(negative)", "surprise\n(none)"]
    assert matplotlib.colors.to_hex(ax.patches[1].get_facecolor()) == matplotlib.colors.to_hex(tx.color("fear"))
    assert len(plots.emotion_colors().axes[0].patches) == len(tx.COLORS)


def test_photos_with_guesses_titles_each_photo_with_its_first_names():
    images = [Image.new("RGB", (8, 8), "red"), Image.new("RGB", (8, 8), "blue")]
    guesses = [[("tabby, tabby cat", 0.5), ("cup", 0.25)], [("espresso", 0.9), ("cup, mug", 0.05)]]
    fig = plots.photos_with_guesses(images, ["cat", "coffee"], guesses)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["cat\ntabby 50%\ncup 25%", "coffee\nespresso 90%\ncup 5%"]


def test_download_outcomes_puts_the_commonest_outcome_on_top():
    fig = plots.download_outcomes(pd.Series({"dead": 5, "ok": 90, "timeout": 2}))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ok", "dead", "timeout"]
    assert [round(p.get_width()) for p in ax.patches] == [90, 5, 2]
    assert ax.yaxis_inverted()


def test_duplicate_pair_shows_two_uploads_with_id_and_label(tmp_path):
    for name, colour in (("a.jpg", "red"), ("b.jpg", "green"), ("c.jpg", "blue")):
        Image.new("RGB", (16, 16), colour).save(tmp_path / name)
    uploads = pd.DataFrame(
        {"id": ["1", "2", "3"], "label": ["fear", "sadness", "awe"], "file": ["a.jpg", "b.jpg", "c.jpg"]}
    )
    fig = plots.duplicate_pair(uploads, tmp_path)
    assert [ax.get_title() for ax in fig.axes] == ["1: fear", "2: sadness"]
    assert all(len(ax.images) == 1 for ax in fig.axes)


def test_agreement_counts_has_a_bar_for_every_count_of_yes_votes():
    fig = plots.agreement_counts(pd.Series([5, 5, 3, 0]))
    assert _bar_heights(fig.axes[0]) == [1, 0, 0, 1, 0, 2]


def test_kept_per_emotion_groups_thresholds_by_emotion():
    table = pd.DataFrame({"fear": [4, 2, 1], "awe": [9, 6, 3], "total": [13, 8, 4]}, index=["≥ 3", "≥ 4", "≥ 5"])
    fig = plots.kept_per_emotion(table, ["fear", "awe"])
    ax = fig.axes[0]
    assert len(ax.patches) == 6  # 2 emotions x 3 thresholds; "total" is not drawn
    assert [t.get_text() for t in ax.get_xticklabels()] == ["fear", "awe"]
    assert sorted(_bar_heights(ax)) == [1, 2, 3, 4, 6, 9]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["≥ 3", "≥ 4", "≥ 5"]


def test_class_balance_shows_shares_in_class_order():
    labels = pd.Series(["awe", "awe", "awe", "fear"])
    fig = plots.class_balance(labels, ["fear", "awe", "anger"], name="toy")
    ax = fig.axes[0]
    assert _bar_heights(ax) == [0.25, 0.75, 0.0]
    assert ax.get_title() == "toy: class balance"


def test_examples_per_emotion_draws_a_row_per_class(tmp_path):
    rows = []
    for i, label in enumerate(["fear"] * 3 + ["awe"] * 1):
        Image.new("RGB", (8, 8), (i * 40, 0, 0)).save(tmp_path / f"{i}.png")
        rows.append({"image": f"{i}.png", "label": label})
    table = pd.DataFrame(rows)
    dataset = SimpleNamespace(classes=["fear", "awe"], table=table, paths=lambda t: [tmp_path / f for f in t["image"]])
    fig = plots.examples_per_emotion(dataset, per_row=2, seed=0)
    images = np.array([len(ax.images) for ax in fig.axes]).reshape(2, 2)
    assert images.tolist() == [[1, 1], [1, 0]]  # awe has one image only
    assert [fig.axes[0].get_ylabel(), fig.axes[2].get_ylabel()] == ["fear", "awe"]


def test_crawl_table_names_groups_and_sources_and_keeps_the_table_columns():
    kept = pd.DataFrame(
        {
            "image": ["000001.jpg"],
            "label": ["awe"],
            "split": ["train"],
            "agree": [4],
            "raters": [5],
            "group": [12],
            "url": ["https://example.org/awe/000001.jpg"],
            "sha256": ["ab"],
            "status": ["ok"],
        }
    )
    table = crawl_table(kept)
    assert list(table.columns) == TABLE_COLUMNS
    assert table.loc[0, "group"] == "g12" and table.loc[0, "source"] == kept.loc[0, "url"]
