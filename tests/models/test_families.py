"""Each seed family through the shared harness, plus its own known-value checks."""

import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close, assert_replicas_equivalent, fit_one_step, run_model_checks

from gan_zoo import export, presets

TINY_CONV = {
    "latent_dim": 8,
    "generator_kwargs": {"base_filters": 4},
    "discriminator_kwargs": {"base_filters": 4},
}
RANDOM = np.random.RandomState(0)
IMAGES = RANDOM.uniform(-1, 1, size=(8, 32, 32, 1)).astype(np.float32)
LABELS = np.arange(8, dtype=np.int32) % 10
POINTS = RANDOM.normal(size=(16, 2)).astype(np.float32)


def factory(name, **overrides):
    def build():
        return presets.build(name, seed=0, **overrides)

    return build


def tiny(name, **extra):
    preset = presets.get_preset(name)
    kwargs = {key: dict(value) for key, value in TINY_CONV.items() if key != "latent_dim"}
    kwargs["discriminator_kwargs"] = {**preset.discriminator_kwargs, "base_filters": 4}
    return factory(name, latent_dim=8, **kwargs, **extra)


CASES = {
    "wgan_digits": (tiny("wgan_digits", d_steps=2), IMAGES, set()),
    "wgan_gp_digits": (tiny("wgan_gp_digits", d_steps=2), IMAGES, {"gradient_penalty"}),
    "wgan_gp_ring8": (
        factory("wgan_gp_ring8", d_steps=2, batch_size=16),
        POINTS,
        {"gradient_penalty"},
    ),
    "lsgan_digits": (tiny("lsgan_digits"), IMAGES, set()),
    "sngan_digits": (tiny("sngan_digits"), IMAGES, set()),
    "cgan_digits": (tiny("cgan_digits"), (IMAGES, LABELS), set()),
    "cgan_projection_digits": (tiny("cgan_projection_digits"), (IMAGES, LABELS), set()),
    "acgan_digits": (tiny("acgan_digits"), (IMAGES, LABELS), {"class_loss", "real_class_accuracy"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_family_passes_the_harness(name, tmp_path):
    build, batch, extra_metrics = CASES[name]
    run_model_checks(
        build,
        batch,
        tmp_path,
        expected_metrics={"d_loss", "g_loss", "d_real", "d_fake", *extra_metrics},
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_family_two_replicas_equal_one(name):
    build, batch, _ = CASES[name]
    worst = assert_replicas_equivalent(build, batch)
    print(f"{name}: 2-replica max weight difference {worst:.2f} of its tolerance")


@pytest.mark.parametrize("name", ["wgan_digits", "wgan_gp_ring8"])
def test_penalty_and_clipping_families_two_replicas_equal_one(name):
    build, batch, _ = CASES[name]
    worst = assert_replicas_equivalent(build, batch)
    print(f"{name}: 2-replica max weight difference {worst:.2f} of its tolerance")


def test_wgan_clipping_holds_every_critic_weight_inside_the_bound():
    model = tiny("wgan_digits", d_steps=2, model_kwargs={"clip_value": 0.003})()
    weights = model.discriminator.trainable_weights
    assert max(float(np.abs(w.numpy()).max()) for w in weights) > 0.003  # init exceeds c
    fit_one_step(model, IMAGES)
    for weight in weights:
        assert float(np.abs(weight.numpy()).max()) <= 0.003 + 1e-7, weight.path
    assert model.d_steps == 2 and int(model.d_optimizer.iterations) == 2


def test_wgan_gp_critic_loss_matches_a_closed_form_penalty():
    """With a linear critic D(x) = w·x + b, ∇D = w everywhere: the penalty is (‖w‖ - 1)²."""
    model = presets.build(
        "wgan_gp_ring8", d_steps=1, batch_size=16, discriminator_kwargs={"hidden_units": ()}
    )
    critic = model.discriminator
    kernel, bias = critic.get_layer("score").get_weights()
    real = tf.constant(POINTS)
    fake = tf.constant(POINTS[::-1] * 2.0)
    loss = model.discriminator_objective(real, fake, critic(real), critic(fake), None, 0)
    w = kernel[:, 0]
    expected = (
        (fake.numpy() @ w).mean() - (POINTS @ w).mean() + 10.0 * (np.linalg.norm(w) - 1.0) ** 2
    )
    # float32: D of 2 features on 16 + 16 points, their means, ‖∇D‖ = ‖w‖ (2 squares), the
    # penalty's batch mean, vs NumPy float64.
    assert_close(
        float(loss), expected, terms=2 * 16 + 2 * 2 + 16 + 8, err_msg="WGAN-GP critic loss"
    )
    del bias


def test_conditional_generate_and_labels_errors(tmp_path):
    model = tiny("cgan_digits")()
    images = model.generate(4, labels=[0, 1, 2, 3], seed=0)
    assert images.shape == (4, 32, 32, 1)
    assert not np.array_equal(images[0], model.generate(4, labels=[5, 1, 2, 3], seed=0)[0])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\); got values from 0 to 12"):
        model.generate(2, labels=[0, 12])
    with pytest.raises(ValueError, match="labels must be 3 integers"):
        model.generate(3, labels=[0, 1])
    with pytest.raises(ValueError, match="with_labels=True"):
        fit_one_step(model, IMAGES)
    saved = export.export_generator(model, str(tmp_path / "cgan"))
    serve = tf.saved_model.load(saved).signatures["serving_default"]
    noise = tf.zeros((2, 8))
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels must be < num_classes"):
        serve(noise=noise, labels=tf.constant([0, 10], tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="same length"):
        serve(noise=noise, labels=tf.constant([0], tf.int32))


def test_acgan_class_loss_is_the_cross_entropy():
    model = tiny("acgan_digits")()
    logits = tf.constant([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    labels = tf.constant([0, 2])
    expected = -np.mean([np.log(np.exp(2) / (np.exp(2) + 2)), np.log(1 / (np.exp(1) + 2))])
    # float32 softmax cross-entropy (a log-sum-exp of 3, a mean of 2) vs NumPy float64.
    assert_close(float(model._class_loss(logits, labels)), expected, terms=8, err_msg="class loss")


def test_optimizers_follow_the_papers():
    wgan = presets.build("wgan_digits")
    assert type(wgan.d_optimizer).__name__ == "RMSprop"
    assert_close(float(wgan.d_optimizer.learning_rate), 5e-5, err_msg="float32 lr")
    assert wgan.d_steps == 5 and wgan.clip_value == 0.01
    gp = presets.build("wgan_gp_digits")
    assert (float(gp.d_optimizer.beta_1), float(gp.d_optimizer.beta_2)) == (0.0, 0.9)
    assert gp.gp_weight == 10.0 and gp.d_steps == 5
    assert not any("batch_norm" in layer.name for layer in gp.discriminator.layers)
    sngan = presets.build("sngan_digits")
    assert sngan.loss_name == "hinge"
    assert any("spectral" in layer.name for layer in sngan.discriminator.layers)
