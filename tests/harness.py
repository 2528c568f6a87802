"""Shared checks every gan_zoo model must pass; a model's own test stays a few lines.

`run_model_checks(factory, batch)` covers: sample shapes and value ranges, the config round
trip, one `fit` step with finite losses of the documented names, the `.keras` round trip with
identical samples, and SavedModel export. Translation models (CycleGAN: batches `(a, b)`,
`translate(images, direction)` instead of `generate`) get the same checks with translations in
place of samples. `assert_replicas_equivalent(factory, batch)` covers
the "2 replicas = 1 replica" invariant.

Comparing numbers: two helpers, one per kind of comparison.

`assert_reproduced(actual, expected)`: the *same* compiled program ran twice on the same inputs
(a seeded repeat, a resumed run, a determinism check). On the CPU that gives the same bits, and
bit equality is demanded. On a GPU a repeat may sum in another order (cuDNN's autotuned
convolutions, atomic reductions), and it is `assert_close` of float32 with `REPEAT_TERMS`.

`assert_close(actual, expected, dtype=..., terms=...)`: two *different* programs compute the
same values (eager against a SavedModel's graph, XLA against plain, 1 against 2 replicas,
float16/bfloat16 against float32, a hand-computed NumPy reference against a TF kernel). Their
results differ by rounding: different kernels (oneDNN's, which on an AVX-512 Xeon with
AVX512-FP16/BF16 and AMX run native half-precision code paths, and Eigen's), fused or unfused
ops, other summation orders. The tolerance comes from the compute dtype and the size of the
computation, and nothing else:

    rtol = SAFETY · u(dtype) · √terms        atol = rtol · max|expected|   (or rtol · scale)

- `u(dtype)` is the unit roundoff: the largest relative error of one rounding. float32 2⁻²⁴
  (6.0e-8), bfloat16 2⁻⁸ (3.9e-3), float16 2⁻¹¹ (4.9e-4), float64 2⁻⁵³ (1.1e-16). `dtype` is
  the dtype the compared values were *computed* in (a mixed-precision network's compute
  dtype, not the float32 it returns).
- `terms` counts the roundings that add up in one compared value. A sum of n products rounds
  n times, and n independent rounding errors add up like a random walk, to about u · √n of
  the terms' magnitude (the worst case, u · n, needs every error to have the same sign).
  An elementwise op is 1 (a library function such as exp or ndtri a few); a dot product,
  reduction or convolution its length (fan-in). A network (`network_terms`) sums its layers'
  terms: an error made in one layer carries through the next, whose gains are about 1; each
  layer rounds its results `OPS_PER_LAYER` = 8 times (product, bias, normalization,
  activation; StyleGAN's modulation, demodulation, noise, resampling, skips) plus, in
  float32, once per product of its fan-in. Under float16/bfloat16 the products accumulate in
  float32 (TF's CPU kernels with and without oneDNN: a 4096-term float16 or bfloat16 matmul
  errs by one rounding of its result; cuBLAS and cuDNN likewise), so there only the ops
  count. Trained weights (`assert_weights_close`): 3 passes per network (forward, gradient
  of the inputs, gradient of the weights) per step (`training_terms`).
- `SAFETY = 8`: each of the two programs makes its own errors (√2), the largest of many
  compared values sits ~4 standard deviations out, and a rounding of either side can round
  the other way at the end (a last cast to float16 is up to one ulp, 2u).
- atol is rtol times the largest |expected| (the `scale`), not a fixed number. A rounding
  error is relative to the size of the numbers summed, not to the result: an output near 0
  (a sum that cancels, a pixel at mid-grey) carries the error of its O(max) terms, which a
  relative-only tolerance would refuse; and a fixed atol means nothing for values of 1e-3 or
  of 1e4. Where the largest |expected| is not the size of what was summed (an expected 0
  from O(1) terms, a difference of large numbers), the call site gives `scale`. Trained
  weights are judged layer by layer at the layer's largest weight (`assert_weights_close`).
- uint8 images (`export.uint8_images`: round((x + 1) · 127.5)) may differ by one level
  more than the float images' tolerance (127.5 · rtol levels, the floats being in [-1, 1]):
  a value the two programs put on either side of a .5 boundary rounds to neighbouring
  levels. Every pixel may do so (a freshly initialised DCGAN's outputs are all near 0, i.e.
  near 127.5), so it is ±1 for every pixel, not for a fraction of them.

Calibration (an AVX2 CPU, `TF_ENABLE_ONEDNN_OPTS` 0 and 1): the generators of gan_ring8,
dcgan_digits, cyclegan_digits_thickness and stylegan_digits, eager against XLA and against
tf.function, differ by at most 0.14 of these tolerances in float32 and 0.35 in float16 and
bfloat16 (StyleGAN under XLA, whose fusions keep float32 intermediates); the tests' own
comparisons by at most ~0.2. In float32 the tolerances stay far below what the tests look
for (5e-5 relative for a 10,000-term network, where another seed, a skipped update or a wrong
formula moves values by 1e-3 or more); in float16 and bfloat16 they are what those dtypes can
promise (2e-2 and 1.5e-1 for the 3-layer gan_ring8 generator), and their tests look for O(1)
differences (a wrong network, an overflow). Comparisons that are not about rounding keep
their own bounds, stated where they are made: a statistic of random draws (its sampling
error), other inputs (uint8-quantized images), a printed number's digits, a quantity that
rounding cannot bound (the square root of an eigenvalue that is 0 up to rounding; a bias
whose gradient is 0 but for round-off, which Adam scales up to the learning rate).
"""

