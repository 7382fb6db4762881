import json

import pandas as pd
import pytest

from emocourse.data import Dataset, DatasetError, load, read_dataset, write_dataset
from emocourse.train import dataloaders
from images import photo

INFO = {"name": "tiny", "classes": ["amusement", "sadness"]}


def tiny(tmp_path, rows=None):
    rows = rows or [
        ("images/a.png", "amusement", "train"),
        ("images/b.png", "sadness", "train"),
        ("images/c.png", "amusement", "valid"),
        ("images/d.png", "sadness", "test"),
    ]
    for i, (image, _, _) in enumerate(rows):
        photo(tmp_path / image, seed=i, size=20)
    table = pd.DataFrame(rows, columns=["image", "label", "split"]).assign(agree=[3, 4, 5, 3][: len(rows)])
    return write_dataset(tmp_path, table, INFO)


def test_round_trip_and_accessors(tmp_path):
    written = tiny(tmp_path)
    dataset = read_dataset(tmp_path)
    assert dataset.classes == ["amusement", "sadness"] and dataset.name == "tiny"
    assert json.loads((tmp_path / "dataset.json").read_text())["valence"] == {
        "amusement": "positive",
        "sadness": "negative",
    }
    assert dataset.counts().loc["amusement"].tolist() == [1, 1, 0]
    assert len(dataset.split("valid")) == 1 and dataset.votes is None
    pd.testing.assert_frame_equal(written.table, dataset.table)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.drop(columns="split"), r"missing column\(s\) split"),
        (lambda t: t.assign(label=["amusement", "joy", "amusement", "sadness"]), "row 3: unknown label 'joy'"),
        (lambda t: t.assign(split=["train", "train", "dev", "test"]), "row 4: split 'dev'"),
        (
            lambda t: t.assign(image=["images/a.png", "images/a.png", "images/c.png", "images/d.png"]),
            "row 3: image 'images/a.png' is listed twice",
        ),
        (
            lambda t: t.assign(image=["images/a.png", "../b.png", "images/c.png", "images/d.png"]),
            "row 3: image path '../b.png' must be relative",
        ),
        (
            lambda t: t.assign(image=["images/a.png", "images/zz.png", "images/c.png", "images/d.png"]),
            "row 3: image file .*zz.png does not exist",
        ),
        (lambda t: t.assign(agree=[3, -1, 3, 3]), "row 3: agree must be a count"),
    ],
)
def test_invalid_tables_name_file_and_row(tmp_path, edit, message):
    tiny(tmp_path)
    edit(pd.read_csv(tmp_path / "labels.csv")).to_csv(tmp_path / "labels.csv", index=False)
    with pytest.raises(DatasetError, match=message) as error:
        read_dataset(tmp_path)
    assert "labels.csv" in str(error.value)


def test_not_a_dataset_folder(tmp_path):
    with pytest.raises(DatasetError, match="labels.csv is missing"):
        read_dataset(tmp_path)
    with pytest.raises(DatasetError, match="no dataset at 'nowhere'"):
        load("nowhere")


def test_fastai_dataloaders_follow_class_order_and_splits(tmp_path):
    written = tiny(tmp_path)
    dataset = Dataset(written.root, written.table, {**written.info, "classes": ["sadness", "amusement"]})  # not sorted
    dls = dataloaders(dataset, image_size=16, batch_size=2, augment=False)
    assert list(dls.vocab) == dataset.classes  # fastai would sort the vocab unless told not to
    assert int(dls.valid_ds[0][1]) == 1  # the valid image is amusement
    assert len(dls.train_ds) == 2 and len(dls.valid_ds) == 1
    x, y = dls.one_batch()
    assert tuple(x.shape) == (2, 3, 16, 16)
