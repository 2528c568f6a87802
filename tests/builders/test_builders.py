import keras
import numpy as np
import pytest

from gan_zoo import builders


@pytest.mark.parametrize("image_size", [28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes_and_ranges(image_size, channels):
    generator = builders.dcgan.generator(
        latent_dim=12, image_size=image_size, channels=channels, base_filters=4
    )
    discriminator = builders.dcgan.discriminator(
        image_size=image_size, channels=channels, base_filters=4
    )
    images = generator(np.random.RandomState(0).normal(size=(3, 12)).astype(np.float32)).numpy()
    assert images.shape == (3, image_size, image_size, channels)
    assert images.min() >= -1 and images.max() <= 1
    scores = discriminator(images).numpy()
    assert scores.shape == (3, 1) and np.all(np.isfinite(scores))
    assert generator.name == "generator" and discriminator.name == "discriminator"


def test_dcgan_follows_the_paper():
    generator = builders.dcgan.generator(latent_dim=100, image_size=64, channels=3)
    discriminator = builders.dcgan.discriminator(image_size=64, channels=3)
    kinds = [type(layer).__name__ for layer in generator.layers]
    assert kinds.count("Conv2DTranspose") == 4 and kinds.count("ReLU") == 4
    assert generator.get_layer("project").output.shape[-1] == 4 * 4 * 512  # 4x4x512 → 64 px
    assert generator.get_layer("to_image").activation.__name__ == "tanh"
    d_kinds = [type(layer).__name__ for layer in discriminator.layers]
    assert d_kinds.count("LeakyReLU") == 4 and d_kinds.count("BatchNormalization") == 3
    assert discriminator.get_layer("down_0_leaky_relu").negative_slope == pytest.approx(0.2)
    assert "down_0_batch_norm" not in [layer.name for layer in discriminator.layers]
    kernel = generator.get_layer("up_0").kernel.numpy()
    assert abs(kernel.std() - 0.02) < 0.002  # N(0, 0.02) initialisation


def test_dcgan_without_batch_norm_for_critics():
    discriminator = builders.dcgan.discriminator(32, 1, base_filters=4, batch_norm=False)
    assert not any(
        isinstance(layer, keras.layers.BatchNormalization) for layer in discriminator.layers
    )


@pytest.mark.parametrize("shape", [(2,), (8, 8, 1), (16, 16, 3)])
def test_dense_any_shape(shape):
    generator = builders.dense.generator(
        6, shape, hidden_units=(16,), output_activation=None if shape == (2,) else "tanh"
    )
    discriminator = builders.dense.discriminator(shape, hidden_units=(16,), dropout=0.1)
    samples = generator(np.zeros((4, 6), np.float32)).numpy()
    assert samples.shape == (4, *shape)
    assert discriminator(samples).shape == (4, 1)


def test_bad_sizes_are_clear_errors():
    with pytest.raises(ValueError, match=r"image_size must be one of \[28, 32, 64\]; got 48"):
        builders.dcgan.generator(image_size=48)
    with pytest.raises(ValueError, match="channels must be 1 or 3; got 2"):
        builders.dcgan.generator(image_size=32, channels=2)
    with pytest.raises(ValueError, match="channels must be positive; got 0"):
        builders.dcgan.discriminator(image_size=32, channels=0)
    with pytest.raises(ValueError, match="output_shape"):
        builders.dense.generator(4, (0, 3))
    with pytest.raises(ValueError, match="Unknown architecture 'resnet'; expected one of: dcgan"):
        builders.get("resnet")


def test_batch_norm_layers_use_the_shared_momentum_and_synchronize():
    from gan_zoo.layers import BATCH_NORM_MOMENTUM

    networks = [
        builders.dcgan.generator(latent_dim=8, image_size=32, channels=1, base_filters=4),
        builders.dcgan.discriminator(image_size=32, channels=1, base_filters=4),
        builders.dense.generator(latent_dim=8, output_shape=(2,), batch_norm=True),
    ]
    norms = [
        layer
        for network in networks
        for layer in network.layers
        if isinstance(layer, keras.layers.BatchNormalization)
    ]
    assert len(norms) >= 5
    assert all(n.momentum == BATCH_NORM_MOMENTUM == 0.9 and n.synchronized for n in norms)
