"""gan_zoo.metrics.streaming: batching, reset, config, graph mode, MirroredStrategy.

Every streaming metric (FrechetDistance, InceptionScore, ClassModeCoverage,
MixtureModeCoverage) is checked against its functional version on the concatenated batches.
"""

import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close, assert_reproduced

from gan_zoo.data.gaussian_mixture import mixture_centres, mixture_std, sample_mixture
from gan_zoo.evaluation import mixture_coverage_metric
from gan_zoo.metrics import (
    ClassModeCoverage,
    FrechetDistance,
    InceptionScore,
    MixtureModeCoverage,
    class_mode_coverage,
    frechet_distance,
    inception_score,
    mode_coverage,
)

DIM = 6

# The streaming metrics keep float64 statistics and return the metric's dtype (float32 by
# default): against the float64 functional version, the last rounding to float32 dominates.
# The Fréchet distance of the statistics subtracts terms as large as Tr Σr + Tr Σf, which is
# its scale; its float64 part (sums of ~200 rows, d x d eigen decompositions) is ~10⁻¹⁴.
RESULT_TERMS = 2


def _fid_scale(real, fake) -> float:
    """The size of the Fréchet distance's terms: ‖Δμ‖² + Tr Σr + Tr Σf."""
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    delta = real.mean(axis=0) - fake.mean(axis=0)
    return float(delta @ delta + np.trace(np.cov(real.T)) + np.trace(np.cov(fake.T)))


def _assert_fid(value, real, fake, err_msg) -> None:
    """A streamed Fréchet distance (float32) equals `frechet_distance` of all the rows."""
    assert_close(
        float(value),
        frechet_distance(real, fake),
        terms=RESULT_TERMS,
        scale=_fid_scale(real, fake),
        err_msg=err_msg,
    )


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
    _assert_fid(metric.result(), real, fake, "uneven batches vs functional")
    assert expected > 0.5


def test_streaming_large_offset_features_stay_accurate():
    # Means far above the spread: S - n μμᵀ cancels, float64 accumulation keeps it accurate.
    real, fake = _features(1, n_real=200, n_fake=200)
    real, fake = real.astype(np.float64) + 1000.0, fake.astype(np.float64) + 1000.0
    metric = FrechetDistance(feature_dim=DIM)
    for r, f in zip(_uneven_batches(real), _uneven_batches(fake), strict=True):
        metric.update_state(r, f)
    # S - n μμᵀ cancels the 1000² offsets: float64's u · 10⁶ ≈ 2e-10 of the spread, still far
    # below the float32 result's rounding (at the scale of the traces, not of 10⁶).
    _assert_fid(metric.result(), real, fake, "offset 1000 vs functional")


def test_reset_state_and_reset_fake_state():
    real, fake = _features(2)
    metric = FrechetDistance(feature_dim=DIM)
    metric.update_state(real, fake)
    metric.reset_state()
    assert math.isnan(float(metric.result()))
    metric.update_state(real, None)
    assert math.isnan(float(metric.result()))  # fewer than 2 fake samples so far
    metric.update_state(None, fake)
    _assert_fid(metric.result(), real, fake, "after the fakes")
    metric.reset_fake_state()
    metric.update_state(None, real)
    # FID(real, real) = 0, from terms of the size of 2 Tr Σr.
    scale = _fid_scale(real, real)
    assert_close(float(metric.result()), 0.0, terms=RESULT_TERMS, scale=scale, err_msg="real, real")


def test_result_inside_compiled_graph():
    real, fake = _features(3)
    metric = FrechetDistance(feature_dim=DIM)

    @tf.function
    def update_and_result(r, f):
        metric.update_state(r, f)
        return metric.result()

    value = update_and_result(tf.constant(real), tf.constant(fake))
    _assert_fid(value, real, fake, "in a tf.function vs functional")


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
    # 2 replicas sum the statistics in two halves (float64), then the same float32 result.
    scale = _fid_scale(real, fake)
    assert_close(
        float(distributed.result()),
        float(single.result()),
        terms=RESULT_TERMS,
        scale=scale,
        err_msg="2 replicas vs 1",
    )
    _assert_fid(distributed.result(), real, fake, "2 replicas vs functional")
    distributed.reset_state()
    assert float(distributed.variables[0].numpy()) == 0.0


