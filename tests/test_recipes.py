"""``emocourse train`` and ``emocourse predict``: named recipes, model folders, and their errors."""

import json
import shutil

import pytest
import torch
from PIL import Image

from emocourse.cli import main
from emocourse.data.standins import make_faces
from emocourse.train import recipes
from emocourse.train.recipes import onnx_probabilities
from emocourse.train.faces import FacesConfig, augment, faces_network
from emocourse.train.photos import crop_face


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


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """scikit-image's astronaut (one frontal face) and coffee (none), as PNG files; the astronaut's face
    box and the face cut out as a file."""
    from PIL import Image
    from skimage import data

    folder = tmp_path_factory.mktemp("photos")
    for name in ("astronaut", "coffee"):
        Image.fromarray(getattr(data, name)()).save(folder / f"{name}.png")
    astronaut = Image.open(folder / "astronaut.png")
    _, box = crop_face(astronaut)
    astronaut.crop(box).save(folder / "face.png")
    assert crop_face(Image.open(folder / "coffee.png")) == (None, None)
    return folder, box


def _faces(folder, n):
    return sorted((folder / "images").rglob("*.png"))[:n]


def _predicted(capsys, *argv):
    assert main(["predict", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_train_ends_with_one_line_and_writes_a_complete_model_folder(faces_model, capsys):
    description = json.loads((faces_model / "model.json").read_text())
    assert description["format"] == "emocourse-model" and description["recipe"] == "faces"
    assert description["classes"] == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    assert description["metrics"]["split"] == "test" and description["metrics"]["images"] > 0
    assert sorted(p.name for p in faces_model.iterdir()) == [
        "MODEL_CARD.md",
        "history.csv",
        "model.json",
        "model.onnx",
        "weights.safetensors",
    ]


def test_train_writes_a_model_card_with_what_it_knows_and_blanks_for_the_rest(faces_model, tmp_path):
    import pandas as pd

    from emocourse.train.recipes import write_model_card

    description = json.loads((faces_model / "model.json").read_text())
    recall = description["metrics"]["recall"]
    assert set(recall) <= set(description["classes"]) and all(0 <= r <= 1 for r in recall.values())
    assert description["data"]["images"]["train"] == 280 and description["data"]["licence"] == "CC0 (generated)"
    card = (faces_model / "MODEL_CARD.md").read_text()
    accuracy = description["metrics"]["accuracy"]
    assert f"**{accuracy:.1%}**" in card and "| happy " in card and "Art. 5(1)(f)" in card
    assert card.count("TO BE WRITTEN BY A PERSON") == 7 and "not measured" in card
    audited = shutil.copytree(faces_model, tmp_path / "audited")
    by_group = pd.DataFrame({"accuracy": [0.7, 0.535]}, index=pd.Index(["A", "B"], name="subgroup"))
    card = write_model_card(audited, by_group, "subgroup").read_text()
    assert "Measured by `subgroup`" in card and "| accuracy | 70.0 | 53.5 |" in card and "not measured" not in card


def test_predict_help_says_it_measures_a_perceived_expression(capsys):
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    assert "perceived expression, not what anyone feels" in " ".join(capsys.readouterr().out.split())


def test_predict_gives_the_top_three_as_lines_and_as_json(faces_model, small_faces, capsys):
    images = _faces(small_faces, 2)
    assert main(["predict", str(faces_model), *map(str, images)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{images[0]}: ") and lines[0].count("%") == 3
    assert main(["predict", str(faces_model), str(images[0]), "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    probabilities = [guess["probability"] for guess in result["top"]]
    assert len(probabilities) == 3 and probabilities == sorted(probabilities, reverse=True)


def test_predict_finds_the_face_in_a_photo_and_says_where(faces_model, photos, capsys):
    folder, box = photos
    assert main(["predict", str(faces_model), str(folder / "astronaut.png")]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{folder / 'astronaut.png'}: ") and line.endswith(f" (face box {list(box)})")
    [found] = _predicted(capsys, faces_model, folder / "astronaut.png", "--face", "auto")
    assert found["face_mode"] == "auto" and found["face"] == {"box": list(box)}
    [cut] = _predicted(capsys, faces_model, folder / "face.png", "--face", "crop")  # the same face, cut by hand
    assert cut["face"] is None and cut["top"] == found["top"]
    [whole] = _predicted(capsys, faces_model, folder / "astronaut.png", "--face", "none")
    assert whole["face_mode"] == "none" and whole["face"] is None
    # A phone stores a portrait photo on its side, with an EXIF tag saying how to turn it upright.
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to show
    Image.open(folder / "astronaut.png").transpose(Image.Transpose.ROTATE_90).save(folder / "side.png", exif=exif)
    [upright] = _predicted(capsys, faces_model, folder / "side.png")
    assert upright["face"] == {"box": list(box)} and upright["top"] == found["top"]


def test_a_photo_without_a_face_stops_with_one_line_unless_told_to_use_it_whole(faces_model, photos, capsys):
    folder, _ = photos
    coffee, astronaut = folder / "coffee.png", folder / "astronaut.png"
    assert main(["predict", str(faces_model), str(coffee)]) == 2
    out, err = capsys.readouterr()
    assert not out
    assert err == f"emocourse: {coffee}: no frontal face found; --face none uses the whole photo\n"
    [result] = _predicted(capsys, faces_model, coffee, "--face", "none")
    assert result["face"] is None and len(result["top"]) == 3
    # Several images: all or nothing, so that a script never reads a partial answer.
    assert main(["predict", str(faces_model), str(astronaut), str(coffee), str(coffee), "--json"]) == 2
    out, err = capsys.readouterr()
    assert not out and err.count("\n") == 1
    assert err.startswith(f"emocourse: {coffee}, {coffee}: no frontal face found;")
    assert str(astronaut) not in err and err.endswith("(no image was predicted)\n")


def test_a_small_image_is_a_face_crop_under_auto(faces_model, small_faces, photos, tmp_path, capsys):
    [face48] = _faces(small_faces, 1)  # 48 x 48, where the cascade finds nothing
    assert crop_face(Image.open(face48)) == (None, None)
    assert main(["predict", str(faces_model), str(face48)]) == 0
    assert capsys.readouterr().out.endswith("% (the whole image: small enough to be a face crop)\n")
    [auto] = _predicted(capsys, faces_model, face48)
    [crop] = _predicted(capsys, faces_model, face48, "--face", "crop")
    assert auto["face_mode"] == "auto" and auto["face"] is None and auto["top"] == crop["top"]
    # The rule: at most 96 pixels on the shorter side is a crop; one pixel more, and the cascade looks.
    coffee = Image.open(photos[0] / "coffee.png")
    for side, status in ((96, 0), (97, 2)):
        coffee.resize((side + 50, side)).save(tmp_path / f"{side}.png")
        assert main(["predict", str(faces_model), str(tmp_path / f"{side}.png")]) == status
    assert "97.png: no frontal face found" in capsys.readouterr().err


def test_the_chapters_own_photo_is_cut_as_predict_cuts_it(faces_model, photos, capsys):
    from emocourse.evaluate.faces import face_for_model

    folder, box = photos
    face, found = face_for_model(Image.open(folder / "astronaut.png"))
    assert face.shape == (1, 1, 48, 48) and face.dtype == torch.uint8 and found == box
    model, description = recipes.load(faces_model)
    recipe = recipes.RECIPES["faces"]
    [predicted] = _predicted(capsys, faces_model, folder / "astronaut.png")
    expected = recipe.probabilities(description["config"], model, face)[0].topk(3).values
    assert [guess["probability"] for guess in predicted["top"]] == [round(float(p), 4) for p in expected]
    face, found = face_for_model(Image.open(folder / "coffee.png"))  # the chapter goes on with the whole photo
    assert face.shape == (1, 1, 48, 48) and found is None
    assert capsys.readouterr().out == "no frontal face found: using the whole photo (expect a poor answer)\n"


def test_a_saved_model_predicts_what_the_trained_one_did(faces_model, small_faces):
    model, description = recipes.load(faces_model)
    recipe = recipes.RECIPES["faces"]
    batch = recipe.inputs(description["config"], [Image.open(p) for p in _faces(small_faces, 4)])
    assert batch.dtype == torch.float32 and batch.shape == (4, 1, 48, 48) and 0 <= batch.min() <= batch.max() <= 255
    config = description["config"]
    first, again = (
        recipe.probabilities(config, model, batch),
        recipe.probabilities(config, recipes.load(faces_model)[0], batch),
    )
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


def test_transfer_recipe_round_trips_through_its_model_folder(tmp_path, monkeypatch, capsys):
    """The rebuilt network, fed by predict's own preprocessing, scores what training measured."""
    from dataclasses import replace

    from skimage.data import astronaut

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
    predicted = recipe.probabilities(description["config"], model, batch).argmax(1).numpy()
    accuracy = (predicted == test["label"].map(data.classes.index).to_numpy()).mean()
    assert accuracy == pytest.approx(description["metrics"]["accuracy"], abs=1 / len(test))
    # A transfer model sees the whole photo unless told to cut out a face (in colour, for its input).
    photo = tmp_path / "astronaut.png"
    Image.fromarray(astronaut()).save(photo)
    capsys.readouterr()  # training's line
    [whole] = _predicted(capsys, out, photo)
    assert whole["face_mode"] == "none" and whole["face"] is None
    [found] = _predicted(capsys, out, photo, "--face", "auto")
    assert found["face"] == {"box": list(crop_face(Image.open(photo))[1])}
    # Its ONNX file (written by train) answers what the weights answer.
    onnx = onnx_probabilities(out, batch.numpy())
    torch_probabilities = recipe.probabilities(description["config"], model, batch).numpy()
    assert abs(onnx - torch_probabilities).max() < 1e-4
    entry = recipes.read_description(out)["onnx"]
    assert entry["input"]["shape"] == ["batch", 3, 128, 128] and entry["input"]["colour"] == "RGB"
    assert entry["test_time_views"] == [] and entry["normalised_inside"]
    [by_onnx] = _predicted(capsys, out, photo, "--runtime", "onnx")
    assert [g["emotion"] for g in by_onnx["top"]] == [g["emotion"] for g in whole["top"]]


def test_the_exported_onnx_file_answers_what_the_weights_answer(faces_model, small_faces, photos, capsys):
    """``emocourse train`` exports by default: onnxruntime on model.onnx gives the torch probabilities
    (test-time views included) within 1e-4, and predict --runtime onnx the same top classes."""
    model, description = recipes.load(faces_model)
    entry = description["onnx"]
    assert entry["file"] == "model.onnx" and entry["opset"] == 18 and entry["normalised_inside"]
    assert entry["input"] == {
        "name": "pixels",
        "shape": ["batch", 1, 48, 48],
        "dtype": "float32",
        "colour": "L",
        "range": [0, 255],
    }
    assert entry["output"] == {"name": "probabilities", "shape": ["batch", len(description["classes"])]}
    assert entry["test_time_views"][0] == "mirror"
    recipe, config = recipes.RECIPES["faces"], description["config"]
    batch = recipe.inputs(config, [Image.open(p) for p in _faces(small_faces, 8)])
    expected = recipe.probabilities(config, model, batch).numpy()
    assert abs(onnx_probabilities(faces_model, batch.numpy()) - expected).max() < 1e-4
    folder, _ = photos
    for image in (*_faces(small_faces, 3), folder / "astronaut.png"):
        [by_torch] = _predicted(capsys, faces_model, image)
        [by_onnx] = _predicted(capsys, faces_model, image, "--runtime", "onnx")
        assert [g["emotion"] for g in by_onnx["top"]] == [g["emotion"] for g in by_torch["top"]]
        assert by_onnx["face"] == by_torch["face"]


def test_export_writes_elsewhere_and_refuses_what_predict_refuses(faces_model, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere.onnx"
    copy = tmp_path / "copy"
    shutil.copytree(faces_model, copy)
    assert main(["export", str(copy), "--out", str(elsewhere)]) == 0
    assert f"{elsewhere} (" in capsys.readouterr().out
    assert recipes.read_description(copy)["onnx"]["file"] == str(elsewhere.resolve())
    assert main(["export", str(tmp_path / "nothing")]) == 2
    assert "not a model folder written by 'emocourse train'" in capsys.readouterr().err
    unknown = tmp_path / "unknown"
    shutil.copytree(faces_model, unknown)
    description = json.loads((unknown / "model.json").read_text())
    (unknown / "model.json").write_text(json.dumps({**description, "recipe": "nonsense"}))
    assert main(["export", str(unknown)]) == 2
    assert "recipe 'nonsense' is not one this emocourse reads" in capsys.readouterr().err
    damaged = tmp_path / "damaged"
    shutil.copytree(faces_model, damaged)
    (damaged / "weights.safetensors").write_bytes(b"0" * 64)
    assert main(["export", str(damaged)]) == 2
    assert "missing or damaged" in capsys.readouterr().err


def test_predict_with_onnx_needs_an_intact_export(faces_model, small_faces, tmp_path, capsys):
    face = _faces(small_faces, 1)[0]
    never = tmp_path / "never"
    shutil.copytree(faces_model, never)
    description = json.loads((never / "model.json").read_text())
    del description["onnx"]
    (never / "model.json").write_text(json.dumps(description))
    assert main(["predict", str(never), str(face), "--runtime", "onnx"]) == 2
    assert f"{never}: no ONNX model; run 'emocourse export {never}' first" in capsys.readouterr().err
    damaged = tmp_path / "damaged"
    shutil.copytree(faces_model, damaged)
    (damaged / "model.onnx").write_bytes(b"not onnx")
    assert main(["predict", str(damaged), str(face), "--runtime", "onnx"]) == 2
    assert f"{damaged / 'model.onnx'}: missing or damaged" in capsys.readouterr().err