import math
import os

import keras
import numpy as np
import tensorflow as tf

from gan_zoo import distribute, export, families, precision
from gan_zoo.families.cyclegan import model as cyclegan

EXPECTED_METRICS = {"d_loss", "g_loss", "d_real", "d_fake"}

# On the CPU the same computation gives the same bits, and `assert_reproduced` demands them. GPU
# kernels (cuDNN's autotuned convolutions, atomic reductions) may sum in another order from one
# call or graph to the next: there a repeat must agree to float32 rounding instead.
ON_GPU = bool(tf.config.list_physical_devices("GPU"))

UNIT_ROUNDOFF = {
    "float64": 2.0**-53,
    "float32": 2.0**-24,
    "bfloat16": 2.0**-8,
    "float16": 2.0**-11,
}
SAFETY = 8
# The results a layer rounds in the compute dtype: its product, bias, normalization and
# activation, and StyleGAN's modulation, demodulation, noise, resampling and skip additions.
OPS_PER_LAYER = 8
# `terms` of a GPU repeat: more than a forward pass of any test network (≤ ~10⁴ terms); rtol
# 1.2e-4, atol 1.2e-4 of the largest magnitude.
REPEAT_TERMS = 2**16
UINT8_LEVELS_PER_UNIT = 127.5  # `export.uint8_images`: round((x + 1) · 127.5)


def _dtype_name(dtype) -> str:
    name = tf.as_dtype(dtype).name
    if name not in UNIT_ROUNDOFF:
        raise ValueError(f"a compute dtype is one of {', '.join(UNIT_ROUNDOFF)}; got {name}")
    return name


def tolerance(dtype="float32", terms: int = 1) -> float:
    """The relative tolerance `SAFETY · u(dtype) · √terms` of `assert_close`."""
    return SAFETY * UNIT_ROUNDOFF[_dtype_name(dtype)] * math.sqrt(max(int(terms), 1))


def network_terms(*networks, dtype="float32") -> int:
    """`terms` of one output of `networks` run forward, for `assert_close`.

    Every kernel (a weight of rank ≥ 2: dense, convolution, embedding) is a layer, whose
    results round `OPS_PER_LAYER` times; in float32 (and float64) its sums add one rounding per
    product, i.e. its fan-in `kernel.size / kernel.shape[-1]`. In float16 and bfloat16 the sums
    accumulate in float32 (2¹³ times finer; 10⁴ products weigh less than one float16 rounding),
    so only the ops count.
    """
    half = UNIT_ROUNDOFF[_dtype_name(dtype)] > UNIT_ROUNDOFF["float32"]
    terms = 0
    for network in networks:
        for weight in network.weights:
            shape = tuple(weight.shape)
            if len(shape) >= 2:
                terms += OPS_PER_LAYER + (0 if half else math.prod(shape[:-1]))
    return max(terms, 1)


