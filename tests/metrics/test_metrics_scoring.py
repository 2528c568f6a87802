"""Scoring arrays and samplers: metrics beside the real-vs-real floor, tables, JSON, CAS."""

import json
import math

import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close

from gan_zoo import metrics
from gan_zoo.data.stacked_digits import load_digits_arrays
from gan_zoo.metrics import cas
from gan_zoo.metrics.features import FeatureExtractor


@pytest.fixture(scope="module")
def digits(tfds_data_dir):
    train = load_digits_arrays("train", image_size=32, data_dir=tfds_data_dir)
    test = load_digits_arrays("test", image_size=32, data_dir=tfds_data_dir)
    return train, test


def real_sampler(images):
    """A 'generator' that returns real images the metrics did not see as real_train."""
    return lambda num, seed: images[:num]


def noise_sampler(num, seed):
    return np.random.default_rng(seed).uniform(-1, 1, (num, 32, 32, 1)).astype(np.float32)


@pytest.fixture(scope="module")
def reports(digits):
    (train_x, _), (test_x, _) = digits
    real_train, others = train_x[:150], train_x[150:]
    kwargs = {"num_samples": 150, "kid_subsets": 10}
    good = metrics.evaluate(real_sampler(others), real_train, test_x, "digits", **kwargs)
    bad = metrics.evaluate(noise_sampler, real_train, test_x, "digits", **kwargs)
    return good, bad


def test_evaluate_puts_real_samples_near_the_floor_and_noise_far_above(reports):
    good, bad = reports
    for report in (good, bad):
        assert report["extractor"] == "gan_zoo_digits_classifier"
        assert report["comparable_to_published"] is False
        assert report["counts"] == {"generated": 150, "real_train": 150, "real_test": 150}
        assert "model_at_baseline_count" not in report and report["notes"] == []
        for section in ("model", "real_baseline"):
            scalars = metrics.scalar_metrics(report[section])
            assert set(scalars) >= {
                "frechet_distance", "kid", "kid_std", "precision", "recall", "density",
                "coverage", "class_modes_covered", "class_kl_to_uniform", "inception_score",
            }  # fmt: skip
            assert all(math.isfinite(v) for v in scalars.values()), scalars
            assert len(report[section]["class_histogram"]) == 10
    # The same real data and settings give the same floor, whatever the model.
    assert good["real_baseline"] == bad["real_baseline"]
    floor = good["real_baseline"]
    assert 0 < floor["frechet_distance"] < 20
    assert floor["precision"] > 0.7 and floor["class_modes_covered"] == 10
    assert floor["inception_score"] > 5  # 10 classes, confidently recognised
    # Real images as "samples" score like the floor; noise is far worse on every metric.
    model, noise = good["model"], bad["model"]
    assert model["frechet_distance"] < 3 * floor["frechet_distance"]
    assert noise["frechet_distance"] > 20 * floor["frechet_distance"]
    assert noise["kid"] > 100 * max(abs(model["kid"]), abs(floor["kid"]), 1e-3)
    assert model["precision"] > 0.7 > 0.1 > noise["precision"]
    assert model["coverage"] > 0.5 > 0.1 > noise["coverage"]
    assert model["class_modes_covered"] == 10 and model["inception_score"] > 5
    assert noise["inception_score"] < model["inception_score"] - 2


def test_small_test_split_adds_the_model_at_the_baselines_count(digits):
    (train_x, _), (test_x, _) = digits
    report = metrics.evaluate(
        real_sampler(train_x[400:]),
        train_x,
        test_x,
        "digits",
        metrics=["frechet_distance", "precision_recall"],
        num_samples=400,
    )
    assert report["counts"] == {"generated": 400, "real_train": 400, "real_test": 364}
    assert report["metrics"] == ["frechet_distance", "precision_recall"]
    assert set(report["model"]) == {"frechet_distance", "precision", "recall"}
    matched = report["model_at_baseline_count"]
    assert set(matched) == set(report["model"])
    assert matched["frechet_distance"] != report["model"]["frechet_distance"]
    assert "model_at_baseline_count" in report["notes"][0]
    table = metrics.format_table(report)
    assert "model @364" in table.splitlines()[2]
    # A baseline handed back in is reused as is.
    again = metrics.evaluate(
        noise_sampler,
        train_x,
        test_x,
        "digits",
        metrics=["frechet_distance", "precision_recall"],
        num_samples=400,
        real_baseline=report["real_baseline"],
    )
    assert again["real_baseline"] == report["real_baseline"]
    assert again["model"]["frechet_distance"] > 20 * report["real_baseline"]["frechet_distance"]


def test_evaluate_rejects_unknown_metrics_and_mismatched_samples(digits):
    (train_x, _), (test_x, _) = digits
    with pytest.raises(ValueError, match="unknown metric.*fid; valid: frechet_distance, kid"):
        metrics.evaluate(noise_sampler, train_x, test_x, "digits", metrics=["fid"])
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.evaluate(
            lambda n, s: np.zeros((n, 16, 16, 1), np.float32), train_x, test_x, "digits",
            num_samples=20,
        )  # fmt: skip
    with pytest.raises(ValueError, match="returned 3 samples, asked for 20"):
        metrics.evaluate(lambda n, s: train_x[:3], train_x, test_x, "digits", num_samples=20)


class PixelFeatures(FeatureExtractor):
    """Average-pooled pixels: a feature extractor without class probabilities."""

    name = "pixels_8x8"
    description = "8x8 average-pooled pixels"
    image_size = 32
    channels = (1,)
    feature_dim = 64

    def compute(self, images, batch_size=None):
        x = tf.nn.avg_pool2d(np.asarray(images, np.float32), 4, 4, "VALID")
        return x.numpy().reshape(len(images), -1), None


