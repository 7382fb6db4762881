"""Class-imbalance strategies: weights, samplers, losses, logit adjustment, and the learners that use them."""

from dataclasses import asdict, replace
import hashlib
import json

import numpy as np
import pytest
import torch
from PIL import Image

from emocourse.data.standins import make_affect
from emocourse.data.table import split_mask, targets
from emocourse.train.imbalance import (
    BALANCES,
    Balance,
    adjust_logits,
    balanced_rows,
    blur_flip_drawable,
    blur_flip_pairs,
    blur_flip_view,
    choose_tau,
    class_counts,
    class_weights,
    fit_head,
    loss_function,
    predict_balanced,
    resample,
    scores,
)
from emocourse.train.transfer import Config, _image_rows, predict_test_split, train

Y = np.repeat([0, 1, 2], [50, 10, 5])
TINY = Config(image_size=32, head_epochs=2, stages=(1,), stage_lrs=(1e-3,), stage_epochs=1, batch_size=16)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return make_affect(tmp_path_factory.mktemp("imbalance") / "affect", n=160, size=32, seed=5, workers=1)


def test_inverse_frequency_weights_keep_the_training_set_size():
    counts = np.array([50, 10, 5])
    w = class_weights(counts)
    assert w[1] / w[0] == pytest.approx(5) and w[2] / w[0] == pytest.approx(10)
    assert (w * counts).sum() == pytest.approx(counts.sum())


def test_effective_number_lies_between_no_weights_and_inverse_frequency():
    counts = np.array([1000, 10])
    assert class_weights(counts, effective_number=True, beta=0.0) == pytest.approx([1, 1])
    ratio = lambda w: w[1] / w[0]  # noqa: E731
    effective = class_weights(counts, effective_number=True, beta=0.999)
    assert 1 < ratio(effective) < ratio(class_weights(counts))
    assert effective[1] / effective[0] == pytest.approx((1 - 0.999**1000) / (1 - 0.999**10))


def test_samplers_give_every_class_the_largest_or_smallest_count_and_repeat_with_the_seed():
    over = resample(Y, Balance("oversample"), seed=1)
    assert np.bincount(Y[over]).tolist() == [50, 50, 50]
    under = resample(Y, Balance("undersample"), seed=1)
    assert np.bincount(Y[under]).tolist() == [5, 5, 5]
    assert np.array_equal(over, resample(Y, Balance("oversample"), seed=1))
    assert not np.array_equal(under, resample(Y, Balance("undersample"), seed=2))
    assert np.array_equal(resample(Y, Balance("weights")), np.arange(len(Y)))


def test_smote_and_views_bring_every_class_to_the_largest():
    x = np.random.default_rng(0).normal(size=(len(Y), 4))
    _, y = balanced_rows(x, Y, Balance("smote"))
    assert np.bincount(y).tolist() == [50, 50, 50]
    pairs = blur_flip_pairs(Y, views=3)
    assert np.bincount(Y[pairs[:, 0]], minlength=3).tolist() == [0, 40, 45]
    assert set(pairs[Y[pairs[:, 0]] == 1, 1]) == {0, 1, 2}  # 40 copies of 10 rows: all three views, then again
    with pytest.raises(ValueError, match="views"):
        balanced_rows(x, Y, Balance("oversample_blur_flip"))


def test_every_seed_draws_its_views_from_one_set_computed_once():
    drawable = {tuple(p) for p in blur_flip_drawable(Y, views=3)}
    # class 1 (10 rows, 40 copies) needs all three views, class 2 (5 rows, 45 copies) too; class 0 none
    assert len(drawable) == 3 * 10 + 3 * 5
    for seed in range(5):
        assert {tuple(p) for p in blur_flip_pairs(Y, views=3, seed=seed)} <= drawable


def test_blur_flip_views_mirror_and_blur():
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8))
    mirrored = np.asarray(blur_flip_view(image, 0, 32, seed=0))
    assert np.array_equal(mirrored, np.asarray(image)[:, ::-1])
    blurred = np.asarray(blur_flip_view(image, 1, 32, seed=0)).astype(float)
    assert blurred.std() < np.asarray(image).std()
    assert np.array_equal(blurred, np.asarray(blur_flip_view(image, 1, 32, seed=0)))


def test_logit_adjustment_is_the_closed_form():
    counts = np.array([60, 30, 10])
    logits = np.array([[2.0, 1.0, 0.5], [0.1, 0.2, 0.3]])
    expected = logits - 0.5 * np.log(counts / counts.sum())
    assert adjust_logits(logits, counts, 0.5) == pytest.approx(expected)
    assert adjust_logits(torch.tensor(logits), counts, 0.5).numpy() == pytest.approx(expected)
    assert adjust_logits(logits, counts, 0.0) == pytest.approx(logits)


