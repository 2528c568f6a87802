"""XLA (`jit_compile`) and step batching (`steps_per_execution`) leave training unchanged.

Both are `compile()` options that `TrainConfig` / `--jit_compile` / `--steps_per_execution`
pass through. The steps they run must be the plain steps: the same weights after the same
number of updates, within float round-off (XLA fuses and reorders arithmetic; a multi-step
execution runs the step inside a loop, another graph): `harness.assert_weights_close`.
"""

import numpy as np
import pytest
from harness import (
    assert_weights_close,
    biases_before_instance_norm,
    fit_one_step,
    training_terms,
)

from gan_zoo import presets, training

REALS = np.random.RandomState(0).uniform(-1, 1, size=(8, 32, 32, 1)).astype(np.float32)
TINY = {
    "dcgan_digits": {
        "latent_dim": 8,
        "generator_kwargs": {"base_filters": 4},
        "discriminator_kwargs": {"base_filters": 4},
    },
    "wgan_gp_digits": {
        "latent_dim": 8,
        "d_steps": 2,
        "generator_kwargs": {"base_filters": 4},
        "discriminator_kwargs": {"base_filters": 4, "batch_norm": False},
    },
    "stylegan_digits": {
        "latent_dim": 8,
        "generator_kwargs": {"w_dim": 8, "mapping_layers": 2, "channel_base": 64, "channel_max": 8},
        "discriminator_kwargs": {"channel_base": 64, "channel_max": 8},
        "model_kwargs": {"r1_gamma": 0.01, "path_length_weight": 2.0},
    },
    "cyclegan_digits_thickness": {
        "generator_kwargs": {"base_filters": 4, "num_residual_blocks": 1},
        "discriminator_kwargs": {"base_filters": 4, "num_layers": 1},
        "model_kwargs": {"pool_size": 3},  # fills within the first step, then swaps
    },
}


def _weights_after(name: str, steps: int, **compile_kwargs):
    """`(model, [(path, value)])`: every model variable's value after `steps` fit steps."""
    model = presets.build(name, seed=0, compile_kwargs=compile_kwargs, **TINY[name])
    assert model.jit_compile is bool(compile_kwargs.get("jit_compile", False))
    batch = (REALS, -REALS) if name.startswith("cyclegan") else REALS
    fit_one_step(model, batch, steps=steps)
    return model, [(w.path, np.asarray(w)) for w in model.weights]


def _assert_same_training(plain, other, steps, what, skip=lambda path: False):
    """The weights of two programs' runs of `steps` steps agree to float32 round-off."""
    model, expected = plain
    _, actual = other
    return assert_weights_close(
        actual, expected, terms=training_terms(model, steps), skip=skip, what=what
    )


def test_steps_per_execution_runs_the_same_steps():
    """4 steps as 2 calls of 2 steps = 4 calls of 1 step: the same updates (the step runs in a
    loop of 2 inside one graph: another program, so to round-off)."""
    plain = _weights_after("dcgan_digits", 4)
    batched = _weights_after("dcgan_digits", 4, steps_per_execution=2)
    _assert_same_training(plain, batched, 4, "steps_per_execution=2 vs 1")


@pytest.mark.parametrize(
    "name",
    ["dcgan_digits", pytest.param("wgan_gp_digits", marks=pytest.mark.slow)],
)
def test_xla_step_equals_the_plain_step(name):
    plain, compiled = _weights_after(name, 2), _weights_after(name, 2, jit_compile=True)
    _assert_same_training(plain, compiled, 2, "XLA vs plain")


@pytest.mark.slow
def test_xla_stylegan_step_equals_the_plain_step():
    """R1 and path length (both on at step 0, in `tf.cond`s) and style mixing under XLA."""
    plain = _weights_after("stylegan_digits", 2)
    compiled = _weights_after("stylegan_digits", 2, jit_compile=True)
    _assert_same_training(plain, compiled, 2, "XLA vs plain")


@pytest.mark.slow
def test_xla_cyclegan_step_equals_the_plain_step():
    """The image pool's random reads and writes under XLA (once compiled, not at every step).

    The pools must hold the same images (a different swap would differ by ~0.1-1) and the same
    counts. The conv biases that feed an instance norm are exempt: their gradient is 0 but for
    round-off, which Adam (lr 2e-4) turns into moves of up to ~lr per step (1.7e-4 measured
    after 3 steps), differently with and without XLA; they change no output.
    """
    name = "cyclegan_digits_thickness"
    plain = _weights_after(name, 3)
    compiled = _weights_after(name, 3, jit_compile=True)
    assert sum(path.split("/")[-1].startswith("pool_") for path, _ in plain[1]) == 4
    exempt = biases_before_instance_norm(plain[0])
    assert exempt
    _assert_same_training(plain, compiled, 3, "XLA vs plain", skip=lambda p: p in exempt)


@pytest.mark.slow
def test_train_config_reaches_compile(tmp_path, tfds_data_dir):
    config = training.TrainConfig(
        preset="dcgan_digits",
        out_dir=str(tmp_path),
        epochs=1,
        steps_per_epoch=2,
        batch_size=8,
        jit_compile=True,
        steps_per_execution=2,
        data_dir=tfds_data_dir,
        export=False,
        verbose=0,
        overrides=TINY["dcgan_digits"],
    )
    model = training.train(config)["model"]
    assert model.jit_compile is True and model.steps_per_execution == 2
    assert int(model.training_step) == 2
