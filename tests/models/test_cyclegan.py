"""CycleGAN: the shared harness, losses against hand-computed values, the history pool."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import (
    assert_close,
    assert_replicas_equivalent,
    biases_before_instance_norm,
    fit_one_step,
    run_translation_checks,
)

from gan_zoo.families.cyclegan.model import CycleGAN, query_image_pool

RANDOM = np.random.RandomState(0)
IMAGES_A = RANDOM.uniform(-1, 1, size=(4, 8, 8, 1)).astype(np.float32)
IMAGES_B = RANDOM.uniform(-1, 1, size=(4, 8, 8, 1)).astype(np.float32)


def _pointwise(name, weight, bias, activation=None, strides=1):
    """A 1x1 convolution with fixed weights: y = activation(weight * x + bias)."""
    inputs = keras.Input((8, 8, 1))
    layer = keras.layers.Conv2D(1, 1, strides=strides, activation=activation, name=f"{name}_conv")
    outputs = layer(inputs)
    layer.set_weights([np.full((1, 1, 1, 1), weight, np.float32), np.array([bias], np.float32)])
    return keras.Model(inputs, outputs, name=name)


def _tiny_networks(name):
    """Small conv nets with random weights, seeded."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1))
    if name.startswith("g"):
        x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name=f"{name}_1")(inputs)
        outputs = keras.layers.Conv2D(1, 3, padding="same", activation="tanh", name=f"{name}_2")(x)
    else:
        x = keras.layers.Conv2D(4, 4, strides=2, padding="same", name=f"{name}_1")(inputs)
        x = keras.layers.LeakyReLU(0.2, name=f"{name}_act")(x)
        outputs = keras.layers.Conv2D(1, 3, padding="same", name=f"{name}_2")(x)
    return keras.Model(inputs, outputs, name=name)


def tiny_cyclegan(pool_size=3, seed=0, **kwargs):
    def build():
        model = CycleGAN(
            _tiny_networks("g_ab"),
            _tiny_networks("g_ba"),
            _tiny_networks("d_a"),
            _tiny_networks("d_b"),
            pool_size=pool_size,
            seed=seed,
            name="tiny_cyclegan",
            **kwargs,
        )
        model.compile()
        return model

    return build


def test_cyclegan_passes_the_harness(tmp_path):
    run_translation_checks(tiny_cyclegan(), (IMAGES_A, IMAGES_B), tmp_path)


def test_two_replicas_equal_one_with_the_history_pool():
    """The pool is shared across replicas: gathered, updated identically, sliced."""
    # 3 steps: the pool fills (4 > 3 images on step 1), then swaps stored images in.
    worst = assert_replicas_equivalent(tiny_cyclegan(pool_size=3), (IMAGES_A, IMAGES_B), steps=3)
    print(f"tiny CycleGAN 2-replica max weight difference: {worst:.2f} of its tolerance")


def test_logged_losses_equal_hand_computed_values():
    """With 1x1 networks of known weights, every logged loss is a NumPy formula."""
    w_ab, b_ab, w_ba, b_ba = 0.8, 0.1, -0.5, 0.2
    v_a, c_a, v_b, c_b = 0.3, -0.1, 0.6, 0.05
    model = CycleGAN(
        _pointwise("g_ab", w_ab, b_ab, "tanh"),
        _pointwise("g_ba", w_ba, b_ba, "tanh"),
        _pointwise("d_a", v_a, c_a),
        _pointwise("d_b", v_b, c_b),
        pool_size=0,
    )
    model.compile()
    logs = fit_one_step(model, (IMAGES_A, IMAGES_B))

    a, b = IMAGES_A.astype(np.float64), IMAGES_B.astype(np.float64)
    g_ab = lambda x: np.tanh(w_ab * x + b_ab)  # noqa: E731
    g_ba = lambda x: np.tanh(w_ba * x + b_ba)  # noqa: E731
    d_a = lambda x: v_a * x + c_a  # noqa: E731
    d_b = lambda x: v_b * x + c_b  # noqa: E731
    fake_b, fake_a = g_ab(a), g_ba(b)
    adversarial = np.mean((d_b(fake_b) - 1) ** 2) + np.mean((d_a(fake_a) - 1) ** 2)
    cycle = np.mean(np.abs(a - g_ba(fake_b))) + np.mean(np.abs(b - g_ab(fake_a)))
    identity = np.mean(np.abs(b - g_ab(b))) + np.mean(np.abs(a - g_ba(a)))
    d_a_loss = 0.5 * (np.mean((d_a(a) - 1) ** 2) + np.mean(d_a(fake_a) ** 2))
    d_b_loss = 0.5 * (np.mean((d_b(b) - 1) ** 2) + np.mean(d_b(fake_b) ** 2))
    expected = {
        "adversarial_loss": adversarial,
        "cycle_loss": cycle,
        "identity_loss": identity,
        "g_loss": adversarial + 10.0 * cycle + 5.0 * identity,
        "d_a_loss": d_a_loss,
        "d_b_loss": d_b_loss,
        "d_loss": d_a_loss + d_b_loss,
    }
    # TF float32 (1x1 convolutions, tanh, means over 4 · 8 · 8 pixels) vs NumPy float64.
    for name, value in expected.items():
        assert_close(logs[name], value, terms=4 * 8 * 8 + 16, err_msg=f"logged {name} vs NumPy")


