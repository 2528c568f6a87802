"""StyleGAN2 layers (Karras et al. 2020, arXiv:1912.04958), TensorFlow / Keras, NHWC.

The building blocks of `gan_zoo.builders.stylegan`, following the official PyTorch code
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

import math

import keras
import numpy as np
import tensorflow as tf
from keras import layers

LEAKY_SLOPE = 0.2
LRELU_GAIN = math.sqrt(2.0)  # bias_act.activation_funcs["lrelu"].def_gain
ACTIVATIONS = ("linear", "lrelu")
FIR_TAPS = (1.0, 3.0, 3.0, 1.0)  # the reference's resample_filter
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


# ------------------------------------------------------------------------------ helpers
def _check_int(layer: str, argument: str, value, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{layer} {argument} must be an int ≥ {minimum}; got {value!r}")


def _check_activation(layer: str, activation) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{layer} activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}"
        )


def _check_positive(layer: str, argument: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{layer} {argument} must be a number > 0; got {value!r}")


def _activation_gain(activation: str) -> float:
    return LRELU_GAIN if activation == "lrelu" else 1.0


def _activate(x, activation: str):
    """`leaky_relu(x, 0.2)` for `"lrelu"` (its sqrt(2) gain already folded in), else `x`."""
    return tf.nn.leaky_relu(x, alpha=LEAKY_SLOPE) if activation == "lrelu" else x


def _in_xla() -> bool:
    """True while tracing for XLA (`jit_compile=True`): the FIR filters then run separably.

    Each implementation is the faster one where it runs (measured on this CPU, a StyleGAN2
    step at batch 4): XLA compiles the depthwise convolution (`feature_group_count`) into a
    slow loop (0.63 s a step, against 0.12 s with the separable form), while TensorFlow's own
    kernels run the depthwise form faster (0.14 s, against 0.24 s separably).
    """
    try:
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # a TensorFlow without the module: the depthwise form is right anyway
        return False
    return bool(control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()))


def _fir_kernel(channels: int, gain: float, dtype) -> tf.Tensor:
    """The normalized 2-D `[1, 3, 3, 1]` filter × `gain`, as a depthwise kernel `[4, 4, C, 1]`."""
    taps = np.asarray(FIR_TAPS, np.float64)
    kernel = np.outer(taps, taps) / taps.sum() ** 2 * gain
    kernel = np.tile(kernel[:, :, None, None], [1, 1, channels, 1])
    return tf.constant(kernel, dtype=dtype)


def _fir_taps(gain: float) -> list[float]:
    """The 1-D taps whose outer product is the normalized 2-D `[1, 3, 3, 1]` filter × `gain`."""
    taps = np.asarray(FIR_TAPS, np.float64)
    return [float(t) for t in taps / taps.sum() * np.sqrt(gain)]


def _take(x, axis: int, start: int, length: int, stride: int = 1):
    """`length` entries of `x` along `axis` from `start`, every `stride`-th (a strided slice)."""
    index = [slice(None)] * 4
    index[axis] = slice(start, start + (length - 1) * stride + 1, stride)
    return x[tuple(index)]


def _filter_axis(x, axis: int, taps: list[float], stride: int = 1):
    """Valid 1-D correlation with `taps` along `axis`, keeping every `stride`-th output.

    Shifted slices times scalars, summed: XLA fuses them into one loop (see `_in_xla`).
    """
    length = (x.shape[axis] - len(taps)) // stride + 1
    return tf.add_n([tap * _take(x, axis, k, length, stride) for k, tap in enumerate(taps)])


def _upsample_axis(x, axis: int, taps: list[float]):
    """Zero insertion then the full transposed filter along `axis`: H → 2H + 2 (polyphase).

    full[2m] = f0·x[m] + f2·x[m - 1] and full[2m + 1] = f1·x[m] + f3·x[m - 1], m = 0..H, with
    x[-1] = x[H] = 0: the two phases, interleaved.
    """
    size = x.shape[axis]
    paddings = [[0, 0]] * 4
    paddings[axis] = [1, 1]
    padded = tf.pad(x, paddings)  # padded[j] = x[j - 1]
    current, previous = _take(padded, axis, 1, size + 1), _take(padded, axis, 0, size + 1)
    even = taps[0] * current + taps[2] * previous
    odd = taps[1] * current + taps[3] * previous
    both = tf.stack([even, odd], axis=axis + 1)
    shape = [-1, *x.shape[1:]]
    shape[axis] = 2 * size + 2
    return tf.reshape(both, shape)


def _pad_or_crop(x, axis: int, before: int, after: int):
    """Pads `x` with zeros (positive amounts) or crops it (negative ones) along `axis`."""
    if before < 0 or after < 0:
        # A strided slice, not `tf.slice`: inside XLA, tf.slice's gradient is an
        # XlaDynamicUpdateSlice, which has no gradient itself, and the path-length penalty
        # differentiates this gradient again (measured: LookupError under jit_compile).
        start = max(-before, 0)
        x = _take(x, axis, start, x.shape[axis] - max(-after, 0) - start)
    if before > 0 or after > 0:
        paddings = [[0, 0]] * 4
        paddings[axis] = [max(before, 0), max(after, 0)]
        x = tf.pad(x, paddings)
    return x


def upsample(x, padding: tuple[int, int] = (2, 1)):
    """2× FIR upsampling: zero insertion, then the `[1, 3, 3, 1]` filter with gain 4.

    `upfirdn2d(x, f, up=2, padding=padding, gain=4)` of the reference: each pixel is followed by
    a zero along each axis, the result is zero-padded by `padding = (before, after)` on both
    axes and filtered (valid). The default `(2, 1)` is the reference's `upsample2d` (output
    2H × 2W); `(3, 2)` keeps the two extra border rows and columns that a following valid 3×3
    convolution needs to equal the reference's transposed convolution exactly. Computed as one
    stride-2 transposed depthwise convolution, whose full output (2H + 2) is padding (3, 2)
    (the zero inserted after the last pixel counts as one), then cropped or padded.

    Args:
        x: `[B, H, W, C]`, static H, W and C.
        padding: `(before, after)` ints, each ≥ 0, with respect to the upsampled image.

    Returns:
        `[B, 2H + before + after - 3, 2W + before + after - 3, C]`, same dtype.
    """
    if _in_xla():
        taps = _fir_taps(4.0)
        full = _upsample_axis(_upsample_axis(x, 1, taps), 2, taps)  # padding (3, 2): 2H + 2
    else:
        batch = tf.shape(x)[0]
        _, height, width, channels = x.shape
        # Transposed stride-2 conv with the 4-tap filter: full[n] = Σ_i x[i] f[n - 2i].
        full = tf.nn.depthwise_conv2d_backprop_input(
            tf.stack([batch, 2 * height + 2, 2 * width + 2, channels]),
            _fir_kernel(channels, 4.0, x.dtype),
            x,
            strides=[1, 2, 2, 1],
            padding="VALID",
        )
        full = tf.ensure_shape(full, [None, 2 * height + 2, 2 * width + 2, channels])
    before, after = padding
    for axis in (1, 2):  # full is padding (3, 2); move to (before, after)
        full = _pad_or_crop(full, axis, before - 3, after - 2)
    return full


def blur(x, padding: tuple[int, int] = (1, 1), stride: int = 1):
    """The normalized `[1, 3, 3, 1]` FIR filter (gain 1), after zero-padding, then subsampling.

    `upfirdn2d(x, f, padding=padding, down=stride)` of the reference: `padding = (before,
    after)` zeros on both spatial axes, a valid 4×4 filter, every `stride`-th pixel kept.
    `stride=2` with padding `(1, 1)` is the reference's `downsample2d` (H → H/2).

    Args:
        x: `[B, H, W, C]`, static H, W and C.
        padding: `(before, after)` ints ≥ 0.
        stride: 1 or 2.

    Returns:
        `[B, (H + before + after - 4) // stride + 1, ..., C]`, same dtype.
    """
    before, after = padding
    x = tf.pad(x, [[0, 0], [before, after], [before, after], [0, 0]])
    if _in_xla():
        taps = _fir_taps(1.0)
        return _filter_axis(_filter_axis(x, 1, taps, stride), 2, taps, stride)
    kernel = _fir_kernel(x.shape[-1], 1.0, x.dtype)
    return tf.nn.depthwise_conv2d(x, kernel, [1, stride, stride, 1], padding="VALID")


# ------------------------------------------------------------------------ dense and conv
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
        _check_int("EqualizedDense", "units", units, 1)
        _check_positive("EqualizedDense", "lr_multiplier", lr_multiplier)
        _check_activation("EqualizedDense", activation)
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
        gain = _activation_gain(self.activation)
        x = tf.matmul(inputs, self.kernel * (self.weight_gain * gain))
        if self.bias is not None:
            x = tf.nn.bias_add(x, self.bias * (self.lr_multiplier * gain))
        return _activate(x, self.activation)

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
        _check_int("EqualizedConv2D", "filters", filters, 1)
        _check_int("EqualizedConv2D", "kernel_size", kernel_size, 1)
        if kernel_size % 2 == 0:
            raise ValueError(f"EqualizedConv2D kernel_size must be odd; got {kernel_size}")
        _check_activation("EqualizedConv2D", activation)
        _check_positive("EqualizedConv2D", "gain", gain)
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
        scale = _activation_gain(self.activation) * self.gain
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
        return _activate(x, self.activation)

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
        _check_int("ModulatedConv2D", "filters", filters, 1)
        _check_int("ModulatedConv2D", "kernel_size", kernel_size, 1)
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
        _check_activation("BiasActivation", activation)
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
        _check_int("ConstantInput", "channels", channels, 1)
        _check_int("ConstantInput", "size", size, 1)
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
            _check_int("MinibatchStdDev", "group_size", group_size, 1)
        _check_int("MinibatchStdDev", "num_channels", num_channels, 1)
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
