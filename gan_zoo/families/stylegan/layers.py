"""StyleGAN2 layers (Karras et al. 2020, arXiv:1912.04958), TensorFlow / Keras, NHWC.

The building blocks of `gan_zoo.families.stylegan.networks`, following the official PyTorch code
(NVlabs/stylegan2-ada-pytorch: `training/networks.py`, `torch_utils/ops/upfirdn2d.py`,
`torch_utils/ops/conv2d_resample.py`, `torch_utils/ops/bias_act.py`):

- equalized learning rate (Karras et al. 2018, arXiv:1710.10196): weights are stored N(0, 1)
  (standard deviation 1 / lr_multiplier in the mapping network) and scaled at run time by
  `lr_multiplier / sqrt(fan_in)` (`EqualizedDense`, `EqualizedConv2D`);
- the `"lrelu"` activation is `leaky_relu(x, 0.2) · sqrt(2)` (the reference's `def_gain`); as
  leaky ReLU is positively homogeneous, `EqualizedDense` and `EqualizedConv2D` fold this gain
  (and any output `gain`) into their kernel and bias instead of spending a pass over the
  activations;
- weight modulation and demodulation (`ModulatedConv2D`), in the reference's non-fused form:
  scale the input channels by the styles, convolve with the shared kernel, scale the output
  channels by the demodulation coefficients. It is one ordinary batched convolution, the
  fastest form on CPU; the grouped (fused) form computes the same numbers;
- FIR resampling with the `[1, 3, 3, 1]` filter (`Upsample2D`, `Downsample2D` and the resampling
  paths of the convolutions), with the reference's paddings;
- per-layer noise (`NoiseInjection`), the learned 4×4 constant (`ConstantInput`) and the
  minibatch standard deviation (`MinibatchStdDev`, with contiguous groups; see there why).

These layers use TensorFlow ops directly: the TensorFlow backend only.
"""

import keras
import tensorflow as tf
from keras import layers

from gan_zoo.families.stylegan.ops import (
    ACTIVATIONS,
    LEAKY_SLOPE,
    LRELU_GAIN,
    blur,
    check_activation,
    check_int,
    upsample,
)

DEMODULATION_EPSILON = 1e-8
MINIBATCH_STD_EPSILON = 1e-8

__all__ = [
    "ACTIVATIONS",
    "BiasActivation",
    "ConstantInput",
    "Downsample2D",
    "EqualizedConv2D",
    "EqualizedDense",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "NoiseInjection",
    "NormalizeSecondMoment",
    "UnstackStyles",
    "Upsample2D",
    "blur",
    "upsample",
]


from gan_zoo.families.stylegan.convolution import (  # noqa: E402 (re-exported)
    EqualizedConv2D,
    EqualizedDense,
    ModulatedConv2D,
)


# ------------------------------------------------------------------ small synthesis pieces
@keras.saving.register_keras_serializable(package="gan_zoo")
class NoiseInjection(layers.Layer):
    """Adds per-pixel noise scaled by a learned scalar `strength` (initialised to 0).

    Called on `[x, noise]`: `x + strength · noise`, the noise broadcast over channels (the
    reference's `noise_strength`, added after demodulation and before the bias).

    Input shape:
        `[x, noise]`: x `[B, H, W, C]`, noise `[B, H, W, 1]` (standard normal in training).

    Output shape:
        `[B, H, W, C]`.
    """

    def build(self, input_shape):
        """Creates the scalar `strength`."""
        self.strength = self.add_weight(shape=(), initializer="zeros", name="strength")

    def call(self, inputs):
        """`x + strength · noise`."""
        x, noise = inputs
        return x + self.strength * noise

    def compute_output_shape(self, input_shape):
        """The shape of x."""
        return input_shape[0]


@keras.saving.register_keras_serializable(package="gan_zoo")
class BiasActivation(layers.Layer):
    """Per-channel bias (zeros at first), then the activation (the reference's `bias_act`).

    Args:
        activation: `"lrelu"` (leaky ReLU 0.2 × sqrt(2)) or `"linear"`. Defaults to `"lrelu"`.
        **kwargs: base `keras.layers.Layer` arguments.

    Input shape:
        `[B, ..., C]`.

    Output shape:
        Same.
    """

    def __init__(self, activation: str = "lrelu", **kwargs):
        super().__init__(**kwargs)
        check_activation("BiasActivation", activation)
        self.activation = activation

    def build(self, input_shape):
        """Creates `bias` `[C]`."""
        self.bias = self.add_weight(shape=(int(input_shape[-1]),), initializer="zeros", name="bias")

    def call(self, inputs):
        """`activation(inputs + bias)`."""
        x = tf.nn.bias_add(inputs, self.bias)
        if self.activation == "lrelu":
            x = tf.nn.leaky_relu(x, alpha=LEAKY_SLOPE) * LRELU_GAIN
        return x

    def compute_output_shape(self, input_shape):
        """The input shape."""
        return input_shape

    def get_config(self):
        """The layer's constructor arguments."""
        return {**super().get_config(), "activation": self.activation}


