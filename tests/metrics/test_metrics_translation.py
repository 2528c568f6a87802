"""Translation metrics: stroke thickness, scores of translated arrays, and the evaluation of
thin ↔ thick digit translators (`gan_zoo.evaluation`) and of exported CycleGANs."""

import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close, assert_reproduced

from gan_zoo.data.unpaired import load_digits_thickness
from gan_zoo.evaluation import evaluate_translation
from gan_zoo.metrics import stroke_thickness, thickness_range, translation_scores
from gan_zoo.metrics.digits_classifier import load_digits_classifier


def _bar(width: int, length: int = 24, size: int = 32) -> np.ndarray:
    """A vertical bar, ink +1 on background -1: [1, size, size, 1]."""
    image = -np.ones((1, size, size, 1), np.float32)
    top, left = (size - length) // 2, (size - width) // 2
    image[0, top : top + length, left : left + width, 0] = 1.0
    return image


def _dilate(x):
    return tf.nn.max_pool2d(x, 3, 1, "SAME")


def _erode(x):
    return -tf.nn.max_pool2d(-x, 3, 1, "SAME")


@pytest.fixture(scope="module")
def data(tfds_data_dir):
    return load_digits_thickness("test", data_dir=tfds_data_dir)


@pytest.fixture(scope="module")
def clf():
    return load_digits_classifier()


def test_thickness_of_bars_hand_computed():
    # A w×L bar: area wL; boundary = both long sides (2L) + the end rows' inner pixels
    # (2(w − 2)), so 2wL / (2L + 2w − 4) = wL / (L + w − 2).
    bars = np.concatenate([_bar(w) for w in (2, 4, 6)])
    thickness = stroke_thickness(bars)
    # Exact pixel counts, then 2 · area / boundary in float64: 2 roundings.
    assert_close(thickness, [2.0, 96 / 26, 144 / 28], dtype="float64", terms=2)  # 2, 3.69, 5.14
    np.testing.assert_allclose(thickness, [2, 4, 6], atol=1.0)  # the estimator's end-cap bias
    # A longer bar has relatively smaller end caps: 6×30 → 180 / 34.
    assert_close(stroke_thickness(_bar(6, length=30)), [180 / 34], dtype="float64", terms=2)
    # One pixel, a 1 px line (every ink pixel is boundary: the estimator's floor of 2), no ink.
    dot = -np.ones((1, 8, 8, 1), np.float32)
    dot[0, 3, 3, 0] = 1.0
    blank = -np.ones((1, 8, 8, 1), np.float32)
    # Exact: 2 · 1 / 1, and 0 (no ink) by definition.
    np.testing.assert_array_equal(stroke_thickness(np.concatenate([dot, blank])), [2.0, 0.0])
    assert_close(stroke_thickness(_bar(1)), [2.0], dtype="float64", terms=2)
    # Ink touching the border: outside the image counts as background. Full 4×4 → 16·2 / 12.
    full = stroke_thickness(np.ones((1, 4, 4, 1), np.float32))
    assert_close(full, [32 / 12], dtype="float64", terms=2)


def test_thickness_threshold_and_dilation_adds_two_pixels():
    grey = _bar(4) * 0.5  # ink at +0.5, background at -0.5
    assert_close(stroke_thickness(grey), [96 / 26], dtype="float64", terms=2)
    np.testing.assert_array_equal(stroke_thickness(grey, threshold=0.6), [0.0])  # no ink: 0
    # A 3×3 dilation widens a 4 px bar to 6 px (and lengthens it by 2): 6·26 / (26 + 6 − 2).
    dilated = stroke_thickness(_dilate(_bar(4)).numpy())
    assert_close(dilated, [156 / 30], dtype="float64", terms=2)


def test_real_thin_digits_are_thinner_than_thick(data):
    thin, thick = stroke_thickness(data["a_images"]), stroke_thickness(data["b_images"])
    assert 3.5 < thin.mean() < 5.0 and 7.5 < thick.mean() < 9.5
    (a_low, a_high), (b_low, b_high) = (thickness_range(data[k]) for k in ("a_images", "b_images"))
    assert a_low < a_high < b_low + 0.5 and b_low < b_high  # 5–95% ranges (nearly) disjoint
    # The same thicknesses through the same np.percentile: the same program, the same bits.
    assert_reproduced((a_low, a_high), (np.percentile(thin, 5), np.percentile(thin, 95)))
    assert thickness_range(data["a_images"], 0, 100) == (thin.min(), thin.max())


def test_identity_translators(data, clf):
    report = evaluate_translation(lambda x: x, lambda x: x, data, classifier=clf, batch_size=100)
    assert all(isinstance(v, float) for v in report.values())
    assert report["num_a"] == 182.0 and report["num_b"] == 182.0
    assert report["label_accuracy_a_to_b"] == report["label_accuracy_real_a"] >= 0.95
    assert report["label_accuracy_b_to_a"] == report["label_accuracy_real_b"] >= 0.95
    assert report["cycle_error_a"] == 0.0 and report["cycle_error_b"] == 0.0
    thin, thick = stroke_thickness(data["a_images"]), stroke_thickness(data["b_images"])
    # The report's float64 means of 182 thicknesses (accumulated batch by batch there), its
    # percentiles (2 roundings: interpolation) and its fractions (a count over 182).
    means = dict(dtype="float64", terms=182)
    assert_close(report["thickness_a_to_b_mean"], thin.mean(), err_msg="a → b mean", **means)
    assert_close(report["thickness_real_b_mean"], thick.mean(), err_msg="real b mean", **means)
    b_low, b_high = np.percentile(thick, 5), np.percentile(thick, 95)
    assert_close(report["thickness_range_b_low"], b_low, dtype="float64", terms=2)
    assert_close(report["thickness_range_b_high"], b_high, dtype="float64", terms=2)
    in_b = np.mean((thin >= b_low) & (thin <= b_high))
    assert_close(report["thickness_in_range_a_to_b"], in_b, dtype="float64", terms=182)
    assert report["thickness_in_range_a_to_b"] < 0.1  # unchanged thin digits are not thick
    a_low, a_high = np.percentile(thin, 5), np.percentile(thin, 95)
    in_a = np.mean((thick >= a_low) & (thick <= a_high))
    assert_close(report["thickness_in_range_b_to_a"], in_a, dtype="float64", terms=182)


