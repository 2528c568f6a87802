"""Mixed precision: policies, loss-scaled optimizers, and float32 penalties under float16."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close, network_terms

from gan_zoo import engine, export, losses, precision, presets
from gan_zoo.models import WGANGP


def _batch(preset_name: str, seed: int = 0) -> np.ndarray:
    preset = presets.get_preset(preset_name)
    shape = (preset.batch_size, *preset.sample_shape)
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def _fit(model, batch, steps: int) -> dict:
    history = model.fit(tf.data.Dataset.from_tensors(batch).repeat(steps), epochs=1, verbose=0)
    return {name: values[-1] for name, values in history.history.items()}


def test_policy_scope_sets_and_restores_the_global_policy():
    before = keras.config.dtype_policy().name
    with precision.policy_scope("mixed_float16"):
        assert keras.config.dtype_policy().name == "mixed_float16"
        layer = keras.layers.Dense(2)
    assert keras.config.dtype_policy().name == before
    assert layer.compute_dtype == "float16" and layer.variable_dtype == "float32"
    with pytest.raises(ValueError, match="one of off, mixed_float16, mixed_bfloat16; got 'fp8'"):
        with precision.policy_scope("fp8"):
            pass


@pytest.mark.parametrize(
    "policy, compute, loss_scaled",
    [
        ("off", "float32", False),
        ("mixed_float16", "float16", True),
        ("mixed_bfloat16", "bfloat16", False),
    ],
)
def test_float16_wraps_both_optimizers_in_loss_scaling(policy, compute, loss_scaled, tmp_path):
    with precision.policy_scope(policy):
        model = presets.build("gan_ring8")
    assert precision.compute_dtype(model.generator) == compute
    for optimizer in (model.g_optimizer, model.d_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer) == loss_scaled
    for variable in model.generator.trainable_variables:
        assert variable.dtype == "float32"  # master weights stay float32
    samples = model.generate(4, seed=0)
    assert samples.dtype == np.float32 and np.all(np.isfinite(samples))
    # The SavedModel serves float32 whatever the compute dtype.
    serve = tf.saved_model.load(export.export_model(model, str(tmp_path / "sm")))
    noise = engine.sample_noise(4, model.latent_dim, seed=0)
    served = next(iter(serve.signatures["serving_default"](noise=noise).values()))
    assert served.dtype == tf.float32
    # Two programs computing in `compute`: the SavedModel's optimised graph (fused kernels,
    # oneDNN's native float16/bfloat16 ones on an AVX-512 Xeon) against eager generate().
    assert_close(
        served.numpy(),
        samples,
        dtype=compute,
        terms=network_terms(model.generator, dtype=compute),
        err_msg=f"{policy}: SavedModel vs eager generate()",
    )


def _steep_critic(dims: int, slope: float) -> keras.Model:
    """D(x) = slope · Σx: its input gradient is `slope` everywhere, norm slope·√dims."""
    inputs = keras.Input((dims,))
    scores = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(slope))(inputs)
    return keras.Model(inputs, scores)


def _naive_float16_penalty(critic, real, fake, weights):
    """The penalty as a float16 port would write it: everything in the compute dtype."""
    real, fake = tf.cast(real, tf.float16), tf.cast(fake, tf.float16)
    weights = tf.cast(weights, tf.float16)
    x_hat = weights[:, None] * real + (1 - weights[:, None]) * fake
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        total = tf.reduce_sum(critic(x_hat))
    gradient = tape.gradient(total, x_hat)
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradient), axis=1))
    return tf.reduce_mean(tf.square(norms - 1))


def test_gradient_penalty_is_float32_where_a_float16_one_overflows():
    # ‖∇D‖ = 10 · √1024 = 320, so ‖∇D‖² = 102,400 > 65,504 (float16's largest finite value).
    dims, slope = 1024, 10.0
    real = tf.random.stateless_uniform([4, dims], seed=[1, 2], minval=-1, maxval=1)
    fake = tf.random.stateless_uniform([4, dims], seed=[3, 4], minval=-1, maxval=1)
    weights = tf.constant([0.1, 0.4, 0.6, 0.9])
    with precision.policy_scope("mixed_float16"):
        critic = _steep_critic(dims, slope)
    naive = _naive_float16_penalty(critic, real, fake, weights)
    ours = losses.gradient_penalty(critic, real, fake, interpolation_weights=weights)
    assert not np.isfinite(naive.numpy())
    assert ours.dtype == tf.float32
    expected = (slope * np.sqrt(dims) - 1.0) ** 2  # (320 - 1)² = 101,761, every example
    # The float16 critic's input gradient is its kernel, 10, exact in float16; the penalty sums
    # the 1024 squares in float32 (a closed form against the float32 computation).
    assert_close(ours.numpy(), expected, terms=dims, err_msg="float32 GP vs (10·√1024 - 1)²")
    # R1 likewise: ‖∇D‖² = 102,400, a float32 sum of 1024 squares of the exact float16 10s.
    assert_close(
        losses.r1_penalty(critic, real).numpy(),
        slope**2 * dims,
        terms=dims,
        err_msg="float32 R1 vs 10² · 1024",
    )


class _NaiveWGANGP(WGANGP):
    """WGAN-GP with the float16 penalty above: what loss scaling alone does not rescue."""

    def discriminator_objective(self, real, fake, real_outputs, fake_outputs, conditions, index):
        weights = self.replica_uniform(tf.shape(real)[0], (), 100 + index)
        flat = lambda x: tf.reshape(x, [tf.shape(x)[0], -1])  # noqa: E731
        critic = lambda x: self.discriminator(tf.reshape(x, tf.shape(real)), training=True)  # noqa: E731
        penalty = _naive_float16_penalty(critic, flat(real), flat(fake), weights)
        self.gradient_penalty_tracker.update_state(tf.cast(penalty, tf.float32))
        wasserstein = self.d_loss_fn(real_outputs, fake_outputs)
        return wasserstein + self.gp_weight * tf.cast(penalty, tf.float32)


def _linear_wgan_gp(cls, dims: int, slope: float):
    """A float16 WGAN-GP whose critic starts at D(x) = slope · Σx (‖∇D‖ = slope · √dims)."""
    with precision.policy_scope("mixed_float16"):
        inputs = keras.Input((8,))
        generator = keras.Model(inputs, keras.layers.Dense(dims, activation="tanh")(inputs))
        model = cls(generator, _steep_critic(dims, slope), d_steps=1, seed=0)
        model.compile()
    return model


def test_float16_wgan_gp_trains_finite_where_the_naive_penalty_overflows():
    # ‖∇D‖ = 320: the naive float16 sum of squares (102,400) is inf on every step. Ours is
    # finite; on the CPU the loss scale (2¹⁵ at first) halves on overflowing steps until updates
    # apply (a GPU's float16 kernels accumulate in float32 and may never overflow).
    dims, slope, steps = 1024, 10.0, 12
    batch = np.random.RandomState(0).uniform(-1, 1, (16, dims)).astype(np.float32)
    results = {}
    for name, cls in (("ours", WGANGP), ("naive", _NaiveWGANGP)):
        model = _linear_wgan_gp(cls, dims, slope)
        logs = _fit(model, batch, steps=steps)
        kernel = model.discriminator.trainable_variables[0].numpy()
        results[name] = (logs, kernel, model)
    logs, kernel, model = results["ours"]
    assert all(np.isfinite(v) for v in logs.values()), logs
    assert 9e4 < logs["gradient_penalty"] < 1.1e5  # (320 - 1)² ≈ 101,761 at the start
    assert not np.allclose(kernel, slope)  # the critic learned
    assert np.all(np.isfinite(kernel))
    assert 1 <= model.d_optimizer.dynamic_scale.numpy() <= 2**15
    naive_logs, naive_kernel, _ = results["naive"]
    assert not np.isfinite(naive_logs["gradient_penalty"])
    np.testing.assert_array_equal(naive_kernel, slope)  # every critic update was dropped: exact


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_steps_are_finite_and_close_to_float32(policy):
    batch = _batch("dcgan_digits")
    logs, models = {}, {}
    for name in ("off", policy):
        with precision.policy_scope(name):
            models[name] = presets.build("dcgan_digits", compile_kwargs={"run_eagerly": True})
        logs[name] = _fit(models[name], batch, steps=1)
    # A second step stays finite (from here on the runs may part by more than rounding: a
    # float16 step whose scaled gradients overflow is dropped, and the loss scale halved).
    assert all(np.isfinite(v) for v in _fit(models[policy], batch, steps=1).values())
    generator, discriminator = models[policy].generator, models[policy].discriminator
    compute = precision.compute_dtype(generator)
    assert compute == {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}[policy]
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert np.isfinite(logs[policy][key])
        # The first step's logs, from the same initial weights: G then D forward, in the
        # compute dtype against float32 (g_loss after the D update, Adam's first step ≈ lr ·
        # sign(gradient) in both). The losses themselves are float32 (`gan_zoo.losses`).
        assert_close(
            logs[policy][key],
            logs["off"][key],
            dtype=compute,
            terms=network_terms(generator, discriminator, dtype=compute),
            err_msg=f"{policy} vs float32 first-step {key}",
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["stylegan_digits", "cyclegan_digits_thickness"])
def test_float16_stylegan_and_cyclegan_steps_are_finite(name):
    preset = presets.get_preset(name).replace(batch_size=8)
    with precision.policy_scope("mixed_float16"):
        model = presets.build(preset)
    batch = np.random.RandomState(0).uniform(-1, 1, (8, *preset.sample_shape))
    batch = batch.astype(np.float32)
    translation = preset.family.task == "translation"
    logs = _fit(model, (batch, batch) if translation else batch, steps=3)
    assert all(np.isfinite(v) for v in logs.values()), logs
    outputs = model.translate(batch) if translation else model.generate(4, seed=0)
    assert outputs.dtype == np.float32 and np.all(np.isfinite(outputs))
