"""Features are computed once per dataset, extractor and size, then read back from disk."""

import numpy as np
import pytest

from emocourse.data import Dataset
from emocourse.data.standins import make_affect
from emocourse.features import cache
from emocourse.features.cache import HANDCRAFTED, cache_path, dataset_key, features, handcrafted_matrix
from emocourse.features.handcrafted import NAMES, handcrafted_features, level_of_detail


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return make_affect(tmp_path_factory.mktemp("small") / "affect", n=80, size=48, seed=3, workers=1)


def _refuse(*args, **kwargs):
    raise AssertionError("features were computed again instead of read from the cache")


def test_second_call_reads_the_cache(small, monkeypatch):
    first = features(small, HANDCRAFTED, 48, progress=False)
    assert first.shape == (80, len(NAMES)) and first.dtype == np.float32
    assert cache_path(small, HANDCRAFTED, 48).is_file()
    monkeypatch.setattr(cache, "handcrafted_matrix", _refuse)
    np.testing.assert_array_equal(features(small, HANDCRAFTED, 48, progress=False), first)


def test_key_names_dataset_extractor_and_size(small, tmp_path):
    paths = {
        cache_path(small, HANDCRAFTED, 48),
        cache_path(small, HANDCRAFTED, 64),
        cache_path(small, "tf_efficientnet_lite0", 48),
    }
    assert len(paths | {cache_path(small, "tf_efficientnet_lite0", 48, fastai_resize=True)}) == 4
    with pytest.raises(ValueError, match="fastai_resize applies to backbone"):
        features(small, HANDCRAFTED, 48, fastai_resize=True)
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "dataset.json").write_bytes((small.root / "dataset.json").read_bytes())
    (copy / "labels.csv").write_bytes((small.root / "labels.csv").read_bytes())
    same = Dataset(copy, small.table, small.info)
    assert dataset_key(same) == dataset_key(small)  # the key follows the content, not the folder
    (copy / "labels.csv").write_text((small.root / "labels.csv").read_text().replace("train", "valid", 1))
    assert dataset_key(same) != dataset_key(small)


def test_unreadable_cache_is_recomputed_with_a_warning(small):
    expected = features(small, HANDCRAFTED, 48, progress=False)
    path = cache_path(small, HANDCRAFTED, 48)
    path.write_bytes(b"not a zip file")
    with pytest.warns(UserWarning, match="unreadable"):
        again = features(small, HANDCRAFTED, 48, progress=False)
    np.testing.assert_array_equal(again, expected)
    np.testing.assert_array_equal(features(small, HANDCRAFTED, 48, progress=False), expected)  # rewritten


def test_cache_listing_other_images_is_recomputed(small):
    expected = features(small, HANDCRAFTED, 48, progress=False)
    path = cache_path(small, HANDCRAFTED, 48)
    np.savez(path, features=expected[::-1], images=small.table["image"].to_numpy(str)[::-1])
    with pytest.warns(UserWarning, match="other images"):
        np.testing.assert_array_equal(features(small, HANDCRAFTED, 48, progress=False), expected)


def test_refresh_recomputes(small, monkeypatch):
    features(small, HANDCRAFTED, 48, progress=False)
    monkeypatch.setattr(cache, "handcrafted_matrix", _refuse)
    with pytest.raises(AssertionError, match="computed again"):
        features(small, HANDCRAFTED, 48, refresh=True, progress=False)


def test_handcrafted_matrix_does_not_depend_on_worker_count(small):
    paths = small.paths()[:12]
    np.testing.assert_array_equal(
        handcrafted_matrix(paths, 48, False, workers=1), handcrafted_matrix(paths, 48, False, workers=2)
    )
    assert handcrafted_matrix([], 48, False).shape == (0, len(NAMES))


def test_backbone_features_are_deterministic(small):
    first = features(small, "tf_efficientnet_lite0", 64, progress=False)
    assert first.shape == (80, 1280) and np.isfinite(first).all()
    np.testing.assert_allclose(
        cache.backbone_matrix(small.paths(), "tf_efficientnet_lite0", 64, False), first, rtol=1e-5, atol=1e-5
    )


def test_handcrafted_features_respond_to_what_they_name():
    grey = np.full((64, 64, 3), 128, np.uint8)
    red = np.zeros((64, 64, 3), np.uint8)
    red[..., 0] = 255
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    named = {name: dict(zip(NAMES, handcrafted_features(x))) for name, x in [("grey", grey), ("red", red)]}
    assert named["grey"]["saturation"] == 0 and named["red"]["saturation"] == 1
    assert named["red"]["colourfulness"] > named["grey"]["colourfulness"]
    assert level_of_detail(grey) == 1 < level_of_detail(noise)
