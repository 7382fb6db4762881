"""Adapters read fixtures built in the exact real layouts, including bad input."""

import csv
import json
from pathlib import PurePosixPath

import numpy as np
import pandas as pd
import pytest

from emocourse.data import DatasetError, read_dataset
from emocourse.data.adapters import (
    import_emoset,
    import_emotion6,
    import_fer2013,
    import_ferplus,
    import_fi,
    import_folder,
)
from emocourse.data.adapters.fer_csv import HEADER
from emocourse.taxonomy import EMOTION6, FI
from images import (
    corrupt_jpeg,
    exif_rotated_jpeg,
    photo,
    sixteen_bit_png,
    truncated_png,
    write_emotion6,
    write_ferplus_folders,
)
from PIL import Image


def pixels(seed, count=2304):
    return " ".join(map(str, np.random.default_rng(seed).integers(0, 256, count)))


def write_fer2013(folder, rows):
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["emotion", "pixels", "Usage"]).to_csv(folder / "fer2013.csv", index=False)
    return folder


GOOD_ROWS = [
    (0, pixels(0), "Training"),
    (3, pixels(1), "Training"),
    (6, pixels(2), "PublicTest"),
    (4, pixels(3), "PrivateTest"),
]


def test_fer2013_csv_maps_ids_and_usage(tmp_path):
    dataset, report = import_fer2013(write_fer2013(tmp_path / "rel", GOOD_ROWS), tmp_path / "out")
    assert list(dataset.table["label"]) == ["angry", "happy", "neutral", "sad"]
    assert list(dataset.table["split"]) == ["train", "train", "valid", "test"]
    assert report.kept == 4 and report.skipped == 0
    first = np.asarray(__import__("PIL.Image", fromlist=["Image"]).open(dataset.paths()[0]))
    assert first.shape == (48, 48) and first.ravel().tolist() == list(map(int, pixels(0).split()))
    assert read_dataset(tmp_path / "out").classes == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def test_fer2013_bad_rows_are_reported_by_row(tmp_path):
    rows = GOOD_ROWS + [
        (1, pixels(4, 2300), "Training"),
        (7, pixels(5), "Training"),
        (2, pixels(6), "Validation"),
        (2, pixels(7).replace("1", "x", 1), "Training"),
    ]
    _, report = import_fer2013(write_fer2013(tmp_path / "rel", rows), tmp_path / "out")
    reasons = {e["where"]: e["reason"] for e in report.entries}
    assert reasons == {
        "fer2013.csv row 6": "2300 pixel values, expected 2304",
        "fer2013.csv row 7": "emotion '7' is not a label id 0..6",
        "fer2013.csv row 8": "Usage 'Validation' is not one of Training, PublicTest, PrivateTest",
        "fer2013.csv row 9": "pixel values must be integers",
    }


def test_fer2013_missing_column_is_an_error(tmp_path):
    (tmp_path / "fer2013.csv").write_text("emotion,pixels\n0,1 2 3\n")
    with pytest.raises(DatasetError, match=r"fer2013.csv: missing column\(s\) Usage"):
        import_fer2013(tmp_path, tmp_path / "out")


def test_fer2013_image_folders(tmp_path):
    rel = tmp_path / "kaggle"
    photo(rel / "train" / "angry" / "Training_10.jpg", mode="L")
    photo(rel / "train" / "happy" / "Training_11.jpg", seed=1, mode="L")
    photo(rel / "test" / "sad" / "PublicTest_12.jpg", seed=2, mode="L")
    photo(rel / "test" / "fear" / "PrivateTest_13.jpg", seed=3, mode="L")
    corrupt_jpeg(rel / "train" / "sad" / "Training_14.jpg")
    photo(rel / "train" / "contempt" / "Training_15.jpg", mode="L")
    dataset, report = import_fer2013(rel, tmp_path / "out")
    assert sorted(zip(dataset.table["label"], dataset.table["split"])) == [
        ("angry", "train"),
        ("fear", "test"),
        ("happy", "train"),
        ("sad", "valid"),
    ]
    assert {e["reason"] for e in report.entries} == {
        "not an image file PIL can read",
        "folder 'contempt' is not a FER2013 class (angry, disgust, fear, happy, sad, surprise, neutral)",
    }


def write_ferplus(folder, votes):
    rows = [("Training", f"fer{i:07d}.png" if v[-1] == 0 else "", *v) for i, v in enumerate(votes)]
    pd.DataFrame(rows, columns=HEADER).to_csv(folder / "fer2013new.csv", index=False)


