"""CNNs from scratch on images decoded into memory."""

from functools import partial

import pytest
import torch

from emocourse.data.standins import make_faces
from emocourse.models.small_cnn import compact_cnn, resnet18
from emocourse.train import fit_from_scratch, image_tensor, predict, split_tensors


@pytest.fixture(scope="module")
def faces(tmp_path_factory):
    return make_faces(tmp_path_factory.mktemp("faces") / "faces", n=150, seed=2)


def test_image_tensor_shapes_and_scale(faces):
    grey = image_tensor(faces, mode="L")
    assert grey.shape == (150, 1, 48, 48) and grey.dtype == torch.float32
    assert -2.01 <= grey.min() and grey.max() <= 2.01
    rows = faces.table[faces.table["split"] == "test"]
    assert image_tensor(faces, rows, size=32, mode="RGB").shape == (len(rows), 3, 32, 32)


def test_resnet18_takes_small_and_grey_inputs():
    assert resnet18(8)(torch.zeros(2, 3, 32, 32)).shape == (2, 8)
    assert resnet18(7, in_channels=1)(torch.zeros(2, 1, 48, 48)).shape == (2, 7)


def test_split_tensors_hold_every_split_in_class_order(faces):
    tensors = split_tensors(faces, mode="L")
    assert set(tensors) == set(faces.table["split"])
    images, labels = tensors["test"]
    rows = faces.table[faces.table["split"] == "test"]
    assert len(images) == len(labels) == len(rows)
    assert [faces.classes[i] for i in labels] == list(rows["label"])


def test_same_seed_same_model(faces):
    tensors = split_tensors(faces, mode="L")
    train, valid = tensors["train"], tensors["valid"]
    network = partial(compact_cnn, len(faces.classes), widths=(4, 8))
    first, second = (
        fit_from_scratch(network, train, valid, epochs=2, batch_size=16, seed=3, progress=False) for _ in range(2)
    )
    for a, b in zip(first.model.state_dict().values(), second.model.state_dict().values()):
        torch.testing.assert_close(a, b)
    assert len(first.recorder.values) == 2  # loss and accuracy of every epoch are kept
    predicted = predict(first.model, valid[0])
    assert predicted.shape == (len(valid[1]),) and predicted.max() < len(faces.classes)