def _reference_pool(pool, count, images, swap_draws, slot_draws):
    """The reference ImagePool.query, image by image, in plain Python."""
    pool, outputs = [p.copy() for p in pool], []
    for image, swap, slot in zip(images, swap_draws, slot_draws, strict=True):
        if count < len(pool):
            pool[count] = image
            count += 1
            outputs.append(image)
        elif swap > 0.5:
            j = min(int(np.floor(slot * len(pool))), len(pool) - 1)
            outputs.append(pool[j].copy())
            pool[j] = image
        else:
            outputs.append(image)
    return np.stack(outputs), np.stack(pool), count


@pytest.mark.parametrize("count", [0, 2, 5])
def test_image_pool_matches_the_reference_query(count):
    rng = np.random.RandomState(count)
    pool = rng.normal(size=(5, 2, 2, 1)).astype(np.float32)
    images = rng.normal(size=(7, 2, 2, 1)).astype(np.float32)
    swap_draws, slot_draws = rng.uniform(size=7), rng.uniform(size=7)
    outputs, new_pool, new_count = query_image_pool(
        tf.constant(pool), tf.constant(count), tf.constant(images), swap_draws, slot_draws
    )
    expected_outputs, expected_pool, expected_count = _reference_pool(
        pool, count, images, swap_draws, slot_draws
    )
    # Images are moved, never computed: exact.
    np.testing.assert_array_equal(outputs.numpy(), expected_outputs)
    np.testing.assert_array_equal(new_pool.numpy(), expected_pool)
    assert int(new_count) == expected_count
    # Once full, about half the answers come from the pool: here some must, some must not.
    if count == 5:
        from_pool = [not np.array_equal(o, i) for o, i in zip(outputs.numpy(), images, strict=True)]
        assert 0 < sum(from_pool) < len(images)


def test_pool_fills_then_feeds_stored_images_to_the_discriminator():
    model = tiny_cyclegan(pool_size=6)()
    fit_one_step(model, (IMAGES_A, IMAGES_B), steps=1)
    images, count = model.pools["b"]
    assert int(count) == 4
    np.testing.assert_array_equal(np.asarray(images)[4:], 0.0)  # unused slots untouched
    fit_one_step(model, (IMAGES_A, IMAGES_B), steps=2)
    assert int(model.pools["b"][1]) == 6


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"pool_size": -1}, "pool_size must be an integer >= 0"),
        ({"cycle_weight": -1.0}, "cycle_weight must be a number >= 0"),
        ({"identity_weight": float("nan")}, "identity_weight must be a number >= 0"),
    ],
)
def test_bad_arguments_are_one_line_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tiny_cyclegan(**kwargs)()


def test_mismatched_networks_and_bad_translate_input_are_errors():
    other = keras.Model(*(lambda x: (x, keras.layers.Conv2D(1, 1)(x)))(keras.Input((4, 4, 1))))
    with pytest.raises(ValueError, match="CycleGAN needs domain A images"):
        CycleGAN(_tiny_networks("g1"), _tiny_networks("g2"), other, _tiny_networks("d"))
    model = tiny_cyclegan()()
    with pytest.raises(ValueError, match=r"takes images \[N, 8, 8, 1\]"):
        model.translate(np.zeros((2, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="direction must be one of a_to_b, b_to_a"):
        model.translate(IMAGES_A, direction="sideways")
    with pytest.raises(ValueError, match=r"\(a, b\) batches"):
        fit_one_step(model, IMAGES_A)


def tiny_preset():
    from gan_zoo import presets

    return presets.build(
        "cyclegan_digits_thickness",
        generator_kwargs={"base_filters": 4, "num_residual_blocks": 1},
        discriminator_kwargs={"base_filters": 4, "num_layers": 2},
    )


DIGIT_SIZED = (
    RANDOM.uniform(-1, 1, size=(4, 32, 32, 1)).astype(np.float32),
    RANDOM.uniform(-1, 1, size=(4, 32, 32, 1)).astype(np.float32),
)


def test_preset_networks_pass_the_harness(tmp_path):
    """ResNet generators (reflection padding, instance norm) and PatchGAN discriminators."""
    run_translation_checks(tiny_preset, DIGIT_SIZED, tmp_path)


@pytest.mark.slow
def test_preset_networks_two_replicas_equal_one():
    """As the tiny networks' test above, with instance norm: exact but for the exempt biases."""
    exempt = biases_before_instance_norm(tiny_preset())
    # Paths name layers, the same in both generators (and both discriminators): G's stem,
    # 2 down, 2 per residual block, 2 up; D's 2 normalized layers.
    assert len(exempt) == 7 + 2
    worst = assert_replicas_equivalent(
        tiny_preset, DIGIT_SIZED, steps=2, skip=lambda v: v.path in exempt
    )
    print(f"CycleGAN preset 2-replica max weight difference: {worst:.2f} of its tolerance")
