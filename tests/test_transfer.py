"""Transfer learning: block-group splitter, heads, tasks, configs, train-or-load."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from emocourse.baselines import split_mask
from emocourse.data import Dataset

from emocourse.data.standins import make_affect
from emocourse.data.subsets import few_training_images
from emocourse.train.scratch import fit_one_cycle
from emocourse.train.transfer import (
    HEAD_STAGE,
    PROFILE_CONFIGS,
    TRAINING_VERSION,
    Config,
    _below_and_top,
    build_learner,
    classifier,
    for_task,
    FrozenMaps,
    fit_top_groups_on_maps,
    group_summary,
    head_learner,
    model_dir,
    predict_test_split,
    splitter,
    stage_summary,
    test_accuracy as accuracy_on_test,
    train,
    train_or_load,
)

TINY = Config(image_size=32, head_epochs=2, stages=(1,), stage_lrs=(1e-3,), train_images=48, batch_size=16)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return make_affect(tmp_path_factory.mktemp("transfer") / "affect", n=120, size=32, seed=4, workers=1)


def _trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def test_splitter_gives_one_group_per_block_group(small):
    learn = build_learner(small, TINY)
    groups = splitter(learn.model)
    assert len(groups) == 9  # stem, six stages of blocks, last stage + head conv, then the new head
    assert sum(len(g) for g in groups) == len(list(learn.model.parameters()))
    head = _trainable(learn.model)  # vision_learner freezes the body
    assert head == sum(p.numel() for p in learn.model[1].parameters())
    learn.freeze_to(-2)
    top = _trainable(learn.model)
    learn.freeze_to(-3)
    assert head < top < _trainable(learn.model) < sum(p.numel() for p in learn.model.parameters())
    summary = group_summary(learn.model)
    assert list(summary["layers"][[0, 1, 7, 8]]) == [
        "conv_stem, bn1",
        "blocks.0",
        "blocks.6, conv_head, bn2",
        "new head",
    ]
    assert list(summary["trains"]) == [False] * 6 + [True] * 3
    assert summary["parameters"].sum() == sum(p.numel() for p in learn.model.parameters())


def test_heads():
    assert classifier(1280, 8)(torch.zeros(4, 1280)).shape == (4, 8)
    hidden = classifier(1280, 2, hidden=100)
    assert hidden(torch.zeros(4, 1280)).shape == (4, 2) and hidden[1].out_features == 100


def test_valence_task_relabels_the_same_images(small):
    valence = for_task(small, "valence")
    assert valence.classes == ["positive", "negative"] and len(valence.table) == len(small.table)
    assert (valence.table.loc[small.table["label"] == "fear", "label"] == "negative").all()
    assert for_task(small, "emotion") is small
    neutral = Dataset(small.root, small.table.assign(label="neutral"), small.info)
    with pytest.raises(
        ValueError, match="needs positive and negative train images; its classes with a valence give none"
    ):
        for_task(neutral, "valence")


def test_config_is_checked_and_keyed():
    with pytest.raises(ValueError, match="task='arousal'"):
        Config(task="arousal")
    with pytest.raises(ValueError, match="same length"):
        Config(stages=(1, 2), stage_lrs=(1e-3,))
    assert Config().key() == Config().key() != Config(hidden=100).key()


def test_train_then_load(small):
    first = train_or_load(small, TINY, progress=False)
    assert not first.loaded and list(first.history["stage"].unique()) == [
        "head on cached features",
        "top 1 block group",
    ]
    assert (model_dir(small, TINY) / "model.pt").is_file()
    assert f"-v{TRAINING_VERSION}-" in model_dir(small, TINY).name  # older code's models are not loaded
    again = train_or_load(small, TINY, progress=False)
    assert again.loaded
    pd.testing.assert_frame_equal(again.history, first.history, check_dtype=False)
    for a, b in zip(first.learn.model.state_dict().values(), again.learn.model.state_dict().values()):
        torch.testing.assert_close(a, b)
    y, predicted = predict_test_split(again)
    assert len(y) == len(predicted) == (small.table["split"] == "test").sum()


def test_each_stage_is_reported_with_the_history_so_far(small):
    seen = []
    trained = train(
        small,
        replace(TINY, stages=(1, 0), stage_lrs=(1e-3, 1e-4)),
        progress=False,
        after_stage=lambda stage, so_far: seen.append((stage, len(so_far.history))),
    )
    assert seen == [("head on cached features", 2), ("top 1 block group", 3), ("whole network", 4)]
    assert all(not p.requires_grad for p in trained.learn.model[0].parameters())  # frozen again after training
    whole = train(small, replace(TINY, schedule="whole_network"), progress=False)
    assert list(whole.history["stage"].unique()) == ["head on cached features", "whole network"]


def test_full_profile_builds_and_trains_one_batch_on_cpu(small):
    full = PROFILE_CONFIGS["full"]
    assert full.image_size == 224 and full.stages[-1] == 0 and full.train_images is None
    learn = build_learner(small, replace(full, batch_size=4))
    learn.unfreeze()
    x, y = learn.dls.one_batch()
    assert x.shape == (4, 3, 224, 224)
    loss = learn.loss_func(learn.model(x), y)
    loss.backward()
    assert torch.isfinite(loss) and learn.model[0].model.conv_stem.weight.grad is not None


@pytest.mark.parametrize("task", ["emotion", "valence"])  # valence classes (positive, negative) are not sorted
def test_head_trained_on_cached_features_fits_the_image_learner(small, task):
    config = replace(TINY, image_size=40, task=task)  # the 32 px images are resized, as real photos always are
    head = fit_one_cycle(head_learner(small, config), 2, 3e-3, progress=False)
    assert len(head.dls.train_ds) == split_mask(small, "train").sum()
    learn = build_learner(for_task(small, task), config)
    learn.model[1][2].load_state_dict(head.model.state_dict())
    with learn.no_bar(), head.no_bar():
        np.testing.assert_allclose(learn.validate(), head.validate(), rtol=1e-3)  # same loss, same accuracy


def test_top_groups_trained_on_cached_maps_train_the_image_learner(small):
    config = replace(TINY, image_size=64)  # 64 px: the top groups' maps are 2 x 2
    learn = build_learner(small, config)
    body = learn.model[0].model.eval()
    below, top = _below_and_top(body, 2)
    x, _ = learn.dls.valid.one_batch()
    x = x.as_subclass(torch.Tensor)
    with torch.no_grad():
        torch.testing.assert_close(top(below(x)), body.forward_features(x))  # the cut loses nothing
    before = body.conv_head.weight.detach().clone()
    learn.freeze_to(-3)
    maps_learn = fit_top_groups_on_maps(learn, 2, 1, 1e-3, config)
    assert not torch.equal(before, body.conv_head.weight)  # trained in place
    assert len(maps_learn.dls.train_ds) == 2 * len(learn.dls.train_ds)  # every image and its mirror
    with learn.no_bar(), maps_learn.no_bar():
        np.testing.assert_allclose(learn.validate(), maps_learn.validate(), rtol=1e-3)


def test_cut_refuses_a_body_of_another_layout():
    assert _below_and_top(torch.nn.Linear(2, 2), 1) is None


def test_maps_below_fewer_groups_are_derived_from_the_deepest(small):
    learn = build_learner(small, replace(TINY, image_size=64))
    maps = FrozenMaps(learn, 2)
    below_one, _ = _below_and_top(learn.model[0].model, 1)
    (train_maps, _), (valid_maps, labels) = maps.below(1)
    x, y = next(iter(learn.dls.valid))
    with torch.no_grad():
        torch.testing.assert_close(valid_maps[: len(x)], below_one(x.as_subclass(torch.Tensor)), rtol=1e-4, atol=1e-4)
    assert len(train_maps) == 2 * len(learn.dls.train_ds) and torch.equal(labels[: len(y)], y.as_subclass(torch.Tensor))


def test_stage_summary_and_test_accuracy_of_a_trained_model(small):
    trained = train_or_load(small, TINY, progress=False)
    stages = stage_summary(trained)
    assert list(stages.index) == [HEAD_STAGE, "top 1 block group"]
    assert list(stages["epochs"]) == [TINY.head_epochs, TINY.stage_epochs]
    assert stages["valid_accuracy"].between(0, 100).all()
    true, predicted = predict_test_split(trained)
    assert accuracy_on_test(trained) == pytest.approx((true == predicted).mean())


def test_few_training_images_keeps_every_validation_row(small):
    few = few_training_images(small, 10, seed=1)
    assert (few["split"] == "train").sum() == 10 and few["is_valid"].sum() == split_mask(small, "valid").sum()
    assert few.equals(few_training_images(small, 10, seed=1)) and not few.equals(few_training_images(small, 10, seed=2))
    assert (few_training_images(small, 10_000)["split"] == "train").sum() == split_mask(small, "train").sum()
