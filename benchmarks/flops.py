"""Analytic FLOP counts of gan_zoo's networks and of one training step.

Network forward FLOPs
---------------------
`forward_flops(model)` walks a functional Keras model node by node (a layer called twice counts
twice; a functional sub-model is walked recursively) and adds, **per example**, a multiply-add
as 2 FLOPs:

- `Dense` / `EqualizedDense`: `2 · in · out` (times the leading non-batch positions, if any).
- `Conv2D` / `EqualizedConv2D`: `2 · k_h · k_w · C_in / groups · C_out · H_out · W_out`.
- `Conv2DTranspose`: `2 · k_h · k_w · C_in · C_out · H_in · W_in` (each input pixel scatters a
  full kernel; cropping afterwards does not reduce the work).
- `DepthwiseConv2D`: `2 · k_h · k_w · C_in · multiplier · H_out · W_out`.
- `SpectralNormalization`: the wrapped layer's count (the power iteration is per call, not per
  example, and is ignored with the other batch-independent work below).
- StyleGAN layers: `ModulatedConv2D` = its affine (`2 · w_dim · C_in`) + demodulation
  (`2 · C_in · C_out`) + the convolution on the output grid + the 4×4 FIR of `up`
  (`2 · 16 · C_in · H_in · W_in`); `EqualizedConv2D(down=True)` adds its 4×4 FIR blur
  (`2 · 16 · C_in` per blurred pixel); `Upsample2D` = `2 · 16 · C · H_in · W_in`.
- `Dot` (projection discriminator): `2 · n` for two vectors of n.
- `Embedding`: 0 (a lookup).

**Elementwise work is ignored**: biases, activations, batch / instance / group normalization,
noise injection, style modulation of the input, minibatch standard deviation, additions,
paddings, reshapes, and the losses. So are batch-independent costs: optimizer updates, EMA,
spectral-norm power iterations, the demodulation's `Σ W²`. Matmuls and convolutions dominate
every preset's count; the ignored work is still *time* the step spends, so a GFLOP/s computed
from these counts is a (slight) underestimate of the arithmetic actually done. Layers with
weights that the counter does not know are reported by `forward_breakdown` as uncounted.

Training step FLOPs
-------------------
With F the forward FLOPs of a network pass, the rules are:

- **backward, weight gradients**: `2F` (the input gradient and the weight gradient of every
  matmul / conv cost one forward each). This counts the first layer's input gradient even where
  TensorFlow prunes it (data inputs); the error is at most that one layer's share.
- **backward, input gradients only** (through a network whose weights are not updated): `F`.
- **double backprop** (a penalty on an input gradient, differentiated w.r.t. the weights):
  the penalty's graph is the forward plus the input backward, `P = 2F`; its weight gradient
  costs `2P`, so the penalty costs `3P = 6F` in all.

Per family, per example (multiply by the batch size B; `k` = `d_steps`):

- **GAN** (also conditional, ACGAN, WGAN): each D update = G forward outside the tape (`F_G`)
  + D on reals and fakes (`2 F_D`) + their weight backward (`4 F_D`); the G update = G forward
  (`F_G`) + D forward (`F_D`) + D input backward (`F_D`) + G weight backward (`2 F_G`).
  **Step = k · (F_G + 6 F_D) + 3 F_G + 2 F_D** (DCGAN, k = 1: `4 F_G + 8 F_D`).
- **WGAN-GP**: each D update adds the gradient penalty on B interpolates, `6 F_D`:
  **k · (F_G + 12 F_D) + 3 F_G + 2 F_D**.
- **StyleGAN2**: with `m` mapping passes per style draw (2 with style mixing on, else 1),
  `S = m · F_map + F_syn`: D update `S + 6 F_D`, plus R1 (`6 F_D`) on one step in
  `r1_interval`; G update `3 S + 2 F_D`, plus path length on B/2 examples one step in
  `path_length_interval` (`3 · (m · F_map + 2 F_syn)`: the graph is S plus the input backward
  of the synthesis to ws, differentiated again). R1 and path length are amortized over their
  intervals, so a timed run should span a whole number of intervals.
- **CycleGAN** (identity loss on, `i = 1`; off, `i = 0`): the generator tape runs each G
  `3 + i` times and each D once; the two generators' gradients are two separate
  `tape.gradient` calls, each backpropagating through the other G (input gradients) and its D
  (input gradients) and through its own G's `2 + i` passes (weight gradients); then each D
  trains on reals and pooled fakes (`6 F_D`). **Step = (14 + 6i) F_G + 16 F_D** for equal
  networks (the code adds the four networks' counts separately).
"""

