"""R3GAN's networks: residual blocks without normalization, fix-up initialised.

Huang et al. 2024 (arXiv:2501.05441, section 3) strip StyleGAN2 to a ResNet: each block is
`x + conv1x1(act(conv3x3(act(conv1x1(x)))))` with leaky ReLU and no normalization; the last
layer of every residual branch starts at zero and the others are scaled by `L^(-1/(2m-2))`
(L blocks, m layers per branch; Zhang et al. 2019's fix-up), so each block starts as the
identity and the network trains stably without normalization. Resolution changes between
stages with bilinear resampling and a 1×1 convolution that changes the width.

What differs from the paper's code, for CPUs and small images: the 3×3 convolution is not
grouped (TensorFlow's CPU kernels lack grouped convolution), and the first and last stages
are a dense layer to/from the base grid (7×7 for 28 px, 4×4 for 32 px).

`mlp_generator` / `mlp_discriminator` are the same blocks with dense layers, for 2-D points.
"""

import math
from collections.abc import Sequence

import keras
from keras import layers

# Leaky ReLU slope of every block (R3GAN: 0.2).
NEGATIVE_SLOPE = 0.2
# Layers per residual branch (expand, 3×3, project).
_BRANCH_LAYERS = 3


def _fixup_initializer(total_blocks: int, layers_per_branch: int) -> keras.initializers.Initializer:
    """He-normal initialisation scaled by `L^(-1/(2m-2))` (fix-up)."""
    scale = total_blocks ** (-1.0 / (2 * layers_per_branch - 2))
    return keras.initializers.VarianceScaling(2.0 * scale**2, mode="fan_in")


def _activation(name: str) -> layers.Layer:
    return layers.LeakyReLU(NEGATIVE_SLOPE, name=name)


def _conv_block(x, expansion: int, total_blocks: int, name: str):
    """One residual block at the input's width: `x + project(act(3×3(act(expand(x)))))`."""
    width = x.shape[-1]
    init = _fixup_initializer(total_blocks, _BRANCH_LAYERS)
    branch = layers.Conv2D(width * expansion, 1, kernel_initializer=init, name=f"{name}_expand")(x)
    branch = _activation(f"{name}_act1")(branch)
    branch = layers.Conv2D(
        width * expansion, 3, padding="same", kernel_initializer=init, name=f"{name}_conv"
    )(branch)
    branch = _activation(f"{name}_act2")(branch)
    branch = layers.Conv2D(width, 1, kernel_initializer="zeros", name=f"{name}_project")(branch)
    return layers.Add(name=f"{name}_add")([x, branch])


def _dense_block(x, total_blocks: int, name: str):
    """The dense residual block: `x + dense(act(dense(x)))`, the last dense zero-initialised."""
    width = x.shape[-1]
    init = _fixup_initializer(total_blocks, 2)
    branch = _activation(f"{name}_act0")(x)
    branch = layers.Dense(width, kernel_initializer=init, name=f"{name}_dense0")(branch)
    branch = _activation(f"{name}_act1")(branch)
    branch = layers.Dense(width, kernel_initializer="zeros", name=f"{name}_dense1")(branch)
    return layers.Add(name=f"{name}_add")([x, branch])


def _blocks_per_stage(blocks: int | Sequence[int], stages: int) -> tuple[int, ...]:
    """`blocks_per_stage` as one count per stage (an int applies to every stage)."""
    counts = (int(blocks),) * stages if isinstance(blocks, int) else tuple(int(b) for b in blocks)
    if len(counts) != stages or min(counts) < 0:
        raise ValueError(
            f"blocks_per_stage must be an int >= 0 or one such count per stage ({stages}); "
            f"got {blocks!r}"
        )
    return counts


def _stages(image_size: int, widths: Sequence[int]) -> int:
    """The base grid side for `len(widths)` stages (each doubles), checked to divide evenly."""
    base = image_size / 2 ** (len(widths) - 1)
    if base != int(base) or base < 2:
        raise ValueError(
            f"image_size {image_size} is not a base grid of at least 2 doubled "
            f"{len(widths) - 1} times (widths {tuple(widths)}); use fewer widths or a size "
            "such as 28 or 32"
        )
    return int(base)


