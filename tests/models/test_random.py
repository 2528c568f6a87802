"""The step's random numbers: finite at the extremes, the right distribution, same under XLA."""

import numpy as np
import tensorflow as tf

from gan_zoo.models import base


def test_extreme_words_stay_finite_and_inside_the_range():
    words = tf.constant([0, 1, 2**31, 0xFFFFFFFE, 0xFFFFFFFF], tf.uint32)
    uniform = base.words_to_uniform(words).numpy()
    assert uniform.min() == 0.0 and uniform.max() == 1.0 - 2.0**-24  # [0, 1)
    normal = base.words_to_normal(words).numpy()
    assert np.all(np.isfinite(normal))
    assert -5.4 < normal.min() < -5.2 and 5.2 < normal.max() < 5.4
    np.testing.assert_allclose(normal[2], 0.0, atol=1e-6)  # the median word maps to ~0


def test_draws_follow_their_distributions():
    seed = tf.constant([3, 7], tf.int64)
    normal = base.stateless_normal([200_000], seed).numpy()
    assert abs(normal.mean()) < 0.01 and abs(normal.std() - 1.0) < 0.01
    assert abs(np.mean(np.abs(normal) < 1.0) - 0.6827) < 0.005
    uniform = base.stateless_uniform([200_000], seed).numpy()
    assert uniform.min() >= 0.0 and uniform.max() < 1.0
    assert abs(uniform.mean() - 0.5) < 0.005
    np.testing.assert_array_equal(normal, base.stateless_normal([200_000], seed).numpy())


def test_xla_draws_equal_plain_draws():
    seed = tf.constant([0, 5], tf.int64)

    def draws():
        return base.stateless_uniform([1000], seed), base.stateless_normal([1000], seed)

    plain = [x.numpy() for x in draws()]
    compiled = [x.numpy() for x in tf.function(draws, jit_compile=True)()]
    np.testing.assert_array_equal(compiled[0], plain[0])
    np.testing.assert_allclose(compiled[1], plain[1], atol=5e-5)
