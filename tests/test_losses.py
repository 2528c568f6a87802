import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close

from gan_zoo import losses

REAL = [1.0, -2.0]
FAKE = [0.5, 3.0]


def softplus(x: float) -> float:
    return math.log(1.0 + math.exp(x))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def value(t) -> float:
    return float(np.asarray(t))


# A loss of 2 logits in float32 against the value by hand: an elementwise op (softplus is exp
# and log1p, each within an ulp or two), a mean of 2, the sum of two means.
LOSS_TERMS = 8


def penalty_terms(features: int, batch: int) -> int:
    """A penalty in float32: the input gradient (one product per component), the sum of its
    `features` squares, the sqrt, (‖∇D‖ - 1)², the mean over `batch` examples."""
    return 2 * features + batch + 4


# ------------------------------------------------------------------------------------------
# Known values, computed by hand
# ------------------------------------------------------------------------------------------


def test_minimax_generator_loss_value():
    # mean(log(1 - sigmoid(fake))) = -mean(softplus(fake))
    expected = (math.log(1.0 - sigmoid(0.5)) + math.log(1.0 - sigmoid(3.0))) / 2
    assert_close(expected, -(softplus(0.5) + softplus(3.0)) / 2, dtype="float64", terms=8)
    assert_close(
        value(losses.minimax_generator_loss(tf.constant(FAKE))),
        expected,
        terms=LOSS_TERMS,
        err_msg="minimax G loss vs by hand",
    )


def test_minimax_discriminator_loss_value():
    # -mean(log sigmoid(real)) - mean(log(1 - sigmoid(fake)))
    real_term = -(math.log(sigmoid(1.0)) + math.log(sigmoid(-2.0))) / 2
    fake_term = -(math.log(1.0 - sigmoid(0.5)) + math.log(1.0 - sigmoid(3.0))) / 2
    got = losses.minimax_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    assert_close(value(got), real_term + fake_term, terms=LOSS_TERMS, err_msg="minimax D loss")


def test_non_saturating_generator_loss_value():
    expected = -(math.log(sigmoid(0.5)) + math.log(sigmoid(3.0))) / 2
    assert_close(expected, (softplus(-0.5) + softplus(-3.0)) / 2, dtype="float64", terms=8)
    got = losses.non_saturating_generator_loss(tf.constant(FAKE))
    assert_close(value(got), expected, terms=LOSS_TERMS, err_msg="non-saturating G loss")


def test_non_saturating_discriminator_loss_value():
    expected = (softplus(-1.0) + softplus(2.0)) / 2 + (softplus(0.5) + softplus(3.0)) / 2
    got = losses.non_saturating_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    assert_close(value(got), expected, terms=LOSS_TERMS, err_msg="non-saturating D loss")


def test_logit_losses_are_stable_for_large_logits():
    # Naive log(sigmoid(x)) would give -inf / nan for |x| = 100 in float32.
    big = tf.constant([100.0, -100.0])
    big_g = losses.non_saturating_generator_loss(big)
    assert_close(value(big_g), 50.0, terms=LOSS_TERMS, err_msg="softplus(±100) mean")
    assert_close(value(losses.minimax_generator_loss(big)), -50.0, terms=LOSS_TERMS)
    d = losses.minimax_discriminator_loss(big, big)
    assert_close(value(d), 100.0, terms=LOSS_TERMS, err_msg="D loss at ±100")


def test_least_squares_losses_value():
    g_expected = 0.5 * ((0.5 - 1.0) ** 2 + (3.0 - 1.0) ** 2) / 2  # 1.0625
    d_expected = 0.5 * ((1.0 - 1.0) ** 2 + (-2.0 - 1.0) ** 2) / 2 + 0.5 * (0.5**2 + 3.0**2) / 2
    got = losses.least_squares_generator_loss(tf.constant(FAKE))
    assert_close(value(got), g_expected, terms=LOSS_TERMS, err_msg="LSGAN G loss")
    got = losses.least_squares_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    assert_close(value(got), d_expected, terms=LOSS_TERMS, err_msg="LSGAN D loss")  # 4.5625


