"""The shipped digits classifier: weights load offline, held-out accuracy, input handling."""

import configparser
import fnmatch
import importlib.util
import json
import os

import numpy as np
import pytest
import tensorflow_datasets as tfds
from harness import assert_close, network_terms

from gan_zoo.data.stacked_digits import load_digits_arrays, make_stacked_digits
from gan_zoo.metrics import digits_classifier as dc

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO_ROOT, "scripts", "train_digits_classifier.py")


@pytest.fixture(scope="module")
def test_split(tfds_data_dir):
    return load_digits_arrays("test", 32, tfds_data_dir)


@pytest.fixture(scope="module")
def clf():
    return dc.load_digits_classifier()


@pytest.fixture(scope="module")
def test_accuracy(clf, test_split):
    images, labels = test_split
    return float(np.mean(clf.predict(images) == labels))


def test_shipped_weights_are_small_and_declared_as_package_data():
    assert dc.WEIGHTS_PATH.is_file() and dc.RECORD_PATH.is_file()
    assert dc.WEIGHTS_PATH.stat().st_size < 1_000_000
    package_dir = os.path.join(REPO_ROOT, "gan_zoo", "metrics")
    assert os.path.samefile(dc.WEIGHTS_PATH.parent.parent, package_dir)
    # setup.cfg ships them in an installed package (wheel or sdist), not only in a checkout.
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(REPO_ROOT, "setup.cfg"))
    patterns = [p.strip() for p in cfg["options.package_data"]["gan_zoo.metrics"].split(",")]
    for path in (dc.WEIGHTS_PATH, dc.RECORD_PATH):
        relative = os.path.relpath(path, package_dir)
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_loads_without_training_and_is_cached(monkeypatch, clf):
    def no_training(*args, **kwargs):
        raise AssertionError("loading the classifier must not train")

    monkeypatch.setattr("keras.Model.fit", no_training)
    fresh = dc.load_digits_classifier(dc.WEIGHTS_PATH)  # another cache key: a real load
    assert dc.load_digits_classifier() is clf
    assert fresh is not clf and fresh.model.count_params() == clf.model.count_params()
    for a, b in zip(fresh.model.get_weights(), clf.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_missing_weights_say_how_to_recreate(tmp_path):
    with pytest.raises(FileNotFoundError, match="train_digits_classifier.py"):
        dc.load_digits_classifier(tmp_path / "absent.weights.h5")


def test_architecture_is_small_and_named():
    model = dc.build_digits_classifier()
    assert model.input_shape == (None, 32, 32, 1) and model.output_shape == (None, 10)
    assert model.get_layer("features").output.shape == (None, 128)
    assert model.get_layer("logits").output.shape == (None, 10)
    assert model.count_params() < 150_000


def test_held_out_accuracy_matches_the_documented_number(test_split, test_accuracy):
    assert len(test_split[0]) == 364
    assert test_accuracy >= 0.95
    assert abs(test_accuracy - dc.HELD_OUT_ACCURACY) <= 0.01
    with open(dc.RECORD_PATH) as f:
        record = json.load(f)
    assert record["test_accuracy"] == pytest.approx(dc.HELD_OUT_ACCURACY, abs=1e-9)
    assert record["test_examples"] == 364
    for key in ("train_accuracy", "epochs", "seed", "tensorflow", "keras", "date"):
        assert key in record


def test_features_are_finite_informative_and_batch_independent(clf, test_split):
    images = test_split[0][:100]
    features = clf.features(images)
    assert features.shape == (100, 128) and features.dtype == np.float32
    assert np.isfinite(features).all() and (features >= 0).all()  # post-ReLU
    assert (features.std(axis=0) > 0).sum() > 32  # many live units, not a constant
    # Batches of 7 and of 100: other shapes, other programs, the network's round-off.
    assert_close(
        clf.features(images, batch_size=7),
        features,
        terms=network_terms(clf.model),
        err_msg="batches of 7 vs 100",
    )
    assert clf.features(images[:0]).shape == (0, 128)


def test_predict_proba_is_a_distribution_agreeing_with_predict(clf, test_split):
    images = test_split[0][:100]
    proba = clf.predict_proba(images)
    assert proba.shape == (100, 10) and proba.dtype == np.float32
    assert (proba >= 0).all()
    # A float32 softmax of 10 logits (exp, a sum of 10, a division), summed again in NumPy.
    assert_close(proba.sum(axis=1), 1.0, terms=2 * 10 + 2, err_msg="softmax rows")
    predictions = clf.predict(images)
    assert predictions.shape == (100,) and np.issubdtype(predictions.dtype, np.integer)
    np.testing.assert_array_equal(predictions, proba.argmax(axis=1))


def test_uint8_input_matches_the_float_equivalent(clf, test_split):
    as_uint8 = np.rint((test_split[0] + 1.0) * 127.5).astype(np.uint8)
    as_float = as_uint8.astype(np.float32) / 127.5 - 1.0
    np.testing.assert_array_equal(clf.predict(as_uint8), clf.predict(as_float))
    # The uint8 path maps x / 127.5 - 1 inside its own graph: two programs.
    assert_close(
        clf.features(as_uint8),
        clf.features(as_float),
        terms=network_terms(clf.model) + 2,
        err_msg="uint8 vs float input",
    )


def test_other_sizes_are_resized_as_the_pipeline_does(clf, test_split, tfds_data_dir):
    # The raw 8x8 uint8 images, resized by the classifier, classify as make_dataset's 32 px.
    raw = tfds.as_numpy(
        tfds.builder("gan_zoo_digits", data_dir=tfds_data_dir).as_dataset(
            split="test", batch_size=-1, shuffle_files=False
        )
    )
    assert raw["image"].shape[1:] == (8, 8, 1) and raw["image"].dtype == np.uint8
    np.testing.assert_array_equal(raw["label"], test_split[1])  # same order
    np.testing.assert_array_equal(clf.predict(raw["image"]), clf.predict(test_split[0]))


def test_bad_inputs_raise_one_line_errors(clf):
    for shape in ((4, 32, 32, 3), (4, 32, 32), (32, 32, 1)):
        with pytest.raises(ValueError, match=r"got shape \(") as info:
            clf.predict(np.zeros(shape, np.float32))
        assert str(shape) in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ValueError, match=r"\[N, H, W, 3\]"):
        clf.predict_stacked(np.zeros((4, 32, 32, 1), np.float32))
    with pytest.raises(ValueError, match="uint8"):
        clf.predict(np.full((2, 32, 32, 1), 255.0, np.float32))  # 0..255 floats
    with pytest.raises(ValueError, match="batch_size"):
        clf.features(np.zeros((2, 32, 32, 1), np.float32), batch_size=0)