def test_an_extractor_without_probabilities_skips_the_class_metrics(digits):
    (train_x, _), (test_x, _) = digits
    extractor = PixelFeatures()
    assert extractor.probabilities(test_x[:2]) is None
    report = metrics.evaluate(
        noise_sampler, train_x, test_x, extractor, num_samples=100, kid_subsets=5
    )
    assert report["extractor"] == "pixels_8x8"
    assert "inception_score" not in report["model"]
    assert "class_modes_covered" not in report["real_baseline"]
    assert "class_modes, inception_score skipped" in report["notes"][0]
    assert report["model"]["frechet_distance"] > 10 * report["real_baseline"]["frechet_distance"]


def test_table_and_strict_json(reports, tmp_path):
    good, _ = reports
    table = metrics.format_table(good)
    lines = table.splitlines()
    assert lines[0] == "extractor: gan_zoo_digits_classifier (comparable to published: no)"
    header = lines[2].split(" | ")
    assert [cell.strip() for cell in header[:3]] == ["metric", "model", "real baseline"]
    # Columns are as wide as their longest cell (which depends on the values: a KID std of
    # 0 or of 1.3e-15 from round-off): every row puts its separators where the header does.
    separators = [i for i in range(len(lines[2])) if lines[2].startswith(" | ", i)]
    for line in lines[4:]:
        if line.startswith("note:"):
            break
        found = [i for i in range(len(line)) if line.startswith(" | ", i)]
        assert found == separators[: len(found)] and len(found) >= 2, line  # empty "better": 2
    assert any(line.startswith("frechet_distance ") and "lower" in line for line in lines)
    report = {**good, "model": {**good["model"], "class_kl_to_uniform": float("nan")}}
    path = metrics.save_report(report, tmp_path / "out" / "report.json")

    def no_constants(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    loaded = json.loads(open(path).read(), parse_constant=no_constants)
    assert loaded["model"]["class_kl_to_uniform"] is None
    assert loaded["real_baseline"]["frechet_distance"] == good["real_baseline"]["frechet_distance"]


def test_evaluate_points_scores_mode_coverage_beside_the_real_points():
    centres = np.array([[0.0, 0.0], [10.0, 0.0]])
    real = np.array([[0.1, 0.0], [9.9, 0.0], [0.0, 0.2], [10.0, 0.1]], np.float32)
    collapsed = metrics.evaluate_points(
        lambda n, s: np.zeros((n, 2), np.float32), real, centres, 1.0, num_samples=6
    )
    assert collapsed["metrics"] == ["mode_coverage"] and collapsed["extractor"] is None
    assert collapsed["counts"] == {"generated": 6, "real_test": 4}
    assert collapsed["model"]["modes_covered"] == 1 and collapsed["model"]["counts"] == [6, 0]
    assert collapsed["real_baseline"]["modes_covered"] == 2
    # Every sample in one of 2 modes: KL(q ‖ uniform) = log 2, in float64 from exact counts.
    assert_close(collapsed["model"]["reverse_kl"], math.log(2), dtype="float64", terms=2 + 2)
    assert collapsed["real_baseline"]["reverse_kl"] == 0.0
    scalars = metrics.scalar_metrics(collapsed["model"])
    assert not {"modes", "high_quality", "counts"} & set(scalars)  # aliases and lists left out
    table = metrics.format_table(collapsed)
    assert table.splitlines()[0] == "extractor: none (raw points) (comparable to published: no)"
    assert any(
        line.startswith("reverse_kl ") and line.endswith("lower") for line in table.splitlines()
    )
    with pytest.raises(ValueError, match=r"sample_fn's output must be 2-D points \[N, 2\]"):
        metrics.evaluate_points(lambda n, s: np.zeros((n, 3)), real, centres, 1.0)
    with pytest.raises(ValueError, match="std must be"):
        metrics.evaluate_points(lambda n, s: np.zeros((n, 2)), real, centres, 0.0)


def class_sampler(train, shift=0):
    """A conditional 'generator' returning real train digits of class (label + shift) % 10."""
    images, labels = train
    by_class = [images[labels == c] for c in range(10)]

    def sample(wanted, seed):
        counters = [0] * 10
        out = []
        for label in wanted:
            c = (int(label) + shift) % 10
            out.append(by_class[c][counters[c] % len(by_class[c])])
            counters[c] += 1
        return np.stack(out)

    return sample


def test_classification_accuracy_score_of_wrong_labels_beside_real_data(digits):
    # Real digits of class (c + 1) % 10 served as class c: perfect images, wrong labels. The
    # reference is the same recipe trained on as many real train images (a second run).
    train, (test_x, test_y) = digits
    result = metrics.classification_accuracy_score(
        class_sampler(train, shift=1),
        10,
        test_x,
        test_y,
        samples_per_class=20,
        epochs=1,
        batch_size=32,
        reference="retrain",
        real_train_images=train[0],
        real_train_labels=train[1],
    )
    assert result["num_generated"] == 200 and result["num_test"] == 364
    assert result["train_steps"] == cas.CAS_MIN_STEPS
    assert len(result["per_class_accuracy"]) == 10
    assert result["cas"] < 0.15
    assert "200 real train images" in result["real_data_reference"]
    assert result["real_data_accuracy"] > 0.6  # 0.79 measured
    with pytest.raises(ValueError, match="reference must be 'shipped' or 'retrain'"):
        metrics.classification_accuracy_score(
            class_sampler(train), 10, test_x, test_y, reference="real"
        )
    with pytest.raises(ValueError, match="'retrain' needs real_train_images"):
        metrics.classification_accuracy_score(
            lambda labels, seed: test_x[: len(labels)], 10, test_x, test_y,
            samples_per_class=1, epochs=1, reference="retrain",
        )  # fmt: skip
