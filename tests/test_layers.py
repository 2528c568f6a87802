import keras
import numpy as np
import pytest
from harness import assert_reproduced

from gan_zoo.layers import ReflectionPadding2D, pack_samples, packed_shape


@pytest.mark.parametrize("padding", [1, 2, (1, 3), (0, 2)])
def test_reflection_padding_equals_numpy_reflect(padding):
    images = np.random.RandomState(0).normal(size=(2, 5, 6, 3)).astype(np.float32)
    pad_height, pad_width = (padding, padding) if isinstance(padding, int) else padding
    expected = np.pad(
        images, [(0, 0), (pad_height, pad_height), (pad_width, pad_width), (0, 0)], mode="reflect"
    )
    layer = ReflectionPadding2D(padding)
    # Padding copies values, computes none: exact.
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(images)), expected)
    assert layer.compute_output_shape((None, 5, 6, 3)) == (None, *expected.shape[1:])


def test_reflection_padding_does_not_repeat_the_edge():
    row = np.array([1.0, 2.0, 3.0], np.float32).reshape(1, 1, 3, 1)
    padded = keras.ops.convert_to_numpy(ReflectionPadding2D((0, 2))(row))
    np.testing.assert_array_equal(padded.ravel(), [3, 2, 1, 2, 3, 2, 1])  # torch.nn.ReflectionPad2d


def test_reflection_padding_with_unknown_sides():
    images = keras.Input((None, None, 2))
    model = keras.Model(images, ReflectionPadding2D((1, 2))(images))
    assert model.output.shape == (None, None, None, 2)
    assert model(np.zeros((1, 4, 5, 2), np.float32)).shape == (1, 6, 9, 2)


def test_reflection_padding_config_and_keras_file_round_trip(tmp_path):
    layer = ReflectionPadding2D((2, 1), name="pad")
    clone = ReflectionPadding2D.from_config(layer.get_config())
    assert clone.padding == (2, 1) and clone.name == "pad"
    images = keras.Input((4, 4, 3))
    model = keras.Model(images, keras.layers.Conv2D(2, 3)(layer(images)))
    path = str(tmp_path / "padding.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)  # registered: no custom_objects needed
    assert isinstance(loaded.get_layer("pad"), ReflectionPadding2D)
    assert loaded.get_layer("pad").padding == (2, 1)
    x = np.random.RandomState(1).normal(size=(2, 4, 4, 3)).astype(np.float32)
    # Rebuilt from its config with the same weights: the same program, the same bits.
    assert_reproduced(
        keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)), ".keras"
    )


def test_reflection_padding_larger_than_the_input_is_a_clear_error():
    with pytest.raises(ValueError, match="padding 3 must be smaller than the input height 3"):
        ReflectionPadding2D(3)(keras.Input((3, 8, 1)))
    with pytest.raises(ValueError, match="padding 4 must be smaller than the input width 4"):
        ReflectionPadding2D((1, 4))(np.zeros((1, 8, 4, 1), np.float32))


@pytest.mark.parametrize("padding", [-1, (1, 2, 3), 1.5, True, (1, -2)])
def test_reflection_padding_bad_arguments(padding):
    with pytest.raises(ValueError, match="ReflectionPadding2D padding must be an int ≥ 0"):
        ReflectionPadding2D(padding)


def test_pack_samples_concatenates_consecutive_points():
    points = np.arange(12, dtype=np.float32).reshape(6, 2)
    packed = np.asarray(pack_samples(points, 3))
    # Pack i holds samples 3i, 3i+1, 3i+2 side by side.
    np.testing.assert_array_equal(packed, [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]])
    assert packed_shape((2,), 3) == (6,)


def test_pack_samples_stacks_images_along_channels():
    images = np.random.RandomState(0).uniform(-1, 1, (4, 5, 5, 3)).astype(np.float32)
    packed = np.asarray(pack_samples(images, 2))
    assert packed.shape == (2, 5, 5, 6) and packed_shape((5, 5, 3), 2) == (5, 5, 6)
    for pack in range(2):
        for member in range(2):
            np.testing.assert_array_equal(
                packed[pack, ..., 3 * member : 3 * member + 3], images[2 * pack + member]
            )


def test_pack_one_is_the_input_itself():
    images = np.zeros((4, 3, 3, 1), np.float32)
    assert pack_samples(images, 1) is images
