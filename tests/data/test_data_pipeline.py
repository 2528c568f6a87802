import pathlib

import numpy as np
import pytest
import tensorflow as tf

import gan_zoo.data as gdata


def _first_batches(data_dir, n=3, **kwargs):
    ds = gdata.make_dataset("gan_zoo_digits", batch_size=32, data_dir=data_dir, **kwargs)
    return [batch.numpy() for batch, _ in zip(ds, range(n), strict=False)]


def test_same_seed_same_order_different_seed_different_order(tfds_dir):
    first, again = _first_batches(tfds_dir, seed=7), _first_batches(tfds_dir, seed=7)
    other = _first_batches(tfds_dir, seed=8)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_no_shuffle_is_stable_and_shuffle_reorders(tfds_dir):
    plain = _first_batches(tfds_dir, n=1, shuffle=False)[0]
    np.testing.assert_array_equal(plain, _first_batches(tfds_dir, n=1, shuffle=False)[0])
    assert not np.array_equal(plain, _first_batches(tfds_dir, n=1)[0])


def test_epochs_are_reshuffled(tfds_dir):
    ds = gdata.make_dataset("gan_zoo_digits", batch_size=64, data_dir=tfds_dir)
    epoch1, epoch2 = next(iter(ds)).numpy(), next(iter(ds)).numpy()
    assert not np.array_equal(epoch1, epoch2)


def test_repeat_crosses_epochs(tfds_dir):
    ds = gdata.make_dataset(
        "gan_zoo_digits", split="test", batch_size=100, repeat=True, data_dir=tfds_dir
    )
    batches = list(ds.take(10))  # 364 test examples: 10 batches need 3 epochs.
    assert all(b.shape == (100, 8, 8, 1) for b in batches)


def test_dataset_info_embedded(tfds_dir):
    info = gdata.dataset_info("gan_zoo_digits", data_dir=tfds_dir)
    assert info["num_examples"] == {"train": 1433, "test": 364}
    assert info["num_classes"] == 10 and info["image_shape"] == (8, 8, 1)
    info = gdata.dataset_info("gaussian_mixture/grid25", data_dir=tfds_dir)
    assert info["kind"] == "points" and info["num_classes"] == 25
    assert info["image_shape"] is None and info["point_shape"] == (2,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"batch_size": -4}, "batch_size must be a positive integer, got -4"),
        ({"batch_size": 2.5}, "batch_size must be a positive integer, got 2.5"),
        ({"image_size": 0}, "image_size must be a positive integer, got 0"),
        ({"channels": 2}, "channels must be 1, 3 or None, got 2"),
        ({"split": "validation"}, "has no split 'validation'; available splits: test, train"),
        (
            {"name": "no_such_dataset_xyz"},
            "unknown dataset 'no_such_dataset_xyz'; use gan_zoo_mnist, gan_zoo_digits",
        ),
        ({"name": "mnist/no_such_config"}, "cannot open dataset 'mnist/no_such_config'"),
        ({"name": ""}, "non-empty string"),
    ],
)
def test_bad_arguments_raise_one_line_errors(tfds_dir, network_guard, kwargs, match):
    kwargs = {"name": "gan_zoo_digits", **kwargs}
    with pytest.raises(ValueError, match=match) as error:
        gdata.make_dataset(data_dir=tfds_dir, **kwargs)
    assert "\n" not in str(error.value)
    assert network_guard == []


def test_unknown_name_lists_what_is_accepted(tfds_dir):
    with pytest.raises(
        ValueError, match=r"gaussian_mixture/ring8\|grid25, folder:PATH, or any TFDS"
    ):
        gdata.make_dataset("no_such_dataset_xyz", data_dir=tfds_dir)


def test_public_names():
    assert sorted(gdata.__all__) == [
        "DIGITS_THICKNESS",
        "GanZooDigits",
        "GanZooMnist",
        "GaussianMixture",
        "dataset_info",
        "folder_channels",
        "is_folder_name",
        "load_digits_thickness",
        "make_dataset",
        "make_stacked_digits",
        "make_unpaired_dataset",
        "mixture_centres",
        "mixture_std",
        "with_static_tuning",
    ]
    for name in gdata.__all__:
        assert getattr(gdata, name) is not None