@keras.saving.register_keras_serializable(package="gan_zoo")
class ConstantInput(layers.Layer):
    """The learned constant the synthesis network starts from, ~ N(0, 1).

    Called on the styles only to read the batch size.

    Args:
        channels: int ≥ 1.
        size: int ≥ 1. Side of the constant. Defaults to 4.
        **kwargs: base `keras.layers.Layer` arguments.

    Input shape:
        ws `[B, num_ws, w_dim]` or w `[B, w_dim]` (only B is used).

    Output shape:
        `[B, size, size, channels]`, the same for every example.
    """

    def __init__(self, channels: int, size: int = 4, **kwargs):
        super().__init__(**kwargs)
        check_int("ConstantInput", "channels", channels, 1)
        check_int("ConstantInput", "size", size, 1)
        self.channels = channels
        self.size = size

    def build(self, input_shape):
        """Creates `constant` `[size, size, channels]`."""
        self.constant = self.add_weight(
            shape=(self.size, self.size, self.channels),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            name="constant",
        )

    def call(self, inputs):
        """The constant repeated over the batch of `inputs`."""
        batch = tf.shape(inputs)[0]
        constant = tf.cast(self.constant, self.compute_dtype)
        return tf.tile(constant[None], tf.stack([batch, 1, 1, 1]))

    def compute_output_shape(self, input_shape):
        """`[B, size, size, channels]`."""
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        """The layer's constructor arguments."""
        return {**super().get_config(), "channels": self.channels, "size": self.size}


@keras.saving.register_keras_serializable(package="gan_zoo")
class UnstackStyles(layers.Layer):
    """Splits ws `[B, num_ws, w_dim]` into its num_ws style vectors `[B, w_dim]`, in order."""

    def call(self, inputs):
        """A list of `num_ws` tensors `[B, w_dim]`."""
        return tf.unstack(inputs, num=inputs.shape[1], axis=1)

    def compute_output_shape(self, input_shape):
        """`num_ws` shapes `[B, w_dim]`."""
        return [(input_shape[0], input_shape[2])] * input_shape[1]


@keras.saving.register_keras_serializable(package="gan_zoo")
class NormalizeSecondMoment(layers.Layer):
    """`x · rsqrt(mean(x², last axis) + 1e-8)`: z rescaled to unit mean square per example.

    The mapping network's input normalization (`normalize_2nd_moment` of the reference; the
    "pixel norm" of Karras et al. 2018 on a vector).

    Input shape:
        `[B, D]`. Output shape: the same.
    """

    def call(self, inputs):
        """The normalized `inputs`."""
        mean_square = tf.reduce_mean(tf.square(inputs), axis=-1, keepdims=True)
        return inputs * tf.math.rsqrt(mean_square + 1e-8)

    def compute_output_shape(self, input_shape):
        """The input shape."""
        return input_shape


@keras.saving.register_keras_serializable(package="gan_zoo")
class Upsample2D(layers.Layer):
    """2× FIR upsampling with `[1, 3, 3, 1]` and gain 4, as the reference's `upsample2d`.

    Zero insertion, zero padding (2, 1), the 4×4 filter: each output pixel is 3/4 of its
    nearest input pixel plus 1/4 of the next one per axis, so a constant image stays the same
    constant inside, while the outermost rows and columns, which take 1/4 from the zero padding,
    get 3/4 of it (9/16 at the corners), as in the reference. Used on the skip-connection images
    of the synthesis network.

    Input shape:
        `[B, H, W, C]`, static H, W, C.

    Output shape:
        `[B, 2H, 2W, C]`.
    """

    def call(self, inputs):
        """The upsampled `inputs`."""
        return upsample(inputs, (2, 1))

    def compute_output_shape(self, input_shape):
        """`[B, 2H, 2W, C]`."""
        batch, height, width, channels = input_shape
        return (
            batch,
            None if height is None else 2 * height,
            None if width is None else 2 * width,
            channels,
        )


@keras.saving.register_keras_serializable(package="gan_zoo")
class Downsample2D(layers.Layer):
    """2× FIR downsampling with `[1, 3, 3, 1]`, as the reference's `downsample2d`.

    Zero padding (1, 1), the 4×4 filter, every second pixel: a constant image stays constant
    inside; the outermost output rows and columns see the zero padding (7/8 of the constant,
    49/64 at the corners), as in the reference.

    Input shape:
        `[B, H, W, C]`, H and W even, static C.

    Output shape:
        `[B, H / 2, W / 2, C]`.
    """

    def call(self, inputs):
        """The downsampled `inputs`."""
        return blur(inputs, (1, 1), stride=2)

    def compute_output_shape(self, input_shape):
        """`[B, H / 2, W / 2, C]`."""
        batch, height, width, channels = input_shape
        return (
            batch,
            None if height is None else height // 2,
            None if width is None else width // 2,
            channels,
        )