def generator(
    latent_dim: int,
    image_size: int,
    channels: int,
    widths: Sequence[int] = (128, 64, 32),
    blocks_per_stage: int | Sequence[int] = 1,
    expansion: int = 2,
    name: str = "generator",
) -> keras.Model:
    """R3GAN-style image generator: z → dense to the base grid → residual stages → image.

    Args:
        latent_dim: int. Size of z.
        image_size: int. Output side; `image_size / 2^(len(widths) - 1)` is the base grid.
        channels: int. Output channels.
        widths: tuple of int. Channels of each stage, coarse to fine. Defaults to
            `(128, 64, 32)` (7 → 14 → 28 px for MNIST).
        blocks_per_stage: int ≥ 0, or one count per stage. Residual blocks per stage (0 at
            the finest stage saves most of the cost on a CPU). Defaults to 1.
        expansion: int ≥ 1. Width multiplier inside a block. Defaults to 2.
        name: str. Model name.

    Returns:
        A `keras.Model` mapping z `[B, latent_dim]` to images `[B, image_size, image_size,
        channels]` in (-1, 1) (tanh).
    """
    base = _stages(image_size, widths)
    counts = _blocks_per_stage(blocks_per_stage, len(widths))
    total = max(sum(counts), 1)
    noise = keras.Input((latent_dim,), name="noise")
    x = layers.Dense(base * base * widths[0], name="basis")(noise)
    x = layers.Reshape((base, base, widths[0]), name="basis_grid")(x)
    for stage, width in enumerate(widths):
        if stage:
            x = layers.UpSampling2D(interpolation="bilinear", name=f"up{stage}")(x)
            x = layers.Conv2D(width, 1, name=f"up{stage}_width")(x)
        for block in range(counts[stage]):
            x = _conv_block(x, expansion, total, f"stage{stage}_block{block}")
    x = _activation("output_act")(x)
    images = layers.Conv2D(channels, 1, activation="tanh", name="to_image")(x)
    return keras.Model(noise, images, name=name)


def discriminator(
    image_size: int,
    channels: int,
    widths: Sequence[int] = (32, 64, 128),
    blocks_per_stage: int | Sequence[int] = 1,
    expansion: int = 2,
    name: str = "discriminator",
) -> keras.Model:
    """R3GAN-style discriminator: image → residual stages (halving) → dense → score.

    No normalization of any kind, so the R1/R2 penalties are per example.

    Args:
        image_size: int. Input side.
        channels: int. Input channels (× pack under PacGAN packing).
        widths: tuple of int. Channels of each stage, fine to coarse. Defaults to
            `(32, 64, 128)`.
        blocks_per_stage: int ≥ 0, or one count per stage. Defaults to 1.
        expansion: int ≥ 1. Width multiplier inside a block. Defaults to 2.
        name: str. Model name.

    Returns:
        A `keras.Model` mapping `[B, image_size, image_size, channels]` to raw scores `[B, 1]`.
    """
    _stages(image_size, widths)
    counts = _blocks_per_stage(blocks_per_stage, len(widths))
    total = max(sum(counts), 1)
    images = keras.Input((image_size, image_size, channels), name="images")
    x = layers.Conv2D(widths[0], 1, name="from_image")(images)
    for stage, width in enumerate(widths):
        if stage:
            x = layers.AveragePooling2D(2, name=f"down{stage}")(x)
            x = layers.Conv2D(width, 1, name=f"down{stage}_width")(x)
        for block in range(counts[stage]):
            x = _conv_block(x, expansion, total, f"stage{stage}_block{block}")
    x = _activation("output_act")(x)
    x = layers.Flatten(name="flatten")(x)
    score = layers.Dense(1, name="score")(x)
    return keras.Model(images, score, name=name)


def mlp_generator(
    latent_dim: int,
    output_shape: Sequence[int],
    width: int = 256,
    blocks: int = 2,
    name: str = "generator",
) -> keras.Model:
    """Residual MLP generator for points: z → dense → residual blocks → linear output.

    Args:
        latent_dim: int. Size of z.
        output_shape: tuple of int. One sample's shape, e.g. `(2,)`.
        width: int. Hidden width. Defaults to 256.
        blocks: int ≥ 1. Residual blocks. Defaults to 2.
        name: str. Model name.

    Returns:
        A `keras.Model` mapping z `[B, latent_dim]` to unbounded points `[B, *output_shape]`.
    """
    noise = keras.Input((latent_dim,), name="noise")
    x = layers.Dense(width, name="input_dense")(noise)
    for block in range(blocks):
        x = _dense_block(x, blocks, f"block{block}")
    x = _activation("output_act")(x)
    x = layers.Dense(math.prod(output_shape), name="output")(x)
    x = layers.Reshape(tuple(output_shape), name="reshape")(x)
    return keras.Model(noise, x, name=name)


def mlp_discriminator(
    input_shape: Sequence[int],
    width: int = 256,
    blocks: int = 2,
    name: str = "discriminator",
) -> keras.Model:
    """Residual MLP discriminator for points: x → dense → residual blocks → score.

    Args:
        input_shape: tuple of int. One (packed) sample's shape, e.g. `(2,)`.
        width: int. Hidden width. Defaults to 256.
        blocks: int ≥ 1. Residual blocks. Defaults to 2.
        name: str. Model name.

    Returns:
        A `keras.Model` mapping `[B, *input_shape]` to raw scores `[B, 1]`.
    """
    sample = keras.Input(tuple(input_shape), name="sample")
    x = layers.Flatten(name="flatten")(sample) if len(input_shape) > 1 else sample
    x = layers.Dense(width, name="input_dense")(x)
    for block in range(blocks):
        x = _dense_block(x, blocks, f"block{block}")
    x = _activation("output_act")(x)
    score = layers.Dense(1, name="score")(x)
    return keras.Model(sample, score, name=name)
