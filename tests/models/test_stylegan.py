"""StyleGAN2: the shared harness, 2 replicas = 1 with R1 + mixing + path length, losses against
hand-computed values, lazy regularization, truncation, style mixing and the SavedModel."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import (
    EXPECTED_METRICS,
    assert_replicas_equivalent,
    assert_reproduced,
    fit_one_step,
    run_model_checks,
)

from gan_zoo import export, losses
from gan_zoo.builders import stylegan as nets
from gan_zoo.models import stylegan as stylegan_lib
from gan_zoo.models.stylegan import StyleGAN, StyleGenerator

SIZE = 16
REALS = np.random.RandomState(0).uniform(-1, 1, size=(4, SIZE, SIZE, 1)).astype(np.float32)
TINY = {"channel_base": 64, "channel_max": 8}


def tiny_stylegan(seed=0, eager=False, **kwargs):
    """A 16 px StyleGAN2 with 8 channels, z = w = 8 and 2 mapping layers.

    `eager=True` runs `fit` eagerly: one step then takes ~1 s instead of a ~10 s trace, for
    the tests of values (the harness and the replica test run the compiled step).
    """

    def build():
        keras.utils.set_random_seed(0)
        generator = StyleGenerator(
            nets.mapping_network(8, 8, num_layers=2),
            nets.synthesis_network(SIZE, 1, 8, **TINY),
        )
        discriminator = nets.discriminator(SIZE, 1, minibatch_std_group_size=2, **TINY)
        settings = {"r1_gamma": 1.0, "ema_decay": 0.9, **kwargs}
        model = StyleGAN(generator, discriminator, seed=seed, name="tiny_stylegan", **settings)
        model.compile(run_eagerly=eager)
        return model

    return build


def test_stylegan_passes_the_harness(tmp_path):
    run_model_checks(tiny_stylegan(), REALS, tmp_path, EXPECTED_METRICS | {"r1_penalty"})


@pytest.mark.parametrize("path_length_weight", [0.0, pytest.param(2.0, marks=pytest.mark.slow)])
def test_two_replicas_equal_one_with_r1_and_mixing(path_length_weight):
    """R1 (step 0) and style mixing (drawn per global batch) on; path length in test-slow."""
    factory = tiny_stylegan(
        r1_interval=2,
        style_mixing_probability=0.9,
        path_length_weight=path_length_weight,
        path_length_interval=2,
    )
    probe = factory()
    cutoffs = []
    for step in range(3):
        probe.g_optimizer.iterations.assign(step)
        cutoffs.append(int(probe.mixing_cutoff(stylegan_lib._G_STYLES + 2)))
    assert min(cutoffs) < probe.generator.num_ws, cutoffs  # the run mixes styles
    worst = assert_replicas_equivalent(factory, REALS, atol=2e-5, steps=3)
    assert worst <= 2e-5


def _d_step_inputs(model, batch):
    """The fakes of the next D update, drawn exactly as `train_step` draws them."""
    ws, _ = model.sample_styles(batch, stylegan_lib._D_STYLES)
    noise = model.sample_noise_maps(batch, stylegan_lib._D_NOISE)
    return model.generator.synthesize(ws, noise, training=True)


def test_logged_losses_equal_hand_computed_values():
    model = tiny_stylegan(r1_gamma=0.5, eager=True)()
    fake = _d_step_inputs(model, len(REALS))
    real_scores = model.discriminator(REALS).numpy()
    fake_scores = model.discriminator(fake).numpy()
    softplus = lambda x: np.log1p(np.exp(x))  # noqa: E731
    expected_d = softplus(-real_scores).mean() + softplus(fake_scores).mean()
    expected_r1 = float(losses.r1_penalty(model.discriminator, tf.constant(REALS)))
    logs = fit_one_step(model, REALS)
    np.testing.assert_allclose(logs["d_loss"], expected_d, rtol=1e-5)
    np.testing.assert_allclose(logs["d_real"], real_scores.mean(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(logs["r1_penalty"], expected_r1, rtol=1e-4)
    assert expected_r1 > 0


def test_r1_is_lazy_it_acts_only_every_r1_interval_steps():
    """With γ = 100 or γ = 0, D's update differs on step 0 (regularized) and not on step 1."""

    def d_weights_after_one_step(gamma, step):
        model = tiny_stylegan(r1_gamma=gamma, r1_interval=16, eager=True)()
        model.g_optimizer.iterations.assign(step)
        logs = fit_one_step(model, REALS)
        return [w.copy() for w in model.discriminator.get_weights()], logs

    strong, logs = d_weights_after_one_step(100.0, 0)
    none, _ = d_weights_after_one_step(0.0, 0)
    assert any(not np.allclose(a, b) for a, b in zip(strong, none, strict=True))
    assert logs["r1_penalty"] > 0
    strong, logs = d_weights_after_one_step(100.0, 1)
    none, _ = d_weights_after_one_step(0.0, 1)
    for a, b in zip(strong, none, strict=True):
        assert_reproduced(a, b)
    assert logs["r1_penalty"] == 0  # nothing recorded on a step without R1


