import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close, assert_reproduced, network_terms

from gan_zoo.families.stylegan import layers as stylegan_layers
from gan_zoo.families.stylegan import networks as stylegan

TINY = {"channel_base": 64, "channel_max": 8}  # 16 px: 8 channels at 4 and 8 px, 4 at 16 px
SMALL = {"channel_base": 512, "channel_max": 64}  # 32 px: 64, 64, 32, 16 channels
LRELU = lambda x: np.where(x >= 0, x, 0.2 * x) * math.sqrt(2.0)  # noqa: E731


def _normal(shape, seed=0):
    return np.random.RandomState(seed).normal(size=shape).astype(np.float32)


def _synthesis_inputs(image_size, w_dim, batch, seed=0):
    ws = _normal((batch, stylegan.num_style_vectors(image_size), w_dim), seed)
    noise = [
        _normal((batch, side, side, 1), seed + 1 + i)
        for i, side in enumerate(stylegan.noise_shapes(image_size))
    ]
    return [ws, *noise]


# ------------------------------------------------------- numpy versions of the reference's ops
def _reference_upfirdn2d(x, up=1, down=1, padding=(0, 0), gain=1.0):
    """`upfirdn2d._upfirdn2d_ref` with the `[1, 3, 3, 1]` filter, NHWC, float64: insert zeros,
    pad (negative crops), convolve with the flipped normalized filter × gain, subsample."""
    x = np.asarray(x, np.float64)
    batch, height, width, channels = x.shape
    if up > 1:
        inserted = np.zeros((batch, height * up, width * up, channels))
        inserted[:, ::up, ::up] = x
        x = inserted
    before, after = padding
    pads = (max(before, 0), max(after, 0))
    x = np.pad(x, ((0, 0), pads, pads, (0, 0)))
    x = x[:, max(-before, 0) : x.shape[1] - max(-after, 0)]
    x = x[:, :, max(-before, 0) : x.shape[2] - max(-after, 0)]
    taps = np.array([1.0, 3.0, 3.0, 1.0])
    fir = np.outer(taps, taps) / taps.sum() ** 2 * gain
    fir = fir[::-1, ::-1]  # flip_filter=False: a true convolution
    out_h, out_w = x.shape[1] - 3, x.shape[2] - 3
    out = np.zeros((batch, out_h, out_w, channels))
    for a in range(4):
        for b in range(4):
            out += fir[a, b] * x[:, a : a + out_h, b : b + out_w]
    return out[:, ::down, ::down]


def _correlate(x, kernel, stride=1):
    """`torch.nn.functional.conv2d` (correlation, no padding) in NHWC, kernel `[k, k, I, O]`."""
    k = kernel.shape[0]
    out_h = (x.shape[1] - k) // stride + 1
    out_w = (x.shape[2] - k) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, kernel.shape[3]))
    for a in range(k):
        for b in range(k):
            patch = x[:, a : a + stride * out_h : stride, b : b + stride * out_w : stride]
            out += patch @ kernel[a, b]
    return out


def _transposed_conv(x, kernel):
    """`conv_transpose2d(stride=2, padding=0)` in NHWC: out[2i + a, 2j + b] += x[i, j] @ K[a, b]."""
    k = kernel.shape[0]
    batch, height, width, _ = x.shape
    out = np.zeros((batch, 2 * (height - 1) + k, 2 * (width - 1) + k, kernel.shape[3]))
    for a in range(k):
        for b in range(k):
            out[:, a : a + 2 * height : 2, b : b + 2 * width : 2] += x @ kernel[a, b]
    return out


# ------------------------------------------------------------------------------- helpers
def test_style_and_noise_bookkeeping():
    assert [stylegan.num_style_vectors(s) for s in (16, 32, 256, 1024)] == [6, 8, 14, 18]
    assert stylegan.noise_shapes(16) == [4, 8, 8, 16, 16]
    assert stylegan.noise_shapes(32) == [4, 8, 8, 16, 16, 32, 32]
    for size in (16, 64, 1024):
        assert len(stylegan.noise_shapes(size)) == stylegan.num_style_vectors(size) - 1
    assert [stylegan.channels_at(r, 32768, 512) for r in (4, 64, 128, 1024)] == [512, 512, 256, 32]
    assert [stylegan.channels_at(r, 512, 64) for r in (4, 8, 16, 32)] == [64, 64, 32, 16]


# -------------------------------------------------------------------- shapes and structure
@pytest.mark.parametrize(("image_size", "channels", "sizes"), [(16, 1, TINY), (32, 3, SMALL)])
def test_shapes_of_inputs_and_outputs(image_size, channels, sizes):
    w_dim = 8
    mapping = stylegan.mapping_network(6, w_dim, num_layers=2)
    synthesis = stylegan.synthesis_network(image_size, channels, w_dim, **sizes)
    discriminator = stylegan.discriminator(image_size, channels, **sizes)
    num_ws = stylegan.num_style_vectors(image_size)
    assert mapping.input.shape == (None, 6) and mapping.output.shape == (None, w_dim)
    assert [x.name for x in synthesis.inputs] == ["ws"] + [f"noise_{i}" for i in range(num_ws - 1)]
    assert [tuple(x.shape) for x in synthesis.inputs] == [(None, num_ws, w_dim)] + [
        (None, side, side, 1) for side in stylegan.noise_shapes(image_size)
    ]
    assert synthesis.output.shape == (None, image_size, image_size, channels)
    assert discriminator.input.shape == (None, image_size, image_size, channels)
    assert discriminator.output.shape == (None, 1)
    assert (mapping.name, synthesis.name, discriminator.name) == (
        "mapping",
        "synthesis",
        "discriminator",
    )

    w = mapping(_normal((4, 6))).numpy()
    images = synthesis(_synthesis_inputs(image_size, w_dim, 4)).numpy()
    scores = discriminator(images).numpy()
    assert w.shape == (4, w_dim) and images.shape == (4, image_size, image_size, channels)
    assert scores.shape == (4, 1)
    assert all(np.all(np.isfinite(a)) for a in (w, images, scores))
    assert np.abs(images).max() > 0  # linear output, no tanh: nothing bounds it