def test_morphological_translators_land_in_the_target_range(data, clf):
    # thin = erode(source), thick = dilate(source): dilating thin twice gives ~dilate(source).
    report = evaluate_translation(
        lambda x: _dilate(_dilate(x)), lambda x: _erode(_erode(x)), data, classifier=clf
    )
    assert report["thickness_in_range_a_to_b"] > 0.7
    assert report["thickness_in_range_b_to_a"] > 0.7
    assert report["thickness_a_to_b_mean"] > report["thickness_range_b_low"]
    assert report["thickness_b_to_a_mean"] < report["thickness_range_a_high"]
    assert report["label_accuracy_a_to_b"] > 0.9 and report["label_accuracy_b_to_a"] > 0.9
    assert 0.0 < report["cycle_error_a"] < 0.5  # morphology is lossy, not inverted exactly


def test_translation_scores_of_arrays_match_the_translators(data, clf):
    """The metrics layer scores translated arrays; evaluate_translation runs the translators."""
    thick = _dilate(_dilate(data["a_images"])).numpy()
    thin = _erode(_erode(data["b_images"])).numpy()
    translated = {
        "a_to_b": thick,
        "b_to_a": thin,
        "a_cycle": _erode(_erode(thick)).numpy(),
        "b_cycle": _dilate(_dilate(thin)).numpy(),
    }
    scores = translation_scores(data, translated, classifier=clf)
    report = evaluate_translation(
        lambda x: _dilate(_dilate(x)), lambda x: _erode(_erode(x)), data, classifier=clf
    )
    # The same arrays through the same code: the same numbers, bit for bit.
    assert_reproduced(list(scores.values()), list(report.values()))
    assert list(scores) == list(report)
    with pytest.raises(ValueError, match="translated lacks b_cycle"):
        translation_scores(data, {k: v for k, v in translated.items() if k != "b_cycle"})
    with pytest.raises(ValueError, match=r"translated\['a_to_b'\] must have its source images'"):
        translation_scores(data, {**translated, "a_to_b": thick[:5]}, classifier=clf)


def test_bad_inputs_raise(data, clf):
    identity = lambda x: x  # noqa: E731
    with pytest.raises(ValueError, match="translate_a_to_b must be callable"):
        evaluate_translation(None, identity, data, classifier=clf)
    partial = {k: v for k, v in data.items() if k != "b_labels"}
    with pytest.raises(ValueError, match="data lacks b_labels"):
        evaluate_translation(identity, identity, partial, classifier=clf)
    with pytest.raises(ValueError, match=r"data\['a_images'\] must be grayscale images"):
        evaluate_translation(identity, identity, {**data, "a_images": data["a_images"][..., 0]})
    with pytest.raises(ValueError, match=r"data\['b_labels'\] must be integers \[182\]"):
        evaluate_translation(identity, identity, {**data, "b_labels": data["b_labels"][:5]})
    with pytest.raises(ValueError, match="translate_a_to_b must return images of its input"):
        evaluate_translation(lambda x: x[:, :16], identity, data, classifier=clf)
    with pytest.raises(ValueError, match="translate_b_to_a must return finite float images"):
        evaluate_translation(identity, lambda x: x * np.nan, data, classifier=clf)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        evaluate_translation(identity, identity, data, classifier=clf, batch_size=0)
    with pytest.raises(ValueError, match=r"images must be grayscale images \[N, H, W, 1\]"):
        stroke_thickness(np.zeros((2, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="percentiles must satisfy"):
        thickness_range(data["a_images"], 95, 5)


def test_saved_translator_is_measured_through_its_uint8_signatures(tmp_path, tfds_data_dir):
    """An exported identity-like translator: labels kept at the floor, cycle error ~ 0."""
    import keras

    from gan_zoo import export
    from gan_zoo.evaluation import evaluate_saved_translator
    from gan_zoo.families.cyclegan.model import CycleGAN

    def identity(name):
        inputs = keras.Input((32, 32, 1))
        return keras.Model(inputs, keras.layers.Identity(name=f"{name}_id")(inputs), name=name)

    def critic(name):
        inputs = keras.Input((32, 32, 1))
        return keras.Model(inputs, keras.layers.Conv2D(1, 4, name=f"{name}_c")(inputs), name=name)

    model = CycleGAN(identity("g_ab"), identity("g_ba"), critic("d_a"), critic("d_b"))
    saved = export.export_model(model, str(tmp_path / "saved_model"))
    report = evaluate_saved_translator(str(tmp_path), data_dir=tfds_data_dir)
    assert report["label_accuracy_a_to_b"] == report["label_accuracy_real_a"]
    # Not a rounding bound: the uint8 round trip moves pixels, and a few strokes' thickness.
    assert report["thickness_a_to_b_mean"] == pytest.approx(report["thickness_real_a_mean"], 0.02)
    assert report["cycle_error_a"] < 1 / 127.5  # only the uint8 rounding
    with pytest.raises(ValueError, match="no SavedModel"):
        evaluate_saved_translator(str(tmp_path / "nowhere"))
    assert saved.endswith("saved_model")
