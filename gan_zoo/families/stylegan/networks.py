"""StyleGAN2 networks (Karras, Laine, Aittala, Hellsten, Lehtinen & Aila 2020, arXiv:1912.04958).

Layer for layer the official PyTorch code (NVlabs/stylegan2-ada-pytorch, `training/networks.py`)
with its StyleGAN2 settings: the "skip" generator and the "resnet" discriminator, no
conditioning, no FP16 and no clamping; layers in `gan_zoo.families.stylegan.layers`.

- `mapping_network` (`MappingNetwork`): z normalized to unit mean square, then `num_layers`
  fully connected leaky-ReLU layers at learning-rate multiplier 0.01 → w. The truncation
  average w̄ and the broadcast to one w per layer belong to the model, not to this network.
- `synthesis_network` (`SynthesisNetwork`, "skip"): a learned 4×4 constant, one modulated 3×3
  convolution at 4×4, then per resolution 8, 16, ..., image_size a block of two modulated 3×3
  convolutions (the first upsamples 2×); every convolution adds scaled per-pixel noise, a
  bias and leaky ReLU. Each block's toRGB (a modulated 1×1 convolution without demodulation)
  is added to the FIR-upsampled image of the previous blocks. Style vector i of ws feeds the
  layers in the reference's order (below); the output image is linear (no tanh, no clip).
- `discriminator` (`Discriminator`, "resnet"): fromRGB (1×1), then per resolution image_size,
  ..., 8 a residual block (3×3 conv, 3×3 conv with FIR downsampling, and a 1×1 downsampling
  skip without bias; both branches × sqrt(0.5)), then the 4×4 epilogue: minibatch standard
  deviation, 3×3 conv, fully connected, fully connected to one raw score.

Channels per resolution r are `min(channel_base // r, channel_max)`; the defaults 32768 and 512
are the paper's config F (512 channels up to 64 px, then 256, 128, 64, 32 at 1024 px).
"""

import math

import keras
from keras import layers

from gan_zoo.families.stylegan.layers import (
    BiasActivation,
    ConstantInput,
    EqualizedConv2D,
    EqualizedDense,
    MinibatchStdDev,
    ModulatedConv2D,
    NoiseInjection,
    NormalizeSecondMoment,
    UnstackStyles,
    Upsample2D,
)

MINIMUM_IMAGE_SIZE = 16


