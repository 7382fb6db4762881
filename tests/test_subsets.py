"""Any dataset a chapter accepts: missing splits dealt from train, big ones sampled, any class list."""

import pandas as pd
import pytest

from emocourse import taxonomy as tx
from emocourse.data import Dataset, DatasetError
from emocourse.data.subsets import bounded_sample, complete_splits
from emocourse.features.cache import dataset_key
from emocourse.notebook import load_dataset
from emocourse.train.transfer import for_task, valence_problem, without_valence


def table(labels, splits):
    return pd.DataFrame({"image": [f"images/{i}.png" for i in range(len(labels))], "label": labels, "split": splits})


def dataset(tmp_path, labels, splits, classes):
    return Dataset(tmp_path, table(labels, splits), {"name": "mine", "classes": classes})


def test_missing_valid_and_test_splits_are_dealt_from_train(tmp_path):
    mine = dataset(tmp_path, ["a"] * 60 + ["b"] * 40, ["train"] * 100, ["a", "b"])
    completed, note = complete_splits(mine, seed=1)
    counts = completed.table["split"].value_counts()
    assert counts["train"] == 80 and counts["valid"] == 5 and counts["test"] == 15
    assert set(completed.table.loc[completed.table["split"] == "test", "label"]) == {"a", "b"}
    assert "no valid and no test split" in note and "15 of its 100 training images became test" in note
    again, _ = complete_splits(mine, seed=1)
    assert again.table.equals(completed.table)
    assert (mine.table["split"] == "train").all()  # the original is untouched
    assert dataset_key(completed) != dataset_key(mine)  # models trained on either never mix


def test_a_dataset_with_every_split_is_unchanged_and_one_without_train_is_an_error(tmp_path):
    whole = dataset(tmp_path, ["a", "b", "a"], ["train", "valid", "test"], ["a", "b"])
    assert complete_splits(whole) == (whole, None)
    with pytest.raises(DatasetError, match="no row has split 'train'.*emocourse data import folder"):
        complete_splits(dataset(tmp_path, ["a", "b"], ["test", "valid"], ["a", "b"]))


def test_bounded_sample_keeps_every_split_and_class_in_proportion(tmp_path):
    labels = ["a"] * 800 + ["b"] * 200
    splits = (["train"] * 80 + ["valid"] * 5 + ["test"] * 15) * 10
    big = dataset(tmp_path, labels, splits, ["a", "b"])
    sample, note = bounded_sample(big, 100, seed=0)
    assert len(sample.table) == 100 and list(sample.table.index) == list(range(100))
    assert sample.table["label"].value_counts()["b"] == 20
    assert sample.table["split"].value_counts()["test"] == 15
    assert "1,000 images" in note and "sample of 100" in note
    assert bounded_sample(big, 100, seed=0)[0].table.equals(sample.table)
    assert bounded_sample(big, 5000) == (big, None)
    assert dataset_key(sample, ("image",)) != dataset_key(big, ("image",))


def test_load_dataset_samples_only_in_the_fast_profile(tmp_path, capsys):
    from emocourse.data import write_dataset
    from images import photo

    for i in range(30):
        photo(tmp_path / "images" / f"{i}.png", seed=i, size=8)
    write_dataset(
        tmp_path,
        table(["a", "b", "c"] * 10, ["train"] * 24 + ["test"] * 6),
        {"name": "mine", "classes": ["a", "b", "c"]},
    )
    fast = load_dataset(str(tmp_path), "fast", max_images=20)
    assert len(fast.table) <= 21 and set(fast.table["split"]) == {"train", "valid", "test"}
    full = load_dataset(str(tmp_path), "full", max_images=20)
    assert len(full.table) == 30
    assert "no valid split" in capsys.readouterr().out


def test_valence_leaves_out_classes_without_one(tmp_path):
    faces = dataset(
        tmp_path,
        ["happy", "sad", "surprise", "neutral"] * 3,
        ["train"] * 4 + ["valid"] * 4 + ["test"] * 4,
        list(tx.FER2013),
    )
    task = for_task(faces, "valence")
    assert list(task.table.index) == [0, 1, 4, 5, 8, 9] and list(task.table["label"][:2]) == ["positive", "negative"]
    assert without_valence(faces).to_dict() == {"surprise": 3, "neutral": 3}
    assert valence_problem(faces) is None
    own = dataset(
        tmp_path, ["beach", "city"] * 3, ["train", "train", "valid", "valid", "test", "test"], ["beach", "city"]
    )
    assert "needs positive and negative train images" in valence_problem(own)


def test_palette_covers_any_class_list():
    assert tx.palette(["fear", "beach", "happy", "city"]) == [
        tx.COLORS["fear"],
        tx.OTHER_COLORS[0],
        tx.COLORS["happiness"],
        tx.OTHER_COLORS[1],
    ]
