"""StyleGAN2's equalized-learning-rate dense and convolution layers, and weight modulation.

Equalized learning rate (Karras et al. 2018, arXiv:1710.10196): weights are stored N(0, 1) and
scaled at run time by `lr_multiplier / sqrt(fan_in)`; `ModulatedConv2D` is the reference's
non-fused modulation and demodulation (one ordinary batched convolution, the fastest on CPU).
"""

import math

import keras
import tensorflow as tf
from keras import layers

from gan_zoo.families.stylegan.ops import (
    activate,
    activation_gain,
    blur,
    check_activation,
    check_int,
    check_positive,
    upsample,
)

DEMODULATION_EPSILON = 1e-8


@keras.saving.register_keras_serializable(package="gan_zoo")
class EqualizedDense(layers.Layer):
    """Fully connected layer with equalized learning rate (the reference's FullyConnectedLayer).

    The kernel is stored ~ N(0, 1) / lr_multiplier and used as
    `kernel · lr_multiplier / sqrt(fan_in)`, so the effective weights start ~ N(0, 1) /
    sqrt(fan_in), while an optimizer step on the stored kernel moves them by
    `lr_multiplier / sqrt(fan_in)` times as much. The bias is stored as
    `bias_initial_value / lr_multiplier` and used × `lr_multiplier`.

    Args:
        units: int ≥ 1. Output features.
        lr_multiplier: float > 0. Learning-rate multiplier (0.01 in the mapping network).
            Defaults to 1.
        bias_initial_value: float. Initial value of the effective bias (1 for the style
            affines, so that styles start around 1). Defaults to 0.
        activation: `"linear"` or `"lrelu"` (leaky ReLU 0.2 × sqrt(2)). Defaults to `"linear"`.
        use_bias: bool. Whether to add a bias before the activation. Defaults to True.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Input shape:
        `[B, fan_in]` (float, any range).

    Output shape:
        `[B, units]`.
    """

    def __init__(
        self,
        units: int,
        lr_multiplier: float = 1.0,
        bias_initial_value: float = 0.0,
        activation: str = "linear",
        use_bias: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_int("EqualizedDense", "units", units, 1)
        check_positive("EqualizedDense", "lr_multiplier", lr_multiplier)
        check_activation("EqualizedDense", activation)
        self.units = units
        self.lr_multiplier = float(lr_multiplier)
        self.bias_initial_value = float(bias_initial_value)
        self.activation = activation
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        """Creates `kernel` `[fan_in, units]` and, if used, `bias` `[units]`."""
        fan_in = int(input_shape[-1])
        self.weight_gain = self.lr_multiplier / math.sqrt(fan_in)
        self.kernel = self.add_weight(
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier),
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                initializer=keras.initializers.Constant(
                    self.bias_initial_value / self.lr_multiplier
                ),
                name="bias",
            )

    def effective_kernel(self):
        """The kernel as used, `kernel · lr_multiplier / sqrt(fan_in)` `[fan_in, units]`."""
        return self.kernel * self.weight_gain

    def call(self, inputs):
        """`activation(inputs @ effective kernel + effective bias)`."""
        gain = activation_gain(self.activation)
        x = tf.matmul(inputs, self.kernel * (self.weight_gain * gain))
        if self.bias is not None:
            x = tf.nn.bias_add(x, self.bias * (self.lr_multiplier * gain))
        return activate(x, self.activation)

    def compute_output_shape(self, input_shape):
        """`[B, units]`."""
        return (*input_shape[:-1], self.units)

    def get_config(self):
        """The layer's constructor arguments."""
        return {
            **super().get_config(),
            "units": self.units,
            "lr_multiplier": self.lr_multiplier,
            "bias_initial_value": self.bias_initial_value,
            "activation": self.activation,
            "use_bias": self.use_bias,
        }


