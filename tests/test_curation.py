import numpy as np
import pandas as pd

from emocourse.data.curation import (
    FI_FRACTIONS,
    KOWALSKI_FRACTIONS,
    apportion,
    duplicate_groups,
    perceptual_hashes,
    resolve_duplicates,
    split_groups,
    threshold_table,
)


def test_apportion_is_exact():
    assert apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert sum(apportion(3300, {"x": 21.2, "y": 78.7}).values()) == 3300


def test_near_duplicates_group_together(tmp_path):
    from PIL import Image
    from skimage import data

    camera = Image.fromarray(data.camera()).resize((128, 128))
    camera.save(tmp_path / "camera.png")
    camera.crop((3, 3, 125, 125)).resize((128, 128)).save(tmp_path / "camera_reupload.jpg", quality=70)
    Image.fromarray(data.coffee()).resize((128, 128)).save(tmp_path / "coffee.png")
    groups = duplicate_groups(
        perceptual_hashes([tmp_path / n for n in ("camera.png", "camera_reupload.jpg", "coffee.png")])
    )
    assert groups[0] == groups[1] != groups[2]


def test_split_is_stratified_group_aware_and_seeded():
    labels = pd.Series(["a"] * 400 + ["b"] * 100 + ["c"] * 3)
    groups = np.arange(len(labels)) // 2  # pairs of duplicates
    splits = split_groups(labels, groups, FI_FRACTIONS, seed=0)
    frame = pd.DataFrame({"label": labels, "group": groups, "split": splits})
    assert frame.groupby("group")["split"].nunique().eq(1).all()
    share = frame[frame["label"] == "a"]["split"].value_counts(normalize=True)
    assert abs(share["train"] - 0.8) < 0.02 and abs(share["test"] - 0.15) < 0.02
    assert (split_groups(labels, groups, FI_FRACTIONS, seed=0) == splits).all()
    assert not (split_groups(labels, groups, FI_FRACTIONS, seed=1) == splits).all()
    kowalski = pd.Series(split_groups(labels, np.arange(len(labels)), KOWALSKI_FRACTIONS)).value_counts(normalize=True)
    assert abs(kowalski["train"] - 0.9) < 0.02


def test_least_divisive_vote_wins_a_conflicting_duplicate():
    table = pd.DataFrame(
        {
            "image": ["a", "b", "c"],
            "label": ["fear", "sadness", "awe"],
            "agree": [3, 5, 4],
            "raters": [5, 5, 5],
            "group": ["g1", "g1", "g2"],
        }
    )
    kept, dropped = resolve_duplicates(table)
    assert list(kept["image"]) == ["b", "c"]
    assert dropped.iloc[0][["image", "kept_instead", "conflicting_label"]].tolist() == ["a", "b", True]


def test_threshold_table_counts_imbalance_and_precision():
    votes = pd.DataFrame({"label": ["fear", "fear", "awe", "awe", "awe"], "agree": [3, 5, 4, 2, 5]})
    truth = pd.Series(["fear", "sadness", "awe", "awe", "awe"])
    table = threshold_table(votes, ["awe", "fear"], truth=truth)
    assert table.loc["≥ 3", ["awe", "fear", "total"]].tolist() == [2, 2, 4]
    assert table.loc["≥ 4", "imbalance"] == 2.0
    assert table.loc["≥ 5", "label precision"] == 0.5
