"""The step's random numbers: finite at the extremes, the right distribution, same under XLA."""

import math

import numpy as np
import tensorflow as tf
from harness import assert_close, assert_reproduced

from gan_zoo.engine import random as base

# TF's ndtri (float32) is within ~8 ulps of the exact inverse normal CDF (measured against
# float64): as many as 16 independent roundings would give, √16 · u.
NDTRI_TERMS = 16


def test_extreme_words_stay_finite_and_inside_the_range():
    words = tf.constant([0, 1, 2**31, 0xFFFFFFFE, 0xFFFFFFFF], tf.uint32)
    uniform = base.words_to_uniform(words).numpy()
    assert uniform.min() == 0.0 and uniform.max() == 1.0 - 2.0**-24  # [0, 1)
    normal = base.words_to_normal(words).numpy()
    assert np.all(np.isfinite(normal))
    assert -5.4 < normal.min() < -5.2 and 5.2 < normal.max() < 5.4
    # The median word: u = ½ + 2⁻²⁴, z = ndtri(u) ≈ 2⁻²⁴ √(2π) (the error of the first-order
    # Taylor step is ~1e-21), ~0: TF float32 against the value by hand, relatively.
    assert_close(normal[2], 2**-24 * math.sqrt(2 * math.pi), terms=NDTRI_TERMS, err_msg="z(½)")


def test_draws_follow_their_distributions():
    seed = tf.constant([3, 7], tf.int64)
    normal = base.stateless_normal([200_000], seed).numpy()
    assert abs(normal.mean()) < 0.01 and abs(normal.std() - 1.0) < 0.01
    assert abs(np.mean(np.abs(normal) < 1.0) - 0.6827) < 0.005
    uniform = base.stateless_uniform([200_000], seed).numpy()
    assert uniform.min() >= 0.0 and uniform.max() < 1.0
    assert abs(uniform.mean() - 0.5) < 0.005
    assert_reproduced(normal, base.stateless_normal([200_000], seed).numpy(), err_msg="repeat")


def test_xla_draws_equal_plain_draws():
    seed = tf.constant([0, 5], tf.int64)

    def draws():
        return base.stateless_uniform([1000], seed), base.stateless_normal([1000], seed)

    plain = [x.numpy() for x in draws()]
    compiled = [x.numpy() for x in tf.function(draws, jit_compile=True)()]
    # Uniform: integer bit operations and an exact scaling by 2⁻²⁴, no rounding anywhere, so
    # two programs give the same bits.
    np.testing.assert_array_equal(compiled[0], plain[0])
    # Normal: XLA evaluates ndtri with its own approximation, within ~100 ulps of the exact
    # value (95 measured against float64) where TF's is within ~8: the error of 128²
    # independent roundings. Other draws would differ by O(1).
    assert_close(compiled[1], plain[1], terms=128**2, err_msg="XLA vs plain ndtri draws")
