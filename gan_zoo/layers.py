"""The few layer helpers Keras lacks, shared by the builders."""

import keras
from keras import layers

# Momentum of the batch-normalization moving statistics (Keras' convention: new = momentum ·
# old + (1 - momentum) · batch). 0.9 is PyTorch's default (its momentum=0.1), which the DCGAN
# reference implementations train with. Keras' default, 0.99, leaves the statistics 80 % at
# their initial values (mean 0, variance 1) after the 22 steps of a digits epoch: inference
# outputs, hence every sample grid, `generate()` and the export, were then flat grey (an
# output spread of 0.004 against 0.13 in training mode; 0.098 with 0.9, measured). Training
# itself normalizes with batch statistics and does not read them.
BATCH_NORM_MOMENTUM = 0.9


def batch_normalization(name: str) -> layers.BatchNormalization:
    """`BatchNormalization` as gan_zoo's builders use it: synchronized, `BATCH_NORM_MOMENTUM`.

    Synchronized: under `tf.distribute` the batch statistics are those of the global batch, so
    2 replicas compute what 1 does.
    """
    return layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, synchronized=True, name=name)


def maybe_spectral_norm(layer: layers.Layer, spectral_norm: bool) -> layers.Layer:
    """Returns `layer`, wrapped in `keras.layers.SpectralNormalization` when asked.

    Spectral normalization (Miyato et al. 2018, arXiv:1802.05957) divides the kernel by its
    largest singular value, estimated by one power iteration per training call.

    Args:
        layer: a Dense or convolution layer.
        spectral_norm: bool. Whether to wrap it.

    Returns:
        The layer or its wrapper (named `<layer name>_spectral`).
    """
    if not spectral_norm:
        return layer
    return layers.SpectralNormalization(layer, name=f"{layer.name}_spectral")


def pack_samples(samples, pack: int):
    """PacGAN packing: m consecutive samples concatenated along the last axis, as D sees them.

    Samples `i·m .. i·m + m − 1` of the batch form pack i (Lin et al. 2018, arXiv:1712.04086):
    points `[B, D]` become `[B / m, m·D]`, images `[B, H, W, C]` become `[B / m, H, W, m·C]`
    (sample j of a pack in channels `j·C .. (j + 1)·C − 1`). Pack real and generated batches
    separately: a pack never mixes the two. `pack=1` returns `samples` itself.

    Args:
        samples: float tensor `[B, ..., C]` with B divisible by `pack`.
        pack: int ≥ 1. m, the samples per pack.

    Returns:
        The packed tensor `[B / m, ..., m·C]`.
    """
    if pack == 1:
        return samples
    rank = len(samples.shape)
    grouped = keras.ops.reshape(samples, (-1, pack, *samples.shape[1:]))
    # [B/m, m, ..., C] -> [B/m, ..., m, C] -> [B/m, ..., m·C]
    order = (0, *range(2, rank), 1, rank)
    moved = keras.ops.transpose(grouped, order)
    return keras.ops.reshape(moved, (-1, *samples.shape[1:-1], pack * samples.shape[-1]))


def packed_shape(sample_shape: tuple[int, ...], pack: int) -> tuple[int, ...]:
    """The per-example shape D takes under `pack_samples`: the last axis times `pack`."""
    return (*sample_shape[:-1], sample_shape[-1] * pack)


@keras.saving.register_keras_serializable(package="gan_zoo")
class ReflectionPadding2D(layers.Layer):
    """Reflection padding of NHWC images, as `torch.nn.ReflectionPad2d` (edge not repeated).

    `[1, 2, 3]` padded by 2 is `[3, 2, 1, 2, 3, 2, 1]`, i.e. `np.pad(..., mode="reflect")`.
    Each padding must be smaller than the side it pads.

    Args:
        padding: int or `(pad_height, pad_width)`, ≥ 0. Rows added above and below, columns
            added left and right. Defaults to 1.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Input shape:
        `[B, H, W, C]`.

    Output shape:
        `[B, H + 2·pad_height, W + 2·pad_width, C]`.
    """

    def __init__(self, padding: int | tuple[int, int] = 1, **kwargs):
        super().__init__(**kwargs)
        padding = tuple(padding) if isinstance(padding, (tuple, list)) else (padding, padding)
        if len(padding) != 2 or not all(
            isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in padding
        ):
            raise ValueError(
                f"ReflectionPadding2D padding must be an int ≥ 0 or a pair of them; got {padding}"
            )
        self.padding = padding
        self.input_spec = layers.InputSpec(ndim=4)

    def build(self, input_shape):
        """Checks that each padding is smaller than the side it pads, when the side is known."""
        for axis, pad in zip(("height", "width"), self.padding, strict=True):
            side = input_shape[1 if axis == "height" else 2]
            if side is not None and pad >= side:
                raise ValueError(
                    f"ReflectionPadding2D padding {pad} must be smaller than the input {axis} "
                    f"{side}"
                )
        super().build(input_shape)

    def call(self, inputs):
        """Pads `inputs` `[B, H, W, C]` by reflection."""
        pad_height, pad_width = self.padding
        return keras.ops.pad(
            inputs, [[0, 0], [pad_height, pad_height], [pad_width, pad_width], [0, 0]], "reflect"
        )

    def compute_output_shape(self, input_shape):
        """`[B, H + 2·pad_height, W + 2·pad_width, C]`; unknown sides stay unknown."""
        batch, height, width, channels = input_shape
        pad_height, pad_width = self.padding
        return (
            batch,
            None if height is None else height + 2 * pad_height,
            None if width is None else width + 2 * pad_width,
            channels,
        )

    def get_config(self):
        """The layer's constructor arguments."""
        return {**super().get_config(), "padding": self.padding}