def test_styles_and_noise_feed_the_layers_in_the_reference_order():
    synthesis = stylegan.synthesis_network(32, 3, 8, **SMALL)
    used = {}
    for layer in synthesis.layers:
        if isinstance(layer, stylegan_layers.ModulatedConv2D):
            used[layer.name] = layer.input[1]._keras_history.tensor_index
    # SynthesisNetwork.forward: block r takes ws[w_idx : w_idx + num_conv + num_torgb] and
    # advances w_idx by num_conv, so each toRGB shares its style with the next block's conv0.
    assert used == {
        "b4_conv1": 0,
        "b4_torgb": 1,
        "b8_conv0": 1,
        "b8_conv1": 2,
        "b8_torgb": 3,
        "b16_conv0": 3,
        "b16_conv1": 4,
        "b16_torgb": 5,
        "b32_conv0": 5,
        "b32_conv1": 6,
        "b32_torgb": 7,
    }
    convs = ["b4_conv1"] + [f"b{r}_conv{j}" for r in (8, 16, 32) for j in (0, 1)]
    assert [synthesis.get_layer(f"{c}_noise").input[1].name for c in convs] == [
        f"noise_{i}" for i in range(7)
    ]
    assert [synthesis.get_layer(c).up for c in convs] == [False] + [True, False] * 3
    assert [synthesis.get_layer(c).filters for c in convs] == [64, 64, 64, 32, 32, 16, 16]
    for r in (4, 8, 16, 32):
        to_rgb = synthesis.get_layer(f"b{r}_torgb")
        assert (to_rgb.kernel_size, to_rgb.demodulate, to_rgb.filters) == (1, False, 3)
        assert synthesis.get_layer(f"b{r}_torgb_bias").activation == "linear"
    assert (
        synthesis.get_layer("b32_img_add").input[0].name
        == synthesis.get_layer("b32_img_up").output.name
    )
    assert synthesis.get_layer("b4_const").constant.shape == (4, 4, 64)


def test_discriminator_follows_the_reference():
    discriminator = stylegan.discriminator(32, 3, **SMALL)
    fromrgb = discriminator.get_layer("b32_fromrgb")
    assert (fromrgb.kernel_size, fromrgb.filters, fromrgb.activation) == (1, 16, "lrelu")
    for r, (here, below) in {32: (16, 32), 16: (32, 64), 8: (64, 64)}.items():
        skip = discriminator.get_layer(f"b{r}_skip")
        conv0 = discriminator.get_layer(f"b{r}_conv0")
        conv1 = discriminator.get_layer(f"b{r}_conv1")
        assert (skip.kernel_size, skip.filters, skip.down, skip.use_bias) == (1, below, True, False)
        assert (skip.activation, skip.gain) == ("linear", pytest.approx(math.sqrt(0.5)))
        assert (conv0.kernel_size, conv0.filters, conv0.down, conv0.gain) == (3, here, False, 1)
        assert (conv1.kernel_size, conv1.filters, conv1.down) == (3, below, True)
        assert conv1.gain == pytest.approx(math.sqrt(0.5)) and conv1.activation == "lrelu"
    mbstd = discriminator.get_layer("b4_mbstd")
    assert (mbstd.group_size, mbstd.num_channels) == (4, 1)
    assert mbstd.output.shape == (None, 4, 4, 65)
    assert discriminator.get_layer("b4_conv").output.shape == (None, 4, 4, 64)
    assert discriminator.get_layer("b4_fc").units == 64
    out = discriminator.get_layer("b4_out")
    assert (out.units, out.activation) == (1, "linear")