def test_tau_is_chosen_for_balanced_accuracy_and_needs_every_class_in_valid():
    counts = np.array([90, 10])
    logits = np.array([[1.0, 0.0]] * 10)  # the head always says class 0; only an adjustment finds class 1
    y = np.array([0] * 5 + [1] * 5)
    logits[5:, 1] = 0.8
    assert choose_tau(logits, y, counts, ["a", "b"]) > 0
    with pytest.raises(ValueError, match="validation split has no image of b"):
        choose_tau(logits, np.zeros(10, dtype=int), counts, ["a", "b"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "smote-ish"}, "balance='smote-ish': must be one of"),
        ({"name": "logit_adjust", "tau": -1}, "tau=-1: must be 0 or more"),
        ({"gamma": -1}, "gamma=-1"),
        ({"beta": 1}, "beta=1"),
    ],
)
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Balance(**kwargs)


def test_a_class_without_training_images_is_named():
    with pytest.raises(ValueError, match="no training images of fear"):
        class_counts(np.array([0, 0, 0]), ["joy", "fear"])


def test_losses_are_fastais():
    from fastai.losses import CrossEntropyLossFlat, FocalLossFlat

    counts = np.array([50, 10])
    weighted = loss_function(Balance("weights"), counts)
    assert isinstance(weighted, CrossEntropyLossFlat)
    assert weighted.func.weight.tolist() == pytest.approx(class_weights(counts).tolist())
    assert isinstance(loss_function(Balance("focal", gamma=1.5), counts), FocalLossFlat)
    assert isinstance(loss_function(Balance("logit_adjust"), counts), CrossEntropyLossFlat)


def test_heads_repeat_with_the_seed():
    x = np.random.default_rng(0).normal(size=(len(Y), 8)).astype(np.float32) + Y[:, None]
    a, b = (fit_head(x, Y, 3, Balance("focal"), seed=3, epochs=3) for _ in range(2))
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("name", list(BALANCES))
def test_every_strategy_predicts_the_test_split(small, name):
    from emocourse.features.cache import features

    x = features(small, "tf_efficientnet_lite0", 32, progress=False, fastai_resize=True)
    balance = Balance(name, tau=1.0 if name == "logit_adjust" else None)  # small's valid split lacks classes
    predicted, tau = predict_balanced(small, x, balance, seed=0, backbone="tf_efficientnet_lite0", image_size=32)
    y = targets(small)[split_mask(small, "test")]
    assert len(predicted) == len(y) and (tau is not None) == (name == "logit_adjust")
    assert 0 <= scores(y, predicted)["macro-F1"] <= 1


def test_config_checks_balance_and_keeps_the_old_keys():
    with pytest.raises(ValueError, match="balance='nope'"):
        Config(balance="nope")
    with pytest.raises(ValueError, match="schedule='head' only"):
        Config(balance="smote")
    fields = {k: v for k, v in asdict(Config()).items() if k != "balance"}
    assert Config().key() == hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]
    assert Config(balance="focal").key() != Config().key()


def test_image_learner_oversamples_its_rows(small):
    rows = _image_rows(small, replace(TINY, balance="oversample"))
    counts = rows.table.loc[rows.table["split"] == "train", "label"].value_counts()
    assert counts.nunique() == 1 and counts.iloc[0] == small.split("train")["label"].value_counts().max()
    assert _image_rows(small, TINY) is small


@pytest.mark.parametrize(
    "config",
    [
        replace(TINY, schedule="whole_network", balance="undersample"),
        replace(TINY, schedule="head", balance="oversample_blur_flip"),
    ],
    ids=["undersample", "blur_flip"],
)
def test_learners_train_with_a_balance(small, config):
    trained = train(small, config, progress=False)
    y, predicted = predict_test_split(trained)
    assert len(y) == len(predicted) == split_mask(small, "test").sum()


def test_logit_adjustment_of_a_learner_needs_every_class_in_valid(small):
    missing = [c for c in small.classes if c not in set(small.split("valid")["label"])]
    assert missing, "this stand-in is meant to lack a class in valid"
    trained = train(small, replace(TINY, schedule="head", balance="logit_adjust"), progress=False)
    with pytest.raises(ValueError, match=f"validation split has no image of {missing[0]}"):
        predict_test_split(trained)
