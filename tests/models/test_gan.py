import numpy as np
import pytest
from harness import (
    assert_close,
    assert_replicas_equivalent,
    assert_reproduced,
    fit_one_step,
    run_model_checks,
)

from gan_zoo import builders, models, presets


def dense_gan(**kwargs):
    def factory():
        return presets.build("gan_ring8", seed=0, batch_size=16, **kwargs)

    return factory


def small_dcgan(**kwargs):
    def factory():
        return presets.build(
            "dcgan_digits",
            seed=0,
            latent_dim=16,
            generator_kwargs={"base_filters": 8},
            discriminator_kwargs={"base_filters": 8},
            **kwargs,
        )

    return factory


POINTS = np.random.RandomState(0).normal(size=(16, 2)).astype(np.float32)
IMAGES = np.random.RandomState(0).uniform(-1, 1, size=(8, 32, 32, 1)).astype(np.float32)


def test_dense_gan_passes_harness(tmp_path):
    run_model_checks(dense_gan(), POINTS, tmp_path)


def test_dcgan_with_ema_passes_harness(tmp_path):
    model = run_model_checks(small_dcgan(ema_decay=0.9), IMAGES, tmp_path)
    # With EMA, samples come from the EMA generator, which differs from the live one.
    noise = np.random.RandomState(1).normal(size=(2, 16)).astype(np.float32)
    live = model.generator(noise, training=False).numpy()
    assert not np.allclose(model.generate(noise), live)


@pytest.mark.parametrize("warmup", [True, False])
def test_ema_update_is_the_moving_average(warmup):
    model = dense_gan(ema_decay=0.75)()
    model.ema_warmup = warmup  # read when the step is traced
    start = [w.copy() for w in model.generator.get_weights()]
    fit_one_step(model, POINTS)
    # After the first generator update (t = 1) the warm-up's decay is (1 + 1) / (10 + 1).
    decay = min(0.75, 2 / 11) if warmup else 0.75
    for ema, live, old in zip(
        model.ema_generator.get_weights(), model.generator.get_weights(), start, strict=True
    ):
        # TF's EMA update (2 products, a sum, in float32) vs NumPy.
        assert_close(ema, decay * old + (1 - decay) * live, terms=3, err_msg="EMA weights")


def test_ema_warmup_reaches_the_configured_decay():
    model = dense_gan(ema_decay=0.9)()
    for step, expected in ((0, 0.1), (1, 2 / 11), (80, 0.9), (10_000, 0.9)):
        model.g_optimizer.iterations.assign(step)
        # (1 + t) / (10 + t) in float32 against Python's float64: a division and two sums.
        assert_close(model.ema_decay_now(), expected, terms=3, err_msg=f"decay at t = {step}")


@pytest.mark.parametrize("warmup", [True, False])
def test_a_short_run_samples_from_an_ema_that_followed_the_generator(warmup):
    """What a user saw: after a short run with ema_decay=0.999 the samples were flat grey, the
    EMA generator still at its random start (outputs ~1e-4) while the generator had moved on.
    With the warm-up the EMA's outputs are of the generator's size; without it they are not."""
    model = small_dcgan(ema_decay=0.999, g_learning_rate=2e-3, d_learning_rate=2e-3)()
    model.ema_warmup = warmup
    noise = np.random.RandomState(3).normal(size=(8, 16)).astype(np.float32)
    initial = model.generator(noise, training=False).numpy()
    fit_one_step(model, IMAGES, steps=20)
    live = model.generator(noise, training=False).numpy()
    ema = model.generate(noise)
    assert live.std() > 10 * initial.std()  # the generator's outputs grew from ~0
    if warmup:  # t = 20: decay 21/30, the EMA follows (measured: 0.58 of the live spread)
        assert ema.std() > 0.3 * live.std(), (ema.std(), live.std())
    else:  # decay 0.999: 98 % of the EMA is still the initial generator (measured: 0.02)
        assert ema.std() < 0.1 * live.std(), (ema.std(), live.std())


def test_d_steps_runs_that_many_discriminator_updates():
    model = dense_gan(d_steps=3)()
    fit_one_step(model, POINTS, steps=2)
    assert int(model.d_optimizer.iterations) == 6
    assert int(model.g_optimizer.iterations) == 2


