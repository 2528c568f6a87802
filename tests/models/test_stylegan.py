"""StyleGAN2: the shared harness, 2 replicas = 1 with R1 + mixing + path length, losses against
hand-computed values, lazy regularization, truncation, style mixing and the SavedModel."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import (
    EXPECTED_METRICS,
    assert_close,
    assert_replicas_equivalent,
    assert_reproduced,
    fit_one_step,
    network_terms,
    run_model_checks,
)

from gan_zoo import export, losses
from gan_zoo.families.stylegan import StyleGAN, StyleGenerator
from gan_zoo.families.stylegan import model as stylegan_lib
from gan_zoo.families.stylegan import networks as nets

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
    worst = assert_replicas_equivalent(factory, REALS, steps=3)
    print(f"StyleGAN 2-replica max weight difference: {worst:.2f} of its tolerance")


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
    # The step's D forward pass (reals and fakes in one batch) against D run on each here,
    # then softplus and means: two programs, D's terms and a few more.
    terms = network_terms(model.discriminator) + 8
    assert_close(logs["d_loss"], expected_d, terms=terms, err_msg="logged d_loss vs by hand")
    assert_close(logs["d_real"], real_scores.mean(), terms=terms, err_msg="logged d_real")
    # R1 differentiates D's forward pass (3 passes of D) and sums 16 · 16 squared gradients.
    terms = 3 * network_terms(model.discriminator) + SIZE * SIZE + 4
    assert_close(logs["r1_penalty"], expected_r1, terms=terms, err_msg="logged R1 vs r1_penalty")
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
    # Eagerly, both runs execute the same ops on the same inputs (γ only enters the R1 branch,
    # which step 1 does not run): the same program, the same bits.
    for a, b in zip(strong, none, strict=True):
        assert_reproduced(a, b, err_msg="step 1 with γ = 100 vs γ = 0")
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
    np.testing.assert_array_equal(ws.numpy(), off.generator.broadcast(w).numpy())  # copies


def test_w_average_follows_the_batch_mean_and_truncation_pulls_to_it():
    model = tiny_stylegan(style_mixing_probability=0.0, eager=True)()
    generator = model.generator
    _, w = model.sample_styles(len(REALS), stylegan_lib._G_STYLES)  # the G update's w
    fit_one_step(model, REALS)
    beta = generator.w_average_decay
    # w̄ ← β · 0 + (1 - β) · mean of 4 w in float32 (the step's all-reduced mean) vs NumPy. The
    # terms are of the size of the mean (β ≈ 1), and 1 - β cancels (1 - float32(0.995) is
    # 200 u off 0.005): the scale is the mean's, not w̄'s.
    mean = w.numpy().astype(np.float64).mean(0)
    assert_close(
        generator.w_average.numpy(),
        (1 - beta) * mean,
        terms=4 + 3,
        scale=float(np.abs(mean).max()),
        err_msg="w̄",
    )
    # The EMA generator copies w̄ (a buffer), so sampling truncates towards it.
    np.testing.assert_array_equal(
        model.sampling_generator.w_average.numpy(), generator.w_average.numpy()
    )
    # ψ = 0: every row is synthesized from w̄ exactly (w̄ + 0 · (w - w̄)); rows of one batch
    # and a batch of 1 may take other kernel paths, so to the synthesis network's round-off.
    terms = network_terms(model.sampling_generator.synthesis)
    at_average = model.generate(5, seed=1, truncation_psi=0.0)
    for image in at_average[1:]:
        assert_close(image, at_average[0], terms=terms, err_msg="ψ = 0 rows")
    average_image = np.clip(
        model.sampling_generator.synthesize(model.sampling_generator.w_average[None]), -1, 1
    )
    assert_close(at_average[0], average_image[0], terms=terms, err_msg="ψ = 0 vs synthesize(w̄)")
    full = model.generate(5, seed=1, truncation_psi=1.0)
    half = model.generate(5, seed=1, truncation_psi=0.5)
    spread = lambda x: x.std(axis=0).mean()  # noqa: E731
    assert spread(full) > spread(half) > spread(at_average)


def test_style_mixing_grid_takes_coarse_styles_from_rows():
    model = tiny_stylegan()()
    rows, columns = [1, 2], [3, 4, 5]
    grid = model.style_mixing(rows, columns, coarse_styles=2)
    assert grid.shape == (3, 4, SIZE, SIZE, 1)
    # The grid's images against generate() and against each other: the same styles, other
    # batches (other programs' round-off, the generator's terms).
    terms = network_terms(model.sampling_generator)
    assert_close(
        grid[0, 1:],
        model.generate(np.concatenate([stylegan_lib.sample_noise(1, 8, s) for s in columns])),
        terms=terms,
        err_msg="grid's top row vs generate(columns)",
    )
    assert_close(
        grid[1:, 0],
        model.generate(np.concatenate([stylegan_lib.sample_noise(1, 8, s) for s in rows])),
        terms=terms,
        err_msg="grid's left column vs generate(rows)",
    )
    all_rows = model.style_mixing(rows, columns, coarse_styles=model.generator.num_ws)
    none = model.style_mixing(rows, columns, coarse_styles=0)
    for j in range(len(columns)):
        assert_close(all_rows[1:, j + 1], grid[1:, 0], terms=terms, err_msg="all styles: rows")
        assert_close(
            none[1:, j + 1], np.stack([grid[0, j + 1]] * 2), terms=terms, err_msg="none: columns"
        )
    assert not np.allclose(grid[1, 1], grid[1, 0]) and not np.allclose(grid[1, 1], grid[0, 1])
    with pytest.raises(ValueError, match=r"coarse_styles must be in \[0, 6\]"):
        model.style_mixing(rows, columns, coarse_styles=7)


def test_path_length_mean_moves_by_its_decay():
    model = tiny_stylegan(path_length_weight=2.0, path_length_decay=0.01, eager=True)()
    _, lengths = model.path_length_gradients(len(REALS))  # step 0: the same draws as fit
    logs = fit_one_step(model, REALS)
    # The lengths ‖Jᵀ y‖ differentiate the synthesis network (3 passes) and sum over w's
    # num_ws · w_dim components; the step computes them in its own program.
    terms = 3 * network_terms(model.generator) + 6 * 8 + 4
    assert_close(
        float(model.path_length_mean), 0.01 * float(lengths), terms=terms, err_msg="path length"
    )
    assert_close(logs["path_length"], float(model.path_length_mean), terms=4, err_msg="logged")
    assert float(lengths) > 0


def test_saved_model_signatures(tmp_path):
    model = tiny_stylegan(eager=True)()
    fit_one_step(model, REALS)
    path = export.export_model(model, os.path.join(str(tmp_path), "saved_model"))
    loaded = tf.saved_model.load(path)
    assert set(loaded.signatures) >= {"serving_default", "map", "synthesize"}
    noise = stylegan_lib.sample_noise(3, 8, 0)
    terms = network_terms(model.sampling_generator)
    for psi in (1.0, 0.7, 0.0):  # the SavedModel's graph vs eager generate(): two programs
        images = loaded.signatures["serving_default"](noise=noise, truncation_psi=psi)["images"]
        expected = export.uint8_images(model.generate(noise, truncation_psi=psi))
        assert_close(images.numpy(), expected.numpy(), terms=terms, err_msg=f"ψ = {psi}")
    w = loaded.signatures["map"](noise=noise, truncation_psi=tf.constant(0.7))["w"]
    ws = tf.tile(w[:, None], [1, model.generator.num_ws, 1])
    via_w = loaded.signatures["synthesize"](ws=ws)["images"]
    via_noise = loaded.signatures["serving_default"](noise=noise, truncation_psi=0.7)["images"]
    # Two signatures, two graphs (map + tile + synthesize vs serving_default).
    assert_close(via_w.numpy(), via_noise.numpy(), terms=terms, err_msg="synthesize(map) vs serve")


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
    assert_close(float(adam.learning_rate), 0.0025 * ratio, terms=2, err_msg="float32 lr")
    assert_close(adam.beta_2, 0.99**ratio, dtype="float64", terms=2, err_msg="β₂")
    assert adam.beta_1 == 0.0
    plain = stylegan_lib.lazy_regularization_adam(0.002, 0.0, 0.99, None)
    assert_close(float(plain.learning_rate), 0.002, err_msg="float32 lr")
    assert plain.beta_2 == 0.99  # passed through as given
