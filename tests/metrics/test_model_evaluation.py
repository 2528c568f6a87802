"""Evaluating models (gan_zoo.evaluation): real data, models, SavedModels, the callback."""

import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close

import gan_zoo
from gan_zoo import evaluation, export, metrics
from gan_zoo.data import make_dataset
from gan_zoo.data.gaussian_mixture import mixture_centres, sample_mixture
from gan_zoo.metrics.digits_classifier import HELD_OUT_ACCURACY
from gan_zoo.training import EvaluationCallback

TINY_DIGITS = {
    "latent_dim": 8,
    "generator_kwargs": {"base_filters": 4},
    "discriminator_kwargs": {"base_filters": 4},
}


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
    model = gan_zoo.build(
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
    scalars = metrics.scalar_metrics(report["model"])
    assert {"modes_covered", "high_quality_fraction", "reverse_kl", "num_modes"} <= set(scalars)
    assert not {"modes", "high_quality", "counts"} & set(scalars)  # aliases and lists left out
    with pytest.raises(ValueError, match="do not apply to a model of 2-D points"):
        evaluation.evaluate_model(model, dataset="gaussian_mixture/ring8", metrics=["kid"])
    with pytest.raises(ValueError, match="gaussian_mixture/ring8 or gaussian_mixture/grid25"):
        evaluation.evaluate_model(model, dataset="gan_zoo_digits")


def test_evaluate_model_cas_needs_a_conditional_model(tfds_data_dir):
    model = gan_zoo.build("cgan_digits", **TINY_DIGITS)
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
    unconditional = gan_zoo.build("dcgan_digits", **TINY_DIGITS)
    with pytest.raises(ValueError, match="'cas' needs a conditional model"):
        evaluation.evaluate_model(unconditional, metrics=["cas"], data_dir=tfds_data_dir)


def test_a_saved_model_scores_as_the_model_it_was_exported_from(
    tmp_path, tfds_data_dir, monkeypatch
):
    monkeypatch.delenv("GAN_ZOO_INCEPTION_WEIGHTS", raising=False)
    model = gan_zoo.build("dcgan_digits", **TINY_DIGITS)
    run_dir = tmp_path / "run"
    export.export_model(model, str(run_dir / "saved_model"), {"preset": "dcgan_digits"})
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
    model = gan_zoo.build("dcgan_digits", **TINY_DIGITS)
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
    model = gan_zoo.build("dcgan_stacked_digits", **TINY_DIGITS)
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


def test_a_translation_model_is_sent_to_evaluate_translation():
    model = gan_zoo.build("cyclegan_digits_thickness", generator_kwargs={"base_filters": 4})
    with pytest.raises(
        ValueError, match="translation model: measure it with .*evaluate_translation"
    ):
        evaluation.evaluate_model(model)
    with pytest.raises(ValueError, match="expected a gan_zoo model or a SavedModel directory"):
        evaluation.evaluate_model(object())