def test_ferplus_majority_rules(tmp_path):
    rows = [(0, pixels(i), "Training") for i in range(5)]
    write_fer2013(tmp_path, rows)
    write_ferplus(
        tmp_path,
        [
            (0, 7, 1, 0, 0, 0, 0, 0, 2, 0),  # happiness
            (4, 4, 0, 0, 0, 0, 0, 0, 2, 0),  # tie
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 10),  # not a face
            (1, 0, 0, 0, 1, 0, 0, 0, 8, 0),  # mostly unknown
            (2, 0, 0, 6, 0, 0, 2, 0, 0, 0),  # sadness
        ],
    )
    dataset, report = import_ferplus(tmp_path, tmp_path / "out")
    assert report.source.endswith("fer2013.csv + fer2013new.csv (FER+ CSV layout)")
    assert list(dataset.table["label"]) == ["happiness", "sadness"]
    assert list(dataset.table["fer2013_label"]) == ["angry", "angry"]
    assert dataset.votes.loc[0, "happiness"] == 7 and dataset.votes.loc[1, "NF"] == 0
    assert [e["reason"] for e in report.entries] == [
        "tie between neutral and happiness (4 votes each)",
        "not a face (empty Image name)",
        "more unknown/not-a-face votes than for any emotion",
    ]
    assert len(list((tmp_path / "out" / "images" / "train").iterdir())) == 2


def test_ferplus_wrong_header_and_mismatched_usage(tmp_path):
    write_fer2013(tmp_path, GOOD_ROWS[:1])
    (tmp_path / "fer2013new.csv").write_text("Usage,Image name,neutral\nTraining,fer0000000.png,10\n")
    with pytest.raises(DatasetError, match="header must be Usage,Image name,neutral,happiness"):
        import_ferplus(tmp_path, tmp_path / "out")
    pd.DataFrame([("PublicTest", "fer0000000.png", *[10] + [0] * 9)], columns=HEADER).to_csv(
        tmp_path / "fer2013new.csv", index=False
    )
    with pytest.raises(DatasetError, match="row 2: Usage 'PublicTest' does not match"):
        import_ferplus(tmp_path, tmp_path / "out")


def test_ferplus_vote_that_is_not_a_count(tmp_path):
    write_fer2013(tmp_path, GOOD_ROWS[:1])
    pd.DataFrame([("Training", "fer0000000.png", *["ten"] + [0] * 9)], columns=HEADER).to_csv(
        tmp_path / "fer2013new.csv", index=False
    )
    with pytest.raises(DatasetError, match="row 2: neutral must be a vote count 0..10, got 'ten'"):
        import_ferplus(tmp_path, tmp_path / "out")


BOX = "(0, 0, 48, 48)"
HAPPY = (0, 9, 1, 0, 0, 0, 0, 0, 0, 0)


def ferplus_row(name, votes, box=BOX):
    """One row of FER+'s headerless label.csv: image name, face box (none from newer scripts), ten votes."""
    return [name, *([box] if box else []), *votes]


