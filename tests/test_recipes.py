"""``emocourse train`` and ``emocourse predict``: named recipes, model folders, and their errors."""

import json
import shutil

import pytest
import torch

from emocourse.cli import main
from emocourse.data.standins import make_faces
from emocourse.train import recipes
from emocourse.train.faces import FacesConfig, augment, faces_network


@pytest.fixture(scope="module")
def small_faces(tmp_path_factory):
    """A 350-face stand-in: 280 to train on."""
    folder = tmp_path_factory.mktemp("faces")
    make_faces(folder, n=350, seed=3)
    return folder


@pytest.fixture(scope="module")
def faces_model(small_faces, tmp_path_factory, monkeypatch_module):
    """The faces recipe trained for two epochs (the profile's other settings unchanged)."""
    from emocourse.train import faces

    monkeypatch_module.setitem(faces.PROFILES, "fast", FacesConfig(epochs=2))
    out = tmp_path_factory.mktemp("model") / "faces-model"
    assert main(["train", str(small_faces), "--recipe", "faces", "--out", str(out), "--seed", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _faces(folder, n):
    return sorted((folder / "images").rglob("*.png"))[:n]


def test_train_ends_with_one_line_and_writes_a_complete_model_folder(faces_model, capsys):
    description = json.loads((faces_model / "model.json").read_text())
    assert description["format"] == "emocourse-model" and description["recipe"] == "faces"
    assert description["classes"] == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    assert description["metrics"]["split"] == "test" and description["metrics"]["images"] > 0
    assert sorted(p.name for p in faces_model.iterdir()) == ["history.csv", "model.json", "weights.safetensors"]


def test_predict_gives_the_top_three_as_lines_and_as_json(faces_model, small_faces, capsys):
    images = _faces(small_faces, 2)
    assert main(["predict", str(faces_model), *map(str, images)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{images[0]}: ") and lines[0].count("%") == 3
    assert main(["predict", str(faces_model), str(images[0]), "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    probabilities = [guess["probability"] for guess in result["top"]]
    assert len(probabilities) == 3 and probabilities == sorted(probabilities, reverse=True)


def test_a_saved_model_predicts_what_the_trained_one_did(faces_model, small_faces):
    model, description = recipes.load(faces_model)
    recipe = recipes.RECIPES["faces"]
    from PIL import Image

    batch = recipe.inputs(description["config"], [Image.open(p) for p in _faces(small_faces, 4)])
    assert batch.dtype == torch.uint8 and batch.shape == (4, 1, 48, 48)
    first, again = recipe.probabilities(model, batch), recipe.probabilities(recipes.load(faces_model)[0], batch)
    assert torch.equal(first, again) and torch.allclose(first.sum(1), torch.ones(4))


def test_predict_names_an_image_it_cannot_read(faces_model, tmp_path, capsys):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really a jpeg")
    assert main(["predict", str(faces_model), str(broken)]) == 2
    assert f"{broken}: cannot read this image" in capsys.readouterr().err


def test_predict_refuses_a_folder_it_did_not_write(faces_model, tmp_path, capsys):
    assert main(["predict", str(tmp_path), "x.png"]) == 2
    assert "not a model folder written by 'emocourse train'" in capsys.readouterr().err
    other = tmp_path / "other"
    shutil.copytree(faces_model, other)
    (other / "model.json").write_text(json.dumps({"format": "someone-else"}))
    assert main(["predict", str(other), "x.png"]) == 2
    assert "not written by 'emocourse train'" in capsys.readouterr().err
    damaged = tmp_path / "damaged"
    shutil.copytree(faces_model, damaged)
    (damaged / "weights.safetensors").write_bytes(b"0" * 64)
    assert main(["predict", str(damaged), "x.png"]) == 2
    assert "missing or damaged" in capsys.readouterr().err


def test_an_unknown_recipe_and_a_corrupt_training_image_get_one_line(small_faces, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["train", str(small_faces), "--recipe", "nonsense", "--out", str(tmp_path / "m")])
    assert stopped.value.code == 2
    assert "invalid choice: 'nonsense' (choose from 'faces', 'transfer')" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown recipe 'nonsense': choose one of faces, transfer"):
        recipes.train_recipe("nonsense", None)
    copy = tmp_path / "faces"
    shutil.copytree(small_faces, copy)
    victim = _faces(copy, 1)[0]
    victim.write_bytes(b"not a png")
    assert main(["train", str(copy), "--recipe", "faces", "--out", str(tmp_path / "m")]) == 2
    assert f"{victim}: cannot read this image" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_augmentation_keeps_shapes_and_the_range_and_is_seeded():
    faces = torch.randint(0, 256, (8, 1, 48, 48), dtype=torch.uint8)
    torch.manual_seed(0)
    first = augment(faces, FacesConfig())
    torch.manual_seed(0)
    assert torch.equal(first, augment(faces, FacesConfig()))
    assert first.shape == faces.shape and first.min() >= 0 and first.max() <= 255
    assert faces_network(7, FacesConfig())(first).shape == (8, 7)


def test_transfer_recipe_round_trips_through_its_model_folder(tmp_path, monkeypatch):
    """The rebuilt network, fed by predict's own preprocessing, scores what training measured."""
    from dataclasses import replace

    from PIL import Image

    from emocourse.data.standins import make_affect
    from emocourse.train import transfer

    monkeypatch.setitem(
        transfer.PROFILE_CONFIGS, "fast", replace(transfer.PROFILE_CONFIGS["fast"], head_epochs=3, stage_epochs=1)
    )
    data = make_affect(tmp_path / "affect", n=160, seed=2)
    out = tmp_path / "transfer-model"
    assert main(["train", str(data.root), "--recipe", "transfer", "--out", str(out)]) == 0
    model, description = recipes.load(out)
    test = data.table[data.table["split"] == "test"]
    recipe = recipes.RECIPES["transfer"]
    batch = recipe.inputs(description["config"], [Image.open(p) for p in data.paths(test)])
    predicted = recipe.probabilities(model, batch).argmax(1).numpy()
    accuracy = (predicted == test["label"].map(data.classes.index).to_numpy()).mean()
    assert accuracy == pytest.approx(description["metrics"]["accuracy"], abs=1 / len(test))