def test_data_layer_imports_no_higher_layer():
    package = pathlib.Path(gdata.__file__).parent
    for source in package.glob("*.py"):
        text = source.read_text()
        for higher in (
            "gan_zoo.models",
            "gan_zoo.presets",
            "gan_zoo.training",
            "from gan_zoo import",
        ):
            assert higher not in text, f"{source.name} imports {higher}"


# ----------------------------------------------------------------------------- stacked digits


def test_make_dataset_stacked_digits_is_make_stacked_digits(tfds_dir, network_guard):
    from gan_zoo.data.stacked_digits import make_stacked_digits

    ds = gdata.make_dataset("stacked_digits", with_labels=True, seed=5, data_dir=tfds_dir)
    assert ds.element_spec[0].shape.as_list() == [64, 32, 32, 3]  # image_size None → 32
    assert int(ds.cardinality()) == 60_000 // 64  # one pass of 60,000, last short batch dropped
    (images, labels), (images2, labels2) = list(ds.take(2).as_numpy_iterator())
    assert images.shape == (64, 32, 32, 3) and images.dtype == np.float32
    assert labels.shape == (64,) and labels.dtype == np.int32
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert images.min() == -1.0 and images.max() > 0.9  # digits on a -1 background
    assert labels.min() >= 0 and labels.max() <= 999
    assert len(np.unique(np.concatenate([labels, labels2]))) > 100  # 128 draws of 1,000 modes
    # The same examples, in the same order, as make_stacked_digits with the same arguments.
    direct = make_stacked_digits("train", batch_size=64, seed=5, data_dir=tfds_dir)
    (direct_images, direct_labels) = next(direct.as_numpy_iterator())
    np.testing.assert_array_equal(images, direct_images)
    np.testing.assert_array_equal(labels, direct_labels)
    assert network_guard == []


