"""Feature extractors: the digits classifier and Keras' InceptionV3 (random weights offline)."""

import numpy as np
import pytest
from harness import assert_close, assert_reproduced, network_terms

from gan_zoo.data.stacked_digits import load_digits_arrays, make_stacked_digits
from gan_zoo.metrics import features, functional
from gan_zoo.metrics.digits_classifier import load_digits_classifier
from gan_zoo.metrics.features import (
    INCEPTION_WEIGHTS_ENV,
    DigitsFeatures,
    FeatureExtractor,
    InceptionV3Features,
    StackedDigitsFeatures,
    get_extractor,
)


@pytest.fixture(scope="module")
def digits(tfds_data_dir):
    images, labels = load_digits_arrays("test", image_size=32, data_dir=tfds_data_dir)
    return images[:40], labels[:40]


@pytest.fixture(scope="module")
def inception():
    return InceptionV3Features(_weights="random")


def softmax_terms(classes: int) -> int:
    """A float32 softmax's row summed again in NumPy: exp, the sum of `classes`, the division,
    and NumPy's float32 sum of `classes`."""
    return 2 * classes + 2


def test_digits_features_shapes_probabilities_and_predictions(digits):
    images, labels = digits
    extractor = get_extractor("digits")
    assert isinstance(extractor, DigitsFeatures) and isinstance(extractor, FeatureExtractor)
    assert extractor.name == "gan_zoo_digits_classifier"
    assert extractor.comparable_to_published is False
    assert (extractor.feature_dim, extractor.num_classes) == (128, 10)

    feats, probs = extractor.compute(images)
    assert feats.shape == (40, 128) and feats.dtype == np.float32
    assert probs.shape == (40, 10) and probs.dtype == np.float32
    assert np.all(np.isfinite(feats)) and np.all(feats >= 0)  # post-ReLU
    assert_close(probs.sum(axis=1), 1.0, terms=softmax_terms(10), err_msg="softmax rows")
    # The shipped classifier is right on held-out digits (HELD_OUT_ACCURACY = 1.0).
    assert np.mean(np.argmax(probs, axis=1) == labels) >= 0.95
    # features() and probabilities() are compute()'s outputs: the same program again.
    assert_reproduced(extractor.features(images), feats, err_msg="features()")
    assert_reproduced(extractor.probabilities(images), probs, err_msg="probabilities()")

    # Any size (resized by the classifier) and uint8 input give the same kind of output. Not a
    # rounding bound: the uint8 images are other inputs (each pixel moved by up to 1/255).
    as_uint8 = np.round((images[:4] + 1.0) * 127.5).astype(np.uint8)
    np.testing.assert_allclose(extractor.features(as_uint8), feats[:4], atol=0.05, rtol=0.02)
    assert extractor.features(images[:3, ::2, ::2]).shape == (3, 128)
    with pytest.raises(ValueError, match=r"\[N, H, W, 1\]"):
        extractor.features(np.zeros((2, 32, 32, 3), np.float32))
    assert extractor.info()["name"] == "gan_zoo_digits_classifier"


def test_get_extractor_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown feature extractor 'fid'; valid: digits, incep"):
        get_extractor("fid")


def test_inception_without_weights_explains_the_three_options(monkeypatch, tmp_path):
    monkeypatch.delenv(INCEPTION_WEIGHTS_ENV, raising=False)
    with pytest.raises(ValueError) as error:
        InceptionV3Features()
    message = str(error.value)
    assert "\n" not in message
    for option in ("weights_path", INCEPTION_WEIGHTS_ENV, "allow_download=True"):
        assert option in message
    with pytest.raises(ValueError, match="InceptionV3 needs weights"):
        get_extractor("inception_v3")

    missing = str(tmp_path / "nope.h5")
    with pytest.raises(ValueError, match=r"nope\.h5.*from weights_path.*does not exist"):
        InceptionV3Features(weights_path=missing)
    monkeypatch.setenv(INCEPTION_WEIGHTS_ENV, missing)
    with pytest.raises(ValueError, match=f"from \\${INCEPTION_WEIGHTS_ENV}"):
        InceptionV3Features()


def test_inception_random_weights_gives_pool_features_and_softmax(inception):
    assert inception.name == "keras_inception_v3_imagenet"
    assert inception.comparable_to_published is False
    assert "RANDOM" in inception.description
    rng = np.random.default_rng(0)
    gray = rng.uniform(-1, 1, (2, 16, 16, 1)).astype(np.float32)
    feats, probs = inception.compute(gray)
    assert feats.shape == (2, 2048) and feats.dtype == np.float32
    assert probs.shape == (2, 1000) and probs.dtype == np.float32
    assert np.all(np.isfinite(feats)) and np.all(feats >= 0)  # average of ReLU outputs
    assert_close(probs.sum(axis=1), 1.0, terms=softmax_terms(1000), err_msg="softmax rows")
    assert not np.allclose(feats[0], feats[1])  # different images, different features
    # Grayscale is the same image repeated over 3 channels (tiled before or after the resize:
    # two programs, InceptionV3's round-off); uint8 maps to [-1, 1].
    rgb = np.repeat(gray, 3, axis=-1)
    assert_close(
        inception.features(rgb),
        feats,
        terms=network_terms(inception._model),
        err_msg="RGB vs grayscale features",
    )
    # Not a rounding bound: the uint8 images are other inputs (pixels moved by up to 1/255).
    as_uint8 = np.round((rgb + 1.0) * 127.5).astype(np.uint8)
    np.testing.assert_allclose(inception.features(as_uint8), feats, rtol=0.05, atol=0.02)
    with pytest.raises(ValueError, match="must be in \\[-1, 1\\]"):
        inception.features(gray * 255.0)


