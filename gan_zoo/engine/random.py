"""Stateless random draws that XLA and the plain kernels produce identically.

Every draw of training and sampling comes from Philox's raw 32-bit words, keyed on (seed,
training step, purpose), so runs are reproducible from the seed and a resumed run continues the
same random stream.
"""

import tensorflow as tf

# Every draw of training and sampling comes from Philox's raw 32-bit words, which XLA and the
# plain kernels produce identically; TensorFlow's own float conversions differ under XLA (a
# `jit_compile=True` step would otherwise see other noise than the plain step, measured).
RANDOM_ALGORITHM = "philox"


def philox_words(shape, seed) -> tf.Tensor:
    """Philox's raw uint32 words for (shape, seed): identical with and without XLA."""
    return tf.random.stateless_uniform(
        shape, seed=seed, minval=None, maxval=None, dtype=tf.uint32, alg=RANDOM_ALGORITHM
    )


def words_to_uniform(words: tf.Tensor) -> tf.Tensor:
    """uint32 words → float32 in [0, 1): the top 24 bits / 2²⁴ (exact in float32)."""
    high = tf.bitwise.right_shift(words, tf.constant(8, tf.uint32))
    return tf.cast(high, tf.float32) * (1.0 / 2**24)


def words_to_normal(words: tf.Tensor) -> tf.Tensor:
    """uint32 words → standard normal float32 through the inverse normal CDF.

    The top 23 bits give u = (k + ½) / 2²³, exactly representable and strictly inside (0, 1)
    (24 bits plus ½ would round the largest to 1.0, whose inverse CDF is infinite), so
    |z| ≤ 5.3.
    """
    high = tf.bitwise.right_shift(words, tf.constant(9, tf.uint32))
    return tf.math.ndtri((tf.cast(high, tf.float32) + 0.5) * (1.0 / 2**23))


def stateless_uniform(shape, seed) -> tf.Tensor:
    """Uniform float32 in [0, 1) on a 2⁻²⁴ grid; the same numbers with and without XLA.

    Args:
        shape: 1-D int shape.
        seed: int tensor `[2]`.
    """
    return words_to_uniform(philox_words(shape, seed))


def stateless_normal(shape, seed) -> tf.Tensor:
    """Standard-normal float32 (|z| ≤ 5.3); the same with and without XLA up to round-off.

    The inverse CDF's XLA and plain kernels differ by at most 2e-5 (measured).

    Args:
        shape: 1-D int shape.
        seed: int tensor `[2]`.
    """
    return words_to_normal(philox_words(shape, seed))


def sample_noise(num: int, latent_dim: int, seed: int) -> tf.Tensor:
    """Standard-normal z for `generate(num, seed=seed)`, identical in every process.

    Args:
        num: int. Number of noise vectors.
        latent_dim: int. Size of each vector.
        seed: int. The same seed always gives the same noise (stateless random op).

    Returns:
        float32 tensor `[num, latent_dim]`.
    """
    return stateless_normal([num, latent_dim], seed=tf.constant([int(seed), 0x5EED], tf.int64))
