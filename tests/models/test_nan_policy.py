"""`nan_policy="skip"`: a non-finite update is dropped, counted and logged; "stop" applies it."""

import numpy as np
import pytest
import tensorflow as tf
from harness import assert_weights_close, training_terms

from gan_zoo import presets

BATCH = 8


def _build(nan_policy: str, strategy=None):
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        return presets.build(
            "dcgan_digits", batch_size=BATCH, compile_kwargs={"nan_policy": nan_policy}
        )


def _poisoned_batch(rows=(0,)) -> np.ndarray:
    preset = presets.get_preset("dcgan_digits")
    batch = np.random.RandomState(0).uniform(-1, 1, (BATCH, *preset.sample_shape))
    batch = batch.astype(np.float32)
    for row in rows:
        batch[row, 3, 3, 0] = np.nan
    return batch


def _fit(model, batch, steps: int) -> dict:
    history = model.fit(tf.data.Dataset.from_tensors(batch).repeat(steps), epochs=1, verbose=0)
    return {name: values[-1] for name, values in history.history.items()}


def _snapshot(network) -> list[np.ndarray]:
    return [np.array(w) for w in network.get_weights()]


def _same(a: list, b: list) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_skip_drops_the_poisoned_discriminator_update_and_counts_it():
    model = _build("skip")
    d_before, g_before = _snapshot(model.discriminator), _snapshot(model.generator)
    logs = _fit(model, _poisoned_batch(), steps=3)
    # D saw NaN reals: all three D updates were dropped, and their NaN losses left out of the
    # epoch mean (no finite one was left: 0)...
    assert logs["d_loss"] == 0.0 and logs["d_real"] == 0.0
    assert logs["skipped_updates"] == 3.0
    assert int(model.skipped_updates.numpy()) == 3
    assert int(model.d_optimizer.iterations.numpy()) == 0
    # ...with D's weights *and* batch-norm statistics as they were (non-trainable included).
    assert _same(_snapshot(model.discriminator), d_before)
    # G's loss went through the unchanged, finite D: its three updates applied.
    assert np.isfinite(logs["g_loss"])
    assert int(model.g_optimizer.iterations.numpy()) == 3
    generator_after = _snapshot(model.generator)
    assert not _same(generator_after, g_before)
    assert all(np.all(np.isfinite(w)) for w in generator_after)
    assert np.all(np.isfinite(model.generate(4, seed=0)))


def test_stop_policy_applies_the_update_and_logs_no_count():
    model = _build("stop")
    logs = _fit(model, _poisoned_batch(), steps=1)
    assert "skipped_updates" not in logs
    assert np.isnan(logs["d_loss"])
    # The NaN update went in: training.py is what stops a "stop" run (before checkpointing).
    assert any(np.isnan(w).any() for w in model.discriminator.get_weights())


def test_a_nan_on_one_replica_skips_the_update_on_both():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    model = _build("skip", strategy)
    d_before = _snapshot(model.discriminator)
    # Only the first replica's half of the global batch holds a NaN.
    logs = _fit(model, _poisoned_batch(rows=(1,)), steps=2)
    assert logs["skipped_updates"] == 2.0
    assert _same(_snapshot(model.discriminator), d_before)
    for variable in model.discriminator.weights:  # mirrored copies: one value, exactly
        first, second = strategy.experimental_local_results(variable.value)
        np.testing.assert_array_equal(first.numpy(), second.numpy())


def test_finite_steps_are_unchanged_by_the_skip_policy():
    batch = _poisoned_batch(rows=())
    weights = {}
    for policy in ("stop", "skip"):
        model = _build(policy)
        _fit(model, batch, steps=2)
        weights[policy] = [(w.path, np.asarray(w)) for w in model.weights]
        assert int(model.skipped_updates.numpy()) == 0
    # Two programs (the skip policy applies each update under a finiteness condition): the
    # same updates, to round-off.
    assert_weights_close(
        weights["skip"], weights["stop"], terms=training_terms(model, 2), what="skip vs stop"
    )


def test_nan_policy_is_validated_and_kept_in_the_compile_config():
    model = _build("skip")
    assert model.get_compile_config()["nan_policy"] == "skip"
    with pytest.raises(ValueError, match="nan_policy must be one of stop, skip; got 'ignore'"):
        model.compile(nan_policy="ignore")