@keras.saving.register_keras_serializable(package="gan_zoo")
class EqualizedConv2D(layers.Layer):
    """Convolution with equalized learning rate and optional FIR downsampling (Conv2dLayer).

    The kernel is stored ~ N(0, 1) and used × `1 / sqrt(in_channels · k · k)`; the bias starts
    at zero. `down=False`: 'same' zero padding, stride 1. `down=True` follows the reference's
    `conv2d_resample(down=2)`: the input is zero-padded by `k // 2 + 1` on each side, filtered
    with `[1, 3, 3, 1]` (H + 2·(k // 2) - 1 rows) and convolved with stride 2 without padding
    (H / 2 rows). For k = 3: pad 2, blur → H + 1, 3×3 stride 2 → H / 2; for k = 1: pad 1,
    blur → H - 1, 1×1 stride 2 → H / 2.

    `gain` scales the output after the activation (the reference's `gain=np.sqrt(0.5)` on the
    residual branches of the discriminator); it is folded into the kernel and bias with the
    activation's own gain.

    Args:
        filters: int ≥ 1. Output channels.
        kernel_size: odd int ≥ 1. Square kernel side.
        down: bool. FIR-downsample by 2. Defaults to False.
        use_bias: bool. Defaults to True.
        activation: `"linear"` or `"lrelu"`. Defaults to `"linear"`.
        gain: float > 0. Output scale. Defaults to 1.
        **kwargs: base `keras.layers.Layer` arguments.

    Input shape:
        `[B, H, W, C_in]` (H and W even when `down`).

    Output shape:
        `[B, H, W, filters]`, or `[B, H / 2, W / 2, filters]` when `down`.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        down: bool = False,
        use_bias: bool = True,
        activation: str = "linear",
        gain: float = 1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_int("EqualizedConv2D", "filters", filters, 1)
        check_int("EqualizedConv2D", "kernel_size", kernel_size, 1)
        if kernel_size % 2 == 0:
            raise ValueError(f"EqualizedConv2D kernel_size must be odd; got {kernel_size}")
        check_activation("EqualizedConv2D", activation)
        check_positive("EqualizedConv2D", "gain", gain)
        self.filters = filters
        self.kernel_size = kernel_size
        self.down = bool(down)
        self.use_bias = bool(use_bias)
        self.activation = activation
        self.gain = float(gain)

    def build(self, input_shape):
        """Creates `kernel` `[k, k, C_in, filters]` and, if used, `bias` `[filters]`."""
        in_channels = int(input_shape[-1])
        k = self.kernel_size
        self.weight_gain = 1.0 / math.sqrt(in_channels * k * k)
        self.kernel = self.add_weight(
            shape=(k, k, in_channels, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def effective_kernel(self):
        """The kernel as used (without `gain`), `kernel / sqrt(C_in · k · k)`."""
        return self.kernel * self.weight_gain

    def call(self, inputs):
        """Blur-and-stride (if `down`), convolution, bias, activation, `gain`."""
        scale = activation_gain(self.activation) * self.gain
        kernel = self.kernel * (self.weight_gain * scale)
        if self.down:
            pad = self.kernel_size // 2 + 1
            if self.kernel_size == 1:  # filter and subsample first, as the reference
                x = blur(inputs, (pad, pad), stride=2)
                x = tf.nn.conv2d(x, kernel, 1, padding="VALID")
            else:
                x = blur(inputs, (pad, pad))
                x = tf.nn.conv2d(x, kernel, 2, padding="VALID")
        else:
            x = tf.nn.conv2d(inputs, kernel, 1, padding="SAME")
        if self.bias is not None:
            x = tf.nn.bias_add(x, self.bias * scale)
        return activate(x, self.activation)

    def compute_output_shape(self, input_shape):
        """`[B, H, W, filters]`, halved sides when `down`."""
        batch, height, width, _ = input_shape
        if self.down:
            height = None if height is None else height // 2
            width = None if width is None else width // 2
        return (batch, height, width, self.filters)

    def get_config(self):
        """The layer's constructor arguments."""
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "down": self.down,
            "use_bias": self.use_bias,
            "activation": self.activation,
            "gain": self.gain,
        }


