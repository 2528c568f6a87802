"""Download-only TFDS datasets, served offline by `tfds.testing.mock_data` (random examples)."""

import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import gan_zoo.data as gdata


@pytest.fixture
def mock_tfds(network_guard):
    with tfds.testing.mock_data(num_examples=12, policy=tfds.testing.MockPolicy.USE_CODE):
        yield
    assert network_guard == []


def _check_range(images):
    assert images.dtype == tf.float32
    assert -1.0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1.0


def test_mnist(mock_tfds):
    ds = gdata.make_dataset("mnist", batch_size=4, with_labels=True)
    images, labels = next(iter(ds))
    assert images.shape == (4, 28, 28, 1)
    _check_range(images)
    assert labels.dtype == tf.int32 and labels.shape == (4,)
    assert 0 <= int(tf.reduce_min(labels)) and int(tf.reduce_max(labels)) <= 9
    assert sum(1 for _ in ds) == 3  # 12 examples, batches of 4.


def test_mnist_resized_to_rgb(mock_tfds):
    images = next(iter(gdata.make_dataset("mnist", batch_size=4, image_size=32, channels=3)))
    assert images.shape == (4, 32, 32, 3)
    _check_range(images)


def test_celeb_a_center_cropped_and_resized(mock_tfds):
    ds = gdata.make_dataset("celeb_a", batch_size=4, image_size=64, channels=3)
    assert ds.element_spec.shape.as_list() == [4, 64, 64, 3]
    images = next(iter(ds))
    assert images.shape == (4, 64, 64, 3)
    _check_range(images)


def test_celeb_a_native_size_is_kept(mock_tfds):
    images = next(iter(gdata.make_dataset("celeb_a", batch_size=2, channels=1)))
    assert images.shape == (2, 218, 178, 1)


def test_celeb_a_has_no_labels(mock_tfds):
    with pytest.raises(ValueError, match="dataset 'celeb_a' has no labels; pass with_labels=False"):
        gdata.make_dataset("celeb_a", with_labels=True)


def test_horse2zebra(mock_tfds):
    ds = gdata.make_dataset("cycle_gan/horse2zebra", split="trainA", batch_size=3, image_size=32)
    assert next(iter(ds)).shape == (3, 32, 32, 3)


def test_dataset_info_without_download(network_guard):
    info = gdata.dataset_info("celeb_a", data_dir="/nonexistent-tfds-dir")
    assert info["image_shape"] == (218, 178, 3)
    assert info["num_classes"] is None and info["kind"] == "image"
    info = gdata.dataset_info("mnist", data_dir="/nonexistent-tfds-dir")
    assert info["image_shape"] == (28, 28, 1) and info["num_classes"] == 10
    assert network_guard == []