def test_hinge_losses_value():
    got = losses.hinge_generator_loss(tf.constant(FAKE))
    assert_close(value(got), -1.75, terms=LOSS_TERMS, err_msg="hinge G loss")
    # relu(1 - [1, -2]) = [0, 3]; relu(1 + [0.5, 3]) = [1.5, 4]
    expected = (0.0 + 3.0) / 2 + (1.5 + 4.0) / 2
    got = losses.hinge_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    assert_close(value(got), expected, terms=LOSS_TERMS, err_msg="hinge D loss")
    # Clipped side of both hinges: relu(1 - [2, 0]) = [0, 1]; relu(1 + [-3, 0]) = [0, 1]
    got = losses.hinge_discriminator_loss(tf.constant([2.0, 0.0]), tf.constant([-3.0, 0.0]))
    assert_close(value(got), 0.5 + 0.5, terms=LOSS_TERMS, err_msg="hinge D loss, clipped")


def test_wasserstein_losses_value():
    got = losses.wasserstein_generator_loss(tf.constant(FAKE))
    assert_close(value(got), -1.75, terms=LOSS_TERMS, err_msg="Wasserstein G loss")
    expected = (0.5 + 3.0) / 2 - (1.0 - 2.0) / 2  # 2.25
    got = losses.wasserstein_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    assert_close(value(got), expected, terms=LOSS_TERMS, err_msg="Wasserstein D loss")


# ------------------------------------------------------------------------------------------
# Shared contract of every registry entry
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "float64"])
def test_registry_entry_contract(name, dtype):
    g_loss, d_loss = losses.get_loss(name)
    assert (g_loss, d_loss) == losses.LOSSES[name]
    real = tf.constant(REAL, dtype=dtype)
    fake = tf.constant(FAKE, dtype=dtype)
    results = []
    for r, f in [(real, fake), (real[:, None], fake[:, None])]:
        g = g_loss(r, f) if name in losses.PAIRED_LOSSES else g_loss(f)
        d = d_loss(r, f)
        for out in (g, d):
            assert out.dtype == tf.float32
            assert out.shape == ()
            assert np.isfinite(value(out))
        results.append((value(g), value(d)))
    # [B] and [B, 1] logits: other shapes, the same float32 losses (after the cast to float32).
    assert_close(results[0], results[1], terms=LOSS_TERMS, err_msg=f"{name} {dtype}: [B] vs [B, 1]")


def test_non_saturating_discriminator_equals_minimax():
    a = losses.non_saturating_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    b = losses.minimax_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    assert value(a) == value(b)  # the same function (an alias): the same program, the same bits


def test_get_loss_unknown_name():
    with pytest.raises(ValueError) as info:
        losses.get_loss("nope")
    msg = str(info.value)
    assert msg == (
        "Unknown loss 'nope'; expected one of: "
        "hinge, least_squares, minimax, non_saturating, relativistic, wasserstein"
    )


def test_registry_names():
    assert sorted(losses.LOSSES) == [
        "hinge",
        "least_squares",
        "minimax",
        "non_saturating",
        "relativistic",
        "wasserstein",
    ]
    assert losses.PAIRED_LOSSES == ("relativistic",)


def test_relativistic_losses_value():
    # Pairs (real_i, fake_i): D's loss is mean softplus(fake_i - real_i), G's the mirror.
    d = losses.relativistic_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    g = losses.relativistic_generator_loss(tf.constant(REAL), tf.constant(FAKE))
    expected_d = (softplus(0.5 - 1.0) + softplus(3.0 + 2.0)) / 2
    expected_g = (softplus(1.0 - 0.5) + softplus(-2.0 - 3.0)) / 2
    assert_close(value(d), expected_d, terms=LOSS_TERMS, err_msg="RpGAN D loss")
    assert_close(value(g), expected_g, terms=LOSS_TERMS, err_msg="RpGAN G loss")


