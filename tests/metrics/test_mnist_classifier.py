"""The shipped MNIST classifier (real 28 px digits) and the Stacked-MNIST mode count with it."""

import configparser
import fnmatch
import math
import os

import numpy as np
import pytest

from gan_zoo import metrics
from gan_zoo.data.stacked_digits import load_digits_arrays, make_stacked_digits
from gan_zoo.evaluation.evaluator import _default_extractor
from gan_zoo.metrics import digits_classifier as dc
from gan_zoo.metrics.features import MnistFeatures, StackedMnistFeatures, get_extractor
from gan_zoo.metrics.modes import class_mode_coverage

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = dc.CLASSIFIERS["mnist"]


@pytest.fixture(scope="module")
def test_split(tfds_data_dir):
    return load_digits_arrays("test", 28, tfds_data_dir, base="gan_zoo_mnist")


@pytest.fixture(scope="module")
def clf():
    return dc.load_mnist_classifier()


def test_weights_and_record_ship_as_package_data():
    assert SPEC.weights_path.is_file() and SPEC.record_path.is_file()
    assert SPEC.weights_path.stat().st_size < 2_000_000
    package_dir = os.path.join(REPO_ROOT, "gan_zoo", "metrics")
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(REPO_ROOT, "setup.cfg"))
    patterns = [p.strip() for p in cfg["options.package_data"]["gan_zoo.metrics"].split(",")]
    for path in (SPEC.weights_path, SPEC.record_path):
        relative = os.path.relpath(path, package_dir)
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_held_out_accuracy_is_the_recorded_one_and_at_least_98_5(clf, test_split):
    images, labels = test_split
    assert images.shape == (1000, 28, 28, 1)
    accuracy = float(np.mean(clf.predict(images) == labels))
    record = dc.classifier_record("mnist")
    assert record["dataset"] == "gan_zoo_mnist" and record["test_examples"] == 1000
    assert record["train_examples"] == 4000
    # The record was measured by the training script on another machine: a different CPU may
    # round a logit differently and flip at most a digit or two of 1,000.
    assert abs(accuracy - record["test_accuracy"]) <= 0.002
    assert accuracy >= 0.985


def test_network_is_the_spec_and_resizes_other_sizes(clf, test_split):
    assert clf.model.input_shape == (None, 28, 28, 1)
    assert clf.model.get_layer("stem").strides == (1, 1)
    images, _ = test_split
    as_uint8 = np.rint((images[:50] + 1.0) * 127.5).astype(np.uint8)
    np.testing.assert_array_equal(clf.predict(as_uint8), clf.predict(images[:50]))


def test_unknown_classifier_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown classifier 'cifar'; valid: mnist, digits"):
        dc.load_classifier("cifar")


def test_extractors_by_name_and_default_for_each_dataset():
    assert isinstance(get_extractor("mnist"), MnistFeatures)
    assert get_extractor("mnist").image_size == 28
    stacked = get_extractor("stacked_mnist")
    assert isinstance(stacked, StackedMnistFeatures) and stacked.feature_dim == 384
    assert stacked.num_classes == 1000 and "mnist classifier" in stacked.description
    assert _default_extractor("gan_zoo_mnist", (28, 28, 1)) == "mnist"
    assert _default_extractor("mnist", (28, 28, 1)) == "mnist"
    assert _default_extractor("stacked_mnist", (28, 28, 3)) == "stacked_mnist"
    assert _default_extractor("gan_zoo_digits", (32, 32, 1)) == "digits"
    assert _default_extractor("cifar10", (32, 32, 3)) == "inception_v3"


def test_stacked_mnist_real_stacks_are_read_back(clf, tfds_data_dir):
    ds = make_stacked_digits(
        "test",
        num_examples=1000,
        batch_size=500,
        seed=3,
        data_dir=tfds_data_dir,
        image_size=28,
        base="gan_zoo_mnist",
    )
    images, labels = (np.concatenate(parts) for parts in zip(*ds.as_numpy_iterator(), strict=True))
    predicted = clf.predict_stacked(images)
    accuracy = float(np.mean(predicted == labels))
    # Three independent digits each read right with p >= 0.985: p³ >= 0.955.
    assert accuracy >= 0.94
    _, probabilities = StackedMnistFeatures().compute(images[:100])
    np.testing.assert_array_equal(probabilities.argmax(axis=1), predicted[:100])


# --------------------------------------------------------------- the published mode counting


def test_stacked_mnist_protocol_counts_modes_and_kl_on_a_fabricated_histogram():
    # 26,000 labels spread evenly over 500 of the 1,000 modes: KL(q || u) = log(1000 / 500).
    labels = np.repeat(np.arange(0, 1000, 2), 52)
    assert labels.size == 26_000
    result = class_mode_coverage(labels, 1000)
    assert result["modes_covered"] == 500
    assert result["kl_to_uniform"] == pytest.approx(math.log(2), rel=1e-12)
    # Uneven: 13,000 on mode 7 and 13,000 spread over 100 other modes (130 each).
    labels = np.concatenate([np.full(13_000, 7), np.repeat(np.arange(100, 200), 130)])
    result = class_mode_coverage(labels, 1000)
    by_hand = 0.5 * math.log(0.5 * 1000) + 100 * (0.005 * math.log(0.005 * 1000))
    assert result["modes_covered"] == 101
    assert result["kl_to_uniform"] == pytest.approx(by_hand, rel=1e-12)
    assert sum(result["histogram"]) == 26_000 and result["histogram"][7] == 13_000


def test_class_modes_metric_reads_stacked_probabilities():
    # The registry's class_modes takes the argmax of StackedMnistFeatures' 1,000-way output.
    probabilities = np.zeros((6, 1000), np.float32)
    probabilities[np.arange(6), [0, 0, 999, 123, 123, 123]] = 1.0
    scores = metrics.get_metric("class_modes").fn(probabilities)
    assert scores["class_modes_covered"] == 3
    q = np.array([2, 1, 3]) / 6
    assert scores["class_kl_to_uniform"] == pytest.approx(float(np.sum(q * np.log(q * 1000))))
