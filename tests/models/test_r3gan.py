"""R3GAN (RpGAN + R1 + R2) and PacGAN packing on the GAN family's step."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import (
    assert_close,
    assert_replicas_equivalent,
    assert_reproduced,
    fit_one_step,
    network_terms,
    run_model_checks,
)

from gan_zoo import families
from gan_zoo.families.r3gan import R3GAN, networks

POINTS = np.random.RandomState(0).normal(size=(16, 2)).astype(np.float32)
IMAGES = np.random.RandomState(0).uniform(-1, 1, size=(8, 28, 28, 1)).astype(np.float32)
TINY_2D = {"generator_kwargs": {"width": 16, "blocks": 1}, "discriminator_kwargs": {"width": 16}}
R3GAN_METRICS = {"d_loss", "g_loss", "d_real", "d_fake", "r1_penalty", "r2_penalty", "gamma"}


def tiny_ring(**overrides):
    def factory():
        return families.build(
            "r3gan_ring8", seed=0, batch_size=16, latent_dim=8, **TINY_2D, **overrides
        )

    return factory


def test_r3gan_on_points_passes_the_harness(tmp_path):
    run_model_checks(tiny_ring(), POINTS, tmp_path, expected_metrics=R3GAN_METRICS)


def test_r3gan_images_with_packing_pass_the_harness(tmp_path):
    def factory():
        return families.build(
            "r3gan_mnist",
            seed=0,
            batch_size=8,
            latent_dim=8,
            pack=2,
            generator_kwargs={"widths": (8, 4), "expansion": 1},
            discriminator_kwargs={"widths": (4, 8), "expansion": 1},
        )

    model = factory()
    assert model.discriminator.input_shape == (None, 28, 28, 2)
    run_model_checks(factory, IMAGES, tmp_path, expected_metrics=R3GAN_METRICS)


class LinearD(keras.Model):
    """D(x) = x·w: every input gradient is w, so R1 = R2 = ‖w‖² exactly."""

    def __init__(self, w):
        super().__init__()
        self.w = tf.constant(w, tf.float32)

    def call(self, x, training=False):
        return tf.reduce_sum(x * self.w, axis=-1, keepdims=True)


def test_discriminator_objective_against_hand_computed_values():
    generator = networks.mlp_generator(4, (2,), width=8, blocks=1)
    model = R3GAN(generator, LinearD([3.0, 4.0]), gamma=0.2)
    model.compile()
    real = tf.constant([[1.0, 0.0], [0.0, 1.0]])
    fake = tf.constant([[0.0, 0.0], [1.0, 1.0]])
    real_scores, fake_scores = model.discriminate(real, None), model.discriminate(fake, None)
    loss = model.discriminator_objective(real, fake, real_scores, fake_scores, None, 0)
    # Scores: real 3, 4; fake 0, 7. Pairing loss: mean(softplus(0 - 3), softplus(7 - 4)).
    pairing = (math.log1p(math.exp(-3.0)) + math.log1p(math.exp(3.0))) / 2
    expected = pairing + 0.5 * 0.2 * (25.0 + 25.0)
    assert_close(float(loss), expected, terms=16, err_msg="RpGAN + γ/2 (R1 + R2)")
    assert_close(float(model.r1_tracker.result()), 25.0, terms=8, err_msg="R1 = ‖w‖²")
    assert_close(float(model.r2_tracker.result()), 25.0, terms=8, err_msg="R2 = ‖w‖²")


def test_gamma_follows_a_cosine_to_gamma_end():
    model = tiny_ring(gamma=0.5, gamma_end=0.1, epochs=2, steps_per_epoch=5)()
    assert model.schedule_steps == 10
    for step, expected in [(0, 0.5), (5, 0.3), (10, 0.1), (20, 0.1)]:
        model.g_optimizer.iterations.assign(step)
        cosine = 0.1 + 0.4 * 0.5 * (1 + math.cos(math.pi * min(step / 10, 1)))
        assert_close(float(model.gamma_now()), cosine, terms=4, err_msg=f"γ at step {step}")
        assert abs(cosine - expected) < 1e-12
    assert float(tiny_ring()().gamma_now()) == pytest.approx(0.01)
    constant = tiny_ring(gamma_end=None)()
    constant.g_optimizer.iterations.assign(1000)
    assert float(constant.gamma_now()) == pytest.approx(0.01)


def test_learning_rates_follow_a_cosine_to_their_end_fraction():
    model = tiny_ring(
        epochs=2,
        steps_per_epoch=5,
        learning_rate_end=0.1,
        g_learning_rate=2e-4,
        d_learning_rate=2e-4,
    )()
    for optimizer in (model.g_optimizer, model.d_optimizer):
        assert_close(float(optimizer.learning_rate), 2e-4, terms=4, err_msg="lr at step 0")
        optimizer.iterations.assign(5)
        assert_close(float(optimizer.learning_rate), 2e-4 * 0.55, terms=4, err_msg="halfway")
        optimizer.iterations.assign(10)
        assert_close(float(optimizer.learning_rate), 2e-4 * 0.1, terms=4, err_msg="lr at the end")


def test_one_step_gives_finite_penalties_and_trains_both_networks():
    model = tiny_ring()()
    before_g = [w.copy() for w in model.generator.get_weights()]
    before_d = [w.copy() for w in model.discriminator.get_weights()]
    logs = fit_one_step(model, POINTS, steps=2)
    assert R3GAN_METRICS <= set(logs)
    assert all(np.isfinite(logs[k]) for k in R3GAN_METRICS)
    assert logs["r1_penalty"] >= 0 and logs["r2_penalty"] >= 0
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(before_g, model.generator.get_weights(), strict=True)
    )
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(before_d, model.discriminator.get_weights(), strict=True)
    )


@pytest.mark.parametrize("pack", [1, 2])
def test_two_replicas_equal_one_replica(pack):
    worst = assert_replicas_equivalent(tiny_ring(pack=pack, ema_decay=0.9), POINTS)
    print(f"R3GAN (pack {pack}) 2-replica max weight difference: {worst:.2f} of its tolerance")


def test_non_saturating_ablation_trains():
    logs = fit_one_step(tiny_ring(loss="non_saturating")(), POINTS)
    assert all(np.isfinite(v) for v in logs.values())


def test_fixup_blocks_start_as_the_identity():
    # The last layer of each residual branch is zero: the block passes its input through.
    model = networks.mlp_discriminator((2,), width=8, blocks=2)
    for layer in model.layers:
        if layer.name.endswith("_dense1"):
            assert not np.any(layer.kernel.numpy())
    image_g = networks.generator(8, 28, 1, widths=(8, 4))
    assert image_g.output_shape == (None, 28, 28, 1)
    projections = [layer for layer in image_g.layers if layer.name.endswith("_project")]
    assert projections and all(not np.any(layer.kernel.numpy()) for layer in projections)


def test_bad_image_size_for_the_stages_is_a_clear_error():
    with pytest.raises(ValueError, match="image_size 30 is not a base grid"):
        networks.generator(8, 30, 1, widths=(8, 4, 2))
    with pytest.raises(ValueError, match="one such count per stage"):
        networks.discriminator(28, 1, widths=(4, 8), blocks_per_stage=(1, 1, 1))


def test_blocks_per_stage_per_stage_counts():
    g = networks.generator(8, 28, 1, widths=(8, 4), blocks_per_stage=(2, 0))
    blocks = {layer.name.split("_block")[0] for layer in g.layers if "_block" in layer.name}
    assert blocks == {"stage0"}
    assert sum(layer.name.endswith("_add") for layer in g.layers) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"gamma": -1.0}, "gamma must be a number >= 0"),
        ({"learning_rate_end": 0.0}, "learning_rate_end must be in"),
        ({"steps_per_epoch": None}, "gamma_end and learning_rate_end need steps_per_epoch"),
        ({"learning_rate_decay_start": 0.5}, "are two schedules; set one of them"),
        ({"pack": 3}, "batch_size must be a multiple of pack"),
        ({"pack": 0}, "pack must be a positive integer"),
    ],
)
def test_bad_settings_are_clear_errors(overrides, message):
    with pytest.raises(ValueError, match=message):
        families.get_preset("r3gan_ring8").replace(**overrides)


# ------------------------------------------------------------------------------------- packing


def dense_gan(**overrides):
    return families.build("gan_ring8", seed=0, batch_size=16, latent_dim=8, **overrides)


def test_pack_one_is_the_unpacked_model_exactly():
    default = dense_gan()
    packed = dense_gan(pack=1)
    logs_default = fit_one_step(default, POINTS, steps=2)
    logs_packed = fit_one_step(packed, POINTS, steps=2)
    assert_reproduced(list(logs_packed.values()), list(logs_default.values()), err_msg="logs")
    for a, b in zip(packed.get_weights(), default.get_weights(), strict=True):
        assert_reproduced(a, b, err_msg="weights after 2 steps")


@pytest.mark.parametrize("preset", ["gan_ring8", "wgan_gp_ring8", "r3gan_ring8"])
def test_packed_discriminator_sees_packs_of_one_kind(preset):
    model = families.build(preset, seed=0, batch_size=16, latent_dim=8, pack=4)
    assert model.discriminator.input_shape == (None, 8)
    real = tf.constant(POINTS)
    fake = model.generate_samples(tf.zeros((16, 8)), None)
    scores = model.discriminate(real, None)
    assert scores.shape == (4, 1)
    # The real packs D scores are the real batch, 4 consecutive points per pack.
    expected = model.discriminator(POINTS.reshape(4, 8))
    assert_close(scores, expected, terms=network_terms(model.discriminator), err_msg="packs")
    fake_scores = model.discriminate(fake, None)
    assert_close(
        fake_scores,
        model.discriminator(tf.reshape(fake, (4, 8))),
        terms=network_terms(model.discriminator),
        err_msg="fake packs",
    )
    logs = fit_one_step(model, POINTS)
    assert all(np.isfinite(v) for v in logs.values())


def test_conditional_presets_refuse_packing():
    with pytest.raises(ValueError, match="pack must be 1 for conditional presets"):
        families.get_preset("cgan_digits").replace(pack=2)


def test_paired_losses_only_where_the_family_takes_them():
    assert families.get_preset("gan_ring8").replace(loss="relativistic").loss == "relativistic"
    with pytest.raises(ValueError, match="needs a model that scores real and fake in pairs"):
        families.get_preset("stylegan_digits").replace(loss="relativistic")
