"""GAN objectives and gradient penalties as pure TensorFlow functions.

Conventions shared by every function in this module:

* Inputs are raw discriminator outputs (logits for the minimax / non-saturating losses, unbounded
  critic scores for the others): float tensors of shape `[B]` or `[B, 1]`. Any float dtype is
  accepted; inputs are cast to float32 first so the losses stay correct under mixed precision.
* Every loss returns a float32 scalar equal to the MEAN over the local (per-replica) batch. No
  division by the number of replicas happens here: under `tf.distribute` the model scales the
  loss by `1 / num_replicas_in_sync` itself.
* Generator losses are minimized by the generator, discriminator losses by the discriminator.

`LOSSES` maps a name to its `(generator_loss, discriminator_loss)` pair; `get_loss` looks one up.
The generator loss takes `fake` alone, except for the losses in `PAIRED_LOSSES` (RpGAN), which
compare each fake with a real partner and take `(real, fake)` on both sides.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

__all__ = [
    "LOSSES",
    "PAIRED_LOSSES",
    "get_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
    "r1_penalty",
    "r2_penalty",
    "relativistic_discriminator_loss",
    "relativistic_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]

# Added under the square root of the per-example squared gradient norm so that its derivative
# stays finite when the gradient is exactly zero.
_NORM_EPSILON = 1e-12


def _f32(x: tf.Tensor) -> tf.Tensor:
    """Convert `x` to a float32 tensor."""
    return tf.cast(tf.convert_to_tensor(x), tf.float32)


# --------------------------------------------------------------------------------------------
# Minimax / non-saturating (Goodfellow et al. 2014)
# --------------------------------------------------------------------------------------------


def minimax_generator_loss(fake_logits: tf.Tensor) -> tf.Tensor:
    """Saturating minimax generator loss: `mean(log(1 - sigmoid(fake)))`.

    Computed in the stable form `-mean(softplus(fake))`. This is the generator's side of the
    original two-player game; its gradient vanishes when D confidently rejects the fakes.

    Reference: Goodfellow et al., 2014, "Generative Adversarial Networks", arXiv:1406.2661.

    Args:
        fake_logits: Discriminator logits on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar (mean over the local batch), minimized by the generator.

    """
    return -tf.reduce_mean(tf.nn.softplus(_f32(fake_logits)))


def minimax_discriminator_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """Binary cross-entropy discriminator loss: `mean(softplus(-real)) + mean(softplus(fake))`.

    Equals `-mean(log sigmoid(real)) - mean(log(1 - sigmoid(fake)))`, i.e. sigmoid cross-entropy
    with label 1 for real and 0 for fake, in its numerically stable form.

    Reference: Goodfellow et al., 2014, "Generative Adversarial Networks", arXiv:1406.2661.

    Args:
        real_logits: Discriminator logits on real samples, shape `[B]` or `[B, 1]`.
        fake_logits: Discriminator logits on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar (sum of the two per-batch means), minimized by the discriminator.

    """
    real_term = tf.reduce_mean(tf.nn.softplus(-_f32(real_logits)))
    fake_term = tf.reduce_mean(tf.nn.softplus(_f32(fake_logits)))
    return real_term + fake_term


def non_saturating_generator_loss(fake_logits: tf.Tensor) -> tf.Tensor:
    """Non-saturating generator loss: `-mean(log sigmoid(fake)) = mean(softplus(-fake))`.

    The generator maximizes `log D(G(z))` instead of minimizing `log(1 - D(G(z)))`, which gives
    strong gradients early in training.

    Reference: Goodfellow et al., 2014, "Generative Adversarial Networks", arXiv:1406.2661, §3.

    Args:
        fake_logits: Discriminator logits on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar (mean over the local batch), minimized by the generator.

    """
    return tf.reduce_mean(tf.nn.softplus(-_f32(fake_logits)))


def non_saturating_discriminator_loss(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """Discriminator loss of the non-saturating GAN; identical to `minimax_discriminator_loss`.

    Reference: Goodfellow et al., 2014, "Generative Adversarial Networks", arXiv:1406.2661.

    Args:
        real_logits: Discriminator logits on real samples, shape `[B]` or `[B, 1]`.
        fake_logits: Discriminator logits on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar, minimized by the discriminator.

    """
    return minimax_discriminator_loss(real_logits, fake_logits)


# --------------------------------------------------------------------------------------------
# Least squares (Mao et al. 2017)
# --------------------------------------------------------------------------------------------


def least_squares_generator_loss(fake: tf.Tensor) -> tf.Tensor:
    """LSGAN generator loss: `0.5 * mean((fake - 1)^2)` (target c = 1).

    Reference: Mao et al., 2017, "Least Squares Generative Adversarial Networks",
    arXiv:1611.04076 (coding a = 0, b = 1, c = 1).

    Args:
        fake: Discriminator outputs on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar (mean over the local batch), minimized by the generator.

    """
    return 0.5 * tf.reduce_mean(tf.square(_f32(fake) - 1.0))


def least_squares_discriminator_loss(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    """LSGAN discriminator loss: `0.5 * mean((real - 1)^2) + 0.5 * mean(fake^2)`.

    Reference: Mao et al., 2017, "Least Squares Generative Adversarial Networks",
    arXiv:1611.04076 (coding a = 0 for fake, b = 1 for real).

    Args:
        real: Discriminator outputs on real samples, shape `[B]` or `[B, 1]`.
        fake: Discriminator outputs on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar, minimized by the discriminator.

    """
    real_term = 0.5 * tf.reduce_mean(tf.square(_f32(real) - 1.0))
    fake_term = 0.5 * tf.reduce_mean(tf.square(_f32(fake)))
    return real_term + fake_term


# --------------------------------------------------------------------------------------------
# Hinge (Lim & Ye 2017; Miyato et al. 2018)
# --------------------------------------------------------------------------------------------


def hinge_generator_loss(fake: tf.Tensor) -> tf.Tensor:
    """Hinge-GAN generator loss: `-mean(fake)`.

    References: Lim & Ye, 2017, "Geometric GAN", arXiv:1705.02894; Miyato et al., 2018,
    "Spectral Normalization for Generative Adversarial Networks", arXiv:1802.05957.

    Args:
        fake: Discriminator scores on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar (mean over the local batch), minimized by the generator.

    """
    return -tf.reduce_mean(_f32(fake))


def hinge_discriminator_loss(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    """Hinge discriminator loss: `mean(relu(1 - real)) + mean(relu(1 + fake))`.

    References: Lim & Ye, 2017, "Geometric GAN", arXiv:1705.02894; Miyato et al., 2018,
    "Spectral Normalization for Generative Adversarial Networks", arXiv:1802.05957.

    Args:
        real: Discriminator scores on real samples, shape `[B]` or `[B, 1]`.
        fake: Discriminator scores on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar, minimized by the discriminator.

    """
    real_term = tf.reduce_mean(tf.nn.relu(1.0 - _f32(real)))
    fake_term = tf.reduce_mean(tf.nn.relu(1.0 + _f32(fake)))
    return real_term + fake_term


# --------------------------------------------------------------------------------------------
# Wasserstein (Arjovsky et al. 2017) and penalties
# --------------------------------------------------------------------------------------------


def wasserstein_generator_loss(fake: tf.Tensor) -> tf.Tensor:
    """WGAN generator loss: `-mean(fake)`.

    Reference: Arjovsky et al., 2017, "Wasserstein GAN", arXiv:1701.07875.

    Args:
        fake: Critic scores on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar (mean over the local batch), minimized by the generator.

    """
    return -tf.reduce_mean(_f32(fake))


def wasserstein_discriminator_loss(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    """WGAN critic loss: `mean(fake) - mean(real)` (negated Wasserstein-1 estimate).

    Needs a Lipschitz constraint on the critic (weight clipping, `gradient_penalty`, or spectral
    normalization) to be meaningful.

    Reference: Arjovsky et al., 2017, "Wasserstein GAN", arXiv:1701.07875.

    Args:
        real: Critic scores on real samples, shape `[B]` or `[B, 1]`.
        fake: Critic scores on generated samples, shape `[B]` or `[B, 1]`.

    Returns:
        A float32 scalar, minimized by the critic.

    """
    return tf.reduce_mean(_f32(fake)) - tf.reduce_mean(_f32(real))


# --------------------------------------------------------------------------------------------
# Reconstruction (CycleGAN's cycle-consistency and identity terms, Zhu et al. 2017)
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Relativistic pairing (RpGAN; Jolicoeur-Martineau 2019, Huang et al. 2024)
# --------------------------------------------------------------------------------------------


def relativistic_discriminator_loss(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    """RpGAN discriminator loss: `mean(softplus(-(D(x_i) - D(G(z_i)))))` over pairs i.

    Real example i is paired with fake example i: D is asked only that each real sample
    scores above its partner fake, not that all reals score above a fixed level, which
    removes the per-mode "one fake beats every real" collapse of the non-saturating loss
    (Huang et al. 2024, section 2). Minimised by D.

    References: Jolicoeur-Martineau 2019, arXiv:1807.00734 (relativistic pairing); Huang et al.
    2024, "The GAN is dead; long live the GAN! A Modern Baseline GAN" (R3GAN), arXiv:2501.05441.

    Args:
        real: D's scores on real samples, `[B]` or `[B, 1]`.
        fake: D's scores on generated samples, the same shape (same batch size: paired).

    Returns:
        A float32 scalar, > 0; `log 2` when D scores every pair equally.

    """
    return tf.reduce_mean(tf.math.softplus(_f32(fake) - _f32(real)))


def relativistic_generator_loss(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
    """RpGAN generator loss: `mean(softplus(-(D(G(z_i)) - D(x_i))))` over pairs i.

    The discriminator's loss with the roles swapped; G's gradient flows through the fake
    scores only (the real scores are constants for G). Minimised by G.

    Args:
        real: D's scores on real samples, `[B]` or `[B, 1]`.
        fake: D's scores on generated samples, the same shape.

    Returns:
        A float32 scalar, > 0.

    """
    return tf.reduce_mean(tf.math.softplus(_f32(real) - _f32(fake)))


def mean_absolute_error(target: tf.Tensor, prediction: tf.Tensor) -> tf.Tensor:
    """`mean(|target - prediction|)` over every element: the L1 term of CycleGAN.

    Reference: Zhu et al., 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent
    Adversarial Networks", arXiv:1703.10593, Eq. 2 (cycle) and Sec. 5.2 (identity).

    Args:
        target: Images `[B, H, W, C]` (any shape), e.g. the real images a.
        prediction: Same shape, e.g. the reconstructions F(G(a)).

    Returns:
        A float32 scalar (mean over the local batch and every pixel), >= 0.

    """
    return tf.reduce_mean(tf.abs(_f32(target) - _f32(prediction)))


def _per_example_shape(x: tf.Tensor) -> tf.Tensor:
    """Build the dynamic shape `[B, 1, ..., 1]` with the same rank as `x`."""
    batch = tf.shape(x)[:1]
    ones = tf.ones(tf.rank(x) - 1, dtype=batch.dtype)
    return tf.concat([batch, ones], axis=0)


def _input_gradient(discriminator: Callable, x: tf.Tensor) -> tf.Tensor:
    """Compute d(sum D(x))/dx with the same shape as `x`, recorded by any outer tape.

    Each example's output depends only on its own input for discriminators without
    cross-batch layers (no batch normalization), so the gradient of the summed output is the
    per-example input gradient.
    """
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = _f32(discriminator(x, training=True))
        total = tf.reduce_sum(scores)
    gradient = tape.gradient(total, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return _f32(gradient)  # a float16 network's input gradient, squared and summed in float32


def gradient_penalty(
    discriminator: Callable,
    real: tf.Tensor,
    fake: tf.Tensor,
    seed: int | keras.random.SeedGenerator | None = None,
    interpolation_weights: tf.Tensor | None = None,
) -> tf.Tensor:
    """WGAN-GP two-sided gradient penalty: `mean((||grad_x D(x_hat)||_2 - 1)^2)`.

    `x_hat = eps * real + (1 - eps) * fake`, with one `eps ~ Uniform[0, 1)` per example,
    broadcast over all non-batch dimensions (works for points `[B, D]` and images
    `[B, H, W, C]`). The per-example norm is `sqrt(sum(g^2) + 1e-12)` so that its derivative is
    finite at zero. The result is differentiable w.r.t. the discriminator's weights: call it
    inside the caller's `tf.GradientTape` and it is recorded there (double backprop). The
    caller multiplies it by the penalty weight (lambda = 10 in the paper). The discriminator
    must not mix examples within a batch (no batch normalization), as the paper requires.
    Under mixed precision the network runs in float16 but the interpolation, the squared norm
    and the mean are float32: a float16 sum of squares overflows (inf) once ||grad|| > 256.

    Reference: Gulrajani et al., 2017, "Improved Training of Wasserstein GANs",
    arXiv:1704.00028.

    Args:
        discriminator: Callable `discriminator(x, training=True)` returning scores of shape
            `[B]` or `[B, 1]` (e.g. a `keras.Model`).
        real: Real samples, shape `[B, ...]`.
        fake: Generated samples, same shape as `real`.
        seed: Seed for drawing `eps`, anything `keras.random.uniform` accepts: `None` (the
            global Keras seed generator), an int (the SAME `eps` on every call), or a
            `keras.random.SeedGenerator` (fresh, reproducible draws; use this in a model).
            Ignored when `interpolation_weights` is given.
        interpolation_weights: Optional `[B]` tensor of `eps` values to use instead of random
            draws (for tests and reproducibility).

    Returns:
        A float32 scalar: the mean over the local batch of `(||grad||_2 - 1)^2`.

    """
    real = _f32(real)
    fake = _f32(fake)
    if interpolation_weights is None:
        batch_size = tf.shape(real)[0]
        eps = keras.random.uniform((batch_size,), 0.0, 1.0, dtype="float32", seed=seed)
    else:
        eps = _f32(interpolation_weights)
    eps = tf.reshape(eps, _per_example_shape(real))
    x_hat = eps * real + (1.0 - eps) * fake

    grads = _input_gradient(discriminator, x_hat)
    grads = tf.reshape(grads, [tf.shape(grads)[0], -1])
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=1) + _NORM_EPSILON)
    return tf.reduce_mean(tf.square(norms - 1.0))


def _zero_centered_penalty(discriminator: Callable, samples: tf.Tensor) -> tf.Tensor:
    """Mean over the batch of `||grad_x D(x)||_2^2` at `samples` (float32)."""
    grads = _input_gradient(discriminator, _f32(samples))
    grads = tf.reshape(grads, [tf.shape(grads)[0], -1])
    return tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=1))


def r1_penalty(discriminator: Callable, real: tf.Tensor) -> tf.Tensor:
    """R1 penalty: `mean over the batch of ||grad_x D(x)||_2^2` on real data.

    The squared norm sums over all non-batch dimensions, in float32 also for a float16
    network. The caller multiplies the result by `gamma / 2` to get the regularizer
    `gamma / 2 * E[||grad D(x)||^2]`. Differentiable w.r.t. the discriminator's weights when
    called inside the caller's `tf.GradientTape`.

    Reference: Mescheder et al., 2018, "Which Training Methods for GANs do actually Converge?",
    arXiv:1801.04406.

    Args:
        discriminator: Callable `discriminator(x, training=True)` returning scores of shape
            `[B]` or `[B, 1]` (e.g. a `keras.Model`).
        real: Real samples, shape `[B, ...]`.

    Returns:
        A float32 scalar: the mean over the local batch of the squared input-gradient norm
        (not yet multiplied by `gamma / 2`).

    """
    return _zero_centered_penalty(discriminator, real)


def r2_penalty(discriminator: Callable, fake: tf.Tensor) -> tf.Tensor:
    """R2 penalty: `mean over the batch of ||grad_x D(x)||_2^2` on generated data.

    R1's zero-centred penalty taken at the fakes instead of the reals (Mescheder et al.
    2018). R3GAN applies both, `gamma / 2` each, every step: with R1 alone RpGAN's D can grow
    steep around the fakes and training diverges (Huang et al. 2024, arXiv:2501.05441,
    section 2.2). Pass the fakes with the generator's gradient stopped (D's update must not
    train G); the result is differentiable w.r.t. D's weights inside the caller's tape.

    Args:
        discriminator: Callable `discriminator(x, training=True)` returning scores `[B]` or
            `[B, 1]`.
        fake: Generated samples, shape `[B, ...]`.

    Returns:
        A float32 scalar, >= 0 (not yet multiplied by `gamma / 2`).

    """
    return _zero_centered_penalty(discriminator, fake)


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------

LOSSES: dict[str, tuple[Callable, Callable]] = {
    "minimax": (minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": (non_saturating_generator_loss, non_saturating_discriminator_loss),
    "least_squares": (least_squares_generator_loss, least_squares_discriminator_loss),
    "hinge": (hinge_generator_loss, hinge_discriminator_loss),
    "wasserstein": (wasserstein_generator_loss, wasserstein_discriminator_loss),
    "relativistic": (relativistic_generator_loss, relativistic_discriminator_loss),
}
# Losses whose generator side takes `(real, fake)` scores: the model scores the real batch in
# the generator's update too.
PAIRED_LOSSES = ("relativistic",)


def get_loss(name: str) -> tuple[Callable, Callable]:
    """Look up a GAN objective by name.

    Args:
        name: One of the keys of `LOSSES`: "hinge", "least_squares", "minimax",
            "non_saturating", "relativistic", "wasserstein".

    Returns:
        The `(generator_loss, discriminator_loss)` pair; the generator loss takes
        `fake` (shape `[B]` or `[B, 1]`), or `(real, fake)` for a name in `PAIRED_LOSSES`;
        the discriminator loss takes `(real, fake)`.

    Raises:
        ValueError: If `name` is not a registered loss.

    """
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(LOSSES))
        raise ValueError(f"Unknown loss {name!r}; expected one of: {valid}") from None
