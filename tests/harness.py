"""Shared checks every gan_zoo model must pass; a model's own test stays a few lines.

`run_model_checks(factory, batch)` covers: sample shapes and value ranges, the config round
trip, one `fit` step with finite losses of the documented names, the `.keras` round trip with
identical samples, and SavedModel export. Translation models (CycleGAN: batches `(a, b)`,
`translate(images, direction)` instead of `generate`) get the same checks with translations in
place of samples. `assert_replicas_equivalent(factory, batch)` covers
the "2 replicas = 1 replica" invariant.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from gan_zoo import distribute, export

EXPECTED_METRICS = {"d_loss", "g_loss", "d_real", "d_fake"}

# On the CPU the same computation gives the same bits, and the checks below demand them. GPU
# kernels (cuDNN's autotuned convolutions, atomic reductions) may sum in another order from one
# call or graph to the next: there a repeat must agree to float32 rounding instead.
ON_GPU = bool(tf.config.list_physical_devices("GPU"))


def assert_reproduced(actual, expected) -> None:
    """`actual` repeats `expected`: bit for bit on the CPU, to float32 rounding on a GPU.

    The GPU tolerance (relative 1e-4, absolute 1e-5 of the largest magnitude; ±1 for uint8
    images) is far below any difference the tests look for (another seed, a skipped update).
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    if not ON_GPU:
        np.testing.assert_array_equal(actual, expected)
    elif expected.dtype == np.uint8:
        np.testing.assert_allclose(actual.astype(int), expected.astype(int), atol=1)
    else:
        scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5 * scale)


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
    assert_reproduced(samples, model.generate(5, seed=1))  # seeded = repeatable
    assert not np.array_equal(samples, model.generate(5, seed=2))
    return samples


def check_config_round_trip(model, networks: tuple[str, ...]) -> None:
    """Same constructor arguments, same architecture of every named network."""
    clone = model.__class__.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    for name in networks:
        assert getattr(clone, name).count_params() == getattr(model, name).count_params()


def check_fit_step(model, batch, expected_metrics, networks: tuple[str, ...]) -> dict:
    """One fit step: finite losses under the documented names; every named network moves."""
    before = {name: [w.copy() for w in getattr(model, name).get_weights()] for name in networks}
    logs = fit_one_step(model, batch)
    assert set(logs) >= set(expected_metrics), logs
    for name, value in logs.items():
        assert np.isfinite(value), (name, value)
    for name in networks:
        after = getattr(model, name).get_weights()
        assert any(not np.array_equal(a, b) for a, b in zip(before[name], after, strict=True)), name
    return logs


