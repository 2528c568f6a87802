import itertools

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from harness import assert_close

import gan_zoo.data as gdata
from gan_zoo.data import gaussian_mixture


def test_ring8_has_eight_distinct_centres_on_the_unit_circle():
    centres = gdata.mixture_centres("ring8")
    assert centres.shape == (8, 2) and centres.dtype == np.float32
    distances = [np.linalg.norm(a - b) for a, b in itertools.combinations(centres, 2)]
    assert min(distances) > 0.5
    # float32 centres (cos and sin, rounded) and their float32 norms (2 squares, sqrt).
    assert_close(np.linalg.norm(centres, axis=1), 1.0, terms=2 + 3, err_msg="radii")
    angles = np.arctan2(centres[:, 1], centres[:, 0]) % (2 * np.pi)
    # float32 arctan2 of the rounded coordinates, judged at the scale of the largest angle.
    assert_close(angles, 2 * np.pi * np.arange(8) / 8, terms=2 + 4, err_msg="angles")
    assert gdata.mixture_std("ring8") == 0.01


def test_grid25_centres_cover_the_grid():
    centres = gdata.mixture_centres("grid25")
    assert centres.shape == (25, 2)
    grid = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(c) for c in centres.astype(int).tolist()} == grid
    np.testing.assert_array_equal(centres, np.round(centres))
    assert gdata.mixture_std("grid25") == 0.05


def test_centres_are_a_fresh_copy():
    gdata.mixture_centres("ring8")[:] = 0
    assert np.abs(gdata.mixture_centres("ring8")).sum() > 0


@pytest.mark.parametrize("fn", [gdata.mixture_centres, gdata.mixture_std])
def test_unknown_mixture_lists_valid_names(fn):
    with pytest.raises(ValueError, match="unknown gaussian mixture 'ring9'.*grid25, ring8"):
        fn("ring9")


@pytest.mark.parametrize("config", ["ring8", "grid25"])
def test_points_lie_near_their_labelled_centre(tfds_dir, config):
    ds = gdata.make_dataset(
        f"gaussian_mixture/{config}",
        split="train",
        batch_size=500,
        with_labels=True,
        shuffle=False,
        data_dir=tfds_dir,
    )
    assert ds.element_spec[0].shape.as_list() == [500, 2]
    assert ds.element_spec[0].dtype == tf.float32
    points, labels = (np.concatenate(parts) for parts in zip(*ds.as_numpy_iterator(), strict=True))
    centres, std = gdata.mixture_centres(config), gdata.mixture_std(config)
    assert len(points) == 4000
    # Raw coordinates: the grid reaches +-4, far outside [-1, 1].
    assert np.abs(points).max() > (3.5 if config == "grid25" else 0.9)
    distance = np.linalg.norm(points - centres[labels], axis=1)
    assert distance.max() < 5 * std
    # Near-uniform components: each count within 35% of the mean (>= 4 sigma for K = 25).
    counts = np.bincount(labels, minlength=len(centres))
    expected = len(labels) / len(centres)
    assert np.all(np.abs(counts - expected) < 0.35 * expected), counts


def test_full_split_sizes_and_seeds_differ():
    builder = tfds.builder("gaussian_mixture/ring8", data_dir="/nonexistent-tfds-dir")
    generators = builder._split_generators(None)  # Uses no download manager.
    assert {split: sum(1 for _ in gen) for split, gen in generators.items()} == {
        "train": 20_000,
        "test": 2_500,
    }
    train, _ = gaussian_mixture.sample_mixture(
        "ring8", 1000, gaussian_mixture._SPLIT_SEEDS["train"]
    )
    test, _ = gaussian_mixture.sample_mixture("ring8", 1000, gaussian_mixture._SPLIT_SEEDS["test"])
    assert not np.allclose(train, test)


def test_builder_features_and_configs():
    for config, k in (("ring8", 8), ("grid25", 25)):
        info = tfds.builder(f"gaussian_mixture/{config}", data_dir="/nonexistent-tfds-dir").info
        assert info.features["point"].shape == (2,)
        assert info.features["point"].np_dtype == np.float32
        assert info.features["label"].num_classes == k
        assert str(info.version) == "1.0.0"


@pytest.mark.parametrize(
    ("kwargs", "arg"), [({"image_size": 32}, "image_size"), ({"channels": 3}, "channels")]
)
def test_image_arguments_are_rejected(tfds_dir, kwargs, arg):
    with pytest.raises(ValueError, match=f"{arg}=.*2-D points"):
        gdata.make_dataset("gaussian_mixture/ring8", data_dir=tfds_dir, **kwargs)


def test_unknown_config_is_rejected(tfds_dir):
    with pytest.raises(ValueError, match="gaussian_mixture/ring8, gaussian_mixture/grid25"):
        gdata.make_dataset("gaussian_mixture/ring7", data_dir=tfds_dir)
    with pytest.raises(ValueError, match="unknown gaussian mixture 'gaussian_mixture'"):
        gdata.make_dataset("gaussian_mixture", data_dir=tfds_dir)