def test_style_mixing_draws_follow_the_probability():
    model = tiny_stylegan(style_mixing_probability=0.9)()
    num_ws = model.generator.num_ws
    cutoffs = []
    for step in range(400):
        model.g_optimizer.iterations.assign(step)
        cutoffs.append(int(model.mixing_cutoff(stylegan_lib._D_STYLES + 2)))
    cutoffs = np.array(cutoffs)
    mixed = cutoffs < num_ws
    assert 0.85 < mixed.mean() < 0.95
    assert set(cutoffs[mixed]) == set(range(1, num_ws))  # every cutoff in [1, num_ws) occurs
    off = tiny_stylegan(style_mixing_probability=0.0)()
    ws, w = off.sample_styles(4, 0)
    np.testing.assert_array_equal(ws.numpy(), off.generator.broadcast(w).numpy())


def test_w_average_follows_the_batch_mean_and_truncation_pulls_to_it():
    model = tiny_stylegan(style_mixing_probability=0.0, eager=True)()
    generator = model.generator
    _, w = model.sample_styles(len(REALS), stylegan_lib._G_STYLES)  # the G update's w
    fit_one_step(model, REALS)
    beta = generator.w_average_decay
    np.testing.assert_allclose(
        generator.w_average.numpy(), (1 - beta) * w.numpy().mean(0), rtol=1e-4, atol=1e-7
    )
    # The EMA generator copies w̄ (a buffer), so sampling truncates towards it.
    np.testing.assert_array_equal(
        model.sampling_generator.w_average.numpy(), generator.w_average.numpy()
    )
    at_average = model.generate(5, seed=1, truncation_psi=0.0)
    for image in at_average[1:]:
        np.testing.assert_allclose(image, at_average[0], atol=1e-6)
    average_image = np.clip(
        model.sampling_generator.synthesize(model.sampling_generator.w_average[None]), -1, 1
    )
    np.testing.assert_allclose(at_average[0], average_image[0], atol=1e-6)
    full = model.generate(5, seed=1, truncation_psi=1.0)
    half = model.generate(5, seed=1, truncation_psi=0.5)
    spread = lambda x: x.std(axis=0).mean()  # noqa: E731
    assert spread(full) > spread(half) > spread(at_average)


