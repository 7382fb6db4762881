"""Chapter 6's helpers: the posed stand-in, vote shares and soft-label losses, class matching, the face crop."""

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from emocourse.data.standins import make_faces, make_posed
from emocourse.data.table import Dataset
from emocourse.taxonomy import FER2013, match_classes
from emocourse.train.photos import crop_face
from emocourse.train.faces import (
    FacesConfig,
    augment,
    drawn_label_cross_entropy,
    erase_patches,
    face_probabilities,
    faces_network,
    shifted,
    soft_cross_entropy,
    vote_shares,
)


def test_posed_faces_are_deterministic_ck_shaped_and_voteless(tmp_path):
    a, b = make_posed(tmp_path / "a", n=70, seed=2), make_posed(tmp_path / "b", n=70, seed=2)
    assert a.table.equals(b.table)
    assert all((a.root / p).read_bytes() == (b.root / p).read_bytes() for p in a.table["image"])
    assert a.classes == ["angry", "contempt", "disgust", "fear", "happy", "sad", "surprise"]
    assert a.vote_columns == [] and set(a.table["split"]) == {"train", "valid", "test"}
    assert (a.table.groupby("label")["split"].apply(lambda s: (s == "test").any())).all()
    with Image.open(a.root / a.table["image"][0]) as image:
        assert image.mode == "L" and image.size == (48, 48)
    with pytest.raises(ValueError, match="n=3"):
        make_posed(tmp_path / "c", n=3)


def test_classes_match_by_emotion_and_otherwise_by_name():
    ck = ["anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"]
    assert match_classes(FER2013.classes, ck) == {
        "anger": "angry",
        "disgust": "disgust",
        "fear": "fear",
        "happy": "happy",
        "sadness": "sad",
        "surprise": "surprise",
    }
    assert match_classes(["beach", "city"], ["City", "forest", "angry"]) == {"City": "city"}


def _voted(rows, classes=("happy", "sad", "neutral")):
    table = pd.DataFrame(rows).assign(split="train", image=[f"{i}.png" for i in range(len(rows))])
    return Dataset(None, table, {"name": "votes", "classes": list(classes)})


def test_vote_shares_map_ferplus_columns_onto_the_classes():
    dataset = _voted(
        [
            {"label": "happy", "votes_happiness": 6, "votes_neutral": 2, "votes_contempt": 1, "votes_unknown": 1},
            {"label": "sad", "votes_happiness": 0, "votes_neutral": 0, "votes_contempt": 3, "votes_unknown": 7},
        ]
    )
    shares = vote_shares(dataset)
    np.testing.assert_allclose(shares, [[0.75, 0, 0.25], [0, 1, 0]])  # contempt, unknown left out
    assert vote_shares(_voted([{"label": "sad"}])) is None


def test_soft_losses_agree_with_cross_entropy_on_one_hot_votes():
    logits, labels = torch.randn(16, 4), torch.randint(0, 4, (16,))
    one_hot = F.one_hot(labels, 4).float()
    expected = F.cross_entropy(logits, labels)
    assert torch.isclose(soft_cross_entropy(logits, one_hot), expected)
    assert torch.isclose(drawn_label_cross_entropy(logits, one_hot), expected)
    split = torch.tensor([[0.5, 0.5, 0, 0]]).repeat(4000, 1)
    drawn = drawn_label_cross_entropy(torch.tensor([[9.0, 0, 0, 0]]).repeat(4000, 1), split).item()
    assert 4 < drawn < 5  # about half of the draws pay ~9 nats


def test_lighting_augmentation_changes_brightness_only_when_asked():
    faces = torch.full((64, 1, 48, 48), 100, dtype=torch.uint8)
    torch.manual_seed(0)
    assert torch.allclose(augment(faces, FacesConfig()), torch.tensor(100.0))
    lit = augment(faces, FacesConfig(max_lighting=0.5))
    assert lit.amin() >= 0 and lit.amax() <= 255 and lit.mean((1, 2, 3)).std() > 10


def test_random_erasing_blanks_one_rectangle_in_the_share_of_faces_asked():
    torch.manual_seed(0)
    hit = erase_patches(torch.zeros(2000, 1, 48, 48), 0.5)[:, 0] == 128
    erased = hit.flatten(1).any(1)
    assert 0.45 < erased.float().mean() < 0.55
    for mask in hit[erased][:50]:  # each patch is one filled rectangle of 2 to 20 % of the face
        rows, cols = mask.any(1).nonzero().flatten(), mask.any(0).nonzero().flatten()
        assert mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].all()
        assert 0.015 <= mask.float().mean() <= 0.21
    assert torch.equal(augment(torch.zeros(4, 1, 48, 48), FacesConfig(erase=0.0)).unique(), torch.zeros(1))


def test_shifted_test_time_copies_move_the_face_and_repeat_its_edge():
    face = torch.arange(48.0).repeat(48, 1)[None, None]  # each pixel holds its column
    left, right, up, down = shifted(face, 2)
    assert torch.equal(left[0, 0, 0, :3], torch.tensor([0.0, 0.0, 0.0])) and left[0, 0, 0, 47] == 45
    assert right[0, 0, 0, 0] == 2 and right[0, 0, 0, 47] == 47 and torch.equal(up, face) and torch.equal(down, face)
    model = faces_network(3, FacesConfig(widths=(4, 8)))  # takes uint8 faces and float copies alike
    faces = torch.randint(0, 255, (5, 1, 48, 48), dtype=torch.uint8)
    for shift in (0, 2):
        assert torch.allclose(face_probabilities(model, faces, shift).sum(1), torch.ones(5))


def test_the_face_crop_finds_a_face_or_says_it_found_none():
    from skimage.data import astronaut

    face, box = crop_face(Image.fromarray(astronaut()))
    left, top, right, bottom = box
    assert face.mode == "L" and face.size == (right - left, bottom - top)
    assert 120 < left + right < 560 and bottom < 300  # the astronaut's face, not her badge
    assert crop_face(Image.new("RGB", (200, 200), "white")) == (None, None)


def test_the_faces_standin_votes_give_shares_for_every_face(tmp_path):
    dataset = make_faces(tmp_path / "faces", n=150, seed=1)
    shares = vote_shares(dataset)
    assert shares.shape == (len(dataset.table), 7) and np.allclose(shares.sum(1), 1)
