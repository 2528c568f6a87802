import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close, assert_reproduced

from gan_zoo.families.cyclegan import networks as cyclegan
from gan_zoo.layers import ReflectionPadding2D


def _images(shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, size=shape).astype(np.float32)


@pytest.fixture(scope="module")
def full_size():
    """The reference networks at 256 px (built, never run)."""
    return cyclegan.resnet_generator(256), cyclegan.patchgan_discriminator(256)


def test_parameter_counts_equal_the_reference(full_size):
    generator, discriminator = full_size
    # ResnetGenerator(3, 3, ngf=64, n_blocks=9), every conv with bias (instance norm, no affine):
    #   c7s1-64      7·7·3·64 + 64                    =      9,472
    #   d128, d256   3·3·64·128 + 128, 3·3·128·256 + 256 =   73,856 + 295,168
    #   9 × R256     9 · 2 · (3·3·256·256 + 256)      = 10,621,440
    #   u128, u64    3·3·256·128 + 128, 3·3·128·64 + 64 =   295,040 + 73,792
    #   c7s1-3       7·7·64·3 + 3                     =      9,411
    #   total                                         = 11,378,179 (the repo prints 11.378 M)
    assert generator.count_params() == 11_378_179
    # NLayerDiscriminator(3, ndf=64, n_layers=3), 4×4 kernels, all with bias:
    #   C64 4·4·3·64 + 64 = 3,136; C128 4·4·64·128 + 128 = 131,200; C256 4·4·128·256 + 256 =
    #   524,544; C512 4·4·256·512 + 512 = 2,097,664; score 4·4·512·1 + 1 = 8,193
    #   total 2,764,737 (the repo prints 2.765 M)
    assert discriminator.count_params() == 2_764_737
    assert discriminator.output.shape == (None, 30, 30, 1)


def test_layers_follow_the_reference(full_size):
    generator, discriminator = full_size
    kinds = [type(layer).__name__ for layer in generator.layers]
    assert kinds.count("Conv2D") == 1 + 2 + 2 * 9 + 1 and kinds.count("Conv2DTranspose") == 2
    assert kinds.count("GroupNormalization") == 1 + 2 + 2 * 9 + 2
    assert kinds.count("ReflectionPadding2D") == 2 + 2 * 9 and kinds.count("Add") == 9
    assert kinds.count("ReLU") == 1 + 2 + 9 + 2
    assert generator.get_layer("to_image").activation.__name__ == "tanh"
    assert [generator.get_layer(f"down_{i}").filters for i in range(2)] == [128, 256]
    d_kinds = [type(layer).__name__ for layer in discriminator.layers]
    assert d_kinds.count("GroupNormalization") == 3 and d_kinds.count("LeakyReLU") == 4
    assert "conv_0_instance_norm" not in [layer.name for layer in discriminator.layers]
    assert discriminator.get_layer("conv_0_leaky_relu").negative_slope == pytest.approx(0.2)
    assert [discriminator.get_layer(f"conv_{i}").strides for i in range(4)] == [(2, 2)] * 3 + [
        (1, 1)
    ]
    assert [discriminator.get_layer(f"conv_{i}").filters for i in range(4)] == [64, 128, 256, 512]
    for model in (generator, discriminator):
        for norm in model.layers:
            if isinstance(norm, keras.layers.GroupNormalization):  # groups=-1 → one per channel
                assert norm.groups == norm.input.shape[-1] and not norm.weights
                assert norm.epsilon == 1e-5
    # N(0, 0.02) kernels, zero biases (init_type="normal", init_gain=0.02).
    for layer in (generator.get_layer("block_0_conv_0"), discriminator.get_layer("conv_3")):
        assert abs(layer.kernel.numpy().std() - 0.02) < 0.001
        assert abs(layer.kernel.numpy().mean()) < 0.001
        assert not layer.bias.numpy().any()


def test_discriminator_filters_stop_at_eight_times_the_base():
    discriminator = cyclegan.patchgan_discriminator(64, 1, base_filters=2, num_layers=4)
    assert [discriminator.get_layer(f"conv_{i}").filters for i in range(5)] == [2, 4, 8, 16, 16]