@pytest.mark.parametrize("loss", ["minimax", "non_saturating", "least_squares", "hinge"])
def test_every_loss_trains_with_finite_values(loss):
    logs = fit_one_step(dense_gan(loss=loss)(), POINTS)
    assert all(np.isfinite(v) for v in logs.values())


def test_same_seed_same_losses_different_seed_different():
    a = fit_one_step(dense_gan()(), POINTS, steps=3)
    b = fit_one_step(dense_gan()(), POINTS, steps=3)
    c = fit_one_step(presets.build("gan_ring8", seed=1, batch_size=16), POINTS, steps=3)
    assert list(a) == list(b) == list(c)
    # The same seed: the same program on the same data, the same bits; another seed differs.
    assert_reproduced([a[k] for k in a], [b[k] for k in a], err_msg="seed 0 twice")
    assert a != c


def test_two_replicas_equal_one_replica_dense():
    worst = assert_replicas_equivalent(dense_gan(d_steps=2, ema_decay=0.9), POINTS)
    print(f"dense GAN 2-replica max weight difference: {worst:.2f} of its tolerance")


def test_two_replicas_equal_one_replica_dcgan_synchronized_batch_norm():
    worst = assert_replicas_equivalent(small_dcgan(), IMAGES)
    print(f"DCGAN 2-replica max weight difference: {worst:.2f} of its tolerance")


def test_generate_rejects_bad_noise_and_counts():
    model = dense_gan()()
    with pytest.raises(ValueError, match=r"noise must have shape \[N, 256\]"):
        model.generate(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="positive"):
        model.generate(0)


def test_constructor_and_compile_validate():
    g = builders.dense.generator(4, (2,), output_activation=None)
    d = builders.dense.discriminator((2,))
    with pytest.raises(ValueError, match="d_steps"):
        models.GAN(g, d, d_steps=0)
    with pytest.raises(ValueError, match="ema_decay"):
        models.GAN(g, d, ema_decay=1.5)
    with pytest.raises(ValueError, match="Unknown loss 'nope'"):
        models.GAN(g, d).compile(loss="nope")


def test_optimizers_by_name_are_two_instances_and_one_shared_instance_is_refused():
    """The README's `gan.compile(g_optimizer="adam", d_optimizer="adam")` was refused: the two
    equal (interned) strings were taken for one shared optimizer."""
    model = dense_gan()()
    model.compile(g_optimizer="adam", d_optimizer="adam", loss="hinge")
    assert model.g_optimizer is not model.d_optimizer
    assert type(model.g_optimizer).__name__ == type(model.d_optimizer).__name__ == "Adam"
    fit_one_step(model, POINTS)
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 1
    import keras

    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two different optimizers"):
        model.compile(g_optimizer=shared, d_optimizer=shared)


def test_fit_on_a_dataset_does_not_make_keras_warn_about_shuffle():
    """What a user saw after `model.fit(dataset)`: Keras' "`shuffle=True` was passed, but will
    be ignored since the data `x` was provided as a tf.data.Dataset"."""
    import warnings

    import tensorflow as tf

    model = dense_gan()()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(tf.data.Dataset.from_tensors(POINTS), epochs=1, verbose=0)
        model.fit(tf.data.Dataset.from_tensors(POINTS), epochs=1, verbose=0, shuffle=True)
    shuffle_warnings = [str(w.message) for w in caught if "shuffle" in str(w.message)]
    assert len(shuffle_warnings) == 1  # only where the caller asked for shuffle=True


def test_an_early_grid_shows_what_the_generator_does_in_training():
    """What a user saw: after one digits epoch (22 steps) the sample grids were flat grey. The
    batch-norm moving statistics, at Keras' momentum 0.99, were still ~80 % their initial
    values, so inference outputs were ~0.03 of the training-mode ones; at 0.9 (PyTorch's, the
    DCGAN references') they follow within a few steps."""
    model = small_dcgan(ema_decay=0.99)()
    fit_one_step(model, IMAGES, steps=22)
    noise = np.random.RandomState(4).normal(size=(8, 16)).astype(np.float32)
    training_mode = model.generator(noise, training=True).numpy()
    assert model.generate(noise).std() > 0.4 * training_mode.std()
    assert model.generator(noise, training=False).numpy().std() > 0.4 * training_mode.std()