@keras.saving.register_keras_serializable(package="gan_zoo")
class ModulatedConv2D(layers.Layer):
    """Modulated (and demodulated) convolution of StyleGAN2, without bias, noise or activation.

    Called on `[x, w]`. Its affine, an `EqualizedDense(C_in, bias_initial_value=1)` named
    `affine`, maps w to the styles s `[B, C_in]`. With the kernel W stored ~ N(0, 1):

    - `demodulate=True` (the synthesis convolutions): `y = conv(x · s, W) · d` with
      `d[b, o] = rsqrt(Σ_{i, kh, kw} (W[kh, kw, i, o] · s[b, i])² + 1e-8)`, computed as
      `rsqrt(s² @ Σ_k W² + 1e-8)`. This is the reference's `modulated_conv2d` non-fused path
      and equals the per-example (grouped) convolution with the kernels `W · s / ‖W · s‖`.
      Like the reference's SynthesisLayer, the equalized-rate gain `1 / sqrt(C_in · k²)` is not
      applied here: demodulation cancels it (it would only rescale the 1e-8).
    - `demodulate=False` (toRGB, kernel 1): `y = conv(x · s / sqrt(C_in · k²), W)`, the
      reference's ToRGBLayer, which multiplies the styles by its weight gain.

    `up=True` upsamples x by 2 before the convolution: zero insertion and the `[1, 3, 3, 1]` FIR
    filter with gain 4 (`upsample`), keeping `k // 2` extra rows and columns on each border
    (padding `(2 + k // 2, 1 + k // 2)`), then a valid k×k convolution. The reference does a
    stride-2 transposed convolution followed by the same filter (padding 1); filter and
    convolution commute and neither crops, so both give exactly the same numbers, with the
    kernel flipped spatially (the reference's transposed path convolves, ours correlates; with
    learned N(0, 1) kernels that is only a relabelling). Modulating before upsampling is exact
    too (both are linear per channel).

    Args:
        filters: int ≥ 1. Output channels.
        kernel_size: odd int ≥ 1. Defaults to 3.
        up: bool. Upsample by 2 first. Defaults to False.
        demodulate: bool. Defaults to True.
        **kwargs: base `keras.layers.Layer` arguments.

    Input shape:
        `[x, w]`: x `[B, H, W, C_in]` (static H, W, C_in), w `[B, w_dim]`.

    Output shape:
        `[B, H, W, filters]`, or `[B, 2H, 2W, filters]` when `up`. With demodulation each output
        channel has about unit variance for unit-variance i.i.d. input, whatever the style scale.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        up: bool = False,
        demodulate: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_int("ModulatedConv2D", "filters", filters, 1)
        check_int("ModulatedConv2D", "kernel_size", kernel_size, 1)
        if kernel_size % 2 == 0:
            raise ValueError(f"ModulatedConv2D kernel_size must be odd; got {kernel_size}")
        self.filters = filters
        self.kernel_size = kernel_size
        self.up = bool(up)
        self.demodulate = bool(demodulate)

    def build(self, input_shape):
        """Creates the affine (w → styles) and `kernel` `[k, k, C_in, filters]`."""
        x_shape, w_shape = input_shape
        in_channels = int(x_shape[-1])
        k = self.kernel_size
        self.weight_gain = 1.0 / math.sqrt(in_channels * k * k)
        self.affine = EqualizedDense(in_channels, bias_initial_value=1.0, name="affine")
        self.affine.build(w_shape)
        self.kernel = self.add_weight(
            shape=(k, k, in_channels, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
            name="kernel",
        )

    def styles(self, w):
        """The styles `[B, C_in]` the input channels are scaled by (with toRGB's weight gain)."""
        styles = self.affine(w)
        return styles if self.demodulate else styles * self.weight_gain

    def demodulation(self, styles):
        """`d` `[B, filters]`: `rsqrt(styles² @ Σ_{kh, kw} kernel² + 1e-8)`."""
        kernel_energy = tf.reduce_sum(tf.square(self.kernel), axis=[0, 1])  # [C_in, filters]
        return tf.math.rsqrt(tf.matmul(tf.square(styles), kernel_energy) + DEMODULATION_EPSILON)

    def call(self, inputs):
        """`[x, w]` → modulated convolution `[B, H', W', filters]`."""
        x, w = inputs
        styles = self.styles(w)
        x = x * styles[:, None, None, :]
        if self.up:
            half = self.kernel_size // 2
            x = upsample(x, (2 + half, 1 + half))
            x = tf.nn.conv2d(x, self.kernel, 1, padding="VALID")
        else:
            x = tf.nn.conv2d(x, self.kernel, 1, padding="SAME")
        if self.demodulate:
            x = x * self.demodulation(styles)[:, None, None, :]
        return x

    def compute_output_shape(self, input_shape):
        """`[B, H, W, filters]`, doubled sides when `up`."""
        batch, height, width, _ = input_shape[0]
        if self.up:
            height = None if height is None else 2 * height
            width = None if width is None else 2 * width
        return (batch, height, width, self.filters)

    def get_config(self):
        """The layer's constructor arguments."""
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "up": self.up,
            "demodulate": self.demodulate,
        }
