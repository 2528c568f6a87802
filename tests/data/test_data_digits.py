import logging
import time

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import gan_zoo.data as gdata
from gan_zoo.data import _offline, digits


def _load_split(data_dir, split):
    builder = tfds.builder("gan_zoo_digits", data_dir=data_dir)
    batch = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
    return batch["image"], batch["label"]


def _rows(images, labels):
    return {img.tobytes() + bytes([int(lab)]) for img, lab in zip(images, labels, strict=True)}


def test_prepare_is_offline_and_takes_seconds(tmp_path, network_guard):
    import sklearn.datasets  # noqa: F401  (import cost is not the builder's)

    builder = tfds.builder("gan_zoo_digits", data_dir=str(tmp_path))
    start = time.perf_counter()
    _offline.prepare(builder)
    elapsed = time.perf_counter() - start
    assert network_guard == []
    assert elapsed < 10.0, f"preparing gan_zoo_digits took {elapsed:.1f} s"
    assert {s: i.num_examples for s, i in builder.info.splits.items()} == digits.SPLIT_SIZES


def test_network_guard_catches_tfds_default_gcs_lookup(tmp_path, network_guard):
    # Without try_download_gcs=False, download_and_prepare asks GCS whether a prepared copy
    # exists; this is why the embedded builders are prepared with an explicit config.
    builder = tfds.builder("gan_zoo_digits", data_dir=str(tmp_path))
    with pytest.raises(RuntimeError, match="network"):
        builder.download_and_prepare()
    assert network_guard == ["gcs_utils.is_dataset_on_gcs"]


def test_splits_are_stratified_disjoint_and_cover_all(tfds_dir):
    train_x, train_y = _load_split(tfds_dir, "train")
    test_x, test_y = _load_split(tfds_dir, "test")
    assert len(train_x) == 1433 and len(test_x) == 364
    assert len(train_x) + len(test_x) == 1797
    assert train_x.shape[1:] == (8, 8, 1) and train_x.dtype == np.uint8
    train_rows, test_rows = _rows(train_x, train_y), _rows(test_x, test_y)
    assert len(train_rows) == len(train_x) and len(test_rows) == len(test_x)
    assert not train_rows & test_rows
    source_x, source_y = digits.load_digits_uint8()
    assert train_rows | test_rows == _rows(source_x, source_y)
    assert set(train_y) == set(test_y) == set(range(10))
    # Stratified: each class has 80% (floor) of its examples in train.
    counts = np.bincount(source_y, minlength=10)
    np.testing.assert_array_equal(np.bincount(train_y, minlength=10), (4 * counts) // 5)


def test_raw_images_use_the_full_uint8_range(tfds_dir):
    images, _ = _load_split(tfds_dir, "train")
    assert images.dtype == np.uint8
    assert images.min() == 0 and images.max() == 255
    # 17 grey levels 0..16 scaled by 255/16 and rounded.
    assert set(np.unique(images)) <= {round(v * 255 / 16) for v in range(17)}


def test_split_is_deterministic():
    _, labels = digits.load_digits_uint8()
    first, second = digits.split_indices(labels), digits.split_indices(labels)
    for split in ("train", "test"):
        np.testing.assert_array_equal(first[split], second[split])


def test_make_dataset_images_and_labels(tfds_dir):
    ds = gdata.make_dataset(
        "gan_zoo_digits", batch_size=64, image_size=32, with_labels=True, data_dir=tfds_dir
    )
    assert ds.element_spec[0].shape.as_list() == [64, 32, 32, 1]
    images, labels = next(iter(ds))
    assert images.dtype == tf.float32 and images.shape == (64, 32, 32, 1)
    assert -1.0 <= float(tf.reduce_min(images)) < -0.9
    assert 0.9 < float(tf.reduce_max(images)) <= 1.0
    assert labels.dtype == tf.int32 and labels.shape == (64,)
    assert 0 <= int(tf.reduce_min(labels)) and int(tf.reduce_max(labels)) <= 9


def test_make_dataset_native_size_and_rgb(tfds_dir):
    ds = gdata.make_dataset("gan_zoo_digits", batch_size=8, channels=3, data_dir=tfds_dir)
    images = next(iter(ds))
    assert images.shape == (8, 8, 8, 3)
    np.testing.assert_array_equal(images[..., 0], images[..., 2])  # copied channels: exact


@pytest.mark.parametrize(
    ("drop_remainder", "sizes"), [(True, [100] * 14), (False, [100] * 14 + [33])]
)
def test_drop_remainder(tfds_dir, drop_remainder, sizes):
    ds = gdata.make_dataset(
        "gan_zoo_digits", batch_size=100, drop_remainder=drop_remainder, data_dir=tfds_dir
    )
    assert [int(batch.shape[0]) for batch in ds] == sizes


def test_preparing_an_embedded_dataset_prints_nothing(tmp_path, capfd, caplog):
    """What a user saw on first use of the embedded data: TFDS' "Downloading and preparing
    dataset" on stdout and progress bars on stderr, although nothing downloads. Now one INFO
    line of the gan_zoo.data logger, and the user's progress-bar setting is left as it was."""
    from tensorflow_datasets.core.utils import tqdm_utils

    shown = tqdm_utils._active
    capfd.readouterr()
    with caplog.at_level(logging.INFO, logger="gan_zoo.data"):
        images = next(
            iter(gdata.make_dataset("gan_zoo_digits", batch_size=4, data_dir=str(tmp_path)))
        )
    assert images.shape == (4, 8, 8, 1)  # the stored 8x8 scans
    out, err = capfd.readouterr()
    assert "Downloading and preparing" not in out and "prepared to" not in out, out
    assert "examples/s" not in err and "splits/s" not in err, err[-500:]
    assert any("preparing the embedded dataset gan_zoo_digits" in r.message for r in caplog.records)
    assert tqdm_utils._active is shown  # as it was before