# --------------------------------------------------------------- minibatch standard deviation
@keras.saving.register_keras_serializable(package="gan_zoo")
class MinibatchStdDev(layers.Layer):
    """Minibatch standard deviation (Karras et al. 2018) over contiguous groups of examples.

    The reference's MinibatchStdLayer, except for which examples form a group (below).

    The batch is split into groups of `G = min(group_size, B)` examples and the channels into
    `num_channels` groups of `c = C / num_channels`. Within each example group, each feature's
    standard deviation over the G examples is `sqrt(var + 1e-8)` (biased variance); it is
    averaged over the c channels of a channel group and over all pixels, giving `num_channels`
    numbers per example group, appended as constant feature maps to each of its examples.

    Groups are *contiguous* examples (`reshape [B / G, G, ...]`, statistics over axis 1), while
    the reference's `reshape(G, -1, ...)` groups examples `n, n + B/G, n + 2B/G, ...`. With
    contiguous groups a global batch split contiguously over replicas (as `tf.distribute`
    does) forms the same groups on its replicas as on one device, so 2 replicas compute what 1
    would (as long as each replica's batch is a multiple of `group_size`; a smaller local batch
    makes smaller groups); the reference's strided groups would need examples from other
    replicas. For i.i.d. batches the two groupings give the same statistic in distribution.

    B must be divisible by G: a `ValueError` "MinibatchStdDev: batch N must be divisible by
    group size G" when B is static; otherwise an in-graph assertion, run before the reshape,
    fails with `tf.errors.InvalidArgumentError` "assertion failed: [MinibatchStdDev: batch] [N]
    [must be divisible by group size] [G]" (under XLA, which drops assertions, the reshape
    fails instead).

    Args:
        group_size: int ≥ 1, or None for the whole batch. Defaults to 4.
        num_channels: int ≥ 1. Appended feature maps; must divide C. Defaults to 1.
        **kwargs: base `keras.layers.Layer` arguments.

    Input shape:
        `[B, H, W, C]`, static H, W, C.

    Output shape:
        `[B, H, W, C + num_channels]`.
    """

    def __init__(self, group_size: int | None = 4, num_channels: int = 1, **kwargs):
        super().__init__(**kwargs)
        if group_size is not None:
            check_int("MinibatchStdDev", "group_size", group_size, 1)
        check_int("MinibatchStdDev", "num_channels", num_channels, 1)
        self.group_size = group_size
        self.num_channels = num_channels

    def build(self, input_shape):
        """Checks that `num_channels` divides the channels."""
        channels = input_shape[-1]
        if channels is not None and channels % self.num_channels:
            raise ValueError(
                f"MinibatchStdDev num_channels {self.num_channels} must divide the input "
                f"channels {channels}"
            )

    def _groups(self, x):
        """G as a tensor, after a static check or an in-graph assertion on B % G."""
        static_batch = x.shape[0]
        if static_batch is not None:
            group = static_batch if self.group_size is None else min(self.group_size, static_batch)
            if static_batch % group:
                raise ValueError(
                    f"MinibatchStdDev: batch {static_batch} must be divisible by group size {group}"
                )
            return x, group
        batch = tf.shape(x)[0]
        group = batch if self.group_size is None else tf.minimum(self.group_size, batch)
        # Constant strings and the two numbers, not tf.strings.format: XLA has no string ops
        # (it compiles Assert to nothing, and a bad batch then fails in the reshape).
        message = ["MinibatchStdDev: batch", batch, "must be divisible by group size", group]
        check = tf.debugging.Assert(tf.equal(batch % group, 0), message)
        with tf.control_dependencies([check]):  # the reshape below must wait for the check
            x = tf.identity(x)
        return x, group

    def call(self, inputs):
        """`inputs` with the `num_channels` standard-deviation maps appended."""
        x, group = self._groups(inputs)
        _, height, width, channels = inputs.shape
        features = self.num_channels
        y = tf.reshape(x, [-1, group, height, width, features, channels // features])
        y = y - tf.reduce_mean(y, axis=1, keepdims=True)  # [n, G, H, W, F, c]
        y = tf.reduce_mean(tf.square(y), axis=1)  # [n, H, W, F, c] variance over the group
        y = tf.sqrt(y + MINIBATCH_STD_EPSILON)
        y = tf.reduce_mean(y, axis=[1, 2, 4])  # [n, F] over pixels and channels of a group
        y = tf.repeat(y, group, axis=0)  # [B, F]: the group's value for each of its examples
        y = tf.tile(y[:, None, None, :], [1, height, width, 1])
        return tf.concat([inputs, tf.cast(y, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        """`[B, H, W, C + num_channels]`."""
        batch, height, width, channels = input_shape
        return (batch, height, width, None if channels is None else channels + self.num_channels)

    def get_config(self):
        """The layer's constructor arguments."""
        return {
            **super().get_config(),
            "group_size": self.group_size,
            "num_channels": self.num_channels,
        }