def _check_int(builder: str, argument: str, value, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{builder} {argument} must be an int ≥ {minimum}; got {value!r}")


def _check_image_size(builder: str, image_size) -> int:
    _check_int(builder, "image_size", image_size, 1)
    if image_size < MINIMUM_IMAGE_SIZE or image_size & (image_size - 1):
        raise ValueError(
            f"{builder} image_size must be a power of two ≥ {MINIMUM_IMAGE_SIZE}; got {image_size}"
        )
    return int(math.log2(image_size))


def _check_channels(builder: str, image_size: int, channel_base, channel_max) -> None:
    _check_int(builder, "channel_max", channel_max, 1)
    _check_int(builder, "channel_base", channel_base, image_size)  # ≥ 1 channel at image_size


def num_style_vectors(image_size: int) -> int:
    """Number of style vectors the synthesis network takes: `2 · log2(image_size) - 2`.

    One per convolution (1 at 4×4, 2 per block above) plus the last toRGB: 8 at 32 px, 14 at
    256 px, 18 at 1024 px.

    Raises:
        ValueError: `image_size` is not a power of two ≥ 16.
    """
    return 2 * _check_image_size("num_style_vectors", image_size) - 2


def noise_shapes(image_size: int) -> list[int]:
    """Side of each synthesis convolution's noise input, in input order.

    `[4, 8, 8, 16, 16, ..., image_size, image_size]`: `noise_i` is `[B, r, r, 1]` with
    `r = noise_shapes(image_size)[i]`; there are `num_style_vectors(image_size) - 1` of them.

    Raises:
        ValueError: `image_size` is not a power of two ≥ 16.
    """
    log2 = _check_image_size("noise_shapes", image_size)
    return [4] + [2**i for i in range(3, log2 + 1) for _ in range(2)]


def channels_at(resolution: int, channel_base: int, channel_max: int) -> int:
    """Feature channels at `resolution`: `min(channel_base // resolution, channel_max)`."""
    return min(channel_base // resolution, channel_max)


def mapping_network(
    latent_dim: int = 512,
    w_dim: int = 512,
    num_layers: int = 8,
    hidden_units: int | None = None,
    lr_multiplier: float = 0.01,
    name: str = "mapping",
) -> keras.Model:
    """StyleGAN2 mapping network: z → w.

    `NormalizeSecondMoment` (z · rsqrt(mean(z²) + 1e-8)), then `num_layers` `EqualizedDense`
    layers with leaky ReLU (× sqrt(2)) at learning-rate multiplier `lr_multiplier`, named
    `fc_0`, ..., `fc_{num_layers-1}`; all but the last have `hidden_units` units, the last
    `w_dim`.

    Args:
        latent_dim: int ≥ 1. Size of z. Defaults to 512.
        w_dim: int ≥ 1. Size of w. Defaults to 512.
        num_layers: int ≥ 1. Defaults to 8 (the paper's; the reference's ADA configurations use
            2 for small datasets).
        hidden_units: int ≥ 1 or None. Width of the hidden layers; None means `w_dim`.
        lr_multiplier: float > 0. Defaults to 0.01.
        name: str. Model name. Defaults to `"mapping"`.

    Returns:
        A functional `keras.Model`: z `[B, latent_dim]` (named `"z"`, standard normal) → w
        `[B, w_dim]` (unbounded).

    Raises:
        ValueError: an argument is out of range.
    """
    builder = "mapping_network"
    _check_int(builder, "latent_dim", latent_dim, 1)
    _check_int(builder, "w_dim", w_dim, 1)
    _check_int(builder, "num_layers", num_layers, 1)
    if hidden_units is not None:
        _check_int(builder, "hidden_units", hidden_units, 1)
    if isinstance(lr_multiplier, bool) or not isinstance(lr_multiplier, (int, float)):
        raise ValueError(f"{builder} lr_multiplier must be a number > 0; got {lr_multiplier!r}")
    if not lr_multiplier > 0:
        raise ValueError(f"{builder} lr_multiplier must be a number > 0; got {lr_multiplier!r}")
    hidden_units = w_dim if hidden_units is None else hidden_units

    z = keras.Input((latent_dim,), name="z")
    x = NormalizeSecondMoment(name="normalize_z")(z)
    for i in range(num_layers):
        units = w_dim if i == num_layers - 1 else hidden_units
        x = EqualizedDense(units, lr_multiplier=lr_multiplier, activation="lrelu", name=f"fc_{i}")(
            x
        )
    return keras.Model(z, x, name=name)


def _synthesis_layer(x, w, noise, filters: int, up: bool, name: str):
    """Modulated 3×3 conv → noise → bias → leaky ReLU (the reference's SynthesisLayer)."""
    x = ModulatedConv2D(filters, 3, up=up, name=name)([x, w])
    x = NoiseInjection(name=f"{name}_noise")([x, noise])
    return BiasActivation("lrelu", name=f"{name}_bias_act")(x)


def _to_rgb(x, w, channels: int, name: str):
    """Modulated 1×1 conv without demodulation → bias (the reference's ToRGBLayer)."""
    y = ModulatedConv2D(channels, 1, demodulate=False, name=name)([x, w])
    return BiasActivation("linear", name=f"{name}_bias")(y)


def synthesis_network(
    image_size: int,
    channels: int = 3,
    w_dim: int = 512,
    channel_base: int = 32768,
    channel_max: int = 512,
    name: str = "synthesis",
) -> keras.Model:
    """StyleGAN2 synthesis network ("skip" architecture): styles and noise → image.

    Layers, named after the reference's modules (`b{r}_...` for the block at resolution r):

    - `b4_const` (`ConstantInput`), `b4_conv1` (style 0, `noise_0`), `b4_torgb` (style 1);
    - at r = 8, 16, ..., image_size, with i = 2·log2(r) - 5: `b{r}_conv0` (upsamples; style i),
      `b{r}_conv1` (style i + 1), `b{r}_torgb` (style i + 2); the image so far goes through
      `b{r}_img_up` (`Upsample2D`) and `b{r}_img_add` adds the toRGB output.

    Each conv `b{r}_conv{j}` is followed by `b{r}_conv{j}_noise` and `b{r}_conv{j}_bias_act`;
    each toRGB by `b{r}_torgb_bias`. The noise inputs follow the convolutions in this order.

    Args:
        image_size: int. Output side, a power of two ≥ 16.
        channels: int ≥ 1. Image channels. Defaults to 3.
        w_dim: int ≥ 1. Size of each style vector. Defaults to 512.
        channel_base: int ≥ image_size. Channels at resolution r are
            `min(channel_base // r, channel_max)`. Defaults to 32768.
        channel_max: int ≥ 1. Defaults to 512.
        name: str. Model name. Defaults to `"synthesis"`.

    Returns:
        A functional `keras.Model` with inputs `[ws, noise_0, ..., noise_{n-1}]`: ws
        `[B, num_style_vectors(image_size), w_dim]` (named `"ws"`) and `noise_i`
        `[B, r_i, r_i, 1]` with `r_i = noise_shapes(image_size)[i]` (named `"noise_{i}"`,
        standard normal in training). Output: images `[B, image_size, image_size, channels]`,
        linear (unbounded; about [-1, 1] once trained).

    Raises:
        ValueError: an argument is out of range.
    """
    builder = "synthesis_network"
    log2 = _check_image_size(builder, image_size)
    _check_int(builder, "channels", channels, 1)
    _check_int(builder, "w_dim", w_dim, 1)
    _check_channels(builder, image_size, channel_base, channel_max)
    num_ws = 2 * log2 - 2

    ws = keras.Input((num_ws, w_dim), name="ws")
    noise = [
        keras.Input((side, side, 1), name=f"noise_{i}")
        for i, side in enumerate(noise_shapes(image_size))
    ]
    styles = UnstackStyles(name="ws_unstack")(ws)

    x = ConstantInput(channels_at(4, channel_base, channel_max), name="b4_const")(ws)
    x = _synthesis_layer(
        x, styles[0], noise[0], channels_at(4, channel_base, channel_max), False, "b4_conv1"
    )
    image = _to_rgb(x, styles[1], channels, "b4_torgb")
    for level in range(3, log2 + 1):
        resolution = 2**level
        prefix = f"b{resolution}"
        index = 2 * level - 5  # first style (and noise input) of this block
        filters = channels_at(resolution, channel_base, channel_max)
        x = _synthesis_layer(x, styles[index], noise[index], filters, True, f"{prefix}_conv0")
        x = _synthesis_layer(
            x, styles[index + 1], noise[index + 1], filters, False, f"{prefix}_conv1"
        )
        image = Upsample2D(name=f"{prefix}_img_up")(image)
        rgb = _to_rgb(x, styles[index + 2], channels, f"{prefix}_torgb")
        image = layers.Add(name=f"{prefix}_img_add")([image, rgb])
    return keras.Model([ws, *noise], image, name=name)


def discriminator(
    image_size: int,
    channels: int = 3,
    channel_base: int = 32768,
    channel_max: int = 512,
    minibatch_std_group_size: int = 4,
    minibatch_std_channels: int = 1,
    name: str = "discriminator",
) -> keras.Model:
    """StyleGAN2 discriminator ("resnet" architecture): image → one raw score.

    Layers, named after the reference's modules:

    - `b{image_size}_fromrgb`: 1×1 conv, leaky ReLU, to `channels_at(image_size)` channels;
    - at r = image_size, ..., 8, from C_r = `channels_at(r)` to C_{r/2} channels:
      `b{r}_skip` (1×1, FIR downsampling, no bias, linear, × sqrt(0.5)), `b{r}_conv0` (3×3,
      leaky ReLU, C_r → C_r), `b{r}_conv1` (3×3, FIR downsampling, leaky ReLU, × sqrt(0.5)),
      `b{r}_add` (skip + conv1);
    - at 4×4 with C = `channels_at(4)`: `b4_mbstd` (`MinibatchStdDev`), `b4_conv` (3×3, leaky
      ReLU, C + minibatch_std_channels → C), `b4_flatten`, `b4_fc` (C, leaky ReLU), `b4_out` (1,
      linear).

    Args:
        image_size: int. Input side, a power of two ≥ 16.
        channels: int ≥ 1. Image channels. Defaults to 3.
        channel_base: int ≥ image_size. Defaults to 32768.
        channel_max: int ≥ 1. Defaults to 512.
        minibatch_std_group_size: int ≥ 1. Examples per minibatch-std group (the batch must be
            divisible by `min(group, batch)`). Defaults to 4.
        minibatch_std_channels: int ≥ 1 dividing `channels_at(4)`. Appended std maps.
            Defaults to 1.
        name: str. Model name. Defaults to `"discriminator"`.

    Returns:
        A functional `keras.Model`: float32 images `[B, image_size, image_size, channels]`
        (named `"images"`, in [-1, 1]) → raw scores `[B, 1]` (logits).

    Raises:
        ValueError: an argument is out of range.
    """
    builder = "discriminator"
    log2 = _check_image_size(builder, image_size)
    _check_int(builder, "channels", channels, 1)
    _check_channels(builder, image_size, channel_base, channel_max)
    _check_int(builder, "minibatch_std_group_size", minibatch_std_group_size, 1)
    _check_int(builder, "minibatch_std_channels", minibatch_std_channels, 1)
    top = channels_at(4, channel_base, channel_max)
    if top % minibatch_std_channels:
        raise ValueError(
            f"{builder} minibatch_std_channels must divide the {top} channels at 4×4; got "
            f"{minibatch_std_channels}"
        )

    residual_gain = math.sqrt(0.5)
    images = keras.Input((image_size, image_size, channels), name="images")
    x = EqualizedConv2D(
        channels_at(image_size, channel_base, channel_max),
        1,
        activation="lrelu",
        name=f"b{image_size}_fromrgb",
    )(images)
    for level in range(log2, 2, -1):
        resolution = 2**level
        prefix = f"b{resolution}"
        here = channels_at(resolution, channel_base, channel_max)
        below = channels_at(resolution // 2, channel_base, channel_max)
        skip = EqualizedConv2D(
            below, 1, down=True, use_bias=False, gain=residual_gain, name=f"{prefix}_skip"
        )(x)
        x = EqualizedConv2D(here, 3, activation="lrelu", name=f"{prefix}_conv0")(x)
        x = EqualizedConv2D(
            below, 3, down=True, activation="lrelu", gain=residual_gain, name=f"{prefix}_conv1"
        )(x)
        x = layers.Add(name=f"{prefix}_add")([skip, x])
    x = MinibatchStdDev(minibatch_std_group_size, minibatch_std_channels, name="b4_mbstd")(x)
    x = EqualizedConv2D(top, 3, activation="lrelu", name="b4_conv")(x)
    x = layers.Flatten(name="b4_flatten")(x)
    x = EqualizedDense(top, activation="lrelu", name="b4_fc")(x)
    scores = EqualizedDense(1, name="b4_out")(x)
    return keras.Model(images, scores, name=name)