# ------------------------------------------------------------------------ parameter counts
def _reference_count(image_size, channel_base=32768, channel_max=512, w_dim=512, rgb=3):
    """(synthesis, discriminator) trainable parameters by the reference's formulas."""

    def ch(r):
        return min(channel_base // r, channel_max)

    def layer(cin, cout):  # affine, weight, bias, noise_strength
        return (w_dim * cin + cin) + 9 * cin * cout + cout + 1

    def to_rgb(cin):  # affine, 1x1 weight, bias
        return (w_dim * cin + cin) + cin * rgb + rgb

    synthesis = 16 * ch(4) + layer(ch(4), ch(4)) + to_rgb(ch(4))
    d = rgb * ch(image_size) + ch(image_size)
    r = 8
    while r <= image_size:
        synthesis += layer(ch(r // 2), ch(r)) + layer(ch(r), ch(r)) + to_rgb(ch(r))
        cin, cout = ch(r), ch(r // 2)
        d += cin * cout + (9 * cin * cin + cin) + (9 * cin * cout + cout)  # skip, conv0, conv1
        r *= 2
    d += (9 * (ch(4) + 1) * ch(4) + ch(4)) + (16 * ch(4) * ch(4) + ch(4)) + (ch(4) + 1)
    return synthesis, d


@pytest.fixture(scope="module")
def config_f():
    """StyleGAN2 config F at 1024 px (built, never run)."""
    return (
        stylegan.mapping_network(),
        stylegan.synthesis_network(1024),
        stylegan.discriminator(1024),
    )


def test_parameter_counts_equal_the_reference(config_f):
    mapping, synthesis, discriminator = config_f
    # Counted: trainable parameters, as the reference's `print_module_summary` column
    # "Parameters" (its "Buffers" — noise_const maps, resample filters, w_avg — are not
    # parameters; the model, not these networks, tracks w̄). Every weight here is trainable.
    # Config F, 1024 px: channels 512 at 4-64 px, 256 at 128, 128 at 256, 64 at 512, 32 at 1024.
    # Mapping: 8 × (512·512 + 512)                                        =  2,101,248
    # Synthesis layer Cin→Cout: affine 512·Cin + Cin, weight 9·Cin·Cout, bias Cout, noise 1;
    # toRGB Cin: affine 512·Cin + Cin, weight 3·Cin, bias 3.
    #   b4     const 16·512 = 8,192; conv1 2,622,465; torgb 264,195       =  2,894,852
    #   b8-b64 4 × (conv0 2,622,465 + conv1 2,622,465 + torgb 264,195)    = 22,036,500
    #   b128   1,442,561 + 721,409 + 132,099                              =  2,296,069
    #   b256     426,369 + 213,249 +  66,051                              =    705,669
    #   b512     139,457 +  69,761 +  33,027                              =    242,245
    #   b1024     51,297 +  25,665 +  16,515                              =     93,477
    #   synthesis                                                         = 28,268,812
    # G = mapping + synthesis = 30,370,060.
    # D: fromrgb 3·32 + 32 = 128; per block skip Cin·Cout, conv0 9·Cin² + Cin, conv1
    # 9·Cin·Cout + Cout:
    #   b1024 2,048 + 9,248 + 18,496; b512 8,192 + 36,928 + 73,856;
    #   b256 32,768 + 147,584 + 295,168; b128 131,072 + 590,080 + 1,180,160;
    #   b64-b8 4 × (262,144 + 2,359,808 + 2,359,808) = 19,927,040;
    #   b4 conv 9·513·512 + 512 = 2,364,416, fc 16·512·512 + 512 = 4,194,816, out 513
    #   D                                                                 = 29,012,513
    # The reference (stylegan2-ada-pytorch train.py's summary at 1024 px, --cfg=auto, i.e. 2
    # mapping layers of 262,656) prints every one of these per-layer numbers, "Total 28794124"
    # for G (= 28,268,812 + 2 · 262,656) and "Total 29012513" for D. Rounded: G 30.4M (8
    # mapping layers), D 29.0M.
    assert mapping.count_params() == 2_101_248
    assert synthesis.count_params() == 28_268_812
    assert mapping.count_params() + synthesis.count_params() == 30_370_060
    assert stylegan.mapping_network(num_layers=2).count_params() + 28_268_812 == 28_794_124
    assert discriminator.count_params() == 29_012_513
    assert (synthesis.count_params(), discriminator.count_params()) == _reference_count(1024)
    for model in config_f:
        assert not model.non_trainable_weights
    # Per layer, the reference's SynthesisLayer is our ModulatedConv2D + noise + bias layers.
    b128_conv0 = [synthesis.get_layer(f"b128_conv0{s}") for s in ("", "_noise", "_bias_act")]
    assert [layer.count_params() for layer in b128_conv0] == [1_442_304, 1, 256]  # 1,442,561
    assert synthesis.get_layer("b1024_torgb").count_params() == 16_512  # + bias 3 = 16,515


def test_small_networks_match_the_reference_formulas():
    for size, kwargs, w_dim in ((16, TINY, 8), (32, SMALL, 64), (32, {}, 512)):
        synthesis = stylegan.synthesis_network(size, 3, w_dim, **kwargs)
        discriminator = stylegan.discriminator(size, 3, **kwargs)
        expected = _reference_count(size, w_dim=w_dim, **kwargs)
        assert (synthesis.count_params(), discriminator.count_params()) == expected
    assert stylegan.mapping_network(64, 64, num_layers=8, hidden_units=32).count_params() == (
        64 * 32 + 32 + 6 * (32 * 32 + 32) + 32 * 64 + 64
    )


# ---------------------------------------------------------------- equalized learning rate
def test_equalized_dense_scales_weights_at_run_time():
    layer = stylegan_layers.EqualizedDense(256, lr_multiplier=0.01, bias_initial_value=1.0)
    layer.build((None, 512))
    # Stored ~ N(0, 1 / 0.01), used ~ N(0, 1 / fan_in); bias stored 1 / 0.01, used 1.
    assert layer.kernel.numpy().std() == pytest.approx(100.0, rel=0.02)
    assert layer.effective_kernel().numpy().std() == pytest.approx(1 / math.sqrt(512), rel=0.02)
    assert_close(layer.bias.numpy(), 100.0, err_msg="stored bias vs 1 / 0.01")
    # 0 @ kernel + 100 · 0.01 in float32: the gain product and the addition round.
    assert_close(layer(np.zeros((2, 512), np.float32)).numpy(), 1.0, terms=2, err_msg="bias used")

    tiny = stylegan_layers.EqualizedDense(2, lr_multiplier=0.5, activation="lrelu")
    tiny.build((None, 4))
    kernel = np.array([[1, -2], [0, 4], [2, 0], [-1, 1]], np.float32)
    tiny.kernel.assign(kernel)
    tiny.bias.assign(np.array([0.2, -1.0], np.float32))
    x = np.array([[1, 2, 3, 4], [-1, 0, 0, 1]], np.float32)
    # weight gain 0.5 / sqrt(4) = 0.25, bias gain 0.5:
    # x0 @ K = [3, 10] → [0.75, 2.5] + [0.1, -0.5] = [0.85, 2.0]
    # x1 @ K = [-2, 3] → [-0.5, 0.75] + [0.1, -0.5] = [-0.4, 0.25]
    expected = LRELU(np.array([[0.85, 2.0], [-0.4, 0.25]]))
    # TF float32 (a 4-term product, gains, bias, lrelu · √2) vs the hand-computed values.
    assert_close(tiny(x).numpy(), expected, terms=4 + 4, err_msg="EqualizedDense vs by hand")
    assert_close(expected[1, 0], -0.08 * math.sqrt(2), dtype="float64", terms=3)


def test_equalized_conv_scales_weights_and_folds_gains():
    conv = stylegan_layers.EqualizedConv2D(64, 3)
    conv.build((None, 8, 8, 128))
    assert conv.kernel.numpy().std() == pytest.approx(1.0, rel=0.02)
    assert conv.effective_kernel().numpy().std() == pytest.approx(1 / math.sqrt(128 * 9), rel=0.02)
    assert not conv.bias.numpy().any()

    one = stylegan_layers.EqualizedConv2D(2, 1, activation="lrelu", gain=0.5)
    one.build((None, 2, 2, 4))
    kernel = np.array([[1, -2], [0, 4], [2, 0], [-1, 1]], np.float32)
    one.kernel.assign(kernel[None, None])
    one.bias.assign(np.array([0.5, -1.0], np.float32))
    x = _normal((3, 2, 2, 4))
    expected = LRELU(x @ kernel / 2.0 + [0.5, -1.0]) * 0.5  # 1 / sqrt(4 · 1 · 1) = 1/2
    # TF's 1x1 convolution (fan-in 4) with gains, bias, lrelu vs NumPy.
    assert_close(one(x).numpy(), expected, terms=4 + 5, err_msg="EqualizedConv2D vs NumPy")


def test_mapping_network_normalizes_z_and_uses_the_lr_multiplier():
    mapping = stylegan.mapping_network(16, 8, num_layers=3, hidden_units=12)
    assert [mapping.get_layer(f"fc_{i}").units for i in range(3)] == [12, 12, 8]
    fc = mapping.get_layer("fc_0")
    assert (fc.lr_multiplier, fc.activation) == (0.01, "lrelu")
    assert fc.kernel.numpy().std() == pytest.approx(100.0, rel=0.15)
    z = _normal((4, 16))
    # normalize_2nd_moment makes w independent of the scale of z: the same network on z and
    # on 3z, equal up to the rounding of the normalization (and what follows it).
    assert_close(
        mapping(3.0 * z).numpy(),
        mapping(z).numpy(),
        terms=network_terms(mapping),
        err_msg="mapping(3z) vs mapping(z)",
    )
    normalize = mapping.get_layer("normalize_z")
    expected = z / np.sqrt((z**2).mean(axis=1, keepdims=True) + 1e-8)
    # A mean of 16 squares, rsqrt, product: TF float32 vs NumPy float64.
    assert_close(normalize(z).numpy(), expected, terms=16 + 3, err_msg="normalize_z vs NumPy")


# ------------------------------------------------------------- modulation / demodulation
def _modulated(filters, kernel_size=3, up=False, demodulate=True, cin=6, w_dim=5, seed=0):
    layer = stylegan_layers.ModulatedConv2D(filters, kernel_size, up=up, demodulate=demodulate)
    layer.build([(None, 5, 5, cin), (None, w_dim)])
    state = np.random.RandomState(seed)  # non-trivial affine bias, so styles vary
    layer.affine.bias.assign(state.uniform(0.5, 1.5, size=cin).astype(np.float32))
    return layer


def test_demodulation_gives_unit_variance_whatever_the_style_scale():
    layer = _modulated(32, cin=64, w_dim=8)
    x = _normal((16, 12, 12, 64))
    w = _normal((16, 8), seed=1)
    for scale in (1.0, 10.0):
        y = layer([x, scale * w]).numpy()[:, 1:-1, 1:-1]  # interior: no zero padding
        per_channel = y.reshape(-1, 32).std(axis=0)
        assert np.all(np.abs(per_channel - 1.0) < 0.12), per_channel
        assert per_channel.mean() == pytest.approx(1.0, abs=0.03)
    # Styles scaled by 10 (affine without bias: s(10 w) = 10 s(w)) give the same output: the
    # layer on two inputs, equal up to rounding (affine 8, the 3x3x64 convolution and the
    # demodulation's sum of as many squares, the elementwise ops).
    layer.affine.bias.assign(np.zeros(64, np.float32))
    assert_close(
        layer([x, 10.0 * w]).numpy(),
        layer([x, w]).numpy(),
        terms=8 + 2 * 9 * 64 + 8,
        err_msg="demodulated output for styles 10 s vs s",
    )


def test_demodulation_coefficients_and_grouped_convolution():
    layer = _modulated(4, cin=3, w_dim=5)
    x, w = _normal((2, 5, 5, 3)), _normal((2, 5), seed=1)
    kernel = layer.kernel.numpy().astype(np.float64)  # [3, 3, I, O]
    styles = layer.styles(w).numpy().astype(np.float64)
    demodulation = layer.demodulation(layer.styles(w)).numpy()
    affine = layer.affine
    expected_styles = w @ affine.kernel.numpy() / math.sqrt(5) + affine.bias.numpy()
    # TF's affine (a 5-term product, gain, bias) vs NumPy; atol from the largest style, so
    # styles near 0 (a sum that cancels) are judged by the rounding of their terms.
    assert_close(styles, expected_styles, terms=5 + 2, err_msg="styles vs w @ A / √5 + b")
    # Per example b and output o: d = 1 / sqrt(Σ_{kh, kw, i} (W[kh, kw, i, o] · s[b, i])² + 1e-8).
    d = np.empty((2, 4))
    for b in range(2):
        for o in range(4):
            d[b, o] = 1 / math.sqrt(np.sum((kernel[:, :, :, o] * styles[b]) ** 2) + 1e-8)
    # A sum of 3 · 3 · 3 squared products and an rsqrt: TF float32 vs NumPy float64.
    assert_close(demodulation, d, terms=27 + 3, err_msg="demodulation vs the reference's d")
    # The reference's fused form: one grouped convolution with per-example kernels W · s · d.
    padded = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
    grouped = np.concatenate(
        [
            _correlate(padded[b : b + 1], kernel * styles[b][:, None] * d[b][None, :])
            for b in range(2)
        ]
    )
    # TF's modulate → 3x3x3 convolution → demodulate vs NumPy's grouped convolution with the
    # per-example kernels W · s · d (27 terms per output, the demodulation's 27, the products).
    assert_close(
        layer([x, w]).numpy(), grouped, terms=27 + 27 + 8, err_msg="ModulatedConv2D vs grouped"
    )


def test_upsampling_modulated_conv_equals_the_reference_transposed_path():
    # conv2d_resample(up=2, padding=1, k=3): transposed stride-2 conv (a true convolution:
    # out[2i + a] += x[i] · W[a]), then upfirdn2d(padding=1, gain=4). Our layer correlates, so
    # its kernel K corresponds to the reference's W = K flipped spatially.
    layer = _modulated(4, up=True, cin=3, w_dim=5)
    x, w = _normal((2, 5, 5, 3)), _normal((2, 5), seed=1)
    styles = layer.styles(w).numpy().astype(np.float64)
    kernel = layer.kernel.numpy().astype(np.float64)
    d = layer.demodulation(layer.styles(w)).numpy()
    transposed = _transposed_conv(x * styles[:, None, None, :], kernel[::-1, ::-1])
    expected = _reference_upfirdn2d(transposed, padding=(1, 1), gain=4.0) * d[:, None, None, :]
    result = layer([x, w]).numpy()
    assert result.shape == (2, 10, 10, 4)
    # TF vs NumPy: the 3x3x3 transposed convolution (27), the 4x4 FIR (16), the
    # demodulation's 27-term sum, the elementwise products.
    assert_close(
        result, expected, terms=27 + 16 + 27 + 8, err_msg="upsampling ModulatedConv2D vs reference"
    )


def test_to_rgb_scales_the_styles_by_the_weight_gain():
    layer = _modulated(3, kernel_size=1, demodulate=False, cin=6, w_dim=5)
    x, w = _normal((2, 4, 4, 6)), _normal((2, 5), seed=1)
    raw = layer.affine(w).numpy()
    expected = (x * raw[:, None, None, :] / math.sqrt(6)) @ layer.kernel.numpy()[0, 0]
    # A 1x1 convolution of 6 channels, modulated: TF vs NumPy.
    assert_close(layer([x, w]).numpy(), expected, terms=6 + 4, err_msg="toRGB vs NumPy")
    # Without demodulation the output follows the style scale (the layer on 2 w and on w).
    layer.affine.bias.assign(np.zeros(6, np.float32))
    assert_close(
        layer([x, 2.0 * w]).numpy(),
        2.0 * layer([x, w]).numpy(),
        terms=5 + 6 + 4,
        err_msg="toRGB(2 w) vs 2 toRGB(w)",
    )


# ------------------------------------------------------------------------ small layers
def test_noise_injection():
    layer = stylegan_layers.NoiseInjection()
    x, noise = _normal((2, 4, 4, 3)), _normal((2, 4, 4, 1), seed=1)
    # Strength starts at 0: x + 0 · noise is x exactly (no rounding in adding a zero).
    np.testing.assert_array_equal(layer([x, noise]).numpy(), x)
    assert layer.strength.shape == () and layer.trainable_weights == [layer.strength]
    layer.strength.assign(0.5)
    assert_close(layer([x, noise]).numpy(), x + 0.5 * noise, terms=2, err_msg="x + 0.5 noise")


def test_bias_activation_and_constant_input():
    layer = stylegan_layers.BiasActivation("lrelu")
    x = _normal((2, 3, 3, 4))
    layer.build(x.shape)
    layer.bias.assign(np.array([1, -1, 0, 2], np.float32))
    assert_close(layer(x).numpy(), LRELU(x + [1, -1, 0, 2]), terms=3, err_msg="bias + lrelu")
    constant = stylegan_layers.ConstantInput(5, name="const")
    out = constant(np.zeros((3, 6, 2), np.float32)).numpy()
    assert out.shape == (3, 4, 4, 5)
    np.testing.assert_array_equal(out[0], constant.constant.numpy())  # copies: exact
    np.testing.assert_array_equal(out[2], out[0])


def test_fir_upsampling_keeps_constants_and_matches_upfirdn2d():
    up = stylegan_layers.Upsample2D()
    constant = np.full((2, 4, 6, 3), 0.7, np.float32)
    result = up(constant).numpy()
    assert result.shape == (2, 8, 12, 3)
    # Every value below is TF's 4x4 FIR (16 taps: terms=16) against a value by hand / NumPy.
    assert_close(result[:, 1:-1, 1:-1], 0.7, terms=16, err_msg="upsampled constant")
    # Borders: 3/4 from the nearest pixel, 1/4 from the zero padding (the reference's too).
    assert_close(result[0, 0, 1:-1, 0], 0.7 * 0.75, terms=16, err_msg="top border")
    assert_close(result[0, -1, 1:-1, 0], 0.7 * 0.75, terms=16, err_msg="bottom border")
    assert_close(result[0, 0, 0, 0], 0.7 * 0.75 * 0.75, terms=16, err_msg="corner")
    assert_close(
        result, _reference_upfirdn2d(constant, 2, 1, (2, 1), 4.0), terms=16, err_msg="upfirdn2d"
    )
    x = _normal((2, 5, 3, 2))
    expected = _reference_upfirdn2d(x, up=2, padding=(2, 1), gain=4.0)  # upsample2d
    assert_close(up(x).numpy(), expected, terms=16, err_msg="Upsample2D vs upfirdn2d")
    # The padding (3, 2) used before the valid 3×3 of an upsampling conv: 2 more rows/columns.
    wide = stylegan_layers.upsample(x, (3, 2)).numpy()
    assert_close(
        wide,
        _reference_upfirdn2d(x, up=2, padding=(3, 2), gain=4.0),
        terms=16,
        err_msg="upsample(padding=(3, 2)) vs upfirdn2d",
    )
    assert_close(wide[:, 1:-1, 1:-1], up(x).numpy(), terms=16, err_msg="wide interior vs up")


def test_fir_downsampling_keeps_constants_inside_and_matches_upfirdn2d():
    down = stylegan_layers.Downsample2D()
    result = down(np.full((2, 8, 8, 3), 0.7, np.float32)).numpy()
    assert result.shape == (2, 4, 4, 3)
    # TF's 4x4 FIR (16 taps) against values by hand and NumPy's upfirdn2d.
    assert_close(result[:, 1:-1, 1:-1], 0.7, terms=16, err_msg="downsampled constant")
    assert_close(result[0, 0, 0, 0], 0.7 * 7 / 8 * 7 / 8, terms=16, err_msg="zero-padded corner")
    x = _normal((2, 8, 6, 2))
    expected = _reference_upfirdn2d(x, down=2, padding=(1, 1))  # downsample2d
    assert_close(down(x).numpy(), expected, terms=16, err_msg="Downsample2D vs upfirdn2d")


@pytest.mark.parametrize("kernel_size", [3, 1])
def test_downsampling_conv_equals_the_reference_conv2d_resample(kernel_size):
    layer = stylegan_layers.EqualizedConv2D(3, kernel_size, down=True, use_bias=False)
    x = _normal((2, 8, 8, 4))
    result = layer(x).numpy()
    kernel = layer.effective_kernel().numpy().astype(np.float64)
    if kernel_size == 3:  # upfirdn2d(padding=2), then a stride-2 conv: 8 → 9 → 4
        expected = _correlate(_reference_upfirdn2d(x, padding=(2, 2)), kernel, stride=2)
    else:  # upfirdn2d(down=2, padding=1), then the 1×1 conv: 8 → 4
        expected = _correlate(_reference_upfirdn2d(x, down=2, padding=(1, 1)), kernel)
    assert result.shape == (2, 4, 4, 3)
    # TF vs NumPy: the 4x4 FIR (16) then the k x k x 4 convolution.
    terms = 16 + kernel_size**2 * 4
    assert_close(result, expected, terms=terms, err_msg="down conv vs conv2d_resample")


# --------------------------------------------------------------- minibatch standard deviation
def test_minibatch_std_by_hand():
    layer = stylegan_layers.MinibatchStdDev(group_size=2)
    # Contiguous groups {0, 1} and {2, 3}; one pixel, two channels.
    x = np.array([[0, 0], [2, 4], [1, 1], [1, 1]], np.float32).reshape(4, 1, 1, 2)
    out = layer(x).numpy()
    # Group 0: std over the group (biased) 1 and 2 → mean 1.5; group 1: sqrt(0 + 1e-8) = 1e-4.
    # (TF float32: a mean, a variance, a sqrt and a mean over 2 channels, ~8 roundings.)
    assert_close(out[:, 0, 0, 2], [1.5, 1.5, 1e-4, 1e-4], terms=8, err_msg="std by hand")
    np.testing.assert_array_equal(out[..., :2], x)  # the input passes through: a copy
    # The reference's strided groups ({0, 2}, {1, 3}) would give other numbers.
    assert not np.allclose(out[:, 0, 0, 2], [0.75, 1.5, 0.75, 1.5])


def test_minibatch_std_against_numpy_with_channel_groups():
    layer = stylegan_layers.MinibatchStdDev(group_size=3, num_channels=2)
    x = _normal((6, 3, 2, 4))
    expected = np.empty((6, 3, 2, 2))
    for g in range(2):
        group = x[3 * g : 3 * g + 3].astype(np.float64)
        std = np.sqrt(group.var(axis=0) + 1e-8)  # [H, W, C]
        for f in range(2):
            expected[3 * g : 3 * g + 3, :, :, f] = std[:, :, 2 * f : 2 * f + 2].mean()
    out = layer(x).numpy()
    assert out.shape == (6, 3, 2, 6)
    # TF float32 vs NumPy: the group's mean and variance (3 terms), sqrt, a mean over 3 · 2 · 2.
    assert_close(out[..., 4:], expected, terms=2 * 3 + 2 + 12, err_msg="std vs NumPy")
    # A group larger than the batch is the whole batch.
    whole = stylegan_layers.MinibatchStdDev(group_size=8)(x[:2]).numpy()[:, :, :, 4]
    expected = np.sqrt(x[:2].astype(np.float64).var(axis=0) + 1e-8).mean()
    assert_close(whole, expected, terms=2 * 2 + 2 + 24, err_msg="whole-batch std vs NumPy")


def test_minibatch_std_two_replicas_equal_one():
    for group_size in (4, 2):
        layer = stylegan_layers.MinibatchStdDev(group_size=group_size)
        x = _normal((8, 4, 4, 3))
        halves = np.concatenate([layer(x[:4]).numpy(), layer(x[4:]).numpy()])
        # Batches of 8 and of 4: other shapes, maybe other kernels' loops; the same groups.
        assert_close(layer(x).numpy(), halves, terms=2 * 4 + 2 + 48, err_msg="8 vs 2 x 4")


def test_minibatch_std_batch_not_divisible_by_the_group():
    layer = stylegan_layers.MinibatchStdDev(group_size=4)
    message = "MinibatchStdDev: batch 6 must be divisible by group size 4"
    with pytest.raises(ValueError, match=message):
        layer(_normal((6, 2, 2, 3)))
    graph = tf.function(layer, input_signature=[tf.TensorSpec([None, 2, 2, 3])])
    assert graph(_normal((8, 2, 2, 3))).shape == (8, 2, 2, 4)
    in_graph = r"MinibatchStdDev: batch\] \[6\] \[must be divisible by group size\] \[4\]"
    with pytest.raises(tf.errors.InvalidArgumentError, match=in_graph):
        graph(_normal((6, 2, 2, 3)))
    # XLA has no string ops: the assertion must still compile (it runs as nothing there).
    compiled = tf.function(
        layer, input_signature=[tf.TensorSpec([None, 2, 2, 3])], jit_compile=True
    )
    assert_close(
        compiled(_normal((8, 2, 2, 3))).numpy(),
        layer(_normal((8, 2, 2, 3))).numpy(),
        terms=2 * 4 + 2 + 12,
        err_msg="XLA vs eager MinibatchStdDev",
    )


# ------------------------------------------------------------------- round trip, gradients
def test_keras_file_round_trip(tmp_path):
    synthesis = stylegan.synthesis_network(16, 2, 8, **TINY)
    discriminator = stylegan.discriminator(16, 2, minibatch_std_group_size=2, **TINY)
    for layer in synthesis.layers:  # non-zero noise strengths and biases
        for weight in layer.weights:
            if weight.path.endswith(("strength", "bias")):
                weight.assign(np.random.RandomState(0).normal(size=weight.shape) * 0.1)
    inputs = _synthesis_inputs(16, 8, 4)
    for model, args in ((synthesis, inputs), (discriminator, _normal((4, 16, 16, 2)))):
        path = str(tmp_path / f"{model.name}.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        # The same layers, weights and ops rebuilt: the same program (`check_keras_round_trip`).
        assert_reproduced(loaded(args).numpy(), model(args).numpy(), err_msg=model.name)
        assert [w.path for w in loaded.weights] == [w.path for w in model.weights]
    assert isinstance(loaded.get_layer("b4_mbstd"), stylegan_layers.MinibatchStdDev)


def test_discriminator_gradients_for_r1():
    discriminator = stylegan.discriminator(16, 1, minibatch_std_group_size=2, **TINY)
    images = tf.constant(_normal((4, 16, 16, 1)))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            inner.watch(images)
            scores = tf.reduce_sum(discriminator(images))
        gradients = inner.gradient(scores, images)
        penalty = tf.reduce_mean(tf.reduce_sum(tf.square(gradients), axis=[1, 2, 3]))
    assert np.all(np.isfinite(gradients.numpy())) and np.abs(gradients.numpy()).max() > 0
    weights_gradients = outer.gradient(penalty, discriminator.trainable_weights)
    for weight, gradient in zip(discriminator.trainable_weights, weights_gradients, strict=True):
        if weight.path == "b4_out/bias":  # shifts every score alike: no effect on ∇ₓD
            assert gradient is None
            continue
        assert gradient is not None, weight.path
        assert np.all(np.isfinite(gradient.numpy())), weight.path


def test_synthesis_gradients_including_path_length():
    synthesis = stylegan.synthesis_network(16, 1, 8, **TINY)
    ws, *noise = (tf.constant(x) for x in _synthesis_inputs(16, 8, 2))
    weights = synthesis.trainable_weights
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(ws)
        with tf.GradientTape() as inner:
            inner.watch(ws)
            images = synthesis([ws, *noise])
            projected = tf.reduce_sum(images * _normal(images.shape, seed=9))
        ws_gradients = inner.gradient(projected, ws)  # path length: ‖J^T y‖ per example
        lengths = tf.sqrt(tf.reduce_sum(tf.square(ws_gradients), axis=[1, 2]))
        loss = tf.reduce_mean(tf.square(images))
    assert np.all(np.isfinite(ws_gradients.numpy())) and np.abs(ws_gradients.numpy()).max() > 0
    for name, target in (("loss", loss), ("path length", lengths)):
        for weight, gradient in zip(weights, outer.gradient(target, weights), strict=True):
            if name == "path length" and weight.path.endswith("_torgb_bias/bias"):
                assert gradient is None  # adds a constant to the image: no effect on J
                continue
            assert gradient is not None, (name, weight.path)
            assert np.all(np.isfinite(gradient.numpy())), (name, weight.path)
    strengths = [w for w in weights if w.path.endswith("strength")]
    assert len(strengths) == 5
    for gradient in outer.gradient(loss, strengths):  # 0-initialised, still trained
        assert gradient is not None and float(tf.abs(gradient)) > 0


# ------------------------------------------------------------------------------ errors
S, D, M = stylegan.synthesis_network, stylegan.discriminator, stylegan.mapping_network
L = stylegan_layers
BAD_ARGUMENTS = [
    (S, {"image_size": 24}, "synthesis_network image_size must be a power of two ≥ 16; got 24"),
    (S, {"image_size": 8}, "image_size must be a power of two ≥ 16; got 8"),
    (S, {"image_size": 32.0}, "image_size must be an int ≥ 1; got 32.0"),
    (S, {"image_size": 32, "channels": 0}, "channels must be an int ≥ 1; got 0"),
    (S, {"image_size": 32, "w_dim": 0}, "w_dim must be an int ≥ 1; got 0"),
    (S, {"image_size": 32, "channel_base": 16}, "channel_base must be an int ≥ 32; got 16"),
    (S, {"image_size": 32, "channel_max": 0}, "channel_max must be an int ≥ 1; got 0"),
    (D, {"image_size": 24}, "discriminator image_size must be a power of two ≥ 16; got 24"),
    (D, {"image_size": 8}, "image_size must be a power of two ≥ 16; got 8"),
    (D, {"image_size": 32, "channels": 0}, "discriminator channels must be an int ≥ 1; got 0"),
    (D, {"image_size": 32, "minibatch_std_group_size": 0}, "minibatch_std_group_size must be"),
    (
        D,
        {"image_size": 32, "channel_base": 512, "channel_max": 6, "minibatch_std_channels": 4},
        "minibatch_std_channels must divide the 6 channels at 4×4; got 4",
    ),
    (M, {"latent_dim": 0}, "mapping_network latent_dim must be an int ≥ 1; got 0"),
    (M, {"num_layers": 0}, "num_layers must be an int ≥ 1; got 0"),
    (M, {"hidden_units": 0}, "hidden_units must be an int ≥ 1; got 0"),
    (M, {"lr_multiplier": 0.0}, "lr_multiplier must be a number > 0; got 0.0"),
    (stylegan.noise_shapes, {"image_size": 12}, "noise_shapes image_size must be a power of two"),
    (L.EqualizedDense, {"units": 4, "activation": "relu"}, "activation must be one of linear"),
    (L.EqualizedDense, {"units": 0}, "EqualizedDense units must be an int ≥ 1; got 0"),
    (L.EqualizedConv2D, {"filters": 4, "kernel_size": 2}, "kernel_size must be odd; got 2"),
    (L.EqualizedConv2D, {"filters": 4, "kernel_size": 3, "gain": 0}, "gain must be a number > 0"),
    (L.ModulatedConv2D, {"filters": 0}, "ModulatedConv2D filters must be an int ≥ 1; got 0"),
    (L.BiasActivation, {"activation": "tanh"}, "BiasActivation activation must be one of"),
    (L.MinibatchStdDev, {"group_size": 0}, "MinibatchStdDev group_size must be an int ≥ 1"),
    (L.MinibatchStdDev, {"num_channels": 0}, "num_channels must be an int ≥ 1; got 0"),
]


@pytest.mark.parametrize(("build", "kwargs", "message"), BAD_ARGUMENTS)
def test_bad_arguments_are_clear_errors(build, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("*", r"\*")):
        build(**kwargs)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_fir_filters_match_upfirdn2d_with_and_without_xla(jit_compile):
    # Under XLA the filters run separably (slices and sums), else as depthwise convolutions.
    x = _normal((2, 5, 6, 3))
    cases = [
        (lambda t: stylegan_layers.upsample(t, (2, 1)), dict(up=2, padding=(2, 1), gain=4.0)),
        (lambda t: stylegan_layers.upsample(t, (3, 2)), dict(up=2, padding=(3, 2), gain=4.0)),
        (lambda t: stylegan_layers.blur(t, (2, 2)), dict(padding=(2, 2))),
        (lambda t: stylegan_layers.blur(t, (1, 1), stride=2), dict(down=2, padding=(1, 1))),
    ]
    for function, reference in cases:
        result = tf.function(function, jit_compile=jit_compile)(tf.constant(x)).numpy()
        expected = _reference_upfirdn2d(x, **reference)
        assert result.shape == expected.shape
        assert_close(result, expected, terms=16, err_msg=f"FIR (XLA {jit_compile}) vs upfirdn2d")
