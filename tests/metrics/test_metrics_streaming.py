"""gan_zoo.metrics.streaming.FrechetDistance: batching, reset, graph mode, MirroredStrategy."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_zoo.metrics import FrechetDistance, frechet_distance

DIM = 6


def _features(seed, n_real=203, n_fake=187):
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(n_real, DIM)).astype(np.float32)
    fake = (rng.normal(size=(n_fake, DIM)) * 1.5 + 0.3).astype(np.float32)
    return real, fake


def _uneven_batches(x, sizes=(50, 7, 64)):
    out, start, i = [], 0, 0
    while start < len(x):
        out.append(x[start : start + sizes[i % len(sizes)]])
        start += sizes[i % len(sizes)]
        i += 1
    return out


def test_streaming_matches_functional_over_batches():
    real, fake = _features(0)
    metric = FrechetDistance(feature_dim=DIM)
    real_batches, fake_batches = _uneven_batches(real), _uneven_batches(fake, (31, 80))
    for i in range(max(len(real_batches), len(fake_batches))):
        metric.update_state(
            real_batches[i] if i < len(real_batches) else None,
            fake_batches[i] if i < len(fake_batches) else None,
        )
    expected = frechet_distance(real, fake)
    assert float(metric.result()) == pytest.approx(expected, rel=1e-4)
    assert expected > 0.5


def test_streaming_large_offset_features_stay_accurate():
    # Means far above the spread: S - n μμᵀ cancels, float64 accumulation keeps it accurate.
    real, fake = _features(1, n_real=200, n_fake=200)
    real, fake = real.astype(np.float64) + 1000.0, fake.astype(np.float64) + 1000.0
    metric = FrechetDistance(feature_dim=DIM)
    for r, f in zip(_uneven_batches(real), _uneven_batches(fake), strict=True):
        metric.update_state(r, f)
    assert float(metric.result()) == pytest.approx(frechet_distance(real, fake), rel=1e-4)


def test_reset_state_and_reset_fake_state():
    real, fake = _features(2)
    metric = FrechetDistance(feature_dim=DIM)
    metric.update_state(real, fake)
    metric.reset_state()
    assert math.isnan(float(metric.result()))
    metric.update_state(real, None)
    assert math.isnan(float(metric.result()))  # fewer than 2 fake samples so far
    metric.update_state(None, fake)
    assert float(metric.result()) == pytest.approx(frechet_distance(real, fake), rel=1e-4)
    metric.reset_fake_state()
    metric.update_state(None, real)
    assert abs(float(metric.result())) < 1e-4


def test_result_inside_compiled_graph():
    real, fake = _features(3)
    metric = FrechetDistance(feature_dim=DIM)

    @tf.function
    def update_and_result(r, f):
        metric.update_state(r, f)
        return metric.result()

    value = update_and_result(tf.constant(real), tf.constant(fake))
    assert float(value) == pytest.approx(frechet_distance(real, fake), rel=1e-4)


def test_wrong_width_raises_and_config_round_trip():
    metric = FrechetDistance(feature_dim=DIM, name="fid_digits")
    with pytest.raises(ValueError, match=r"shape \[batch, 6\]"):
        metric.update_state(np.zeros((4, DIM + 1), np.float32), None)
    with pytest.raises(ValueError, match="feature_dim"):
        FrechetDistance(feature_dim=0)
    clone = FrechetDistance.from_config(metric.get_config())
    assert (clone.name, clone.feature_dim) == ("fid_digits", DIM)
    assert keras.metrics.deserialize(keras.metrics.serialize(metric)).feature_dim == DIM


def test_mirrored_strategy_matches_single_device():
    real, fake = _features(4, n_real=203, n_fake=203)
    # 203 rows in global batches of 32: the last batch (11 rows) splits unevenly.
    dataset = tf.data.Dataset.from_tensor_slices((real, fake)).batch(32)

    single = FrechetDistance(feature_dim=DIM)
    for r, f in dataset:
        single.update_state(r, f)

    strategy = tf.distribute.MirroredStrategy(
        ["/cpu:0", "/cpu:1"], cross_device_ops=tf.distribute.ReductionToOneDevice()
    )
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        distributed = FrechetDistance(feature_dim=DIM)

    @tf.function
    def step(r, f):
        strategy.run(distributed.update_state, args=(r, f))

    for r, f in strategy.experimental_distribute_dataset(dataset):
        step(r, f)

    # Reading a sum-aggregated variable sums the replicas' partial counts.
    assert float(distributed.variables[0].numpy()) == len(real)
    expected = frechet_distance(real, fake)
    assert float(distributed.result()) == pytest.approx(float(single.result()), rel=1e-5)
    assert float(distributed.result()) == pytest.approx(expected, rel=1e-4)
    distributed.reset_state()
    assert float(distributed.variables[0].numpy()) == 0.0