# --------------------------------------------------------------------------------------------
# Shared helpers for the summable metrics
# --------------------------------------------------------------------------------------------


def _mirrored_strategy():
    strategy = tf.distribute.MirroredStrategy(
        ["/cpu:0", "/cpu:1"], cross_device_ops=tf.distribute.ReductionToOneDevice()
    )
    assert strategy.num_replicas_in_sync == 2
    return strategy


def _single_and_mirrored(make_metric, data, batch_size=32):
    """Updates one metric on one device and one under a 2-replica MirroredStrategy."""
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(batch_size)
    single = make_metric()
    for batch in dataset:
        single.update_state(batch)

    strategy = _mirrored_strategy()
    with strategy.scope():
        distributed = make_metric()

    @tf.function
    def step(batch):
        strategy.run(distributed.update_state, args=(batch,))

    for batch in strategy.experimental_distribute_dataset(dataset):
        step(batch)
    return single, distributed


def _as_floats(result):
    return {key: float(value) for key, value in result.items()}


def _probabilities(seed, n=203, num_classes=10, num_one_hot=40):
    """Softmax rows plus some exact one-hot rows (exercising 0 · log 0 = 0)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, num_classes)) * 2.0
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    p[:num_one_hot] = np.eye(num_classes)[rng.integers(0, num_classes, num_one_hot)]
    return rng.permutation(p).astype(np.float32)


# --------------------------------------------------------------------------------------------
# InceptionScore
# --------------------------------------------------------------------------------------------


def test_inception_score_uneven_batches_match_functional():
    p = _probabilities(10)
    metric = InceptionScore(num_classes=10)
    for batch in _uneven_batches(p):
        metric.update_state(batch)
    expected, _ = inception_score(p, splits=1)
    assert_close(float(metric.result()), expected, terms=RESULT_TERMS, err_msg="IS vs functional")
    assert 1.5 < expected < 10.0
    assert float(metric.variables[0].numpy()) == len(p)


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 3, 2.0),  # two confident classes, half/half
        ([[0.2, 0.3, 0.5]] * 5, 1.0),  # identical rows: KL to the marginal is 0
        (np.eye(4).tolist() * 2, 4.0),  # confident and uniform over C classes: C
        # p̄ = (3/4, 1/4): exp(H(p̄) − (1/2) log 2) = exp(log 4 − (3/4) log 3 − (1/2) log 2)
        ([[0.5, 0.5], [1.0, 0.0]], math.exp(math.log(4) - 0.75 * math.log(3) - 0.5 * math.log(2))),
    ],
)
def test_inception_score_hand_computed(rows, expected):
    rows = np.asarray(rows, np.float32)
    metric = InceptionScore(num_classes=rows.shape[1])
    metric.update_state(rows[:1])
    metric.update_state(rows[1:])
    assert_close(float(metric.result()), expected, terms=RESULT_TERMS, err_msg="IS by hand")


def test_inception_score_reset_and_config_round_trip():
    p = _probabilities(11)
    metric = InceptionScore(num_classes=10, name="is_digits")
    assert math.isnan(float(metric.result()))
    metric.update_state(p)
    value = float(metric.result())
    metric.reset_state()
    assert math.isnan(float(metric.result()))
    assert all(not np.any(v.numpy()) for v in metric.variables)

    config = metric.get_config()
    json.dumps(config)
    clone = InceptionScore.from_config(config)
    assert (clone.name, clone.num_classes) == ("is_digits", 10)
    clone.update_state(p)
    # The same metric rebuilt from its config, the same updates: the same program.
    assert_reproduced(float(clone.result()), value, err_msg="clone from config")
    assert keras.metrics.deserialize(keras.metrics.serialize(metric)).num_classes == 10


def test_inception_score_validation():
    metric = InceptionScore(num_classes=3)
    with pytest.raises(ValueError, match=r"shape \[batch, 3\]"):
        metric.update_state(np.full((2, 4), 0.25, np.float32))
    with pytest.raises(ValueError, match=r"shape \[batch, 3\]"):
        metric.update_state(np.full((3,), 1 / 3, np.float32))
    with pytest.raises(ValueError, match="non-negative rows summing to 1"):
        metric.update_state(np.array([[1.2, -0.2, 0.0]], np.float32))
    with pytest.raises(ValueError, match="non-negative rows summing to 1"):
        metric.update_state(np.array([[0.5, 0.2, 0.2]], np.float32))
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="num_classes"):
            InceptionScore(num_classes=bad)
    assert math.isnan(float(metric.result()))  # rejected batches leave no trace


def test_inception_score_inside_tf_function():
    p = _probabilities(12)
    metric = InceptionScore(num_classes=10)

    @tf.function
    def update_and_result(batch):
        metric.update_state(batch)
        return metric.result()

    for batch in _uneven_batches(p):
        value = update_and_result(tf.constant(batch))
    expected = inception_score(p, splits=1)[0]
    assert_close(float(value), expected, terms=RESULT_TERMS, err_msg="IS in a tf.function")
    with pytest.raises(tf.errors.InvalidArgumentError, match="summing to 1"):
        update_and_result(tf.constant([[0.9, 0.9] + [0.0] * 8], tf.float32))


def test_inception_score_mirrored_strategy_matches_single_device():
    p = _probabilities(13)  # 203 rows in batches of 32: the last (11 rows) splits unevenly.
    single, distributed = _single_and_mirrored(lambda: InceptionScore(num_classes=10), p)
    assert float(distributed.variables[0].numpy()) == len(p)
    result = float(distributed.result())
    assert_close(result, float(single.result()), terms=RESULT_TERMS, err_msg="2 replicas vs 1")
    assert_close(result, inception_score(p, 1)[0], terms=RESULT_TERMS, err_msg="vs functional")
    distributed.reset_state()
    assert math.isnan(float(distributed.result()))


# --------------------------------------------------------------------------------------------
# ClassModeCoverage
# --------------------------------------------------------------------------------------------


def _labels(seed, n=203, num_classes=12, used=9):
    """Skewed labels over the first `used` classes only: some modes stay uncovered."""
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.2, 1.0, size=used)
    return rng.choice(used, size=n, p=weights / weights.sum()).astype(np.int64)


def test_class_mode_coverage_uneven_batches_match_functional():
    labels = _labels(20)
    # The same labels as probabilities for half the batches: argmax must give them back.
    rng = np.random.default_rng(21)
    probabilities = 0.5 * np.eye(12)[labels] + 0.5 * rng.dirichlet(np.ones(12), len(labels)) / 3
    metric = ClassModeCoverage(num_classes=12)
    start = 0
    for i, batch in enumerate(_uneven_batches(labels)):
        stop = start + len(batch)
        metric.update_state(batch if i % 2 else probabilities[start:stop].astype(np.float32))
        start = stop
    expected = class_mode_coverage(labels, 12)
    result = metric.result()
    assert int(result["modes_covered"]) == expected["modes_covered"] == 9
    kl = float(result["kl_to_uniform"])
    assert_close(kl, expected["kl_to_uniform"], terms=RESULT_TERMS, err_msg="KL vs functional")
    np.testing.assert_array_equal(metric.histogram.numpy(), expected["histogram"])  # counts


@pytest.mark.parametrize(
    "labels, num_classes, modes, kl",
    [
        ([0, 0, 1, 1], 4, 2, math.log(2.0)),  # even over 2 of 4 modes: log(4 / 2)
        ([3, 3, 3], 5, 1, math.log(5.0)),  # one mode: log C, the maximum
        ([0, 1, 2, 0, 1, 2], 3, 3, 0.0),  # perfectly even: 0
        # q = (3/4, 1/4) over C = 2: 3/4 log(3/2) + 1/4 log(1/2)
        ([1, 1, 0, 1], 2, 2, 0.75 * math.log(1.5) + 0.25 * math.log(0.5)),
    ],
)
def test_class_mode_coverage_hand_computed(labels, num_classes, modes, kl):
    metric = ClassModeCoverage(num_classes=num_classes)
    metric.update_state(np.asarray(labels[:1], np.int32))
    metric.update_state(np.eye(num_classes, dtype=np.float32)[labels[1:]])  # one-hot rows
    result = metric.result()
    assert int(result["modes_covered"]) == modes
    # KL near 0 (the even case) is a sum of terms q log(qC) up to log C: that is its scale.
    kl_to_uniform = float(result["kl_to_uniform"])
    scale = max(abs(kl), math.log(num_classes))
    assert_close(kl_to_uniform, kl, terms=RESULT_TERMS, scale=scale, err_msg="KL by hand")


def test_class_mode_coverage_reset_and_config_round_trip():
    labels = _labels(22)
    metric = ClassModeCoverage(num_classes=12, name="stacked_modes", dtype="float64")
    metric.update_state(labels)
    value = _as_floats(metric.result())
    metric.reset_state()
    reset = metric.result()
    assert int(reset["modes_covered"]) == 0 and math.isnan(float(reset["kl_to_uniform"]))
    assert not np.any(metric.histogram.numpy())

    config = metric.get_config()
    json.dumps(config)
    clone = ClassModeCoverage.from_config(config)
    assert (clone.name, clone.num_classes, clone.dtype) == ("stacked_modes", 12, "float64")
    clone.update_state(labels)
    assert_reproduced(list(_as_floats(clone.result()).values()), list(value.values()))
    assert keras.metrics.deserialize(keras.metrics.serialize(metric)).num_classes == 12


def test_class_mode_coverage_validation():
    metric = ClassModeCoverage(num_classes=4)
    with pytest.raises(ValueError, match=r"shape \[batch\] or \[batch, 4\]"):
        metric.update_state(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"shape \[batch\] or \[batch, 4\]"):
        metric.update_state(np.zeros((2, 4, 1), np.float32))
    with pytest.raises(ValueError, match="integer labels"):
        metric.update_state(np.array([0.0, 1.0], np.float32))
    with pytest.raises(ValueError, match=r"lie in \[0, 4\)"):
        metric.update_state(np.array([0, 4]))
    with pytest.raises(ValueError, match=r"lie in \[0, 4\)"):
        metric.update_state(np.array([-1, 2]))
    with pytest.raises(ValueError, match="num_classes"):
        ClassModeCoverage(num_classes=0)
    assert int(metric.result()["modes_covered"]) == 0  # rejected batches leave no trace


def test_class_mode_coverage_inside_tf_function():
    labels = _labels(23)
    metric = ClassModeCoverage(num_classes=12)

    @tf.function
    def update_and_result(batch):
        metric.update_state(batch)
        return metric.result()

    for batch in _uneven_batches(labels):
        result = update_and_result(tf.constant(batch))
    update_and_result(tf.one_hot(labels[:5], 12))  # rank 2 in the graph too
    expected = class_mode_coverage(np.concatenate([labels, labels[:5]]), 12)
    result = metric.result()
    assert int(result["modes_covered"]) == expected["modes_covered"]
    kl = float(result["kl_to_uniform"])
    assert_close(kl, expected["kl_to_uniform"], terms=RESULT_TERMS, err_msg="KL in a tf.function")
    with pytest.raises(tf.errors.InvalidArgumentError, match="lie in"):
        update_and_result(tf.constant([0, 12], tf.int64))


def test_class_mode_coverage_mirrored_strategy_matches_single_device():
    labels = _labels(24)
    single, distributed = _single_and_mirrored(lambda: ClassModeCoverage(num_classes=12), labels)
    expected = class_mode_coverage(labels, 12)
    np.testing.assert_array_equal(distributed.histogram.numpy(), expected["histogram"])  # counts
    result = _as_floats(distributed.result())
    # The same histogram (exact counts), then the same result computation: the same bits.
    assert_reproduced(list(result.values()), list(_as_floats(single.result()).values()))
    assert result["modes_covered"] == expected["modes_covered"]
    kl = result["kl_to_uniform"]
    assert_close(kl, expected["kl_to_uniform"], terms=RESULT_TERMS, err_msg="2 replicas: KL")
    distributed.reset_state()
    assert int(distributed.result()["modes_covered"]) == 0


# --------------------------------------------------------------------------------------------
# MixtureModeCoverage
# --------------------------------------------------------------------------------------------


def _mixture_samples(name, seed, n=203):
    """Partly collapsed samples: some modes dropped, some points off-mode or between modes."""
    rng = np.random.default_rng(seed)
    points, labels = sample_mixture(name, 4 * n, seed)
    points = points[labels % 3 != 0][:n].copy()  # drop every third mode
    std = mixture_std(name)
    points[: n // 4] += rng.normal(scale=3.0 * std, size=(n // 4, 2)).astype(np.float32)
    points[n // 4 : n // 4 + 10] = rng.uniform(-1.0, 1.0, size=(10, 2)).astype(np.float32)
    return points


def _assert_matches_functional(result, expected):
    assert int(result["modes_covered"]) == expected["modes_covered"]
    fraction = float(result["high_quality_fraction"])
    expected_fraction = expected["high_quality_fraction"]
    assert_close(fraction, expected_fraction, terms=RESULT_TERMS, err_msg="high-quality fraction")
    kl = float(result["reverse_kl"])
    assert_close(kl, expected["reverse_kl"], terms=RESULT_TERMS, err_msg="reverse KL")


@pytest.mark.parametrize(
    "mixture, min_samples_per_mode, modes_covered",
    # Covered modes hold 26..41 (ring8) and 6..16 (grid25) high-quality samples here.
    [("ring8", 1, 5), ("ring8", 30, 4), ("grid25", 1, 16), ("grid25", 10, 8)],
)
def test_mixture_mode_coverage_uneven_batches_match_functional(
    mixture, min_samples_per_mode, modes_covered
):
    samples = _mixture_samples(mixture, seed=30)
    metric = mixture_coverage_metric(mixture, min_samples_per_mode=min_samples_per_mode)
    for batch in _uneven_batches(samples):
        metric.update_state(batch)
    expected = mode_coverage(
        samples,
        mixture_centres(mixture),
        mixture_std(mixture),
        min_samples_per_mode=min_samples_per_mode,
    )
    _assert_matches_functional(metric.result(), expected)
    np.testing.assert_array_equal(metric.mode_counts.numpy(), expected["counts"])
    assert 0.3 < expected["high_quality_fraction"] < 1.0
    assert expected["modes_covered"] == modes_covered


def test_mixture_mode_coverage_hand_computed():
    centres = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]
    samples = np.array(
        [
            [0.5, 0.0],  # mode 0, distance 0.5: high quality
            [1.0, 1.0],  # mode 0, distance √2
            [9.0, 0.0],  # mode 1, distance 1
            [5.0, 5.0],  # ~7.07 from every centre: low quality
            [0.0, 2.9],  # mode 0, distance 2.9 < 3 std
            [0.0, 3.1],  # mode 0, distance 3.1: low quality
        ],
        np.float32,
    )
    metric = MixtureModeCoverage(centres, std=1.0, threshold=3.0)
    strict = MixtureModeCoverage(centres, std=1.0, threshold=3.0, min_samples_per_mode=2)
    for m in (metric, strict):
        m.update_state(samples[:2])
        m.update_state(samples[2:])
    np.testing.assert_array_equal(metric.mode_counts.numpy(), [3, 1, 0])
    kl = 0.75 * math.log(0.75 * 3) + 0.25 * math.log(0.25 * 3)
    result = _as_floats(metric.result())
    assert result["modes_covered"] == 2
    assert_close(result["high_quality_fraction"], 4 / 6, terms=RESULT_TERMS, err_msg="4 of 6")
    # At the scale of the KL's terms (up to |0.75 log 2.25| = 0.61), which partly cancel.
    assert_close(result["reverse_kl"], kl, terms=RESULT_TERMS, scale=0.61, err_msg="reverse KL")
    assert int(strict.result()["modes_covered"]) == 1  # mode 1 has only one sample

    # Nothing high quality: fraction 0 over the 2 samples, reverse KL undefined.
    far = MixtureModeCoverage(centres, std=1.0)
    far.update_state(np.array([[5.0, 5.0], [-20.0, 0.0]], np.float32))
    result = _as_floats(far.result())
    assert result["modes_covered"] == 0 and result["high_quality_fraction"] == 0.0
    assert math.isnan(result["reverse_kl"])


def test_mixture_mode_coverage_reset_and_config_round_trip():
    samples = _mixture_samples("grid25", seed=31)
    metric = mixture_coverage_metric("grid25", threshold=2.5, min_samples_per_mode=3)
    metric.update_state(samples)
    value = _as_floats(metric.result())
    metric.reset_state()
    reset = _as_floats(metric.result())
    assert reset["modes_covered"] == 0
    assert math.isnan(reset["high_quality_fraction"]) and math.isnan(reset["reverse_kl"])
    assert all(not np.any(v.numpy()) for v in metric.variables)

    config = metric.get_config()
    assert isinstance(config["centres"], list) and len(config["centres"]) == 25
    json.dumps(config)
    clone = MixtureModeCoverage.from_config(config)
    assert (clone.std, clone.threshold, clone.min_samples_per_mode) == (0.05, 2.5, 3)
    np.testing.assert_array_equal(clone.centres, mixture_centres("grid25"))
    clone.update_state(samples)
    assert_reproduced(list(_as_floats(clone.result()).values()), list(value.values()))
    restored = keras.metrics.deserialize(keras.metrics.serialize(metric))
    assert restored.num_modes == 25


def test_mixture_mode_coverage_validation():
    centres = [[0.0, 0.0], [1.0, 1.0]]
    metric = MixtureModeCoverage(centres, std=0.1)
    with pytest.raises(ValueError, match=r"shape \[batch, 2\]"):
        metric.update_state(np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError, match=r"shape \[batch, 2\]"):
        metric.update_state(np.zeros((2,), np.float32))
    with pytest.raises(ValueError, match="centres"):
        MixtureModeCoverage([0.0, 1.0], std=0.1)
    with pytest.raises(ValueError, match="centres"):
        MixtureModeCoverage([[0.0, np.nan]], std=0.1)
    for bad_std in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="std"):
            MixtureModeCoverage(centres, std=bad_std)
    with pytest.raises(ValueError, match="threshold"):
        MixtureModeCoverage(centres, std=0.1, threshold=0.0)
    with pytest.raises(ValueError, match="min_samples_per_mode"):
        MixtureModeCoverage(centres, std=0.1, min_samples_per_mode=0)
    with pytest.raises(ValueError, match="unknown gaussian mixture"):
        mixture_coverage_metric("ring9")


def test_mixture_mode_coverage_inside_tf_function():
    samples = _mixture_samples("ring8", seed=32)
    metric = mixture_coverage_metric("ring8")

    @tf.function
    def update_and_result(batch):
        metric.update_state(batch)
        return metric.result()

    for batch in _uneven_batches(samples):
        result = update_and_result(tf.constant(batch))
    expected = mode_coverage(samples, mixture_centres("ring8"), mixture_std("ring8"))
    _assert_matches_functional(result, expected)


def test_mixture_mode_coverage_mirrored_strategy_matches_single_device():
    samples = _mixture_samples("ring8", seed=33)
    single, distributed = _single_and_mirrored(lambda: mixture_coverage_metric("ring8"), samples)
    expected = mode_coverage(samples, mixture_centres("ring8"), mixture_std("ring8"))
    assert float(distributed.count.numpy()) == len(samples)
    np.testing.assert_array_equal(distributed.mode_counts.numpy(), expected["counts"])
    # The same counts (exact), then the same result computation: the same bits.
    distributed_result = list(_as_floats(distributed.result()).values())
    assert_reproduced(distributed_result, list(_as_floats(single.result()).values()))
    _assert_matches_functional(distributed.result(), expected)
    distributed.reset_state()
    assert float(distributed.count.numpy()) == 0.0