def test_relativistic_loss_pairs_examples_not_batch_means():
    # A batch whose means agree but whose pairs do not: a loss of the means would give log 2
    # for both orders; the pairing loss tells the pairs apart.
    real = tf.constant([2.0, -2.0])
    paired = value(losses.relativistic_discriminator_loss(real, tf.constant([-2.0, 2.0])))
    swapped = value(losses.relativistic_discriminator_loss(real, tf.constant([2.0, -2.0])))
    assert_close(paired, (softplus(-4.0) + softplus(4.0)) / 2, terms=LOSS_TERMS, err_msg="pairs")
    assert_close(swapped, math.log(2.0), terms=LOSS_TERMS, err_msg="equal pairs: log 2")
    assert paired > swapped + 0.5


def test_relativistic_generator_gradient_flows_through_fakes():
    real = tf.constant([1.0, -1.0])
    fake = tf.Variable([0.0, 0.0])
    with tf.GradientTape() as tape:
        g = losses.relativistic_generator_loss(real, fake)
    gradient = tape.gradient(g, fake).numpy()
    # d/df mean softplus(r - f) = -sigmoid(r - f) / B.
    expected = [-sigmoid(1.0) / 2, -sigmoid(-1.0) / 2]
    assert_close(gradient, expected, terms=LOSS_TERMS, err_msg="∂ RpGAN G loss / ∂ fake")


# ------------------------------------------------------------------------------------------
# Penalties
# ------------------------------------------------------------------------------------------


def linear_discriminator(w):
    """D(x) = sum(x * w) over non-batch dims; grad_x D = w everywhere."""
    w = tf.constant(w, dtype=tf.float32)

    def d(x, training=False):
        axes = list(range(1, len(x.shape)))
        return tf.reduce_sum(x * w, axis=axes)

    return d


def quadratic_discriminator(x, training=False):
    """D(x) = 0.5 * sum(x^2) over non-batch dims; grad_x D = x."""
    axes = list(range(1, len(x.shape)))
    return 0.5 * tf.reduce_sum(tf.square(x), axis=axes)[:, None]


class RecordingDiscriminator:
    """Records its inputs (the interpolates) and acts as D(x) = sum(x)."""

    def __init__(self):
        self.inputs = []
        self.training_flags = []

    def __call__(self, x, training=False):
        self.inputs.append(np.asarray(x))
        self.training_flags.append(training)
        return tf.reduce_sum(tf.reshape(x, [tf.shape(x)[0], -1]), axis=1)


@pytest.mark.parametrize("seed", [None, 3, "generator"])
def test_gradient_penalty_linear_discriminator(seed):
    if seed == "generator":
        seed = keras.random.SeedGenerator(7)
    d = linear_discriminator([3.0, 4.0])  # ||w|| = 5
    rng = np.random.default_rng(0)
    real = tf.constant(rng.normal(size=(5, 2)), tf.float32)
    fake = tf.constant(rng.normal(size=(5, 2)), tf.float32)
    gp = losses.gradient_penalty(d, real, fake, seed=seed)
    assert gp.dtype == tf.float32 and gp.shape == ()
    assert_close(value(gp), (5.0 - 1.0) ** 2, terms=penalty_terms(2, 5), err_msg="GP of ‖w‖ = 5")


def test_r1_penalty_linear_discriminator():
    d = linear_discriminator([3.0, 4.0])
    real = tf.constant([[1.0, 2.0], [-3.0, 0.5], [0.0, 0.0]])
    r1 = losses.r1_penalty(d, real)
    assert r1.dtype == tf.float32 and r1.shape == ()
    assert_close(value(r1), 3.0**2 + 4.0**2, terms=penalty_terms(2, 3), err_msg="R1 of ‖w‖ = 5")