def test_make_dataset_stacked_digits_options(tfds_dir):
    from gan_zoo.data.stacked_digits import make_stacked_digits

    images = next(iter(gdata.make_dataset("stacked_digits", batch_size=8, data_dir=tfds_dir)))
    assert images.shape == (8, 32, 32, 3)  # with_labels=False: images alone
    ds = gdata.make_dataset(
        "stacked_digits",
        split="test",
        batch_size=7,
        image_size=16,
        channels=3,
        shuffle=False,
        drop_remainder=False,
        with_labels=True,
        cache=False,
        data_dir=tfds_dir,
    )
    assert int(ds.cardinality()) == -(-60_000 // 7)  # the last short batch is kept
    images, labels = next(ds.as_numpy_iterator())
    assert images.shape == (7, 16, 16, 3)
    expected = make_stacked_digits(
        "test", batch_size=7, image_size=16, shuffle=False, data_dir=tfds_dir
    )
    np.testing.assert_array_equal(labels, next(expected.as_numpy_iterator())[1])
    # Not shuffled: the first batch is the same on every pass.
    np.testing.assert_array_equal(labels, next(ds.as_numpy_iterator())[1])


def test_make_dataset_stacked_digits_repeat_is_an_endless_stream(tfds_dir):
    from gan_zoo.data.stacked_digits import make_stacked_digits

    ds = gdata.make_dataset(
        "stacked_digits", batch_size=64, repeat=True, with_labels=True, seed=2, data_dir=tfds_dir
    )
    assert ds.cardinality() == tf.data.INFINITE_CARDINALITY
    batches = list(ds.take(3).as_numpy_iterator())
    assert [x.shape for x, _ in batches] == [(64, 32, 32, 3)] * 3
    # Fresh draws in index order, as make_stacked_digits(num_examples=None) gives them.
    stream = make_stacked_digits(
        "train", num_examples=None, batch_size=64, seed=2, data_dir=tfds_dir
    )
    for (_, labels), (_, expected) in zip(batches, stream.take(3).as_numpy_iterator(), strict=True):
        np.testing.assert_array_equal(labels, expected)


@pytest.mark.parametrize("channels", [1, 2, True])
def test_make_dataset_stacked_digits_needs_3_channels(tfds_dir, channels):
    with pytest.raises(
        ValueError, match=r"channels must be 3 or None for 'stacked_digits' .*got"
    ) as error:
        gdata.make_dataset("stacked_digits", channels=channels, data_dir=tfds_dir)
    assert "\n" not in str(error.value)


def test_make_dataset_stacked_digits_bad_split(tfds_dir):
    with pytest.raises(ValueError, match="has no split 'validation'"):
        gdata.make_dataset("stacked_digits", split="validation", data_dir=tfds_dir)


def test_dataset_info_stacked_digits(network_guard):
    info = gdata.dataset_info("stacked_digits")
    assert info["name"] == "stacked_digits" and info["kind"] == "image"
    assert info["num_examples"] == {"train": 60_000, "test": 60_000}
    assert info["num_classes"] == 1000
    assert info["class_names"][:3] == ["000", "001", "002"] and info["class_names"][-1] == "999"
    assert len(info["class_names"]) == 1000
    assert info["image_shape"] == (32, 32, 3) and info["point_shape"] is None
    assert network_guard == []


def test_unknown_name_lists_stacked_digits(tfds_dir):
    with pytest.raises(
        ValueError,
        match=r"use gan_zoo_mnist, gan_zoo_digits, stacked_mnist, stacked_digits, gaussian_mix",
    ):
        gdata.make_dataset("no_such_dataset_xyz", data_dir=tfds_dir)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"image_size": 28, "channels": 3},
        {"image_size": 5, "channels": 1, "with_labels": True, "shuffle": True, "seed": 3},
    ],
)
def test_chunked_preprocessing_gives_the_per_image_results(tfds_dir, monkeypatch, kwargs):
    # Images of one static shape are preprocessed PREPROCESS_CHUNK at a time (one resize call
    # per chunk); every image must be exactly what the per-image path makes of it, in order.
    from gan_zoo.data import batching, tfds_sources

    def take(n=3):
        ds = gdata.make_dataset(
            "gan_zoo_digits", split="test", batch_size=100, data_dir=tfds_dir, **kwargs
        )
        return [tf.nest.map_structure(np.asarray, b) for b, _ in zip(ds, range(n), strict=False)]

    assert batching.preprocess_in_chunks(tfds_sources.open_tfds("gan_zoo_digits", "test", tfds_dir))
    chunked = take()  # 3 batches of 100 cross the 256-image chunk boundary
    one_pass = gdata.make_dataset(
        "gan_zoo_digits", split="test", batch_size=100, data_dir=tfds_dir, **kwargs
    )
    assert int(one_pass.cardinality()) == 3  # 364 test images: known, as without chunks
    monkeypatch.setattr(batching, "preprocess_in_chunks", lambda source: False)
    per_image = take()
    for a, b in zip(tf.nest.flatten(chunked), tf.nest.flatten(per_image), strict=True):
        assert a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    images = tf.nest.flatten(chunked)[0]
    assert images.dtype == np.float32 and -1.0 <= images.min() and images.max() <= 1.0


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("gan_zoo_digits", {"image_size": 28}),
        ("gan_zoo_digits", {"with_labels": True, "repeat": True}),
        ("stacked_digits", {}),
        ("digits_thickness", {}),
        ("gaussian_mixture/ring8", {"image_size": None}),
    ],
)
def test_every_pipeline_has_the_autotuner_off(tfds_dir, network_guard, name, kwargs):
    # Its thread stalled the first step of most epochs (with_static_tuning's docstring); the
    # elements are what they were with it on, since every parallel map is deterministic.
    def build():
        return gdata.make_dataset(name, batch_size=8, data_dir=tfds_dir, seed=5, **kwargs)

    ds = build()
    assert ds.options().autotune.enabled is False
    options = tf.data.Options()
    options.autotune.enabled = True
    tuned = build().with_options(options)  # a new pipeline: shuffles as the first did
    for a, b in zip(ds.take(2), tuned.take(2), strict=True):
        for x, y in zip(tf.nest.flatten(a), tf.nest.flatten(b), strict=True):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
