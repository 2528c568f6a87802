"""XLA (`jit_compile`) and step batching (`steps_per_execution`) leave training unchanged.

Both are `compile()` options that `TrainConfig` / `--jit_compile` / `--steps_per_execution`
pass through. The steps they run must be the plain steps: the same weights after the same
number of updates, within float round-off (XLA fuses and reorders arithmetic).
"""

import numpy as np
import pytest
from harness import fit_one_step

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


def _weights_after(name: str, steps: int, **compile_kwargs) -> dict[str, np.ndarray]:
    """Every model variable's value after `steps` fit steps, by variable path."""
    model = presets.build(name, seed=0, compile_kwargs=compile_kwargs, **TINY[name])
    assert model.jit_compile is bool(compile_kwargs.get("jit_compile", False))
    batch = (REALS, -REALS) if name.startswith("cyclegan") else REALS
    fit_one_step(model, batch, steps=steps)
    return {w.path: np.asarray(w) for w in model.weights}


def _assert_close(first, second, atol):
    assert list(first) == list(second)
    pairs = ((first[path], second[path]) for path in first)
    worst = max(float(np.max(np.abs(a - b))) if a.size else 0.0 for a, b in pairs)
    assert worst <= atol, worst


def test_steps_per_execution_runs_the_same_steps():
    """4 steps as 2 calls of 2 steps = 4 calls of 1 step, bit for bit (same graph per step)."""
    plain = _weights_after("dcgan_digits", 4)
    batched = _weights_after("dcgan_digits", 4, steps_per_execution=2)
    _assert_close(plain, batched, atol=0.0)


@pytest.mark.parametrize(
    "name",
    ["dcgan_digits", pytest.param("wgan_gp_digits", marks=pytest.mark.slow)],
)
def test_xla_step_equals_the_plain_step(name):
    _assert_close(_weights_after(name, 2), _weights_after(name, 2, jit_compile=True), atol=1e-4)


@pytest.mark.slow
def test_xla_stylegan_step_equals_the_plain_step():
    """R1 and path length (both on at step 0, in `tf.cond`s) and style mixing under XLA."""
    plain = _weights_after("stylegan_digits", 2)
    _assert_close(plain, _weights_after("stylegan_digits", 2, jit_compile=True), atol=1e-4)


@pytest.mark.slow
def test_xla_cyclegan_step_equals_the_plain_step():
    """The image pool's random reads and writes under XLA (once compiled, not at every step).

    The pools must hold the same images (a different swap would differ by ~0.1-1). The weights
    get a looser bound than the other families: four Adam optimizers at lr 2e-4 turn round-off
    in near-zero gradients into up to ~lr per step (1.7e-4 measured after 3 steps).
    """
    name = "cyclegan_digits_thickness"
    plain = _weights_after(name, 3)
    compiled = _weights_after(name, 3, jit_compile=True)
    is_pool = lambda path: path.split("/")[-1].startswith("pool_")  # noqa: E731
    pick = lambda weights, pool: {p: w for p, w in weights.items() if is_pool(p) == pool}  # noqa: E731
    assert len(pick(plain, True)) == 4  # images and count of each domain
    _assert_close(pick(plain, True), pick(compiled, True), atol=1e-5)
    _assert_close(pick(plain, False), pick(compiled, False), atol=5e-4)


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
