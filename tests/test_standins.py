"""Stand-in generators: deterministic, in the real layouts, usable through load() and the CLI."""

import filecmp

import pandas as pd

from emocourse.cli import main
from emocourse.data import load, read_dataset
from emocourse.data.adapters.fer_csv import HEADER
from emocourse.data.standins import affect, make_affect, make_faces, shown_faces


def _same_tree(a, b):
    comparison = filecmp.dircmp(a, b)
    assert not comparison.left_only and not comparison.right_only and not comparison.diff_files, comparison.report()
    for sub in comparison.common_dirs:
        _same_tree(a / sub, b / sub)


def test_affect_is_deterministic_and_crawl_shaped(tmp_path):
    first = make_affect(tmp_path / "a", n=120, size=48, seed=7, workers=1)
    make_affect(tmp_path / "b", n=120, size=48, seed=7, workers=2)
    _same_tree(tmp_path / "a", tmp_path / "b")
    assert len(first.table) == 120 and first.table["agree"].between(3, 5).all()
    manifest = pd.read_csv(tmp_path / "a" / "crawl" / "manifest.csv")
    truth = pd.read_csv(tmp_path / "a" / "crawl" / "truth.csv")
    live = {int(p.stem) for p in (tmp_path / "a" / "crawl" / "images").iterdir()}
    assert live == set(truth.loc[truth["alive"], "id"]) and len(live) < len(manifest)  # dead links have no file
    assert (truth["duplicate_of"] >= 0).any() and truth["monochrome"].any()
    grouped = first.table.groupby("group")["split"].nunique()
    assert (grouped == 1).all()  # near-duplicates never straddle splits
    other_seed = make_affect(tmp_path / "c", n=120, size=48, seed=8, workers=1)
    assert not other_seed.table["image"].equals(first.table["image"])


def test_affect_faces_are_recorded_and_can_be_redrawn(tmp_path):
    dataset = make_affect(tmp_path / "a", n=120, size=64, seed=7, workers=1)
    faces = shown_faces(dataset)
    truth = pd.read_csv(tmp_path / "a" / "crawl" / "truth.csv", keep_default_na=False).set_index("id")
    assert faces.index.equals(dataset.table.index) and 0.6 < (faces != "").mean() < 0.95
    shown = truth[truth["face"] != ""]
    assert (shown["face"] == shown["primary"]).all()  # the face shows the image's main emotion
    assert shown_faces(make_faces(tmp_path / "f", n=120)) is None
    c = affect.Candidate(id=int(shown.index[0]), **shown.iloc[0].drop("face").to_dict())
    own = affect.draw(c, 64)
    assert affect.draw(c, 64, expression=c.primary).tobytes() == own.tobytes()
    assert affect.draw(c, 64, expression="").tobytes() != own.tobytes()


def test_affect_ratings_follow_the_emotions_without_touching_the_crawl(tmp_path, monkeypatch):
    """Mean valence and arousal (1-9) from a generator of their own: drawing them leaves the crawl, the
    images and every other column as they were (here: the same bytes with the ratings constant)."""
    rated = make_affect(tmp_path / "rated", n=120, size=48, seed=7, workers=1)
    table = rated.table
    assert table["valence"].between(1, 9).all() and table["arousal"].between(1, 9).all()
    by_label = table.groupby("label")[["valence", "arousal"]].mean()
    assert by_label.loc["contentment", "valence"] > 5 > by_label.loc["sadness", "valence"]
    assert by_label.loc["excitement", "arousal"] > by_label.loc["contentment", "arousal"]
    monkeypatch.setattr(affect, "mean_ratings", lambda c, seed: (5.0, 5.0))
    flat = make_affect(tmp_path / "flat", n=120, size=48, seed=7, workers=1)
    assert flat.table.drop(columns=["valence", "arousal"]).equals(table.drop(columns=["valence", "arousal"]))
    _same_tree(tmp_path / "rated" / "crawl", tmp_path / "flat" / "crawl")
    _same_tree(tmp_path / "rated" / "images", tmp_path / "flat" / "images")


def test_faces_are_deterministic_in_the_fer2013_layout(tmp_path):
    make_faces(tmp_path / "a", n=150, seed=3)
    dataset = make_faces(tmp_path / "b", n=150, seed=3)
    _same_tree(tmp_path / "a", tmp_path / "b")
    release = tmp_path / "a" / "release"
    fer = pd.read_csv(release / "fer2013.csv")
    assert list(fer.columns) == ["emotion", "pixels", "Usage"] and len(fer) == 150
    assert fer["pixels"].str.split().str.len().eq(2304).all()
    assert tuple(pd.read_csv(release / "fer2013new.csv").columns) == HEADER
    assert dataset.votes is not None and dataset.votes.sum(axis=1).eq(10).all()


def test_load_generates_a_standin_once(tmp_path, monkeypatch):
    monkeypatch.setenv("EMOCOURSE_HOME", str(tmp_path))  # the session's home may hold the default stand-ins already
    calls = []
    monkeypatch.setattr(
        "emocourse.data.standins.STANDINS", {"faces": lambda out: calls.append(out) or make_faces(out, n=120)}
    )
    first = load("faces")
    again = load("faces")
    assert len(calls) == 1 and first.root == again.root == tmp_path / "data" / "faces"


def test_load_regenerates_a_standin_of_another_generator_version(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EMOCOURSE_HOME", str(tmp_path))
    monkeypatch.setattr("emocourse.data.standins.STANDINS", {"faces": lambda out: make_faces(out, n=120)})
    old = load("faces")
    (old.root / "left_over.txt").write_text("from the old generator")
    monkeypatch.setattr("emocourse.data.standins.GENERATOR_VERSIONS", {"faces": 99})
    capsys.readouterr()
    assert load("faces").root == old.root
    assert "made by generator version 1; regenerating it with version 99" in capsys.readouterr().out
    assert not (old.root / "left_over.txt").exists() and not list(tmp_path.glob("data/.faces*"))


def test_cli_make_and_import(tmp_path, capsys):
    assert main(["data", "make", "faces", "--out", str(tmp_path / "faces"), "--n", "120", "--seed", "1"]) == 0
    assert main(["data", "import", "ferplus", str(tmp_path / "faces" / "release"), "--out", str(tmp_path / "fp")]) == 0
    out = capsys.readouterr().out
    assert "kept" in out and (tmp_path / "fp" / "import_report.csv").is_file()
    assert read_dataset(tmp_path / "fp").classes[0] == "neutral"
    assert main(["data", "make", "faces", "--out", str(tmp_path / "x"), "--size", "64"]) == 2
    assert "--size applies to 'affect' only" in capsys.readouterr().err
    assert main(["data", "calibrate", str(tmp_path / "fp")]) == 2
