"""CycleGAN networks (Zhu, Park, Isola & Efros 2017, arXiv:1703.10593).

Layer for layer the official PyTorch code (junyanz/pytorch-CycleGAN-and-pix2pix, `networks.py`)
with `norm="instance"`, `no_dropout`, `init_type="normal"`, `init_gain=0.02`:

- `resnet_generator` (`ResnetGenerator`; the paper's c7s1-64, d128, d256, R256 × n, u128, u64,
  c7s1-C): a 7×7 stem after reflection padding 3; stride-2 3×3 convolutions after zero padding
  1; residual blocks of two reflection-padded 3×3 convolutions; stride-2 3×3 transposed
  convolutions with PyTorch's `padding=1, output_padding=1` alignment (exact 2× upsampling); a
  reflection-padded 7×7 convolution to `channels` and `tanh`. Instance normalization and ReLU
  follow every convolution but the last. The paper uses 6 blocks at 128 px, 9 at 256 px.
- `patchgan_discriminator` (`NLayerDiscriminator`, the 70×70 PatchGAN for `num_layers=3`):
  C64-C128-C256 stride 2, C512 stride 1, then one 4×4 stride-1 convolution to a map of raw
  scores; 4×4 kernels after zero padding 1; instance normalization on all but the first;
  LeakyReLU(0.2). Filters double per layer up to 8 × `base_filters`.

Instance normalization is `GroupNormalization(groups=-1)` without scale and offset, as
`InstanceNorm2d(affine=False)`: each example and channel is standardised over its H×W
positions with the biased variance, also at inference. Convolutions keep their bias (the
reference's `use_bias` is on with instance normalization). Kernels are drawn from N(0, 0.02),
biases are zeros.
"""

import keras
from keras import layers

from gan_zoo.layers import ReflectionPadding2D

LEAKY_SLOPE = 0.2
INSTANCE_NORM_EPSILON = 1e-5  # torch.nn.InstanceNorm2d's default


def _init() -> keras.initializers.Initializer:
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def _check_int(builder: str, argument: str, value: int, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{builder} {argument} must be an int ≥ {minimum}; got {value!r}")


def _instance_norm(name: str) -> layers.Layer:
    return layers.GroupNormalization(
        groups=-1, center=False, scale=False, epsilon=INSTANCE_NORM_EPSILON, name=name
    )


def _conv(filters: int, kernel_size: int, strides: int, name: str, **kwargs) -> layers.Conv2D:
    return layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="valid",
        kernel_initializer=_init(),
        bias_initializer="zeros",
        name=name,
        **kwargs,
    )


def resnet_generator(
    image_size: int,
    channels: int = 3,
    base_filters: int = 64,
    num_residual_blocks: int = 9,
    num_downsampling: int = 2,
    name: str = "resnet_generator",
) -> keras.Model:
    """CycleGAN ResNet generator: an image of one domain → an image of the other, same shape.

    Args:
        image_size: int. Input and output side; a multiple of `2**num_downsampling`, large
            enough for the reflection paddings (≥ 4, and the bottleneck side ≥ 2 when there
            are residual blocks).
        channels: int ≥ 1. Input and output channels. Defaults to 3.
        base_filters: int ≥ 1. Filters of the stem; each downsampling doubles them (64 → 128
            → 256 in the paper). Defaults to 64.
        num_residual_blocks: int ≥ 0. Residual blocks at the bottleneck. Defaults to 9 (the
            paper's for 256 px; it uses 6 for 128 px).
        num_downsampling: int ≥ 0. Stride-2 convolutions down, and as many transposed ones up.
            Defaults to 2.
        name: str. Model name. Defaults to `"resnet_generator"`.

    Returns:
        A functional `keras.Model`: float32 images `[B, image_size, image_size, channels]` in
        [-1, 1] → images of the same shape in [-1, 1] (`tanh`).

    Raises:
        ValueError: an argument is out of range.
    """
    builder = "resnet_generator"
    _check_int(builder, "image_size", image_size, 1)
    _check_int(builder, "channels", channels, 1)
    _check_int(builder, "base_filters", base_filters, 1)
    _check_int(builder, "num_residual_blocks", num_residual_blocks, 0)
    _check_int(builder, "num_downsampling", num_downsampling, 0)
    factor = 2**num_downsampling
    minimum = max(4, 2 * factor if num_residual_blocks else factor)
    if image_size % factor or image_size < minimum:
        raise ValueError(
            f"{builder} image_size must be a multiple of 2**num_downsampling = {factor} and "
            f"≥ {minimum}; got {image_size}"
        )

    images = keras.Input((image_size, image_size, channels), name="images")
    x = ReflectionPadding2D(3, name="stem_pad")(images)
    x = _conv(base_filters, 7, 1, name="stem")(x)
    x = _instance_norm("stem_instance_norm")(x)
    x = layers.ReLU(name="stem_relu")(x)
    filters = base_filters
    for i in range(num_downsampling):
        filters *= 2
        x = layers.ZeroPadding2D(1, name=f"down_{i}_pad")(x)
        x = _conv(filters, 3, 2, name=f"down_{i}")(x)
        x = _instance_norm(f"down_{i}_instance_norm")(x)
        x = layers.ReLU(name=f"down_{i}_relu")(x)
    for i in range(num_residual_blocks):
        skip = x
        for j in range(2):
            x = ReflectionPadding2D(1, name=f"block_{i}_pad_{j}")(x)
            x = _conv(filters, 3, 1, name=f"block_{i}_conv_{j}")(x)
            x = _instance_norm(f"block_{i}_instance_norm_{j}")(x)
            if j == 0:
                x = layers.ReLU(name=f"block_{i}_relu")(x)
        x = layers.Add(name=f"block_{i}_add")([skip, x])
    for i in range(num_downsampling):
        filters //= 2
        # ConvTranspose2d(k=3, s=2, padding=1, output_padding=1): the full 2S+1 transposed
        # convolution without its first row and column. Keras's padding="same" would drop the
        # last ones instead, shifting the output by one pixel against the reference.
        x = layers.Conv2DTranspose(
            filters,
            3,
            strides=2,
            padding="valid",
            kernel_initializer=_init(),
            bias_initializer="zeros",
            name=f"up_{i}",
        )(x)
        x = layers.Cropping2D(((1, 0), (1, 0)), name=f"up_{i}_crop")(x)
        x = _instance_norm(f"up_{i}_instance_norm")(x)
        x = layers.ReLU(name=f"up_{i}_relu")(x)
    x = ReflectionPadding2D(3, name="to_image_pad")(x)
    outputs = _conv(channels, 7, 1, name="to_image", activation="tanh")(x)
    return keras.Model(images, outputs, name=name)