import dataclasses
import math
from collections.abc import Sequence

import keras

# Layer classes with weights (or none) whose work is elementwise or a lookup: counted as 0.
_ELEMENTWISE = {
    "Activation",
    "Add",
    "BatchNormalization",
    "BiasActivation",
    "Concatenate",
    "ConstantInput",
    "Cropping2D",
    "Dropout",
    "Embedding",
    "Flatten",
    "GroupNormalization",
    "InputLayer",
    "LayerNormalization",
    "LeakyReLU",
    "MinibatchStdDev",
    "Multiply",
    "NoiseInjection",
    "NormalizeSecondMoment",
    "ReLU",
    "ReflectionPadding2D",
    "Reshape",
    "UnstackStyles",
    "ZeroPadding2D",
}
FIR_TAPS = 16  # StyleGAN's [1, 3, 3, 1] ⊗ [1, 3, 3, 1] filter


def _per_example(shape: Sequence[int | None]) -> tuple[int, ...]:
    """Drops the batch axis; every other axis must be known."""
    dims = tuple(shape[1:])
    if any(d is None for d in dims):
        raise ValueError(f"FLOP counting needs static shapes; got {tuple(shape)}")
    return tuple(int(d) for d in dims)


def _conv(kernel: Sequence[int], c_in: int, c_out: int, out_hw: Sequence[int]) -> int:
    return 2 * math.prod(kernel) * c_in * c_out * math.prod(out_hw)


