"""A chapter's results table, accuracy by group, the valence table, and chapter 3's figures."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from emocourse import taxonomy as tx
from emocourse.evaluate import Results
from emocourse.evaluate.results import accuracy_by_group, styled, valence_errors
from emocourse.plots.transfer import accuracy_bars, validation_by_epoch
from emocourse.train.transfer import HEAD_STAGE


def test_results_rows_are_percentages_beside_the_papers():
    results = Results("affect (stand-in)")
    assert results.add("frozen body, linear head", "linear head", 0.4567) == 0.4567
    table = results.table()
    assert table.to_dict("records") == [
        {
            "rung": "frozen body, linear head",
            "method": "linear head",
            "accuracy": 45.7,
            "measured on": "affect (stand-in)",
        }
    ]
    both = results.beside_published()
    assert both["source"].iloc[0] == "this book" and (both["source"].iloc[1:] != "this book").all()
    assert "font-weight: bold" in styled(both).to_html()
    with pytest.raises(ValueError, match="linear head: accuracy 45.7 must be a fraction"):
        results.add("frozen body, linear head", "linear head", 45.7)


def test_accuracy_by_group_counts_each_group():
    true = np.array([0, 1, 1, 0])
    table = accuracy_by_group(true, {"a": np.array([0, 1, 0, 0]), "b": true}, pd.Series(["x", "x", "y", "y"]))
    assert table.to_dict() == {
        "a": {"x (2 images)": 100.0, "y (2 images)": 50.0},
        "b": {"x (2 images)": 100.0, "y (2 images)": 100.0},
    }
    assert len(accuracy_bars(table).axes[0].patches) == 4


def test_valence_errors_sit_beside_carroll():
    table = valence_errors(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), [tx.POSITIVE, tx.NEGATIVE])
    assert table.loc[tx.POSITIVE].to_dict() == {"test images": 2, "error (%)": 50.0, "Carroll et al. (%)": 7.0}
    assert table.loc[tx.NEGATIVE, "error (%)"] == 0.0


def test_validation_by_epoch_draws_the_head_and_each_stage():
    history = pd.DataFrame(
        {
            "stage": [HEAD_STAGE] * 3 + ["top 1 block group"] * 2 + ["top 2 block groups"] * 2,
            "epoch": [1, 2, 3, 1, 2, 1, 2],
            "valid_accuracy": [0.3, 0.4, 0.5, 0.55, 0.6, 0.62, 0.61],
        }
    )
    left, right = validation_by_epoch(history).axes
    assert list(left.lines[0].get_ydata()) == pytest.approx([30, 40, 50])
    assert list(right.lines[-1].get_ydata()) == pytest.approx([50, 55, 60, 62, 61])
    assert [t.get_text() for t in right.texts] == ["top 1 block group", "top 2 block groups"]