def test_style_mixing_grid_takes_coarse_styles_from_rows():
    model = tiny_stylegan()()
    rows, columns = [1, 2], [3, 4, 5]
    grid = model.style_mixing(rows, columns, coarse_styles=2)
    assert grid.shape == (3, 4, SIZE, SIZE, 1)
    np.testing.assert_allclose(
        grid[0, 1:],
        model.generate(np.concatenate([stylegan_lib.sample_noise(1, 8, s) for s in columns])),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        grid[1:, 0],
        model.generate(np.concatenate([stylegan_lib.sample_noise(1, 8, s) for s in rows])),
        atol=1e-6,
    )
    all_rows = model.style_mixing(rows, columns, coarse_styles=model.generator.num_ws)
    none = model.style_mixing(rows, columns, coarse_styles=0)
    for j in range(len(columns)):
        np.testing.assert_allclose(all_rows[1:, j + 1], grid[1:, 0], atol=1e-6)
        np.testing.assert_allclose(none[1:, j + 1], np.stack([grid[0, j + 1]] * 2), atol=1e-6)
    assert not np.allclose(grid[1, 1], grid[1, 0]) and not np.allclose(grid[1, 1], grid[0, 1])
    with pytest.raises(ValueError, match=r"coarse_styles must be in \[0, 6\]"):
        model.style_mixing(rows, columns, coarse_styles=7)


def test_path_length_mean_moves_by_its_decay():
    model = tiny_stylegan(path_length_weight=2.0, path_length_decay=0.01, eager=True)()
    _, lengths = model.path_length_gradients(len(REALS))  # step 0: the same draws as fit
    logs = fit_one_step(model, REALS)
    np.testing.assert_allclose(float(model.path_length_mean), 0.01 * float(lengths), rtol=1e-4)
    assert logs["path_length"] == pytest.approx(float(model.path_length_mean), rel=1e-5)
    assert float(lengths) > 0


def test_saved_model_signatures(tmp_path):
    model = tiny_stylegan(eager=True)()
    fit_one_step(model, REALS)
    path = export.export_model(model, os.path.join(str(tmp_path), "saved_model"))
    loaded = tf.saved_model.load(path)
    assert set(loaded.signatures) >= {"serving_default", "map", "synthesize"}
    noise = stylegan_lib.sample_noise(3, 8, 0)
    for psi in (1.0, 0.7, 0.0):
        images = loaded.signatures["serving_default"](noise=noise, truncation_psi=psi)["images"]
        expected = export.uint8_images(model.generate(noise, truncation_psi=psi))
        np.testing.assert_array_equal(images.numpy(), expected.numpy())
    w = loaded.signatures["map"](noise=noise, truncation_psi=tf.constant(0.7))["w"]
    ws = tf.tile(w[:, None], [1, model.generator.num_ws, 1])
    via_w = loaded.signatures["synthesize"](ws=ws)["images"]
    via_noise = loaded.signatures["serving_default"](noise=noise, truncation_psi=0.7)["images"]
    np.testing.assert_array_equal(via_w.numpy(), via_noise.numpy())


def test_bad_arguments_are_one_line_errors():
    build = tiny_stylegan()
    model = build()
    with pytest.raises(ValueError, match="StyleGenerator"):
        StyleGAN(model.generator.synthesis, model.discriminator)
    for key, value, pattern in (
        ("r1_gamma", -1.0, "r1_gamma must be in"),
        ("style_mixing_probability", 1.5, "style_mixing_probability must be in"),
        ("r1_interval", 0, "r1_interval must be a positive integer"),
        ("d_steps", 2, "one D update per step"),
    ):
        with pytest.raises(ValueError, match=pattern):
            StyleGAN(model.generator, model.discriminator, **{key: value})
    with pytest.raises(ValueError, match="non_saturating"):
        model.compile(loss="hinge")
    with pytest.raises(ValueError, match="w has 8 features; the synthesis network takes 4"):
        StyleGenerator(model.generator.mapping, nets.synthesis_network(SIZE, 1, 4, **TINY))


def test_lazy_regularization_adam_follows_the_reference():
    adam = stylegan_lib.lazy_regularization_adam(0.0025, 0.0, 0.99, 16)
    ratio = 16 / 17
    assert float(adam.learning_rate) == pytest.approx(0.0025 * ratio)
    assert adam.beta_2 == pytest.approx(0.99**ratio)
    assert adam.beta_1 == 0.0
    plain = stylegan_lib.lazy_regularization_adam(0.002, 0.0, 0.99, None)
    assert float(plain.learning_rate) == pytest.approx(0.002) and plain.beta_2 == 0.99