def write_ferplus_split(folder, rows, images=None):
    """A FER+ split folder: ``label.csv`` of ``rows`` and a grey 48×48 PNG per name in ``images``
    (default: every row's)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "label.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    for i, name in enumerate([r[0] for r in rows] if images is None else images):
        photo(folder / name, seed=i, mode="L")
    return folder


def test_ferplus_folders_majority_rules_and_no_fer2013_label(tmp_path, capsys):
    from emocourse.cli import main

    data = tmp_path / "FERPlus" / "data"
    write_ferplus_split(
        data / "FER2013Train",
        [
            ferplus_row("fer0000000.png", (4, 0, 0, 1, 3, 2, 0, 0, 0, 0)),  # neutral
            ferplus_row("fer0000001.png", (4, 4, 0, 0, 0, 0, 0, 0, 2, 0)),  # tie
            ferplus_row("fer0000002.png", (1, 0, 0, 0, 1, 0, 0, 0, 8, 0)),  # mostly unknown
        ],
    )
    write_ferplus_split(data / "FER2013Valid", [ferplus_row("fer0000003.png", HAPPY)])
    write_ferplus_split(data / "FER2013Test", [ferplus_row("fer0000004.png", (2, 0, 0, 6, 0, 0, 2, 0, 0, 0), box=None)])
    first = (data / "FER2013Train" / "label.csv").read_text().splitlines()[0]
    assert first == 'fer0000000.png,"(0, 0, 48, 48)",4,0,0,1,3,2,0,0,0,0'  # FER+'s own format
    for src in (data, data.parent):  # the data/ folder, or the FERPlus checkout holding it
        dataset, report = import_ferplus(src, tmp_path / "out")
        assert list(dataset.table["label"]) == ["neutral", "happiness", "sadness"]
        assert list(dataset.table["split"]) == ["train", "valid", "test"]
        assert "fer2013_label" not in dataset.table and dataset.info["fer2013_label"].startswith("absent")
        assert dataset.votes.loc[0, "anger"] == 3 and dataset.votes.loc[1, "happiness"] == 9
        assert [(e["where"], e["reason"]) for e in report.entries] == [
            ("FER2013Train/label.csv row 2", "tie between neutral and happiness (4 votes each)"),
            ("FER2013Train/label.csv row 3", "more unknown/not-a-face votes than for any emotion"),
        ]
        assert dataset.paths()[0].read_bytes() == (data / "FER2013Train" / "fer0000000.png").read_bytes()
        assert report.source == f"{data} (FER+ folder layout)"
    assert read_dataset(tmp_path / "out").table["source"][0] == "FER2013Train/label.csv row 1"
    assert main(["data", "import", "ferplus", str(data), "--out", str(tmp_path / "cli")]) == 0
    out = capsys.readouterr().out
    assert "(FER+ folder layout): kept 3, skipped 2" in out
    assert "note: no fer2013_label column: the folder layout has no FER2013 labels" in out


def test_ferplus_folders_missing_unlisted_and_repeated_images_are_reported(tmp_path):
    rows = [ferplus_row(f"fer000000{i}.png", HAPPY) for i in (0, 1, 0)]
    write_ferplus_split(tmp_path / "FER2013Train", rows, images=["fer0000000.png", "fer0000002.png"])
    write_ferplus_split(tmp_path / "FER2013Valid", [ferplus_row("fer0000003.png", HAPPY)])
    write_ferplus_split(tmp_path / "FER2013Test", [ferplus_row("fer0000004.png", HAPPY)])
    dataset, report = import_ferplus(tmp_path, tmp_path / "out")
    assert list(dataset.table["image"]) == [
        "images/train/fer0000000.png",
        "images/valid/fer0000003.png",
        "images/test/fer0000004.png",
    ]
    assert report.entries == [
        {
            "where": "FER2013Train/label.csv row 3",
            "action": "skipped",
            "reason": "image listed again (fer0000000.png, first at row 1)",
        },
        {
            "where": "FER2013Train/fer0000002.png",
            "action": "skipped",
            "reason": "no row of FER2013Train/label.csv names it",
        },
        {
            "where": "FER2013Train/label.csv row 2",
            "action": "skipped",
            "reason": "image missing (FER2013Train/fer0000001.png)",
        },
    ]


def test_ferplus_folders_malformed_row_stops_the_import_naming_file_and_row(tmp_path):
    good = ferplus_row("fer0000000.png", HAPPY)
    cases = [
        (
            [good, ferplus_row("fer0000001.png", ("ten", *HAPPY[1:]))],
            "row 2: neutral must be a vote count 0..10, got 'ten'",
        ),
        ([ferplus_row("fer0000000.png", (*HAPPY[:9], 11))], "row 1: NF must be a vote count 0..10, got '11'"),
        ([ferplus_row("fer0000000.png", (2.5, *HAPPY[1:]))], "row 1: neutral must be a vote count 0..10, got '2.5'"),
        ([good, good[:-1]], r"row 2: 11 fields; expected 12 \(image name, face box, ten votes\) or 11"),
        ([good + ["0"]], "row 1: 13 fields; expected 12"),
        ([ferplus_row("fer0000000.png", HAPPY, box="0 0 48 48")], r"row 1: face box '0 0 48 48' is not '\(left, top"),
    ]
    for rows, message in cases:
        write_ferplus_split(tmp_path / "FER2013Train", rows)
        with pytest.raises(DatasetError, match=f"FER2013Train/label.csv {message}"):
            import_ferplus(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_ferplus_folders_face_box_is_cropped_and_a_box_outside_the_image_skipped(tmp_path):
    rows = [
        ferplus_row("fer0000000.png", HAPPY, box="(8, 4, 40, 36)"),
        ferplus_row("fer0000001.png", HAPPY, box="(0, 0, 48, 60)"),
        ferplus_row("fer0000002.png", HAPPY, box="(10, 10, 10, 40)"),
        ferplus_row("fer0000003.png", HAPPY, box="(24, 24, 72, 72)"),
    ]
    folder = write_ferplus_split(tmp_path / "FER2013Train", rows, images=["fer0000000.png", "fer0000001.png"])
    photo(folder / "fer0000002.png", seed=2, mode="L")
    photo(folder / "fer0000003.png", seed=3, size=96, mode="L")
    dataset, report = import_ferplus(tmp_path, tmp_path / "out")
    assert [(e["where"][-5:], e["action"], e["reason"]) for e in report.entries] == [
        ("row 1", "fixed", "cropped to the face box (8, 4, 40, 36); resized to 48x48 (was 32x32)"),
        ("row 2", "skipped", "face box is empty or leaves the 48x48 image ((0, 0, 48, 60))"),
        ("row 3", "skipped", "face box is empty or leaves the 48x48 image ((10, 10, 10, 40))"),
        ("row 4", "fixed", "cropped to the face box (24, 24, 72, 72)"),
    ]
    with Image.open(folder / "fer0000000.png") as source:
        expected = source.crop((8, 4, 40, 36)).resize((48, 48), Image.Resampling.LANCZOS)
    with Image.open(dataset.paths()[0]) as face:
        assert np.array_equal(np.asarray(face), np.asarray(expected))
    with Image.open(folder / "fer0000003.png") as source, Image.open(dataset.paths()[1]) as face:
        assert np.array_equal(np.asarray(face), np.asarray(source)[24:72, 24:72])


def test_ferplus_folders_with_some_splits_import_them_and_say_which_are_missing(tmp_path):
    data = tmp_path / "data"
    write_ferplus_split(data / "FER2013Train", [ferplus_row("fer0000000.png", HAPPY)])
    photo(data / "FER2013Test" / "fer0000001.png", mode="L")  # a folder without label.csv
    dataset, report = import_ferplus(data, tmp_path / "out")
    assert list(dataset.table["split"]) == ["train"] and dataset.info["missing_splits"] == ["valid", "test"]
    assert report.notes[:2] == [
        f"no valid split: {data / 'FER2013Valid' / 'label.csv'} does not exist",
        f"no test split: {data / 'FER2013Test' / 'label.csv'} does not exist",
    ]
    assert report.entries[0]["where"] == "FER2013Test/fer0000001.png"
    assert "note: no test split" in report.summary()
    (data / "FER2013Train" / "label.csv").unlink()
    expected = "FER2013Train/label.csv, FER2013Valid/label.csv, FER2013Test/label.csv"
    with pytest.raises(DatasetError, match=f"data: no FER\\+ split to import; expected {expected}"):
        import_ferplus(data, tmp_path / "out2")
    with pytest.raises(DatasetError, match=r"no FER\+ release; expected fer2013.csv \+ fer2013new.csv, or the folders"):
        import_ferplus(tmp_path / "elsewhere", tmp_path / "out3")


def test_ferplus_folders_colour_odd_sized_and_unreadable_images(tmp_path):
    names = [f"fer000000{i}.png" for i in range(4)]
    folder = write_ferplus_split(tmp_path / "FER2013Train", [ferplus_row(n, HAPPY) for n in names], images=[])
    photo(folder / names[0], mode="RGB")
    photo(folder / names[1], size=96, mode="L")
    sixteen_bit_png(folder / names[2])
    truncated_png(folder / names[3])
    dataset, report = import_ferplus(tmp_path, tmp_path / "out")
    assert [(e["action"], e["reason"].split(" (")[0]) for e in report.entries] == [
        ("fixed", "converted RGB to grey"),
        ("fixed", "resized to 48x48"),
        ("fixed", "scaled I;16 pixels to 8 bits"),
        ("skipped", "corrupt or truncated image"),
    ]
    for path in dataset.paths():
        with Image.open(path) as face:
            assert (face.mode, face.size) == ("L", (48, 48))


def test_ferplus_folder_layout_agrees_with_the_csv_layout(tmp_path):
    from emocourse.data.standins import make_faces

    make_faces(tmp_path / "faces", n=120, seed=1)
    release = tmp_path / "faces" / "release"
    from_csv, csv_report = import_ferplus(release, tmp_path / "csv")
    folders = write_ferplus_folders(release, tmp_path / "FERPlus" / "data")
    from_folders, folder_report = import_ferplus(folders, tmp_path / "folders")

    def by_name(dataset, names):
        return dataset.table.assign(name=names).set_index("name")[["label", "split", *dataset.vote_columns]]

    csv_names = [f"fer{int(source.split()[-1]) - 2:07d}.png" for source in from_csv.table["source"]]
    folder_names = [PurePosixPath(image).name for image in from_folders.table["image"]]
    pd.testing.assert_frame_equal(by_name(from_csv, csv_names), by_name(from_folders, folder_names))
    assert "fer2013_label" in from_csv.table and "fer2013_label" not in from_folders.table
    for a, b in zip(from_csv.paths(), from_folders.paths()):
        assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))
    faces_skipped = [e["reason"] for e in csv_report.entries if e["reason"] != "not a face (empty Image name)"]
    assert [e["reason"] for e in folder_report.entries] == faces_skipped and faces_skipped


def test_emoset_rows_of_both_shapes_map_by_name(tmp_path):
    rel = tmp_path / "EmoSet-118K"
    photo(rel / "image" / "anger" / "anger_00001.jpg")
    photo(rel / "image" / "awe" / "awe_00002.jpg", seed=1)
    photo(rel / "image" / "fear" / "fear_00003.jpg", seed=2, mode="CMYK")
    splits = {
        "train.json": [
            ["anger", "anger_00001", "image/anger/anger_00001.jpg", "annotation/anger/anger_00001.json"],
            ["awe", "image/awe/awe_00002.jpg", "annotation/awe/awe_00002.json"],
        ],
        "val.json": [["fear", "fear_00003", "image/fear/fear_00003.jpg", "annotation/fear/fear_00003.json"]],
        "test.json": [
            ["joy", "image/joy/1.jpg", "annotation/joy/1.json"],
            ["sadness", "image/sadness/missing.jpg", "annotation/sadness/missing.json"],
        ],
    }
    for name, rows in splits.items():
        (rel / name).write_text(json.dumps(rows))
    dataset, report = import_emoset(rel, tmp_path / "out")
    assert list(zip(dataset.table["label"], dataset.table["split"])) == [
        ("anger", "train"),
        ("awe", "train"),
        ("fear", "valid"),
    ]
    assert dataset.classes == list(FI.classes)
    assert [e["action"] for e in report.entries] == ["fixed", "skipped", "skipped"]
    assert "unknown label 'joy'" in report.entries[1]["reason"]


def test_fi_release_drops_placeholders_and_unreadables_and_splits_80_5_15(tmp_path):
    root = tmp_path / "emotion_dataset"
    for e, emotion in enumerate(FI):
        for i in range(20):
            photo(root / emotion / f"{emotion}_{i:04d}.jpg", seed=100 * e + i, size=24)
    placeholder = photo(tmp_path / "unavailable.jpg", seed=999, size=24).read_bytes()
    for emotion in ("anger", "awe", "fear"):
        (root / emotion / f"{emotion}_9999.jpg").write_bytes(placeholder)
    truncated_png(root / "sadness" / "sadness_0100.png")
    exif_rotated_jpeg(root / "awe" / "awe_0101.jpg")
    sixteen_bit_png(root / "fear" / "fear_0102.png")
    dataset, report = import_fi(tmp_path, tmp_path / "out", seed=1)
    assert len(dataset.table) == 8 * 20 + 2
    assert report.skipped == 4 and len(report.entries) - report.skipped == 2
    shares = dataset.table["split"].value_counts(normalize=True)
    assert abs(shares["train"] - 0.80) < 0.03 and abs(shares["test"] - 0.15) < 0.03 and shares["valid"] > 0
    again, _ = import_fi(tmp_path, tmp_path / "again", seed=1)
    assert list(again.table["split"]) == list(dataset.table["split"])


def test_fi_wrong_layout_says_what_is_missing(tmp_path):
    photo(tmp_path / "emotion_dataset" / "amusement" / "amusement_0001.jpg")
    with pytest.raises(DatasetError, match="no folder for anger, awe"):
        import_fi(tmp_path, tmp_path / "out")


def test_folder_tree_and_csv(tmp_path):
    for label in ("calm", "tense"):
        for i in range(10):
            photo(tmp_path / "tree" / label / f"{i}.png", seed=i + (50 if label == "tense" else 0), size=16)
    dataset, _ = import_folder(tmp_path / "tree", tmp_path / "out")
    assert dataset.classes == ["calm", "tense"] and len(dataset.table) == 20
    listing = pd.DataFrame(
        {
            "path": ["tree/calm/0.png", "tree/tense/0.png", "tree/calm/nope.png"],
            "label": ["calm", "tense", "calm"],
            "split": ["train", "test", "train"],
        }
    )
    listing.to_csv(tmp_path / "list.csv", index=False)
    dataset, report = import_folder(tmp_path / "list.csv", tmp_path / "out2")
    assert list(dataset.table["split"]) == ["train", "test"]
    assert report.entries[0]["where"] == f"{tmp_path / 'list.csv'} row 4"
    listing.assign(split="holdout").to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(DatasetError, match="row 2: split 'holdout'"):
        import_folder(tmp_path / "bad.csv", tmp_path / "out3")


def test_folder_file_name_that_is_not_utf8_is_kept_under_a_safe_name(tmp_path):
    import os

    tree = tmp_path / "tree"
    for label in ("calm", "tense"):
        for i in range(4):
            photo(tree / label / f"{i}.png", seed=i + (50 if label == "tense" else 0), size=16)
    odd = os.path.join(os.fsencode(tree / "calm"), b"caf\xe9.png")  # Latin-1 bytes, not UTF-8
    with open(odd, "wb") as f:
        f.write((tree / "calm" / "0.png").read_bytes()[:-1] + b"\x00")  # a distinct file
    os.mkdir(os.path.join(os.fsencode(tree), b"s\xe4d"))  # a class folder whose name is not UTF-8
    dataset, report = import_folder(tree, tmp_path / "out")
    assert dataset.classes == ["calm", "tense"] and len(dataset.table) == 9
    assert (dataset.root / "labels.csv").read_text(encoding="utf-8")  # a valid UTF-8 table
    renamed = [e for e in report.entries if "not valid UTF-8" in e["reason"]]
    assert sorted(e["action"] for e in renamed) == ["fixed", "skipped"]
    assert any("caf\\xe9.png" in e["where"] for e in renamed)
    assert read_dataset(tmp_path / "out").table["image"].str.contains("renamed.png").sum() == 1
    report.write(tmp_path / "report.csv")  # the report is writable too


def test_folder_csv_refuses_empty_labels_and_paths_outside_its_folder(tmp_path):
    photo(tmp_path / "list" / "a.png", seed=1, size=16)
    photo(tmp_path / "list" / "b.png", seed=2, size=16)
    photo(tmp_path / "outside.png", seed=3, size=16)
    pd.DataFrame(
        {"path": ["a.png", "b.png", "../outside.png", "/etc/passwd"], "label": ["calm", "", "calm", "calm"]}
    ).to_csv(tmp_path / "list" / "list.csv", index=False)
    dataset, report = import_folder(tmp_path / "list" / "list.csv", tmp_path / "out")
    assert dataset.classes == ["calm"] and list(dataset.table["source"]) == [str(tmp_path / "list" / "a.png")]
    reasons = [e["reason"] for e in report.entries]
    assert reasons[0] == "empty label"
    assert all("leaves the CSV's folder" in r for r in reasons[1:]) and len(reasons) == 3


def test_a_class_without_a_name_is_refused(tmp_path):
    from emocourse.data import write_dataset

    photo(tmp_path / "images" / "a.png", size=16)
    table = pd.DataFrame({"image": ["images/a.png"], "label": [""], "split": ["train"]})
    with pytest.raises(DatasetError, match="classes must be a non-empty list of names"):
        write_dataset(tmp_path, table, {"name": "x", "classes": [""]})


def test_emoset_split_file_that_is_not_a_list_is_named_and_nothing_is_written(tmp_path):
    rel = tmp_path / "EmoSet-118K"
    photo(rel / "image" / "anger" / "anger_00001.jpg")
    (rel / "train.json").write_text(json.dumps([["anger", "image/anger/anger_00001.jpg", "annotation/a.json"]]))
    (rel / "val.json").write_text(json.dumps({"not": "a list"}))
    (rel / "test.json").write_text("[]")
    with pytest.raises(
        DatasetError,
        match=r"val\.json: expected a JSON list of \[label, id, image, annotation\] rows, found a JSON dict",
    ):
        import_emoset(rel, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_emotion6_keyword_labels_keep_votes_valence_arousal_and_deal_splits(tmp_path):
    from emocourse.train.faces import vote_shares

    release = write_emotion6(tmp_path / "download" / "Emotion6", per_class=10)
    dataset, report = import_emotion6(tmp_path / "download", tmp_path / "out")  # the folder holding it
    assert dataset.classes == ["anger", "disgust", "fear", "joy", "sadness", "surprise"]
    assert len(dataset.table) == 60 and report.entries == [] and report.source == f"{release} (Emotion6)"
    assert (dataset.table["label"] == dataset.table["keyword"]).all()
    truth = pd.read_csv(release / "ground_truth.txt", sep="\t")
    assert list(truth.columns[:4]) == ["[image_filename]", "[valence]", "[arousal]", "[prob. anger]"]
    table = read_dataset(tmp_path / "out").table
    assert list(table["source"]) == [f"images/{name}" for name in truth["[image_filename]"]]
    assert (
        table[[f"votes_{c}" for c in EMOTION6]].to_numpy().tolist()
        == (truth.iloc[:, 3:] * 15).round().astype(int).to_numpy().tolist()
    )
    assert table["valence"].dtype == float and table["valence"].tolist() == truth["[valence]"].tolist()
    assert table["arousal"].tolist() == truth["[arousal]"].tolist()
    assert dataset.paths()[0].read_bytes() == (release / "images" / "anger" / "1.jpg").read_bytes()
    assert (dataset.counts()["test"] >= 1).all() and set(table["split"]) == {"train", "valid", "test"}
    assert dataset.info["split"].startswith("none ships: seeded (0) stratified 80/5/15")
    assert dataset.info["citation"] == "peng2015mixed" and dataset.info["label"].startswith("keyword: ")
    again, _ = import_emotion6(release, tmp_path / "again")
    assert list(again.table["split"]) == list(dataset.table["split"])
    votes = table[[f"votes_{c}" for c in dataset.classes]]  # neutral votes have no class here
    shares = vote_shares(dataset)
    np.testing.assert_allclose(shares[:, dataset.classes.index("joy")], votes["votes_joy"] / votes.sum(axis=1))


def test_emotion6_raters_majority_skips_the_tie_and_the_summary_says_how_often_it_is_the_keyword(tmp_path, capsys):
    from emocourse.cli import main

    release = write_emotion6(tmp_path / "Emotion6", per_class=10)
    dataset, report = import_emotion6(release, tmp_path / "out", label="raters")
    assert dataset.classes == list(EMOTION6.classes)
    assert report.entries == [
        {
            "where": "ground_truth.txt row 52",
            "action": "skipped",
            "reason": "tie between joy and surprise (6 votes each)",
        }
    ]
    labels = dict(zip(dataset.table["source"], dataset.table["label"]))
    assert [labels[f"images/anger/{n}.jpg"] for n in (1, 2, 4)] == ["anger", "neutral", "disgust"]
    agreement = "raters' majority = keyword for 58.3 % (35) of 60 photos; neutral for 20.0 % (12); tied for 1.7 % (1)"
    assert agreement in report.notes
    for label in ("raters", "keyword"):
        assert main(["data", "import", "emotion6", str(release), "--out", str(tmp_path / label), "--label", label]) == 0
        out = capsys.readouterr().out
        assert f"note: {agreement}" in out and "note: split: none ships: seeded (0) stratified 80/5/15" in out
    assert "kept 60, skipped 0" in out and "note: label: the search keyword" in out
    assert main(["data", "import", "ferplus", str(release), "--out", str(tmp_path / "x"), "--label", "raters"]) == 2
    assert "--label applies to emotion6 only" in capsys.readouterr().err


def test_emotion6_missing_unlisted_repeated_and_unreadable_images_are_reported(tmp_path):
    release = write_emotion6(tmp_path / "Emotion6", per_class=5)
    (release / "images" / "anger" / "3.jpg").unlink()
    photo(release / "images" / "joy" / "99.jpg", size=32)
    photo(release / "images" / "happy" / "1.jpg", size=32)
    corrupt_jpeg(release / "images" / "sadness" / "2.jpg")
    photo(release / "images" / "surprise" / "2.jpg", size=32, mode="CMYK")
    truth = release / "ground_truth.txt"
    lines = truth.read_text().splitlines()
    lines += [lines[11].replace("fear/1.jpg", "happy/1.jpg"), lines[11]]
    truth.write_bytes("".join(f"{line} \t\r\n" for line in lines).encode())  # CRLF, trailing blanks
    dataset, report = import_emotion6(release, tmp_path / "out")
    assert len(dataset.table) == 30 - 2
    assert [(e["where"], e["action"], e["reason"]) for e in report.entries] == [
        ("ground_truth.txt row 33", "skipped", "image listed again (fear/1.jpg, first at row 12)"),
        ("images/joy/99.jpg", "skipped", "no row of ground_truth.txt names it"),
        ("ground_truth.txt row 4", "skipped", "image missing (images/anger/3.jpg)"),
        ("ground_truth.txt row 23", "skipped", "not an image file PIL can read"),
        ("ground_truth.txt row 28", "fixed", "converted CMYK to RGB"),
        (
            "ground_truth.txt row 32",
            "skipped",
            "folder 'happy' is not an Emotion6 keyword (anger, disgust, fear, joy, sadness, surprise)",
        ),
    ]
    assert "images/surprise/2.png" in set(dataset.table["image"])


def e6_row(name="anger/1.jpg", valence="3.1", arousal="6.2", shares=("0.733333", "0.133333", "0.133333")):
    """One ``ground_truth.txt`` row: the shares given, then zeros up to seven."""
    return "\t".join([name, valence, arousal, *shares, *["0"] * (7 - len(shares))])


def test_emotion6_malformed_rows_stop_the_import_naming_file_row_and_column(tmp_path):
    release = write_emotion6(tmp_path / "Emotion6", per_class=1)
    header, first, *rest = (release / "ground_truth.txt").read_text().splitlines()
    cases = [
        (e6_row(valence="high"), "row 2: valence must be a number, got 'high'"),
        (e6_row(shares=("0.733333", "0.133333", "nan")), "row 2: prob. fear must be a number, got 'nan'"),
        (e6_row(valence="9.5"), "row 2: valence must be 1..9, got '9.5'"),
        (e6_row(arousal="0.9"), "row 2: arousal must be 1..9, got '0.9'"),
        (e6_row(shares=("1.2",)), "row 2: prob. anger must be 0..1, got '1.2'"),
        (e6_row(shares=("0.5", "0.5")), "row 2: prob. anger 0.5 is no whole number of 15 raters' votes"),
        (e6_row(shares=("0.6",)), r"row 2: the seven shares sum to 0.6, not 1 \(9 of 15 raters' votes\)"),
        (e6_row()[: e6_row().rindex("\t")], "row 2: 9 fields; expected 10 \\(image_filename, valence"),
    ]
    for row, message in cases:
        (release / "ground_truth.txt").write_text("\n".join([header, row, *rest]) + "\n")
        with pytest.raises(DatasetError, match=f"ground_truth.txt {message}"):
            import_emotion6(release, tmp_path / "out")
    (release / "ground_truth.txt").write_text("\n".join([first, *rest]) + "\n")
    with pytest.raises(DatasetError, match="ground_truth.txt row 1: a photo's row; the first line must be the header"):
        import_emotion6(release, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    rounded = e6_row(shares=("0.7333", "0.13", "0.1333"))  # shares printed with fewer digits: 11, 2, 2 votes
    (release / "ground_truth.txt").write_text("\n".join([header, rounded, *rest]) + "\n")
    dataset, _ = import_emotion6(release, tmp_path / "out")
    assert dataset.votes.iloc[0].tolist() == [11, 2, 2, 0, 0, 0, 0]


def test_emotion6_release_is_found_in_the_folder_or_its_one_subfolder(tmp_path):
    with pytest.raises(DatasetError, match="expected one Emotion6 release \\(images/ and ground_truth.txt\\) here"):
        import_emotion6(tmp_path, tmp_path / "out")
    write_emotion6(tmp_path / "a", per_class=1)
    write_emotion6(tmp_path / "b", per_class=1)
    with pytest.raises(DatasetError, match="in one subfolder; found it in a, b"):
        import_emotion6(tmp_path, tmp_path / "out")
    with pytest.raises(ValueError, match="label must be one of keyword, raters, got 'votes'"):
        import_emotion6(tmp_path / "a", tmp_path / "out", label="votes")


def test_emotion6_fixture_is_the_same_bytes_for_the_same_seed(tmp_path):
    def files(folder):
        return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    first = files(write_emotion6(tmp_path / "a", per_class=5, seed=3))
    assert first == files(write_emotion6(tmp_path / "b", per_class=5, seed=3)) and len(first) == 31
    assert first != files(write_emotion6(tmp_path / "c", per_class=5, seed=4))