def test_r2_penalty_linear_and_quadratic_discriminators():
    fake = tf.constant([[4.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    r2 = losses.r2_penalty(linear_discriminator([1.0, -2.0]), fake)
    assert r2.dtype == tf.float32 and r2.shape == ()
    assert_close(value(r2), 1.0 + 4.0, terms=penalty_terms(2, 3), err_msg="R2 of ‖w‖² = 5")
    # D = ½‖x‖²: grad = x, so R2 is the mean of ‖fake‖²: (16 + 1 + 2) / 3.
    r2 = losses.r2_penalty(quadratic_discriminator, fake)
    assert_close(value(r2), 19.0 / 3.0, terms=penalty_terms(2, 3), err_msg="R2 of ½‖x‖²")
    # R1 and R2 are the same penalty at other samples.
    assert value(losses.r1_penalty(quadratic_discriminator, fake)) == value(r2)


def test_gradient_penalty_quadratic_discriminator_given_weights():
    real = tf.constant([[4.0, 0.0], [0.0, 1.0]])
    fake = tf.constant([[0.0, 0.0], [3.0, 0.0]])
    eps = tf.constant([0.5, 0.25])
    # x_hat_0 = 0.5*[4, 0] + 0.5*[0, 0] = [2, 0]           -> norm 2
    # x_hat_1 = 0.25*[0, 1] + 0.75*[3, 0] = [2.25, 0.25]   -> norm sqrt(5.125)
    expected = ((2.0 - 1.0) ** 2 + (math.sqrt(2.25**2 + 0.25**2) - 1.0) ** 2) / 2
    gp = losses.gradient_penalty(quadratic_discriminator, real, fake, interpolation_weights=eps)
    # + 3 roundings of the interpolation x̂ = ε x + (1 - ε) x̃, the gradient of D.
    assert_close(value(gp), expected, terms=penalty_terms(2, 2) + 3, err_msg="GP of D = ½‖x‖²")


def test_gradient_penalty_eps_weights_real_not_fake():
    # eps = 1 -> x_hat = real; eps = 0 -> x_hat = fake.
    real = tf.constant([[3.0, 0.0]])
    fake = tf.constant([[0.0, 0.5]])
    gp_real = losses.gradient_penalty(
        quadratic_discriminator, real, fake, interpolation_weights=tf.constant([1.0])
    )
    gp_fake = losses.gradient_penalty(
        quadratic_discriminator, real, fake, interpolation_weights=tf.constant([0.0])
    )
    assert_close(value(gp_real), (3.0 - 1.0) ** 2, terms=penalty_terms(2, 1) + 3, err_msg="ε = 1")
    assert_close(value(gp_fake), (0.5 - 1.0) ** 2, terms=penalty_terms(2, 1) + 3, err_msg="ε = 0")


def test_r1_penalty_quadratic_discriminator():
    real = tf.constant([[4.0, 0.0], [0.0, 1.0]])
    r1 = losses.r1_penalty(quadratic_discriminator, real)
    assert_close(value(r1), (4.0**2 + 1.0**2) / 2, terms=penalty_terms(2, 2), err_msg="R1, ½‖x‖²")


def test_gradient_penalty_eps_is_uniform_0_1():
    # real = 1, fake = 0 -> x_hat = eps exactly. A normal draw would put about half of the
    # values below 0 and fail here.
    n = 4096
    d = RecordingDiscriminator()
    gp = losses.gradient_penalty(d, tf.ones([n, 1]), tf.zeros([n, 1]), seed=123)
    eps = d.inputs[-1][:, 0]
    assert d.training_flags == [True]
    assert eps.shape == (n,)
    assert np.all(eps >= 0.0) and np.all(eps <= 1.0)
    assert abs(eps.mean() - 0.5) < 0.03
    assert abs(eps.std() - math.sqrt(1.0 / 12.0)) < 0.02
    # D(x) = sum(x): gradient norm is 1 everywhere, so the penalty is 0: an expected 0 from
    # O(1) norms, so the scale is 1 (the size of ‖∇D‖ and of the 1 subtracted from it).
    assert_close(value(gp), 0.0, terms=penalty_terms(1, n), scale=1.0, err_msg="GP of D = Σx")


def test_gradient_penalty_seed_semantics():
    real, fake = tf.ones([64, 1]), tf.zeros([64, 1])
    d = RecordingDiscriminator()
    losses.gradient_penalty(d, real, fake, seed=5)
    losses.gradient_penalty(d, real, fake, seed=5)
    np.testing.assert_array_equal(d.inputs[0], d.inputs[1])  # int seed: same eps
    gen = keras.random.SeedGenerator(5)
    losses.gradient_penalty(d, real, fake, seed=gen)
    losses.gradient_penalty(d, real, fake, seed=gen)
    assert not np.array_equal(d.inputs[2], d.inputs[3])  # generator: fresh eps


def test_gradient_penalty_rank4_images():
    b = 3
    # One eps per example, broadcast over H, W, C.
    d = RecordingDiscriminator()
    losses.gradient_penalty(d, tf.ones([b, 4, 4, 1]), tf.zeros([b, 4, 4, 1]), seed=1)
    x_hat = d.inputs[-1]
    assert x_hat.shape == (b, 4, 4, 1)
    for i in range(b):
        np.testing.assert_array_equal(x_hat[i], np.full((4, 4, 1), x_hat[i, 0, 0, 0]))
    assert len(np.unique(x_hat[:, 0, 0, 0])) == b

    # Linear D with a [4, 4, 1] weight: penalty is (||w|| - 1)^2 whatever eps is.
    w = np.arange(16, dtype=np.float32).reshape(4, 4, 1) / 10.0
    norm = math.sqrt(sum((k / 10.0) ** 2 for k in range(16)))
    rng = np.random.default_rng(1)
    real = tf.constant(rng.normal(size=(b, 4, 4, 1)), tf.float32)
    fake = tf.constant(rng.normal(size=(b, 4, 4, 1)), tf.float32)
    gp = losses.gradient_penalty(linear_discriminator(w), real, fake, seed=2)
    assert_close(value(gp), (norm - 1.0) ** 2, terms=penalty_terms(16, b), err_msg="GP, rank 4")
    r1 = losses.r1_penalty(linear_discriminator(w), real)
    assert_close(value(r1), norm**2, terms=penalty_terms(16, b), err_msg="R1, rank 4")


def test_penalties_in_tf_function_with_unknown_batch():
    d = linear_discriminator([3.0, 4.0])
    gen = keras.random.SeedGenerator(0)
    spec = tf.TensorSpec([None, 2], tf.float32)

    @tf.function(input_signature=[spec, spec])
    def step(real, fake):
        return (
            losses.gradient_penalty(d, real, fake, seed=gen),
            losses.gradient_penalty(d, real, fake, seed=None),
            losses.r1_penalty(d, real),
        )

    for b in (2, 7):
        gp_gen, gp_none, r1 = step(tf.ones([b, 2]), tf.zeros([b, 2]))
        terms = penalty_terms(2, b)
        assert_close(value(gp_gen), 16.0, terms=terms, err_msg=f"GP, seed generator, batch {b}")
        assert_close(value(gp_none), 16.0, terms=terms, err_msg=f"GP, no seed, batch {b}")
        assert_close(value(r1), 25.0, terms=terms, err_msg=f"R1, batch {b}")


def test_penalties_differentiable_wrt_dense_kernel_closed_form():
    # D(x) = x @ k (no bias effect on the input gradient): grad_x D = k, so
    # GP = (||k|| - 1)^2 with dGP/dk = 2 (||k|| - 1) k / ||k||, and R1 = ||k||^2 with dR1/dk = 2k.
    dense = keras.layers.Dense(1)
    dense.build((None, 2))
    k = np.array([[3.0], [4.0]], dtype=np.float32)
    dense.kernel.assign(k)
    real = tf.constant([[1.0, 2.0], [0.5, -1.0]])
    fake = tf.constant([[0.0, 1.0], [2.0, 2.0]])
    with tf.GradientTape(persistent=True) as tape:
        gp = losses.gradient_penalty(dense, real, fake, seed=0)
        r1 = losses.r1_penalty(dense, real)
    g_gp = tape.gradient(gp, dense.kernel)
    g_r1 = tape.gradient(r1, dense.kernel)
    assert_close(value(gp), 16.0, terms=penalty_terms(2, 2), err_msg="GP of a Dense kernel")
    # The penalties' gradients: the backward pass of the same chain, as many roundings again.
    terms = 2 * penalty_terms(2, 2)
    assert_close(np.asarray(g_gp), 2 * (5.0 - 1.0) * k / 5.0, terms=terms, err_msg="dGP/dk")
    assert_close(np.asarray(g_r1), 2 * k, terms=terms, err_msg="dR1/dk")


def test_penalties_differentiable_wrt_nonlinear_discriminator():
    keras.utils.set_random_seed(0)
    disc = keras.Sequential(
        [
            keras.Input((4, 4, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(8, "tanh"),
            keras.layers.Dense(1),
        ]
    )
    rng = np.random.default_rng(2)
    real = tf.constant(rng.normal(size=(3, 4, 4, 1)), tf.float32)
    fake = tf.constant(rng.normal(size=(3, 4, 4, 1)), tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        gp = losses.gradient_penalty(disc, real, fake, seed=keras.random.SeedGenerator(1))
        r1 = losses.r1_penalty(disc, real)
    for penalty in (gp, r1):
        grads = tape.gradient(penalty, disc.trainable_variables)
        kernel_grad = grads[0]
        assert kernel_grad is not None
        assert np.all(np.isfinite(np.asarray(kernel_grad)))
        assert np.any(np.asarray(kernel_grad) != 0.0)


def test_gradient_penalty_zero_gradient_is_finite():
    # Constant D: gradient 0, norm sqrt(0 + 1e-12) = 1e-6, penalty (1e-6 - 1)^2; without the
    # epsilon inside the sqrt the weight-gradient would be 0 * inf = nan.
    v = tf.Variable(2.0)

    def d(x, training=False):
        return tf.zeros([tf.shape(x)[0]]) * x[:, 0] * v

    with tf.GradientTape() as tape:
        gp = losses.gradient_penalty(d, tf.ones([2, 2]), tf.zeros([2, 2]), seed=0)
    grad = tape.gradient(gp, v)
    assert_close(value(gp), (math.sqrt(1e-12) - 1.0) ** 2, terms=penalty_terms(2, 2))
    assert grad is not None and np.isfinite(value(grad))


def test_gradient_penalty_mixed_precision_discriminator():
    dense = keras.layers.Dense(1, dtype="mixed_float16")
    dense.build((None, 2))
    dense.kernel.assign([[3.0], [4.0]])
    gp = losses.gradient_penalty(dense, tf.ones([4, 2]), tf.zeros([4, 2]), seed=0)
    r1 = losses.r1_penalty(dense, tf.ones([4, 2]))
    assert gp.dtype == tf.float32 and r1.dtype == tf.float32
    # The critic's input gradient is float16 (its kernel, as the float16 backward pass gives
    # it: 2 roundings); the penalties' sums and the rest are float32.
    assert_close(value(gp), 16.0, dtype="float16", terms=2, err_msg="GP, float16 critic")
    assert_close(value(r1), 25.0, dtype="float16", terms=2, err_msg="R1, float16 critic")