def patchgan_output_size(image_size: int, num_layers: int = 3) -> int:
    """Side of the PatchGAN score map for a square input of side `image_size`.

    Each stride-2 layer maps s → ⌊s / 2⌋ (4×4 kernel, padding 1); the two stride-1 layers
    remove one row each: 256 px → 30 for `num_layers=3`. Zero or less means too small.
    """
    return image_size // 2**num_layers - 2


def patchgan_receptive_field(num_layers: int = 3) -> int:
    """Side of the input patch one PatchGAN score sees: 34, 70, 142 for 2, 3, 4 layers.

    Walking back from one output pixel, a layer with kernel k and stride s maps a field r to
    (r - 1)·s + k: the two 4×4 stride-1 layers give 1 → 4 → 7, then each of the `num_layers`
    4×4 stride-2 layers gives r → 2r + 2.

    Raises:
        ValueError: `num_layers` < 1.
    """
    _check_int("patchgan_receptive_field", "num_layers", num_layers, 1)
    field = 1
    for stride in [1, 1] + [2] * num_layers:
        field = (field - 1) * stride + 4
    return field


def patchgan_discriminator(
    image_size: int,
    channels: int = 3,
    base_filters: int = 64,
    num_layers: int = 3,
    name: str = "patchgan_discriminator",
) -> keras.Model:
    """CycleGAN / pix2pix PatchGAN discriminator: one raw score per overlapping input patch.

    Args:
        image_size: int ≥ 3·2**num_layers. Input side (so that the score map is at least
            1×1).
        channels: int ≥ 1. Input channels. Defaults to 3.
        base_filters: int ≥ 1. Filters of the first layer, doubling per layer up to 8 ×
            `base_filters` (64-128-256-512 in the paper). Defaults to 64.
        num_layers: int ≥ 1. Stride-2 layers; the receptive field is
            `patchgan_receptive_field(num_layers)`, 70 px for the default 3.
        name: str. Model name. Defaults to `"patchgan_discriminator"`.

    Returns:
        A functional `keras.Model`: float32 images `[B, image_size, image_size, channels]` in
        [-1, 1] → raw scores `[B, h, h, 1]` (logits, no sigmoid) with
        `h = patchgan_output_size(image_size, num_layers)`, 30 for 256 px.

    Raises:
        ValueError: an argument is out of range.
    """
    builder = "patchgan_discriminator"
    _check_int(builder, "image_size", image_size, 1)
    _check_int(builder, "channels", channels, 1)
    _check_int(builder, "base_filters", base_filters, 1)
    _check_int(builder, "num_layers", num_layers, 1)
    if patchgan_output_size(image_size, num_layers) < 1:
        raise ValueError(
            f"{builder} image_size must be ≥ 3·2**num_layers = {3 * 2**num_layers} for "
            f"num_layers={num_layers}; got {image_size}"
        )

    images = keras.Input((image_size, image_size, channels), name="images")
    x = images
    for i in range(num_layers + 1):
        x = layers.ZeroPadding2D(1, name=f"conv_{i}_pad")(x)
        strides = 2 if i < num_layers else 1
        x = _conv(base_filters * min(2**i, 8), 4, strides, name=f"conv_{i}")(x)
        if i > 0:
            x = _instance_norm(f"conv_{i}_instance_norm")(x)
        x = layers.LeakyReLU(LEAKY_SLOPE, name=f"conv_{i}_leaky_relu")(x)
    x = layers.ZeroPadding2D(1, name="score_pad")(x)
    scores = _conv(1, 4, 1, name="score")(x)
    return keras.Model(images, scores, name=name)
