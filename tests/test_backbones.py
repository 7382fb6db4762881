import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data as photos

from emocourse.models import (
    BackboneUnavailable,
    BundledWeightsError,
    create_backbone,
    eval_transform,
    extract_features,
    fastai_learner,
    imagenet_top_k,
)
from emocourse.models import bundled


@pytest.fixture(scope="module")
def imagenet_model():
    return create_backbone(num_classes=1000)


def _batch(model, names, size=None):
    transform = eval_transform(model, size)
    return torch.stack([transform(Image.fromarray(getattr(photos, n)()).convert("RGB")) for n in names])


def test_key_map_groups_blocks_into_timm_stages():
    sizes = [1, 2, 2, 3, 3, 4, 1]
    assert bundled.timm_key("_conv_stem.weight", sizes) == "conv_stem.weight"
    assert bundled.timm_key("_blocks.0._project_conv.weight", sizes) == "blocks.0.0.conv_pw.weight"
    assert bundled.timm_key("_blocks.3._bn0.running_mean", sizes) == "blocks.2.0.bn1.running_mean"
    assert bundled.timm_key("_blocks.15._project_conv.weight", sizes) == "blocks.6.0.conv_pwl.weight"
    assert bundled.timm_key("_bn1.bias", sizes) == "bn2.bias"


def test_bundled_weights_load_strictly_and_are_cached_with_checksum(imagenet_model, emocourse_home):
    path = bundled.weights_path()
    assert path.parent == emocourse_home / "weights"
    record = json.loads(path.with_suffix(".json").read_text())
    assert record["source_sha256"] == bundled.SOURCE_SHA256
    timm_model = bundled._architecture()
    timm_model.load_state_dict(torch.load(path, weights_only=True), strict=True)
    bundled.check_loaded(imagenet_model)


def test_imagenet_predictions_on_scikit_image_photos(imagenet_model):
    with torch.no_grad():
        logits = imagenet_model(_batch(imagenet_model, ["chelsea", "coffee"]))
    cat, coffee = (names[0][0] for names in imagenet_top_k(logits, k=1))
    assert "cat" in cat
    assert coffee in ("espresso", "cup")


def test_random_body_is_caught():
    random_model = create_backbone(num_classes=0, pretrained=False)
    with pytest.raises(BundledWeightsError, match="did not receive the bundled ImageNet weights"):
        bundled.check_loaded(random_model)


def test_corrupted_cache_is_rebuilt():
    path = bundled.weights_path()
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    assert bundled.weights_path() == path
    assert path.read_bytes() == good


def test_unreadable_checksum_record_is_rebuilt():
    path = bundled.weights_path()
    record = path.with_suffix(".json")
    record.write_text("{not json")
    assert bundled.weights_path() == path
    assert json.loads(record.read_text())["sha256"] == bundled.sha256_file(path)


def test_altered_source_file_is_refused(tmp_path):
    fake = tmp_path / "efficientnet-lite0.pth"
    fake.write_bytes(b"not the weights")
    with pytest.raises(BundledWeightsError, match="expected SHA-256"):
        bundled.convert(fake)


@pytest.mark.parametrize("size", [128, 224])
def test_frozen_feature_shapes(size):
    model = create_backbone()
    batch = _batch(model, ["chelsea", "coffee", "rocket"], size)
    assert batch.shape == (3, 3, size, size)
    features = extract_features(model, [(batch[:2], None), (batch[2:], None)])
    assert features.shape == (3, 1280) and features.dtype == np.float32
    assert not np.allclose(features[0], features[1])


def test_unknown_backbone_name_suggests_close_ones():
    with pytest.raises(BackboneUnavailable, match="did you mean.*resnet50"):
        create_backbone("resnet_50")


@pytest.mark.parametrize(
    "offline_env, setup",
    [
        ({"HF_HUB_OFFLINE": "1"}, ""),  # the user said offline
        ({}, "backbones._HUB_HOST = ('127.0.0.1', 9)\n"),  # no connection to the hub
    ],
    ids=["HF_HUB_OFFLINE", "unreachable-hub"],
)
def test_hub_only_backbone_offline_gives_one_line_error(tmp_path, offline_env, setup):
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env.update(HF_HOME=str(tmp_path / "hf"), **offline_env)
    code = (
        "from emocourse.models import backbones\n" + setup + "try:\n    backbones.create_backbone('resnet50')\n"
        "except backbones.BackboneUnavailable as err:\n    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    message = out.stdout.strip()
    assert "\n" not in message
    assert "'resnet50'" in message and "offline" in message and "BACKBONE='tf_efficientnet_lite0'" in message


def test_fastai_learner_gets_bundled_weights_and_normalisation(tmp_path):
    from fastai.vision.all import ImageDataLoaders, Normalize, Resize

    for label in ("calm", "tense"):
        (tmp_path / label).mkdir()
        for i in range(4):
            pixels = np.full((40, 40, 3), 40 * i + (120 if label == "tense" else 0), np.uint8)
            Image.fromarray(pixels).save(tmp_path / label / f"{i}.png")
    dls = ImageDataLoaders.from_folder(tmp_path, valid_pct=0.25, seed=0, item_tfms=Resize(32), bs=2, num_workers=0)
    learn = fastai_learner(dls)
    bundled.check_loaded(learn.model[0].model)
    norm = next(t for t in dls.after_batch if isinstance(t, Normalize))
    assert torch.allclose(norm.mean.flatten(), torch.tensor([0.5] * 3))
    assert torch.allclose(norm.std.flatten(), torch.tensor([0.5] * 3))
    body_trainable = any(p.requires_grad for p in learn.model[0].parameters() if p.ndim > 1)
    assert not body_trainable  # pretrained bodies start frozen