def test_predict_stacked_reads_channels_in_order(clf, test_split):
    images, _ = test_split
    digits = clf.predict(images[:30]).reshape(10, 3)
    stacked = np.concatenate([images[0:30:3], images[1:30:3], images[2:30:3]], axis=-1)
    expected = 100 * digits[:, 0] + 10 * digits[:, 1] + digits[:, 2]
    np.testing.assert_array_equal(clf.predict_stacked(stacked), expected)


def test_predict_stacked_recovers_stacked_test_digits(clf, test_accuracy, tfds_data_dir):
    ds = make_stacked_digits(
        "test", num_examples=2000, batch_size=500, seed=1, data_dir=tfds_data_dir
    )
    images, labels = (np.concatenate(parts) for parts in zip(*ds.as_numpy_iterator(), strict=True))
    predicted = clf.predict_stacked(images)
    assert predicted.shape == (2000,) and predicted.min() >= 0 and predicted.max() <= 999
    stacked_accuracy = float(np.mean(predicted == labels))
    # The three channels are independent uniform draws from the test split: expect acc³.
    assert stacked_accuracy >= 0.85
    assert abs(stacked_accuracy - test_accuracy**3) <= 0.03


def _load_script():
    spec = importlib.util.spec_from_file_location("train_digits_classifier", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_training_script_writes_weights_that_load(tmp_path, tfds_data_dir, capsys):
    script = _load_script()
    assert script.parse_args([]).deterministic and script.parse_args([]).classifier == "mnist"
    # In-process and without deterministic ops (a process-wide switch) to stay fast and
    # side-effect free; the shipped weights come from the script's defaults.
    args = ["--classifier=digits", "--epochs=1", "--batch_size=256", "--verbose=0"]
    args.append("--no_deterministic")
    record = script.main([*args, f"--output_dir={tmp_path}", f"--data_dir={tfds_data_dir}"])
    assert "test accuracy" in capsys.readouterr().out
    with open(tmp_path / "digits_classifier.json") as f:
        assert json.load(f) == record
    assert record["epochs"] == 1 and 0.0 <= record["test_accuracy"] <= 1.0
    weights = tmp_path / "digits_classifier.weights.h5"
    assert weights.stat().st_size < 1_000_000
    assert dc.load_digits_classifier(weights).model.count_params() == record["num_params"]
