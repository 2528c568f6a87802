"""Whole evaluations: metrics beside the real-vs-real floor, CAS, models, SavedModels, callback."""

import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close

import gan_zoo.presets
from gan_zoo import export
from gan_zoo.callbacks import EvaluationCallback
from gan_zoo.data import make_dataset
from gan_zoo.data.gaussian_mixture import mixture_centres, sample_mixture
from gan_zoo.data.stacked_digits import load_digits_arrays
from gan_zoo.metrics import evaluation
from gan_zoo.metrics.digits_classifier import HELD_OUT_ACCURACY
from gan_zoo.metrics.features import FeatureExtractor

TINY_DIGITS = {
    "latent_dim": 8,
    "generator_kwargs": {"base_filters": 4},
    "discriminator_kwargs": {"base_filters": 4},
}


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
    good = evaluation.evaluate(real_sampler(others), real_train, test_x, "digits", **kwargs)
    bad = evaluation.evaluate(noise_sampler, real_train, test_x, "digits", **kwargs)
    return good, bad


def test_evaluate_puts_real_samples_near_the_floor_and_noise_far_above(reports):
    good, bad = reports
    for report in (good, bad):
        assert report["extractor"] == "gan_zoo_digits_classifier"
        assert report["comparable_to_published"] is False
        assert report["counts"] == {"generated": 150, "real_train": 150, "real_test": 150}
        assert "model_at_baseline_count" not in report and report["notes"] == []
        for section in ("model", "real_baseline"):
            scalars = evaluation.scalar_metrics(report[section])
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
    report = evaluation.evaluate(
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
    table = evaluation.format_table(report)
    assert "model @364" in table.splitlines()[2]
    # A baseline handed back in is reused as is.
    again = evaluation.evaluate(
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
        evaluation.evaluate(noise_sampler, train_x, test_x, "digits", metrics=["fid"])
    with pytest.raises(ValueError, match="differ in shape"):
        evaluation.evaluate(
            lambda n, s: np.zeros((n, 16, 16, 1), np.float32), train_x, test_x, "digits",
            num_samples=20,
        )  # fmt: skip
    with pytest.raises(ValueError, match="returned 3 samples, asked for 20"):
        evaluation.evaluate(lambda n, s: train_x[:3], train_x, test_x, "digits", num_samples=20)


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
    report = evaluation.evaluate(
        noise_sampler, train_x, test_x, extractor, num_samples=100, kid_subsets=5
    )
    assert report["extractor"] == "pixels_8x8"
    assert "inception_score" not in report["model"]
    assert "class_modes_covered" not in report["real_baseline"]
    assert "class_modes, inception_score skipped" in report["notes"][0]
    assert report["model"]["frechet_distance"] > 10 * report["real_baseline"]["frechet_distance"]


def test_table_and_strict_json(reports, tmp_path):
    good, _ = reports
    table = evaluation.format_table(good)
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
    path = evaluation.save_report(report, tmp_path / "out" / "report.json")

    def no_constants(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    loaded = json.loads(open(path).read(), parse_constant=no_constants)
    assert loaded["model"]["class_kl_to_uniform"] is None
    assert loaded["real_baseline"]["frechet_distance"] == good["real_baseline"]["frechet_distance"]


def test_mixture_mode_coverage_beside_the_real_points(tfds_data_dir):
    real = evaluation.load_real_data("gaussian_mixture/ring8", "test", 400, (2,), tfds_data_dir)
    assert real.shape == (400, 2)
    perfect = evaluation.evaluate_mixture(
        lambda n, s: sample_mixture("ring8", n, s)[0], real, "ring8", num_samples=400
    )
    assert perfect["real_baseline"]["modes_covered"] == 8
    assert perfect["real_baseline"]["high_quality_fraction"] > 0.95
    assert perfect["model"]["modes_covered"] == 8
    centre = mixture_centres("ring8")[0]
    collapsed = evaluation.evaluate_mixture(
        lambda n, s: np.tile(centre, (n, 1)).astype(np.float32), real, "ring8", num_samples=400
    )
    assert collapsed["model"]["modes_covered"] == 1
    # Every sample in one of 8 modes: KL(q ‖ uniform) = log 8, in float64 from exact counts.
    assert_close(collapsed["model"]["reverse_kl"], math.log(8), dtype="float64", terms=8 + 2)
    assert collapsed["real_baseline"] == perfect["real_baseline"]


def test_evaluate_model_routes_a_point_model_to_mode_coverage(tfds_data_dir):
    model = gan_zoo.presets.build(
        "gan_ring8",
        latent_dim=4,
        generator_kwargs={"hidden_units": (8,), "activation": "tanh", "output_activation": None},
        discriminator_kwargs={"hidden_units": (8,)},
    )
    report = evaluation.evaluate_model(
        model, dataset="gaussian_mixture/ring8", num_samples=300, data_dir=tfds_data_dir
    )
    assert report["metrics"] == ["mode_coverage"] and report["extractor"] is None
    assert report["source"]["sample_shape"] == [2]
    assert report["real_baseline"]["modes_covered"] == 8
    assert report["model"]["modes_covered"] <= 8 and len(report["model"]["counts"]) == 8
    scalars = evaluation.scalar_metrics(report["model"])
    assert {"modes_covered", "high_quality_fraction", "reverse_kl", "num_modes"} <= set(scalars)
    assert not {"modes", "high_quality", "counts"} & set(scalars)  # aliases and lists left out
    with pytest.raises(ValueError, match="do not apply to a model of 2-D points"):
        evaluation.evaluate_model(model, dataset="gaussian_mixture/ring8", metrics=["kid"])
    with pytest.raises(ValueError, match="gaussian_mixture/ring8 or gaussian_mixture/grid25"):
        evaluation.evaluate_model(model, dataset="gan_zoo_digits")


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
    result = evaluation.classification_accuracy_score(
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
    assert result["train_steps"] == evaluation.CAS_MIN_STEPS
    assert len(result["per_class_accuracy"]) == 10
    assert result["cas"] < 0.15
    assert "200 real train images" in result["real_data_reference"]
    assert result["real_data_accuracy"] > 0.6  # 0.79 measured
    with pytest.raises(ValueError, match="reference must be 'shipped' or 'retrain'"):
        evaluation.classification_accuracy_score(
            class_sampler(train), 10, test_x, test_y, reference="real"
        )
    with pytest.raises(ValueError, match="'retrain' needs real_train_images"):
        evaluation.classification_accuracy_score(
            lambda labels, seed: test_x[: len(labels)], 10, test_x, test_y,
            samples_per_class=1, epochs=1, reference="retrain",
        )  # fmt: skip


def test_evaluate_model_cas_needs_a_conditional_model(tfds_data_dir):
    model = gan_zoo.presets.build("cgan_digits", **TINY_DIGITS)
    report = evaluation.evaluate_model(
        model,
        metrics=["cas"],
        data_dir=tfds_data_dir,
        cas_kwargs={"samples_per_class": 2, "epochs": 1, "batch_size": 8},
    )
    assert report["source"]["num_classes"] == 10 and report["metrics"] == ["cas"]
    assert 0.0 <= report["model"]["cas"] < 0.5  # an untrained generator
    assert report["real_baseline"]["cas"] == HELD_OUT_ACCURACY
    assert "shipped" in report["cas_details"]["real_data_reference"]
    assert report["cas_details"]["num_generated"] == 20
    assert report["cas_details"]["num_test"] == 364
    unconditional = gan_zoo.presets.build("dcgan_digits", **TINY_DIGITS)
    with pytest.raises(ValueError, match="'cas' needs a conditional model"):
        evaluation.evaluate_model(unconditional, metrics=["cas"], data_dir=tfds_data_dir)


def test_a_saved_model_scores_as_the_model_it_was_exported_from(
    tmp_path, tfds_data_dir, monkeypatch
):
    monkeypatch.delenv("GAN_ZOO_INCEPTION_WEIGHTS", raising=False)
    model = gan_zoo.presets.build("dcgan_digits", **TINY_DIGITS)
    run_dir = tmp_path / "run"
    export.export_generator(model, str(run_dir / "saved_model"), {"preset": "dcgan_digits"})
    settings = {
        "metrics": ["frechet_distance", "class_modes"],
        "num_samples": 100,
        "data_dir": tfds_data_dir,
    }
    in_memory = evaluation.evaluate_model(model, **settings)
    exported = evaluation.evaluate_model(str(run_dir), dataset=None, **settings)
    assert exported["dataset"] == "gan_zoo_digits"  # from the preset named in gan_zoo.json
    assert exported["source"]["preset"] == "dcgan_digits"
    assert exported["source"]["source"].endswith("saved_model")
    assert exported["real_baseline"] == in_memory["real_baseline"]
    fid, baseline = exported["model"]["frechet_distance"], exported["real_baseline"]
    # Same noise, same samples up to uint8 rounding. Not a bound on round-off: the SavedModel's
    # samples are other inputs (quantized to 1/127.5), which moves the FID itself.
    assert fid == pytest.approx(in_memory["model"]["frechet_distance"], rel=0.02)
    assert fid > 10 * baseline["frechet_distance"]  # untrained generator vs the floor
    # A run directory's config.json names the dataset it trained on.
    (run_dir / "config.json").write_text(json.dumps({"preset": {"dataset": "mnist"}}))
    assert evaluation.default_dataset(str(run_dir)) == "mnist"
    assert evaluation.default_dataset(model) == "gan_zoo_digits"
    with pytest.raises(ValueError, match="no SavedModel"):
        evaluation.evaluate_model(str(tmp_path))
    with pytest.raises(ValueError, match="unknown feature extractor 'vgg'"):
        evaluation.evaluate_model(model, extractor="vgg")
    with pytest.raises(ValueError, match=r"unknown metric\(s\) fid; valid: frechet_distance"):
        evaluation.evaluate_model(model, metrics=["fid"])
    with pytest.raises(ValueError, match="InceptionV3 needs weights"):
        evaluation.evaluate_model(model, extractor="inception_v3", data_dir=tfds_data_dir)


def test_evaluation_callback_logs_every_n_epochs(tmp_path, tfds_data_dir):
    model = gan_zoo.presets.build("dcgan_digits", **TINY_DIGITS)
    data = make_dataset(
        "gan_zoo_digits", batch_size=8, image_size=32, data_dir=tfds_data_dir, repeat=True
    )
    evaluate = EvaluationCallback(
        every_n_epochs=2, num_samples=64, data_dir=tfds_data_dir, log_dir=str(tmp_path)
    )
    seen = {}

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen[epoch + 1] = dict(logs)

    history = model.fit(
        data, epochs=2, steps_per_epoch=2, callbacks=[evaluate, Record()], verbose=0
    )
    assert not any(key.startswith("eval_") for key in seen[1])
    fid = seen[2]["eval_frechet_distance"]
    baseline = evaluate.real_baseline["frechet_distance"]
    assert math.isfinite(fid) and math.isfinite(baseline) and fid > baseline > 0
    assert {"eval_kid", "eval_precision", "eval_coverage", "eval_inception_score"} <= set(seen[2])
    assert history.history["eval_frechet_distance"] == [fid]
    assert list(evaluate.reports) == [2]
    assert evaluate.reports[2]["counts"]["generated"] == 64

    tags = {}
    for side in ("eval", "eval_real_baseline"):
        for path in (tmp_path / side).glob("events.out.tfevents.*"):
            for event in tf.compat.v1.train.summary_iterator(str(path)):
                for value in event.summary.value:
                    tags[(side, value.tag)] = float(tf.make_ndarray(value.tensor))
    # TensorBoard scalars are float32: one rounding of the logged value.
    assert_close(tags[("eval", "frechet_distance")], fid, err_msg="TensorBoard FID")
    assert_close(tags[("eval_real_baseline", "frechet_distance")], baseline, err_msg="baseline")


# --------------------------------------------------------------------------------------------
# Stacked digits: the 1,000-mode benchmark


def test_default_extractor_for_stacked_digits_is_the_per_channel_classifier(monkeypatch):
    monkeypatch.delenv("GAN_ZOO_INCEPTION_WEIGHTS", raising=False)
    evaluator = evaluation.ModelEvaluator()
    extractor = evaluator._extractor("stacked_digits", (32, 32, 3))
    assert extractor.name == "gan_zoo_stacked_digits_classifier"
    assert (extractor.feature_dim, extractor.num_classes) == (384, 1000)
    assert evaluator._extractor("stacked_digits", (16, 16, 3)) is extractor  # built once
    assert evaluator._extractor("gan_zoo_digits", (32, 32, 1)).name == "gan_zoo_digits_classifier"
    # Other datasets, or stacked digits with another channel count, get InceptionV3 (which
    # needs weights, none here).
    for dataset, shape in [("stacked_digits", (32, 32, 1)), ("cifar10", (32, 32, 3))]:
        with pytest.raises(ValueError, match="InceptionV3 needs weights"):
            evaluation.ModelEvaluator()._extractor(dataset, shape)
    named = evaluation.ModelEvaluator(extractor="stacked_digits")
    assert named._extractor("cifar10", (32, 32, 3)).name == "gan_zoo_stacked_digits_classifier"


def test_load_real_data_serves_stacked_digits(tfds_data_dir):
    images, labels = evaluation.load_real_data(
        "stacked_digits", "test", 300, (16, 16, 3), data_dir=tfds_data_dir, with_labels=True
    )
    assert images.shape == (300, 16, 16, 3) and images.dtype == np.float32
    assert labels.shape == (300,) and 0 <= labels.min() and labels.max() <= 999
    assert -1.0 <= images.min() and images.max() <= 1.0
    again = evaluation.load_real_data("stacked_digits", "test", 300, (16, 16, 3), tfds_data_dir)
    np.testing.assert_array_equal(images, again)  # not shuffled: the same examples every time


def test_evaluate_model_on_stacked_digits_counts_1000_modes(tfds_data_dir):
    model = gan_zoo.presets.build("dcgan_stacked_digits", **TINY_DIGITS)
    report = evaluation.evaluate_model(
        model,
        dataset="stacked_digits",
        metrics=["frechet_distance", "class_modes"],
        num_samples=400,
        data_dir=tfds_data_dir,
    )
    assert report["extractor"] == "gan_zoo_stacked_digits_classifier"
    assert report["source"]["sample_shape"] == [32, 32, 3]
    assert report["counts"] == {"generated": 400, "real_train": 400, "real_test": 400}
    baseline, generated = report["real_baseline"], report["model"]
    assert len(baseline["class_histogram"]) == len(generated["class_histogram"]) == 1000
    assert sum(generated["class_histogram"]) == 400
    # 400 real draws of ~1,000 near-uniform modes cover ~1000 (1 - e^-0.4) ≈ 330 of them.
    assert 280 <= baseline["class_modes_covered"] <= 380
    # An untrained generator covers far fewer, and sits far from the data in feature space.
    assert generated["class_modes_covered"] < baseline["class_modes_covered"] / 2
    assert generated["frechet_distance"] > 5 * baseline["frechet_distance"]