@pytest.mark.slow  # writes and reads a 95 MB weights file: ~10 s on 2 cores
def test_inception_loads_a_local_weights_file(inception, tmp_path, monkeypatch):
    # A weights file saved from the (random) network loads through weights_path and the env var.
    path = tmp_path / "inception.weights.h5"
    base = features._inception_two_outputs("random")
    base.save_weights(str(path))
    image = np.linspace(-1, 1, 2 * 20 * 20 * 3, dtype=np.float32).reshape(2, 20, 20, 3)
    expected = inception.features(image)
    loaded = InceptionV3Features(weights_path=path)
    assert loaded.weights == str(path.resolve())
    # The same network rebuilt with the same weights read back: the same program again.
    assert_reproduced(loaded.features(image), expected, err_msg="weights file vs in memory")
    monkeypatch.setenv(INCEPTION_WEIGHTS_ENV, str(path))
    assert InceptionV3Features().weights == str(path.resolve())


@pytest.fixture(scope="module")
def stacked(tfds_data_dir):
    ds = make_stacked_digits(
        "test", num_examples=2000, batch_size=500, seed=1, data_dir=tfds_data_dir
    )
    images, labels = (np.concatenate(parts) for parts in zip(*ds.as_numpy_iterator(), strict=True))
    return images, labels


@pytest.fixture(scope="module")
def stacked_outputs(stacked):
    return get_extractor("stacked_digits").compute(stacked[0])


def test_stacked_digits_features_are_the_channels_features_side_by_side(stacked, stacked_outputs):
    images, _ = stacked
    extractor = get_extractor("stacked_digits")
    assert isinstance(extractor, StackedDigitsFeatures) and isinstance(extractor, FeatureExtractor)
    assert extractor.name == "gan_zoo_stacked_digits_classifier"
    assert extractor.channels == (3,) and extractor.comparable_to_published is False
    assert (extractor.feature_dim, extractor.num_classes) == (384, 1000)
    assert extractor.info()["feature_dim"] == 384 and extractor.info()["num_classes"] == 1000

    feats, probs = stacked_outputs
    assert feats.shape == (2000, 384) and feats.dtype == np.float32
    assert probs.shape == (2000, 1000) and probs.dtype == np.float32
    digits = DigitsFeatures()
    per_channel = [digits.compute(images[:50, ..., k : k + 1]) for k in range(3)]
    # The channels run as one batch of 3 N images there, 50 per call here: other batches,
    # other programs, the classifier's round-off.
    terms = network_terms(digits.classifier.model)
    for k, (channel_feats, _) in enumerate(per_channel):
        assert_close(
            feats[:50, 128 * k : 128 * (k + 1)],
            channel_feats,
            terms=terms,
            err_msg=f"channel {k} features",
        )
    p0, p1, p2 = (channel_probs for _, channel_probs in per_channel)
    # Column 100a + 10b + c is p0[a] p1[b] p2[c] (+ the softmax and 2 products).
    for a, b, c in [(0, 0, 0), (3, 7, 1), (9, 9, 9), (5, 0, 8)]:
        assert_close(
            probs[:50, 100 * a + 10 * b + c],
            p0[:, a] * p1[:, b] * p2[:, c],
            terms=terms + softmax_terms(10) + 2,
            err_msg=f"mode {a}{b}{c}",
        )
    assert feats[0, :128].tolist() != feats[0, 128:256].tolist()  # different digits per channel


def test_stacked_digits_probabilities_are_the_1000_modes(stacked, stacked_outputs):
    images, labels = stacked
    _, probs = stacked_outputs
    # 1000 products of 3 softmax rows, summed in float32.
    assert_close(probs.sum(axis=1), 1.0, terms=3 * softmax_terms(10) + 1000, err_msg="rows")
    assert probs.min() >= 0.0
    predicted = np.argmax(probs, axis=1)
    clf = load_digits_classifier()
    np.testing.assert_array_equal(predicted, clf.predict_stacked(images))
    # The shipped classifier is right on held-out digits: the triple is right ~acc³ of the time.
    assert np.mean(predicted == labels) >= 0.85
    # 2,000 draws of 1,000 near-uniform modes cover ~1000 (1 - e^-2) ≈ 865 of them.
    covered = functional.class_mode_coverage(predicted.astype(np.int64), 1000)["modes_covered"]
    assert covered > 600
    assert abs(covered - len(np.unique(labels))) <= 30


def test_stacked_digits_features_input_checks():
    extractor = get_extractor("stacked_digits")
    with pytest.raises(ValueError, match=r"\[N, H, W, 3\]"):
        extractor.compute(np.zeros((2, 32, 32, 1), np.float32))
    with pytest.raises(ValueError, match="must be in \\[-1, 1\\]"):
        extractor.compute(np.full((2, 32, 32, 3), 255.0, np.float32))
    feats, probs = extractor.compute(np.zeros((0, 32, 32, 3), np.float32))
    assert feats.shape == (0, 384) and probs.shape == (0, 1000)
    # uint8 and other sizes are accepted, as DigitsFeatures accepts them.
    feats, probs = extractor.compute(np.zeros((3, 8, 8, 3), np.uint8))
    assert feats.shape == (3, 384)
    assert_close(probs.sum(axis=1), 1.0, terms=3 * softmax_terms(10) + 1000, err_msg="rows")