def assert_close(
    actual, expected, *, dtype="float32", terms: int = 1, scale: float | None = None, err_msg=""
) -> None:
    """`actual` and `expected` are the same values computed by two different programs.

    Floats: `rtol = tolerance(dtype, terms)`, `atol = rtol · scale`, `scale` the largest
    |expected| unless given. uint8 images: within `⌊127.5 · rtol⌋ + 1` levels. The module
    docstring explains each part.

    Args:
        actual, expected: arrays, tensors or numbers of the same shape.
        dtype: the dtype the values were computed in (`"float16"` for a `mixed_float16`
            network), whose unit roundoff sets the tolerance. Defaults to float32.
        terms: how many roundings add up in one compared value (1 for one elementwise op, n
            for a sum of n products, `network_terms(...)` for a network). Defaults to 1.
        scale: the magnitude of what the values were computed from, where the largest
            |expected| is not it (an expected 0 from O(1) terms). Defaults to max|expected|.
        err_msg: printed with a failure: say what is being compared.
    """
    rtol = tolerance(dtype, terms)
    expected_array = np.asarray(expected)
    if expected_array.dtype == np.uint8 and np.asarray(actual).dtype == np.uint8:
        assert np.shape(actual) == expected_array.shape, (err_msg, np.shape(actual))
        levels = math.floor(UINT8_LEVELS_PER_UNIT * rtol) + 1
        np.testing.assert_allclose(
            np.asarray(actual, np.int64),
            expected_array.astype(np.int64),
            rtol=0,
            atol=levels,
            err_msg=f"{err_msg} (uint8 images, ±{levels} levels)",
        )
        return
    expected_array = expected_array.astype(np.float64)
    actual_array = np.asarray(actual).astype(np.float64)
    if expected_array.ndim and actual_array.shape != expected_array.shape:
        raise AssertionError(f"{err_msg}: shapes {actual_array.shape} != {expected_array.shape}")
    if scale is None:
        finite = np.abs(expected_array[np.isfinite(expected_array)])
        scale = float(finite.max()) if finite.size else 0.0
    np.testing.assert_allclose(
        actual_array,
        expected_array,
        rtol=rtol,
        atol=rtol * float(scale),
        err_msg=f"{err_msg} ({_dtype_name(dtype)}, {int(terms)} terms: rtol {rtol:.2g})",
    )


