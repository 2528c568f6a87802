"""Stacked digits: three embedded digits as channels, 1,000 modes, deterministic per seed."""

import numpy as np
import pytest

from gan_zoo.data.stacked_digits import NUM_MODES, load_digits_arrays, make_stacked_digits


def _collect(ds):
    images, labels = zip(*ds.as_numpy_iterator(), strict=True)
    return np.concatenate(images), np.concatenate(labels)


@pytest.fixture(scope="module")
def train_pool(tfds_data_dir):
    return load_digits_arrays("train", 32, tfds_data_dir)


def test_shapes_dtypes_and_range(tfds_data_dir, network_guard):
    ds = make_stacked_digits("train", num_examples=100, batch_size=32, data_dir=tfds_data_dir)
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 3  # drop_remainder
    for images, labels in batches:
        assert images.shape == (32, 32, 32, 3) and images.dtype == np.float32
        assert labels.shape == (32,) and labels.dtype == np.int32
        assert images.min() >= -1.0 and images.max() <= 1.0
        assert labels.min() >= 0 and labels.max() < NUM_MODES
    assert network_guard == []

    ds = make_stacked_digits(
        "test",
        num_examples=10,
        batch_size=4,
        data_dir=tfds_data_dir,
        image_size=16,
        drop_remainder=False,
    )
    assert [len(y) for _, y in ds.as_numpy_iterator()] == [4, 4, 2]
    assert ds.element_spec[0].shape.as_list() == [None, 16, 16, 3]

    images_only = make_stacked_digits(
        "train", num_examples=8, batch_size=8, data_dir=tfds_data_dir, with_labels=False
    )
    assert next(iter(images_only)).shape == (8, 32, 32, 3)


def test_labels_are_the_digits_of_the_channels(tfds_data_dir, train_pool):
    pool_images, pool_labels = train_pool
    images, labels = _collect(
        make_stacked_digits("train", num_examples=64, batch_size=64, seed=3, data_dir=tfds_data_dir)
    )
    flat_pool = pool_images.reshape(len(pool_images), -1)
    for image, label in zip(images, labels, strict=True):
        digits = []
        for k in range(3):
            distances = np.abs(flat_pool - image[..., k].reshape(1, -1)).max(axis=1)
            matches = np.flatnonzero(distances == 0)
            assert len(matches) >= 1, "each channel is one source digit, unaltered"
            digits.append({int(d) for d in pool_labels[matches]})
        assert label // 100 in digits[0] and (label // 10) % 10 in digits[1]
        assert label % 10 in digits[2]


def test_same_seed_same_batches_other_seed_different(tfds_data_dir):
    def make(seed, **kwargs):
        kwargs = {"num_examples": 200, "batch_size": 50, "data_dir": tfds_data_dir, **kwargs}
        return make_stacked_digits("train", seed=seed, **kwargs)

    a, b, c = (list(make(seed).as_numpy_iterator()) for seed in (0, 0, 1))
    for (xa, ya), (xb, yb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(np.concatenate([y for _, y in a]), np.concatenate([y for _, y in c]))

    # The examples depend only on (seed, index): not on batching; shuffling only reorders them,
    # and differently on every pass.
    unshuffled = _collect(make(0, shuffle=False))
    rebatched = _collect(make(0, shuffle=False, batch_size=7, drop_remainder=False))
    np.testing.assert_array_equal(unshuffled[0], rebatched[0])
    shuffled_ds = make(0)
    first, second = _collect(shuffled_ds), _collect(shuffled_ds)
    assert not np.array_equal(first[1], unshuffled[1])
    assert not np.array_equal(first[1], second[1])
    assert sorted(first[1]) == sorted(second[1]) == sorted(unshuffled[1])
    # An endless stream draws the same examples, in index order.
    endless = make_stacked_digits(
        "train", num_examples=None, batch_size=50, seed=0, data_dir=tfds_data_dir
    )
    stream = _collect(endless.take(4))
    np.testing.assert_array_equal(stream[0], unshuffled[0])
    np.testing.assert_array_equal(stream[1], unshuffled[1])


def test_draws_cover_the_modes_as_uniform_independent_draws_predict(tfds_data_dir, train_pool):
    n = 5000
    _, labels = _collect(
        make_stacked_digits("train", num_examples=n, batch_size=1000, data_dir=tfds_data_dir)
    )
    observed = len(np.unique(labels))
    # Exact mean and variance of the number of distinct modes among n independent draws,
    # with mode probabilities p[abc] = q[a] q[b] q[c] (q: the split's class frequencies).
    q = np.bincount(train_pool[1], minlength=10) / len(train_pool[1])
    p = np.einsum("a,b,c->abc", q, q, q).ravel()
    missed = (1 - p) ** n
    both_missed = (1 - p[:, None] - p[None, :]) ** n
    np.fill_diagonal(both_missed, missed)
    covariance = both_missed - np.outer(missed, missed)
    expected, sd = NUM_MODES - missed.sum(), np.sqrt(covariance.sum())
    assert 990 < expected < 996 and sd < 4  # ~1000 (1 - e^-5) = 993.3
    assert abs(observed - expected) <= 5 * sd, (observed, expected, sd)
    # Each channel's digit is uniform over the split: class frequencies ~ q.
    for place in (100, 10, 1):
        counts = np.bincount((labels // place) % 10, minlength=10)
        assert np.all(np.abs(counts / n - q) < 0.025)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_examples": 0},
        {"batch_size": 0},
        {"image_size": 0},
        {"seed": 1.5},
        {"split": "validation"},
    ],
)
def test_bad_arguments_raise(kwargs, tfds_data_dir):
    with pytest.raises(ValueError):
        make_stacked_digits(data_dir=tfds_data_dir, **kwargs)
