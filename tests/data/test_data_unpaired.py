"""Unpaired (a, b) datasets for CycleGAN: the embedded thin/thick digits and TFDS cycle_gan."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from harness import assert_close

import gan_zoo.data as gdata
from gan_zoo.data import unpaired
from gan_zoo.data.stacked_digits import load_digits_arrays
from gan_zoo.metrics.translation import stroke_thickness


def _batches(ds):
    return [(a, b) for a, b in ds.as_numpy_iterator()]


@pytest.fixture(scope="module")
def test_data(tfds_data_dir):
    return gdata.load_digits_thickness("test", data_dir=tfds_data_dir)


def test_load_digits_thickness_halves_are_disjoint_and_cover_the_split(tfds_data_dir, test_data):
    source_images, source_labels = load_digits_arrays("test", 32, tfds_data_dir)
    a_idx, b_idx = test_data["a_indices"], test_data["b_indices"]
    assert len(a_idx) == 182 and len(b_idx) == 182
    assert a_idx.dtype == np.int64 and b_idx.dtype == np.int64
    assert np.all(np.diff(a_idx) > 0) and np.all(np.diff(b_idx) > 0)  # stored order
    assert not set(a_idx.tolist()) & set(b_idx.tolist())
    np.testing.assert_array_equal(np.sort(np.concatenate([a_idx, b_idx])), np.arange(364))
    for domain, dilate in (("a", False), ("b", True)):
        images, labels = test_data[f"{domain}_images"], test_data[f"{domain}_labels"]
        indices = test_data[f"{domain}_indices"]
        assert images.shape == (len(indices), 32, 32, 1) and images.dtype == np.float32
        assert images.min() >= -1.0 and images.max() <= 1.0
        assert labels.dtype == np.int32
        np.testing.assert_array_equal(labels, source_labels[indices])
        # Erosion (min filter) or dilation (max filter), 3×3 SAME, of the source digits.
        source = source_images[indices]
        sign = 1.0 if dilate else -1.0
        expected = sign * tf.nn.max_pool2d(sign * source, 3, 1, "SAME").numpy()
        # The stored images against a max filter here: the min/max itself is exact, the map
        # from uint8 (x / 127.5 - 1) may run on either side of it (2 roundings).
        assert_close(images, expected, terms=2, err_msg=f"{domain} images vs 3x3 filter")
        assert np.all(images >= source) if dilate else np.all(images <= source)


def test_load_digits_thickness_returns_copies_and_resizes(tfds_data_dir, test_data):
    again = gdata.load_digits_thickness("test", data_dir=tfds_data_dir)
    again["a_images"][:] = 0.0
    np.testing.assert_array_equal(
        gdata.load_digits_thickness("test", data_dir=tfds_data_dir)["a_images"],
        test_data["a_images"],
    )
    small = gdata.load_digits_thickness("test", image_size=16, data_dir=tfds_data_dir)
    assert small["b_images"].shape == (182, 16, 16, 1)
    np.testing.assert_array_equal(small["b_indices"], test_data["b_indices"])
    with pytest.raises(ValueError, match="image_size must be a positive integer"):
        gdata.load_digits_thickness("test", image_size=0, data_dir=tfds_data_dir)


def test_b_is_thicker_than_a(test_data):
    thin = stroke_thickness(test_data["a_images"])
    thick = stroke_thickness(test_data["b_images"])
    assert thick.mean() > thin.mean() + 3.0
    assert np.percentile(thick, 5) > np.percentile(thin, 50)
    assert np.percentile(thin, 95) < np.percentile(thick, 50)


def test_make_dataset_yields_unpaired_batches(tfds_data_dir, network_guard):
    ds = gdata.make_dataset("digits_thickness", "test", batch_size=16, data_dir=tfds_data_dir)
    assert ds.element_spec[0].shape.as_list() == [16, 32, 32, 1]
    batches = _batches(ds)
    assert len(batches) == 182 // 16  # max(Na, Nb) = 182 examples, drop_remainder
    for a, b in batches:
        for x in (a, b):
            assert x.shape == (16, 32, 32, 1) and x.dtype == np.float32
            assert x.min() >= -1.0 and x.max() <= 1.0
    # One pass visits every image of each domain once (Na == Nb on the test split).
    ds = unpaired.make_unpaired_dataset(
        "digits_thickness", "test", 50, drop_remainder=False, data_dir=tfds_data_dir, seed=4
    )
    a_all = np.concatenate([a for a, _ in _batches(ds)])
    assert [len(a) for a, _ in _batches(ds)] == [50, 50, 50, 32]
    data = gdata.load_digits_thickness("test", data_dir=tfds_data_dir)
    flat = data["a_images"].reshape(182, -1)
    order = [int(np.flatnonzero((flat == x.reshape(1, -1)).all(1))[0]) for x in a_all]
    assert sorted(order) == list(range(182))
    assert order != list(range(182))  # shuffled
    assert network_guard == []


def test_shorter_domain_repeats_and_repeat_is_endless(tfds_data_dir):
    # train: Na = 717, Nb = 716, so one pass is 717 examples and B repeats one image.
    ds = gdata.make_unpaired_dataset("digits_thickness", batch_size=100, data_dir=tfds_data_dir)
    assert sum(1 for _ in ds) == 717 // 100
    ds = gdata.make_unpaired_dataset(
        "digits_thickness", batch_size=100, data_dir=tfds_data_dir, drop_remainder=False
    )
    pairs = _batches(ds)
    a_all = np.concatenate([a for a, _ in pairs])
    b_all = np.concatenate([b for _, b in pairs])
    assert len(a_all) == len(b_all) == 717
    assert len(np.unique(a_all.reshape(717, -1), axis=0)) == 717
    # Every B image once, then one more from B's next (reshuffled) pass.
    assert len(np.unique(b_all[:716].reshape(716, -1), axis=0)) == 716
    endless = gdata.make_unpaired_dataset(
        "digits_thickness", "test", batch_size=64, data_dir=tfds_data_dir, repeat=True
    )
    assert sum(1 for _ in endless.take(10)) == 10  # a pass would be 2 batches


def test_same_seed_same_batches_other_seed_different(tfds_data_dir):
    def make(seed, **kwargs):
        return unpaired.make_unpaired_dataset(
            "digits_thickness", "test", 32, seed=seed, data_dir=tfds_data_dir, **kwargs
        )

    first, again, other = (_batches(make(seed)) for seed in (0, 0, 1))
    for (a1, b1), (a2, b2) in zip(first, again, strict=True):
        np.testing.assert_array_equal(a1, a2)
        np.testing.assert_array_equal(b1, b2)
    assert not np.array_equal(first[0][0], other[0][0])
    # A and B are shuffled independently: their source positions follow different orders.
    data = gdata.load_digits_thickness("test", data_dir=tfds_data_dir)
    a_flat, b_flat = data["a_images"].reshape(182, -1), data["b_images"].reshape(182, -1)
    a_order = [int(np.flatnonzero((a_flat == x.reshape(1, -1)).all(1))[0]) for x in first[0][0]]
    b_order = [int(np.flatnonzero((b_flat == x.reshape(1, -1)).all(1))[0]) for x in first[0][1]]
    assert a_order != b_order
    # shuffle=False: both domains in stored order.
    a, b = _batches(make(0, shuffle=False))[0]
    np.testing.assert_array_equal(a, data["a_images"][:32])
    np.testing.assert_array_equal(b, data["b_images"][:32])


def test_channels_and_image_size(tfds_data_dir):
    ds = gdata.make_dataset(
        "digits_thickness", "test", batch_size=4, image_size=16, channels=3, data_dir=tfds_data_dir
    )
    a, b = next(iter(ds))
    assert a.shape == (4, 16, 16, 3) and b.shape == (4, 16, 16, 3)
    np.testing.assert_array_equal(a[..., 0], a[..., 2])


def test_bad_arguments_raise(tfds_data_dir):
    with pytest.raises(
        ValueError,
        match=r"unpaired dataset 'digits_thickness' yields \(a, b\) image pairs without labels.*"
        r"gan_zoo\.data\.unpaired\.load_digits_thickness",
    ):
        gdata.make_dataset("digits_thickness", with_labels=True, data_dir=tfds_data_dir)
    with pytest.raises(ValueError, match="has no split 'validation'; use 'train' or 'test'"):
        gdata.make_dataset("digits_thickness", "validation", data_dir=tfds_data_dir)
    with pytest.raises(ValueError, match="channels must be 1, 3 or None"):
        gdata.make_unpaired_dataset("digits_thickness", channels=2, data_dir=tfds_data_dir)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        gdata.make_unpaired_dataset("digits_thickness", batch_size=0, data_dir=tfds_data_dir)
    with pytest.raises(ValueError, match="unknown unpaired dataset 'mnist'"):
        gdata.make_unpaired_dataset("mnist")


def test_dataset_info_digits_thickness(tfds_data_dir):
    info = gdata.dataset_info("digits_thickness", data_dir=tfds_data_dir)
    assert info["kind"] == "unpaired_images"
    assert info["domains"] == {"a": "thin", "b": "thick"}
    assert info["num_examples"] == {"train": {"a": 717, "b": 716}, "test": {"a": 182, "b": 182}}
    assert info["image_shape"] == (32, 32, 1) and info["num_classes"] is None


# ----------------------------------------------------------------------------- cycle_gan (mock)


@pytest.fixture
def mock_tfds(network_guard):
    with tfds.testing.mock_data(num_examples=6, policy=tfds.testing.MockPolicy.USE_CODE):
        yield
    assert network_guard == []


def test_horse2zebra_pairs(mock_tfds):
    ds = gdata.make_dataset("cycle_gan/horse2zebra", batch_size=2, image_size=32)
    batches = _batches(ds)
    assert len(batches) == 3  # 6 examples per domain under the mock
    for a, b in batches:
        for x in (a, b):
            assert x.shape == (2, 32, 32, 3) and x.dtype == np.float32
            assert x.min() >= -1.0 and x.max() <= 1.0
    a, b = next(iter(gdata.make_dataset("cycle_gan/horse2zebra", "test", 3, image_size=16)))
    assert a.shape == (3, 16, 16, 3) and b.shape == (3, 16, 16, 3)
    gray = gdata.make_unpaired_dataset("cycle_gan/horse2zebra", image_size=8, channels=1)
    assert next(iter(gray))[0].shape == (1, 8, 8, 1)


def test_horse2zebra_one_domain_split_and_errors(mock_tfds):
    # A one-domain TFDS split is served as a plain dataset of images.
    ds = gdata.make_dataset("cycle_gan/horse2zebra", split="trainB", batch_size=3, image_size=8)
    assert next(iter(ds)).shape == (3, 8, 8, 3)
    with pytest.raises(ValueError, match="without labels"):
        gdata.make_dataset("cycle_gan/horse2zebra", with_labels=True)
    with pytest.raises(ValueError, match="has no split 'trainA'; use 'train' or 'test'"):
        gdata.make_unpaired_dataset("cycle_gan/horse2zebra", "trainA")


def test_cycle_gan_dataset_info_without_download(network_guard):
    info = gdata.dataset_info("cycle_gan/horse2zebra", data_dir="/nonexistent-tfds-dir")
    assert info["kind"] == "unpaired_images"
    assert info["domains"] == {"a": "horse", "b": "zebra"}
    assert info["image_shape"] == (None, None, 3)
    assert isinstance(info["num_examples"], dict)
    info = gdata.dataset_info("cycle_gan/maps", data_dir="/nonexistent-tfds-dir")
    assert info["domains"] == {"a": "A", "b": "B"}
    assert network_guard == []