@pytest.mark.parametrize(
    ("image_size", "channels", "blocks", "downsampling"),
    [(32, 1, 2, 2), (32, 3, 1, 3), (8, 3, 0, 0), (12, 2, 1, 1)],
)
def test_generator_keeps_the_shape_in_range(image_size, channels, blocks, downsampling):
    generator = cyclegan.resnet_generator(
        image_size,
        channels,
        base_filters=4,
        num_residual_blocks=blocks,
        num_downsampling=downsampling,
    )
    images = _images((2, image_size, image_size, channels))
    outputs = generator(images).numpy()
    assert outputs.shape == images.shape and generator.name == "resnet_generator"
    assert np.all(np.isfinite(outputs)) and outputs.min() >= -1 and outputs.max() <= 1


def test_discriminator_score_maps():
    small = cyclegan.patchgan_discriminator(32, 3, base_filters=4)
    scores = small(_images((1, 32, 32, 3))).numpy()
    assert scores.shape == (1, 2, 2, 1) and np.all(np.isfinite(scores))
    assert small.name == "patchgan_discriminator"
    assert cyclegan.patchgan_discriminator(256, 3, base_filters=2).output.shape == (
        None,
        30,
        30,
        1,
    )
    assert cyclegan.patchgan_discriminator(24, 1, base_filters=2).output.shape == (None, 1, 1, 1)
    assert cyclegan.patchgan_output_size(256) == 30 and cyclegan.patchgan_output_size(128, 2) == 30
    # Raw scores: nothing bounds them to (0, 1).
    assert small.get_layer("score").activation.__name__ == "linear"


def test_receptive_field_helper():
    assert [cyclegan.patchgan_receptive_field(n) for n in (1, 2, 3, 4)] == [16, 34, 70, 142]


@pytest.mark.parametrize(("num_layers", "field"), [(3, 70), (2, 34)])
def test_one_score_sees_exactly_its_receptive_field(num_layers, field):
    discriminator = cyclegan.patchgan_discriminator(128, 2, base_filters=4, num_layers=num_layers)
    # Instance normalization mixes every position of a feature map into every output, so the
    # convolutional field is measured with the norms replaced by identities (same weights).
    convolutional = keras.models.clone_model(
        discriminator,
        clone_function=lambda layer: (
            keras.layers.Identity(name=layer.name)
            if isinstance(layer, keras.layers.GroupNormalization)
            else layer.__class__.from_config(layer.get_config())
        ),
    )
    convolutional.set_weights(discriminator.get_weights())
    images = tf.constant(_images((1, 128, 128, 2)))
    centre = cyclegan.patchgan_output_size(128, num_layers) // 2
    with tf.GradientTape() as tape:
        tape.watch(images)
        score = convolutional(images)[0, centre, centre, 0]
    seen = np.abs(tape.gradient(score, images).numpy()[0]).sum(axis=-1) > 0
    rows, columns = np.nonzero(seen)
    # Walking back from the centre score: each layer (padding 1) starts its window at
    # stride · start - 1.
    start = centre
    for stride in [1, 1] + [2] * num_layers:
        start = stride * start - 1
    assert (rows.min(), columns.min()) == (start, start) and 0 < start
    assert rows.max() - rows.min() + 1 == field == columns.max() - columns.min() + 1
    assert seen.sum() == field * field  # non-zero everywhere in the window, nowhere else
    assert field == cyclegan.patchgan_receptive_field(num_layers)


