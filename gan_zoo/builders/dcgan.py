"""DCGAN networks (Radford, Metz & Chintala 2015, arXiv:1511.06434).

Generator: project z to a small spatial grid, then stride-2 `Conv2DTranspose` (kernel 4) with
batch normalization and ReLU, halving the filters at each doubling, `tanh` output. Discriminator:
stride-2 `Conv2D` (kernel 4) with LeakyReLU(0.2), batch normalization on every layer but the
first, one logit. Weights are initialised from N(0, 0.02) as in the paper.

Supported sizes: 28 (7 → 14 → 28, MNIST), 32 (4 → 8 → 16 → 32) and 64 px (4 → … → 64); 1 or 3
channels. Batch normalization is `synchronized=True`, so under `tf.distribute` the batch
statistics are those of the global batch and 2 replicas compute what 1 replica does.
"""

import keras
from keras import layers

from gan_zoo.layers import batch_normalization, maybe_spectral_norm

SUPPORTED_SIZES = {28: 7, 32: 4, 64: 4}  # image size → side of the first feature map


def _check(image_size: int, channels: int, allowed_channels=(1, 3)) -> int:
    if image_size not in SUPPORTED_SIZES:
        raise ValueError(
            f"DCGAN image_size must be one of {sorted(SUPPORTED_SIZES)}; got {image_size}"
        )
    if allowed_channels and channels not in allowed_channels:
        raise ValueError(f"DCGAN channels must be 1 or 3; got {channels}")
    if channels < 1:
        raise ValueError(f"DCGAN channels must be positive; got {channels}")
    start = SUPPORTED_SIZES[image_size]
    num_upsamplings = 0
    while start * 2**num_upsamplings < image_size:
        num_upsamplings += 1
    return num_upsamplings


def _init() -> keras.initializers.Initializer:
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def generator(
    latent_dim: int = 100,
    image_size: int = 64,
    channels: int = 3,
    base_filters: int = 64,
    name: str = "generator",
) -> keras.Model:
    """DCGAN generator.

    Args:
        latent_dim: int. Size of z. Defaults to 100 (the paper's).
        image_size: int, one of 28, 32, 64. Output side. Defaults to 64.
        channels: int, 1 or 3. Output channels. Defaults to 3.
        base_filters: int. Filters of the last hidden layer; each earlier layer doubles them
            (64 → 512 at the 4×4 layer for 64 px, as in the paper). Defaults to 64.
        name: str. Model name. Defaults to `"generator"`.

    Returns:
        A functional `keras.Model`: float32 z `[B, latent_dim]` → images
        `[B, image_size, image_size, channels]` in [-1, 1].
    """
    num_upsamplings = _check(image_size, channels)
    start = SUPPORTED_SIZES[image_size]
    filters = base_filters * 2 ** (num_upsamplings - 1)
    noise = keras.Input((latent_dim,), name="noise")
    x = layers.Dense(
        start * start * filters, use_bias=False, kernel_initializer=_init(), name="project"
    )(noise)
    x = layers.Reshape((start, start, filters), name="reshape")(x)
    x = batch_normalization("project_batch_norm")(x)
    x = layers.ReLU(name="project_relu")(x)
    for i in range(num_upsamplings - 1):
        filters //= 2
        x = layers.Conv2DTranspose(
            filters,
            4,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=_init(),
            name=f"up_{i}",
        )(x)
        x = batch_normalization(f"up_{i}_batch_norm")(x)
        x = layers.ReLU(name=f"up_{i}_relu")(x)
    images = layers.Conv2DTranspose(
        channels,
        4,
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=_init(),
        name="to_image",
    )(x)
    return keras.Model(noise, images, name=name)


def discriminator(
    image_size: int = 64,
    channels: int = 3,
    base_filters: int = 64,
    batch_norm: bool = True,
    spectral_norm: bool = False,
    name: str = "discriminator",
) -> keras.Model:
    """DCGAN discriminator.

    Args:
        image_size: int, one of 28, 32, 64. Input side. Defaults to 64.
        channels: int ≥ 1. Input channels (a label map adds one). Defaults to 3.
        base_filters: int. Filters of the first layer, doubling at each stride-2 layer.
            Defaults to 64.
        batch_norm: bool. Batch normalization after every convolution but the first, as in
            the paper. WGAN-GP critics turn it off. Defaults to `True`.
        spectral_norm: bool. Wrap every convolution and the score layer in
            `keras.layers.SpectralNormalization` (SNGAN, Miyato et al. 2018). Defaults to False.
        name: str. Model name. Defaults to `"discriminator"`.

    Returns:
        A functional `keras.Model`: images `[B, image_size, image_size, channels]` in [-1, 1]
        → raw scores `[B, 1]` (logits, no sigmoid).
    """
    # Any channel count: a conditional D sees the image plus a label channel.
    num_downsamplings = _check(image_size, channels, allowed_channels=None)
    images = keras.Input((image_size, image_size, channels), name="images")
    x = images
    filters = base_filters
    for i in range(num_downsamplings):
        convolution = layers.Conv2D(
            filters,
            4,
            strides=2,
            padding="same",
            use_bias=not (batch_norm and i),
            kernel_initializer=_init(),
            name=f"down_{i}",
        )
        x = maybe_spectral_norm(convolution, spectral_norm)(x)
        if batch_norm and i > 0:
            x = batch_normalization(f"down_{i}_batch_norm")(x)
        x = layers.LeakyReLU(0.2, name=f"down_{i}_leaky_relu")(x)
        filters *= 2
    x = layers.Flatten(name="flatten")(x)
    score = maybe_spectral_norm(
        layers.Dense(1, kernel_initializer=_init(), name="score"), spectral_norm
    )(x)
    return keras.Model(images, score, name=name)
