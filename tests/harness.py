"""Shared checks every gan_zoo model must pass; a model's own test stays a few lines.

`run_model_checks(factory, batch)` covers: sample shapes and value ranges, the config round
trip, one `fit` step with finite losses of the documented names, the `.keras` round trip with
identical samples, and SavedModel export. `assert_replicas_equivalent(factory, batch)` covers
the "2 replicas = 1 replica" invariant.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from gan_zoo import distribute, export

EXPECTED_METRICS = {"d_loss", "g_loss", "d_real", "d_fake"}


def fit_one_step(model, batch, steps: int = 1) -> dict:
    """Runs `fit` for `steps` steps on `batch` (repeated); returns the last logs."""
    dataset = tf.data.Dataset.from_tensors(batch).repeat(steps)
    history = model.fit(dataset, epochs=1, verbose=0)
    return {name: values[-1] for name, values in history.history.items()}


def check_samples(model, sample_shape) -> np.ndarray:
    samples = model.generate(5, seed=1)
    assert samples.shape == (5, *sample_shape), samples.shape
    assert samples.dtype == np.float32
    assert np.all(np.isfinite(samples))
    if len(sample_shape) == 3:  # images: tanh output inside [-1, 1]
        assert samples.min() >= -1.0 and samples.max() <= 1.0
    np.testing.assert_array_equal(samples, model.generate(5, seed=1))  # seeded = repeatable
    assert not np.array_equal(samples, model.generate(5, seed=2))
    return samples


def run_model_checks(factory, batch, tmp_path, expected_metrics=EXPECTED_METRICS):
    """Runs every shared check on `factory()`; returns the trained model."""
    model = factory()
    sample_shape = tuple(np.asarray(batch[0] if isinstance(batch, tuple) else batch).shape[1:])
    check_samples(model, sample_shape)

    # Config round trip: same constructor arguments, same architecture.
    clone = model.__class__.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    assert clone.generator.count_params() == model.generator.count_params()

    # One fit step: finite losses under the documented names; weights move.
    before = [w.copy() for w in model.generator.get_weights()]
    logs = fit_one_step(model, batch)
    assert set(logs) >= expected_metrics, logs
    for name, value in logs.items():
        assert np.isfinite(value), (name, value)
    assert any(
        not np.array_equal(a, b) for a, b in zip(before, model.generator.get_weights(), strict=True)
    )

    # .keras round trip: identical samples for the same noise; training state restored.
    path = os.path.join(str(tmp_path), "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.generate(6, seed=3), model.generate(6, seed=3))
    assert int(loaded.training_step) == int(model.training_step)

    # SavedModel export: serving output equals generate() mapped to uint8.
    saved = export.export_generator(model, os.path.join(str(tmp_path), "saved_model"))
    serve = tf.saved_model.load(saved).signatures["serving_default"]
    noise = np.random.RandomState(0).normal(size=(3, model.latent_dim)).astype(np.float32)
    if getattr(model, "num_classes", None):
        labels = np.arange(3, dtype=np.int32) % model.num_classes
        outputs = serve(noise=tf.constant(noise), labels=tf.constant(labels))
        expected = model.generate(noise, labels=labels)
    else:
        outputs = serve(noise=tf.constant(noise))
        expected = model.generate(noise)
    if len(sample_shape) == 3:
        assert outputs["images"].dtype == tf.uint8
        np.testing.assert_array_equal(
            outputs["images"].numpy(), export.uint8_images(expected).numpy()
        )
    else:
        np.testing.assert_allclose(outputs["points"].numpy(), expected, atol=1e-5)
    return model


def assert_replicas_equivalent(factory, batch, atol: float = 1e-5):
    """One `fit` step under MirroredStrategy on 2 CPUs leaves the weights of one replica.

    Returns the largest absolute weight difference seen.
    """
    single = factory()
    fit_one_step(single, batch)
    strategy = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        mirrored = factory()
    fit_one_step(mirrored, batch)
    worst = 0.0
    for a, b in zip(single.weights, mirrored.weights, strict=True):
        assert a.path == b.path
        difference = (
            float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
            if a.shape
            else abs(float(a) - float(b))
        )
        assert difference <= atol, (a.path, difference)
        worst = max(worst, difference)
    return worst