def test_instance_norm_standardises_each_example_and_channel():
    generator = cyclegan.resnet_generator(16, 1, base_filters=2, num_residual_blocks=1)
    norm = generator.get_layer("block_0_instance_norm_0")
    state = np.random.RandomState(2)
    x = (state.normal(size=(3, 5, 4, 8)) * state.uniform(0.1, 5, size=(3, 1, 1, 8))).astype(
        np.float32
    ) + state.normal(size=(3, 1, 1, 8)).astype(np.float32) * 10
    exact = x.astype(np.float64)
    mean = exact.mean(axis=(1, 2), keepdims=True)
    variance = exact.var(axis=(1, 2), keepdims=True)  # biased, as torch.nn.InstanceNorm2d
    std = np.sqrt(variance + 1e-5)
    expected = (exact - mean) / std
    # TF float32 (means of 5 · 4 values, x - mean, rsqrt) vs NumPy float64. The rounding of
    # x (up to ~30) and of its mean is relative to |x|, which the division by a std as small as
    # ~0.1 magnifies: the scale is the inputs' size in units of their channel's std.
    scale = float(np.max(np.abs(exact) / std))
    for training in (False, True):
        assert_close(
            norm(x, training=training).numpy(),
            expected,
            terms=2 * 20 + 4,
            scale=scale,
            err_msg=f"instance norm (training={training}) vs NumPy",
        )


def test_upsampling_aligns_like_pytorch_conv_transpose():
    # torch ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1):
    # full[2i + a, 2j + b] += x[i, j] · W[a, b]; output = full[1 : 2S + 1] on both axes.
    generator = cyclegan.resnet_generator(16, 1, base_filters=2, num_residual_blocks=0)
    transposed, crop = generator.get_layer("up_0"), generator.get_layer("up_0_crop")
    transposed.bias.assign(np.random.RandomState(3).normal(size=transposed.bias.shape))
    x = np.random.RandomState(4).normal(size=(2, 4, 4, 8)).astype(np.float32)
    kernel = transposed.kernel.numpy()  # [3, 3, out, in]
    full = np.zeros((2, 9, 9, kernel.shape[2]), np.float32)
    for a in range(3):
        for b in range(3):
            full[:, a : a + 8 : 2, b : b + 8 : 2] += np.einsum("nijc,oc->nijo", x, kernel[a, b])
    expected = full[:, 1:, 1:] + transposed.bias.numpy()
    # TF's transposed convolution (≤ 4 taps of 8 channels per output) + bias vs NumPy's einsum.
    assert_close(
        crop(transposed(x)).numpy(), expected, terms=4 * 8 + 1, err_msg="up_0 vs torch's layout"
    )


def test_keras_file_round_trip(tmp_path):
    generator = cyclegan.resnet_generator(16, 2, base_filters=2, num_residual_blocks=1)
    path = str(tmp_path / "generator.keras")
    generator.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.get_layer("stem_pad"), ReflectionPadding2D)
    images = _images((2, 16, 16, 2))
    # Rebuilt from its config with the same weights: the same program, the same bits.
    assert_reproduced(loaded(images).numpy(), generator(images).numpy(), err_msg=".keras reload")


G, D = cyclegan.resnet_generator, cyclegan.patchgan_discriminator
BAD_ARGUMENTS = [
    (G, {"image_size": 30}, r"multiple of 2\*\*num_downsampling = 4 and ≥ 8; got 30"),
    (G, {"image_size": 4}, r"image_size must be a multiple .* ≥ 8; got 4"),
    (G, {"image_size": 32.0}, "image_size must be an int ≥ 1; got 32.0"),
    (G, {"image_size": 32, "channels": 0}, "channels must be an int ≥ 1; got 0"),
    (G, {"image_size": 32, "base_filters": 0}, "base_filters must be an int ≥ 1"),
    (G, {"image_size": 32, "num_residual_blocks": -1}, "num_residual_blocks must be an int ≥ 0"),
    (G, {"image_size": 32, "num_downsampling": -1}, "num_downsampling must be an int ≥ 0"),
    (D, {"image_size": 16}, r"image_size must be ≥ 3·2\*\*num_layers = 24 .*; got 16"),
    (D, {"image_size": 32, "num_layers": 0}, "num_layers must be an int ≥ 1; got 0"),
    (D, {"image_size": 32, "channels": -3}, "channels must be an int ≥ 1; got -3"),
    (cyclegan.patchgan_receptive_field, {"num_layers": 0}, "num_layers must be an int ≥ 1"),
]


@pytest.mark.parametrize(("build", "kwargs", "message"), BAD_ARGUMENTS)
def test_bad_arguments_are_clear_errors(build, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build(**kwargs)