def check_keras_round_trip(model, outputs_of, tmp_path):
    """`.keras` round trip: `outputs_of(model)` identical after loading; step restored."""
    path = os.path.join(str(tmp_path), "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    assert_reproduced(outputs_of(loaded), outputs_of(model))
    assert int(loaded.training_step) == int(model.training_step)
    return loaded


def run_model_checks(factory, batch, tmp_path, expected_metrics=EXPECTED_METRICS):
    """Runs every shared check on `factory()`; returns the trained model."""
    model = factory()
    sample_shape = tuple(np.asarray(batch[0] if isinstance(batch, tuple) else batch).shape[1:])
    check_samples(model, sample_shape)
    check_config_round_trip(model, ("generator", "discriminator"))
    check_fit_step(model, batch, expected_metrics, ("generator",))
    check_keras_round_trip(model, lambda m: m.generate(6, seed=3), tmp_path)

    # SavedModel export: serving output equals generate() mapped to uint8.
    saved = export.export_model(model, os.path.join(str(tmp_path), "saved_model"))
    serve = tf.saved_model.load(saved).signatures["serving_default"]
    noise = np.random.RandomState(0).normal(size=(3, model.latent_dim)).astype(np.float32)
    if "truncation_psi" in serve.structured_input_signature[1]:  # StyleGAN: ψ = 1 is generate()
        outputs = serve(noise=tf.constant(noise), truncation_psi=tf.constant(1.0))
        expected = model.generate(noise)
    elif getattr(model, "num_classes", None):
        labels = np.arange(3, dtype=np.int32) % model.num_classes
        outputs = serve(noise=tf.constant(noise), labels=tf.constant(labels))
        expected = model.generate(noise, labels=labels)
    else:
        outputs = serve(noise=tf.constant(noise))
        expected = model.generate(noise)
    if len(sample_shape) == 3:
        assert outputs["images"].dtype == tf.uint8
        assert_reproduced(outputs["images"].numpy(), export.uint8_images(expected).numpy())
    else:
        np.testing.assert_allclose(outputs["points"].numpy(), expected, atol=1e-5)
    return model


CYCLEGAN_METRICS = {
    "g_loss",
    "adversarial_loss",
    "cycle_loss",
    "identity_loss",
    "d_a_loss",
    "d_b_loss",
    "d_loss",
}
TRANSLATORS = ("generator_a_to_b", "generator_b_to_a")


def check_translations(model, images_a, images_b) -> None:
    """Both directions keep the shape, stay in [-1, 1], are finite and deterministic."""
    for direction, images in (("a_to_b", images_a), ("b_to_a", images_b)):
        translated = model.translate(images, direction=direction)
        assert translated.shape == images.shape and translated.dtype == np.float32
        assert np.all(np.isfinite(translated))
        assert translated.min() >= -1.0 and translated.max() <= 1.0
        assert_reproduced(translated, model.translate(images, direction=direction))


def run_translation_checks(factory, batch, tmp_path, expected_metrics=CYCLEGAN_METRICS):
    """The shared checks for a translation model; `batch` is `(a, b)` float images."""
    model = factory()
    images_a, images_b = (np.asarray(x, np.float32) for x in batch)
    check_translations(model, images_a, images_b)
    networks = (*TRANSLATORS, "discriminator_a", "discriminator_b")
    check_config_round_trip(model, networks)
    check_fit_step(model, batch, expected_metrics, networks)
    both = lambda m: np.concatenate(  # noqa: E731
        [m.translate(images_a, "a_to_b"), m.translate(images_b, "b_to_a")]
    )
    check_keras_round_trip(model, both, tmp_path)

    # SavedModel: each signature equals translate() of the uint8 input, mapped back to uint8.
    saved = export.export_model(model, os.path.join(str(tmp_path), "saved_model"))
    loaded = tf.saved_model.load(saved)
    for direction, images in (("a_to_b", images_a), ("b_to_a", images_b)):
        as_uint8 = export.uint8_images(images)
        outputs = loaded.signatures[f"translate_{direction}"](images=as_uint8)["images"]
        expected = model.translate(export.float_images(as_uint8), direction)
        assert outputs.dtype == tf.uint8
        assert_reproduced(outputs.numpy(), export.uint8_images(expected).numpy())
    return model


def assert_replicas_equivalent(
    factory, batch, atol: float = 1e-5, steps: int = 1, skip=lambda variable: False
):
    """`steps` `fit` steps under MirroredStrategy on 2 CPUs leave the weights of one replica.

    The one replica runs on the CPU too (where a GPU is visible it would otherwise take it, and
    the comparison would measure two kinds of hardware instead of the strategy).
    `skip(variable)` exempts variables from the comparison (with a reason at the call site).
    Returns the largest absolute weight difference seen.
    """
    with distribute.get_strategy("one_device", devices=["/cpu:0"]).scope():
        single = factory()
    fit_one_step(single, batch, steps)
    strategy = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        mirrored = factory()
    fit_one_step(mirrored, batch, steps)
    worst = 0.0
    for a, b in zip(single.weights, mirrored.weights, strict=True):
        assert a.path == b.path
        if skip(a):
            continue
        difference = (
            float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
            if a.shape
            else abs(float(a) - float(b))
        )
        assert difference <= atol, (a.path, difference)
        worst = max(worst, difference)
    return worst