def layer_flops(
    layer: keras.layers.Layer,
    input_shapes: Sequence[Sequence[int | None]],
    output_shapes: Sequence[Sequence[int | None]],
) -> int | None:
    """Forward FLOPs per example of one call of `layer`; None for an unknown layer with weights.

    Args:
        layer: the layer (not a functional model; `forward_flops` walks those).
        input_shapes: shapes of the call's input tensors, batch axis first.
        output_shapes: shapes of its output tensors, batch axis first.

    Returns:
        int FLOPs per example (multiply-add = 2), 0 for elementwise layers, or None when the
        layer has weights and its type is not known to this counter.
    """
    kind = type(layer).__name__
    inputs = [_per_example(s) for s in input_shapes]
    outputs = [_per_example(s) for s in output_shapes]
    if kind == "SpectralNormalization":
        return layer_flops(layer.layer, input_shapes, output_shapes)
    if kind in ("Dense", "EqualizedDense"):
        x = inputs[0]
        return 2 * math.prod(x) * int(layer.units)
    if kind == "Conv2D":
        _, _, c_in = inputs[0]
        h, w, c_out = outputs[0]
        return _conv(layer.kernel_size, c_in // int(layer.groups), c_out, (h, w))
    if kind == "Conv2DTranspose":
        h, w, c_in = inputs[0]
        return _conv(layer.kernel_size, c_in, int(layer.filters), (h, w))
    if kind == "DepthwiseConv2D":
        _, _, c_in = inputs[0]
        h, w, _ = outputs[0]
        return _conv(layer.kernel_size, c_in, int(layer.depth_multiplier), (h, w))
    if kind == "EqualizedConv2D":
        height, width, c_in = inputs[0]
        h, w, c_out = outputs[0]
        k = int(layer.kernel_size)
        total = _conv((k, k), c_in, c_out, (h, w))
        if layer.down:
            # blur(pad k//2 + 1): stride 2 (k = 1, H/2 outputs) or stride 1 (k = 3, H + 1).
            blurred = (
                (h * w) if k == 1 else (height + 2 * (k // 2) - 1) * (width + 2 * (k // 2) - 1)
            )
            total += 2 * FIR_TAPS * c_in * blurred
        return total
    if kind == "ModulatedConv2D":
        (height, width, c_in), (w_dim,) = inputs[0], inputs[1]
        h, w, c_out = outputs[0]
        k = int(layer.kernel_size)
        total = 2 * w_dim * c_in + _conv((k, k), c_in, c_out, (h, w))
        if layer.demodulate:
            total += 2 * c_in * c_out
        if layer.up:
            total += 2 * FIR_TAPS * c_in * height * width
        return total
    if kind == "Upsample2D":
        height, width, channels = inputs[0]
        return 2 * FIR_TAPS * channels * height * width
    if kind == "Downsample2D":
        h, w, channels = outputs[0]
        return 2 * FIR_TAPS * channels * h * w
    if kind == "Dot":
        return 2 * math.prod(inputs[0])
    if kind in _ELEMENTWISE or not layer.weights:
        return 0
    return None


def _submodel(operation) -> keras.Model | None:
    """The functional graph of a functional or Sequential model; None for anything else."""
    if isinstance(operation, keras.Sequential):
        operation = getattr(operation, "_functional", None)
    if operation is not None and hasattr(operation, "_nodes_by_depth"):
        return operation
    return None


@dataclasses.dataclass(frozen=True)
class LayerCount:
    """One layer call of a network: its path (`outer/inner/layer`), class and FLOPs/example."""

    path: str
    kind: str
    flops: int | None


def forward_breakdown(model: keras.Model, prefix: str = "") -> list[LayerCount]:
    """Every layer call of a functional `model`, sub-models walked, in topological order.

    Args:
        model: a functional (or Sequential) Keras model with static non-batch shapes.
        prefix: str prepended to each path.

    Returns:
        A list of `LayerCount`; `flops` is None for layers with weights that are not counted.

    Raises:
        ValueError: `model` is not functional (a subclassed model has no graph to walk).
    """
    graph = _submodel(model)
    if graph is None:
        raise ValueError(
            f"{model.name!r} ({type(model).__name__}) is not a functional model; count its "
            "functional parts (e.g. a StyleGenerator's mapping and synthesis) instead"
        )
    rows = []
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        for node in graph._nodes_by_depth[depth]:
            operation = node.operation
            if operation is None or node.is_input:
                continue
            path = f"{prefix}{operation.name}"
            if _submodel(operation) is not None:
                rows.extend(forward_breakdown(operation, prefix=f"{path}/"))
                continue
            if not isinstance(operation, keras.layers.Layer):
                rows.append(LayerCount(path, type(operation).__name__, 0))  # a keras.ops call
                continue
            flops = layer_flops(
                operation,
                [t.shape for t in node.input_tensors],
                [t.shape for t in node.outputs],
            )
            rows.append(LayerCount(path, type(operation).__name__, flops))
    return rows


def forward_flops(model: keras.Model) -> int:
    """Forward FLOPs of one example through a functional `model` (multiply-add = 2).

    Example:
    >>> inputs = keras.Input((3,))
    >>> forward_flops(keras.Model(inputs, keras.layers.Dense(4)(inputs)))
    24
    """
    return sum(row.flops or 0 for row in forward_breakdown(model))


def uncounted_layers(model: keras.Model) -> list[str]:
    """Paths of the layers with weights that `forward_flops` could not count (should be [])."""
    return [row.path for row in forward_breakdown(model) if row.flops is None]


# ----------------------------------------------------------------------------- step rules
@dataclasses.dataclass(frozen=True)
class StepFlops:
    """FLOPs of one training step.

    Attributes:
        per_example: float. FLOPs per example of the batch (amortized regularizers included).
        batch_size: int.
        networks: dict name → forward FLOPs per example of each network.
        rule: str. The formula used, in the networks' names.
    """

    per_example: float
    batch_size: int
    networks: dict[str, int]
    rule: str

    @property
    def total(self) -> float:
        """FLOPs of the whole step: `per_example · batch_size`."""
        return self.per_example * self.batch_size


def step_flops(model: keras.Model, batch_size: int) -> StepFlops:
    """FLOPs of one `fit()` training step of a gan_zoo model at `batch_size`.

    Args:
        model: a built `gan_zoo.models` model (GAN family, WGAN-GP, StyleGAN, CycleGAN).
        batch_size: int. Examples per step.

    Returns:
        `StepFlops` with the rule used (see the module docstring).
    """
    from gan_zoo import families  # noqa: PLC0415 (keeps the counter importable without TF work)

    try:
        per_example, nets, rule = families.family_of(model).step_flops(model, forward_flops)
    except NotImplementedError as error:
        raise ValueError(f"no FLOP rule for {type(model).__name__}: {error}") from None
    return StepFlops(per_example, batch_size, nets, rule)


def gan_step_flops(*args, **kwargs) -> float:
    """The GAN family's rule (`gan_zoo.families.gan.family.gan_step_flops`)."""
    from gan_zoo.families.gan.family import gan_step_flops as rule  # noqa: PLC0415

    return rule(*args, **kwargs)