def assert_reproduced(actual, expected, err_msg="") -> None:
    """`actual` repeats `expected` (the same program on the same inputs): bit for bit on the CPU.

    On a GPU, `assert_close` of float32 with `REPEAT_TERMS` (rtol 1.2e-4; ±1 for uint8 images),
    far below any difference the tests look for (another seed, a skipped update).
    """
    if ON_GPU:
        assert_close(actual, expected, terms=REPEAT_TERMS, err_msg=err_msg)
    else:
        np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected), err_msg=err_msg)


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
    # The same seed, the same program: the same bits. Another seed: other samples, by far more
    # than rounding.
    assert_reproduced(samples, model.generate(5, seed=1), err_msg="generate(seed=1) twice")
    other = model.generate(5, seed=2)
    assert np.max(np.abs(other - samples)) > tolerance("float32", REPEAT_TERMS) * np.max(
        np.abs(samples)
    ), "seeds 1 and 2 gave the same samples"
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
    """`.keras` round trip: `outputs_of(model)` identical after loading; step restored.

    Bit-identical (`assert_reproduced`), not `assert_close`: the loaded model is rebuilt from
    the same config into the same layers with the same dtype policies and the same weights,
    and `outputs_of` runs it the same way (eagerly, the same ops on the same shapes), so it is
    the same program run again: the same kernels in the same order. A difference of even one
    rounding means the reload changed something (a weight, a policy, a layer's setting).
    """
    path = os.path.join(str(tmp_path), "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    assert_reproduced(outputs_of(loaded), outputs_of(model), err_msg=".keras reload vs original")
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

    # SavedModel export: serving output equals generate() mapped to uint8. Two programs: the
    # SavedModel runs the traced, Grappler-optimised graph (fused MatMul/Conv + bias +
    # activation kernels), generate() the eager ops one by one.
    saved = export.export_model(model, os.path.join(str(tmp_path), "saved_model"))
    serve = tf.saved_model.load(saved).signatures["serving_default"]
    noise = np.random.RandomState(0).normal(size=(3, model.latent_dim)).astype(np.float32)
    family = families.family_of(model)  # the registry says what the signature takes
    if family.styles:  # StyleGAN: ψ = 1 is generate()
        outputs = serve(noise=tf.constant(noise), truncation_psi=tf.constant(1.0))
        expected = model.generate(noise)
    elif family.task == "conditional":
        labels = np.arange(3, dtype=np.int32) % model.num_classes
        outputs = serve(noise=tf.constant(noise), labels=tf.constant(labels))
        expected = model.generate(noise, labels=labels)
    else:
        outputs = serve(noise=tf.constant(noise))
        expected = model.generate(noise)
    dtype = precision.compute_dtype(model.generator)
    terms = network_terms(model.generator, dtype=dtype)
    if len(sample_shape) == 3:
        assert outputs["images"].dtype == tf.uint8
        assert_close(
            outputs["images"].numpy(),
            export.uint8_images(expected).numpy(),
            dtype=dtype,
            terms=terms,
            err_msg="SavedModel serving_default vs eager generate(), uint8 images",
        )
    else:
        assert_close(
            outputs["points"].numpy(),
            expected,
            dtype=dtype,
            terms=terms,
            err_msg="SavedModel serving_default vs eager generate(), points",
        )
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
        assert_reproduced(
            translated, model.translate(images, direction=direction), err_msg=f"{direction} twice"
        )


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

    # SavedModel: each signature equals translate() of the uint8 input, mapped back to uint8
    # (two programs: the optimised graph against the eager ops, as in `run_model_checks`).
    saved = export.export_model(model, os.path.join(str(tmp_path), "saved_model"))
    loaded = tf.saved_model.load(saved)
    for direction, images in (("a_to_b", images_a), ("b_to_a", images_b)):
        as_uint8 = export.uint8_images(images)
        outputs = loaded.signatures[f"translate_{direction}"](images=as_uint8)["images"]
        expected = model.translate(export.float_images(as_uint8), direction)
        assert outputs.dtype == tf.uint8
        network = getattr(model, f"generator_{direction}")
        dtype = precision.compute_dtype(network)
        assert_close(
            outputs.numpy(),
            export.uint8_images(expected).numpy(),
            dtype=dtype,
            terms=network_terms(network, dtype=dtype),
            err_msg=f"SavedModel translate_{direction} vs eager translate(), uint8 images",
        )
    return model


def training_terms(model, steps: int) -> int:
    """`terms` of a model's weights after `steps` training steps: every network of the model
    (`model.weights`) forward, then its gradient with respect to its inputs and to its weights
    (3 passes), per step."""
    return 3 * steps * network_terms(model)


def assert_weights_close(actual, expected, *, terms: int, skip=lambda path: False, what=""):
    """Two programs trained the same model: its weights agree to `assert_close` of `terms`.

    `actual` and `expected` are `(path, value)` pairs (or dicts), the same paths in the same
    order. Each layer's weights (consecutive paths `layer/name` with one `layer`) are compared
    at the scale of the layer's largest weight, not each variable at its own: a bias (a batch
    norm's beta) is updated from the same backpropagated errors as its kernel (gamma), and
    Adam and RMSprop divide each gradient component by its own running magnitude, so a bias
    that has moved from 0 by ~lr carries the rounding of its layer's gradient (whose sum can
    nearly cancel for it) at the learning rate's size, more than u of its own small value.
    Integer variables (counters, seed states) must be equal. `skip(path)` exempts variables
    (with a reason at the call site). Returns the largest difference as a fraction of its
    tolerance (≤ 1).
    """
    actual, expected = (list(x.items() if isinstance(x, dict) else x) for x in (actual, expected))
    assert [p for p, _ in actual] == [p for p, _ in expected]
    layers: list[list] = []  # runs of (path, actual, expected) of one layer
    for (path, a), (_, e) in zip(actual, expected, strict=True):
        if skip(path):
            continue
        layer = path.rpartition("/")[0]
        if not layers or layers[-1][0] != layer:
            layers.append([layer, []])
        layers[-1][1].append((path, np.asarray(a), np.asarray(e)))
    rtol = tolerance("float32", terms)
    worst = 0.0
    for _, variables in layers:
        floats = [e for _, _, e in variables if e.dtype.kind == "f" and e.size]
        scale = max((float(np.abs(e).max()) for e in floats), default=0.0)
        for path, a, e in variables:
            if e.dtype.kind != "f":
                np.testing.assert_array_equal(a, e, err_msg=f"{what}: {path}")
                continue
            assert_close(a, e, terms=terms, scale=scale, err_msg=f"{what}: {path}")
            if e.size:
                allowed = rtol * (scale + np.abs(e.astype(np.float64)))
                difference = np.abs(a.astype(np.float64) - e)
                worst = max(worst, float(np.max(difference / np.maximum(allowed, 1e-300))))
    return worst


def biases_before_instance_norm(model) -> set[str]:
    """Paths of the conv biases that feed an instance normalization directly.

    Instance norm subtracts each channel's mean, so such a bias has a zero gradient in exact
    arithmetic; Adam divides the float round-off it gets by its own tiny magnitude and moves
    the bias by up to ~lr per step, differently on 1 and 2 replicas (with and without XLA):
    no rounding tolerance holds for it (`assert_weights_close` exempts them). It cannot change any
    output (the reference implementation keeps these biases; so do the builders).
    """
    paths = set()
    for network in (getattr(model, name) for name in cyclegan.NETWORKS):
        for layer in network.layers:
            if isinstance(layer, keras.layers.GroupNormalization):
                source = layer._inbound_nodes[0].parent_nodes[0].operation
                while not hasattr(source, "bias"):  # through cropping (transposed convs)
                    source = source._inbound_nodes[0].parent_nodes[0].operation
                paths.add(source.bias.path)
    return paths


def assert_replicas_equivalent(factory, batch, steps: int = 1, skip=lambda variable: False):
    """`steps` `fit` steps under MirroredStrategy on 2 CPUs leave the weights of one replica.

    The one replica runs on the CPU too (where a GPU is visible it would otherwise take it, and
    the comparison would measure two kinds of hardware instead of the strategy). Two programs:
    the 2 replicas sum each gradient in two halves and all-reduce them, so the weights are
    `assert_weights_close` with the `training_terms` of `steps` steps.
    `skip(variable)` exempts variables from the comparison (with a reason at the call site).
    Returns the largest weight difference as a fraction of its tolerance (≤ 1).
    """
    with distribute.get_strategy("one_device", devices=["/cpu:0"]).scope():
        single = factory()
    fit_one_step(single, batch, steps)
    strategy = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        mirrored = factory()
    fit_one_step(mirrored, batch, steps)
    skipped = {a.path for a in single.weights if skip(a)}
    return assert_weights_close(
        [(b.path, np.asarray(b)) for b in mirrored.weights],
        [(a.path, np.asarray(a)) for a in single.weights],
        terms=training_terms(single, steps),
        skip=lambda path: path in skipped,
        what="2 replicas vs 1",
    )


# The smallest model of each family: (preset, overrides). `run_family_checks` picks the checks
# and the batch from the family's task; tests/models/test_every_family.py fails when a
# registered family has no entry here.
TINY_DCGAN = {"generator_kwargs": {"base_filters": 4}, "discriminator_kwargs": {"base_filters": 4}}
TINY_PRESETS = {
    "gan": ("dcgan_digits", {"latent_dim": 8, **TINY_DCGAN}),
    "wgan": ("wgan_gp_ring8", {"latent_dim": 8, "d_steps": 2}),
    "conditional": ("cgan_digits", {"latent_dim": 8, **TINY_DCGAN}),
    "r3gan": (
        "r3gan_mnist",
        {
            "latent_dim": 8,
            "pack": 2,
            "generator_kwargs": {"widths": (8, 4), "expansion": 1},
            "discriminator_kwargs": {"widths": (4, 8), "expansion": 1},
        },
    ),
    "cyclegan": (
        "cyclegan_digits_thickness",
        {
            "generator_kwargs": {"base_filters": 4, "num_residual_blocks": 1},
            "discriminator_kwargs": {"base_filters": 4, "num_layers": 1},
        },
    ),
    "stylegan": (
        "stylegan_digits",
        {
            "latent_dim": 8,
            "generator_kwargs": {"w_dim": 8, "mapping_layers": 1, "channel_max": 8},
            "discriminator_kwargs": {"channel_max": 8},
        },
    ),
}


def family_batch(preset, size: int = 8, seed: int = 0):
    """A batch shaped like `preset`'s data, by its family's task: x, (x, labels) or (a, b)."""
    rng = np.random.RandomState(seed)
    shape = (size, *preset.sample_shape)
    if preset.image_size is None:
        x = rng.normal(size=shape).astype(np.float32)
    else:
        x = rng.uniform(-1, 1, size=shape).astype(np.float32)
    task = preset.family.task
    if task == "translation":
        return x, rng.uniform(-1, 1, size=shape).astype(np.float32)
    if task == "conditional":
        return x, (np.arange(size) % preset.num_classes).astype(np.int32)
    return x


def run_family_checks(family_name: str, tmp_path):
    """The shared checks of `TINY_PRESETS[family_name]`, chosen by the family's task."""
    name, overrides = TINY_PRESETS[family_name]
    preset = families.get_preset(name).replace(**overrides)
    batch = family_batch(preset)
    factory = lambda: families.build(preset, seed=0)  # noqa: E731
    if preset.family.task == "translation":
        return run_translation_checks(factory, batch, tmp_path)
    model = factory()
    expected = set(fit_one_step(model, batch)) - {"skipped_updates"}
    assert EXPECTED_METRICS <= expected, expected
    return run_model_checks(factory, batch, tmp_path, expected_metrics=expected)
