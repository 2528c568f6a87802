"""benchmarks/flops.py against hand-computed counts, and one quick throughput.py run."""

import importlib.util
import json
import math
import os
import subprocess
import sys

import keras
import pytest
from harness import assert_close
from keras import layers

from gan_zoo import builders, models
from gan_zoo.families.stylegan.layers import ModulatedConv2D

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCHMARKS = os.path.join(REPO_ROOT, "benchmarks")


@pytest.fixture(scope="module")
def flops():
    spec = importlib.util.spec_from_file_location(
        "gan_zoo_bench_flops", os.path.join(BENCHMARKS, "flops.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _dense_model(name="mlp"):
    inputs = keras.Input((5,))
    x = layers.Dense(3)(inputs)
    x = layers.ReLU()(x)
    return keras.Model(inputs, layers.Dense(2)(x), name=name)


def test_dense(flops):
    # 5 → 3: 2·5·3 = 30; 3 → 2: 2·3·2 = 12; the ReLU is elementwise (0).
    assert flops.forward_flops(_dense_model()) == 30 + 12


def test_conv2d(flops):
    inputs = keras.Input((8, 8, 3))
    # Stride 2, 'same': 8×8 → 4×4; 2·k_h·k_w·C_in·C_out·H_out·W_out = 2·3·3·3·4·16 = 3456.
    x = layers.Conv2D(4, 3, strides=2, padding="same")(inputs)
    # Kernel (3, 2), 'valid' on 4×4×4: 2×3 outputs of 2 channels: 2·3·2·4·2·6 = 576.
    y = layers.Conv2D(2, (3, 2), padding="valid")(x)
    assert tuple(y.shape) == (None, 2, 3, 2)
    assert flops.forward_flops(keras.Model(inputs, y)) == 3456 + 576


def test_conv2d_transpose(flops):
    inputs = keras.Input((4, 4, 6))
    # Each of the 4·4 input pixels scatters a 4×4×6×2 kernel: 2·4·4·6·2·(4·4) = 6144, the
    # output being 8×8×2.
    y = layers.Conv2DTranspose(2, 4, strides=2, padding="same")(inputs)
    assert tuple(y.shape) == (None, 8, 8, 2)
    assert flops.forward_flops(keras.Model(inputs, y)) == 6144


def test_nested_model_counts_every_call(flops):
    inner = _dense_model("inner")  # 42 per call
    inputs = keras.Input((5,))
    h = inner(inputs)  # 42
    h = layers.Dense(5)(h)  # 2·2·5 = 20
    outputs = inner(h)  # the same sub-model called again: 42
    outer = keras.Model(inputs, outputs)
    assert flops.forward_flops(outer) == 42 + 20 + 42
    paths = [row.path for row in flops.forward_breakdown(outer) if row.flops]
    assert sum(path.startswith("inner/") for path in paths) == 4


def test_spectral_norm_and_unknown_layers(flops):
    inputs = keras.Input((4,))
    x = layers.SpectralNormalization(layers.Dense(3))(inputs)  # 2·4·3 = 24
    x = layers.BatchNormalization()(x)  # elementwise: 0
    assert flops.forward_flops(keras.Model(inputs, x)) == 24

    class Mystery(layers.Layer):
        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1],))

        def call(self, x):
            return x * self.w

    y = Mystery(name="mystery")(inputs)
    assert flops.uncounted_layers(keras.Model(inputs, y)) == ["mystery"]


def test_modulated_conv(flops):
    x = keras.Input((4, 4, 8))
    w = keras.Input((16,))
    y = ModulatedConv2D(4, 3)([x, w])
    # affine w → styles: 2·16·8 = 256; 3×3 conv 8 → 4 on 4×4: 2·9·8·4·16 = 9216;
    # demodulation styles² @ ΣW²: 2·8·4 = 64.
    assert flops.forward_flops(keras.Model([x, w], y)) == 256 + 9216 + 64


def test_dcgan_mnist_generator_by_hand(flops):
    g = builders.dcgan.generator(latent_dim=100, image_size=28, channels=1)
    project = 2 * 100 * (7 * 7 * 128)  # Dense 100 → 7·7·128
    up_0 = 2 * 4 * 4 * 128 * 64 * (7 * 7)  # Conv2DTranspose on 7×7×128 → 14×14×64
    to_image = 2 * 4 * 4 * 64 * 1 * (14 * 14)  # Conv2DTranspose on 14×14×64 → 28×28×1
    assert flops.forward_flops(g) == project + up_0 + to_image == 14_500_864


def test_gan_step_rule(flops):
    # Per D update: F_G + 2 F_D (forward) + 4 F_D (backward) = 10 + 6 = 16;
    # G update: F_G + F_D + F_D (D input backward) + 2 F_G = 3·10 + 2·1 = 32.
    assert flops.gan_step_flops(10, 1) == 16 + 32
    # WGAN-GP, 5 critic updates, each adding 6 F_D for the penalty: 5·(10 + 12) + 32.
    assert flops.gan_step_flops(10, 1, d_steps=5, gradient_penalty=True) == 5 * 22 + 32

    g = builders.dense.generator(4, (2,), hidden_units=(8,), output_activation=None)
    d = builders.dense.discriminator((2,), hidden_units=(8,))
    f_g = 2 * 4 * 8 + 2 * 8 * 2  # 96
    f_d = 2 * 2 * 8 + 2 * 8 * 1  # 48
    count = flops.step_flops(models.GAN(g, d, latent_dim=4), batch_size=16)
    assert count.networks == {"F_G": f_g, "F_D": f_d}
    assert count.per_example == (f_g + 6 * f_d) + (3 * f_g + 2 * f_d) == 768
    assert count.total == 16 * 768


def test_quick_run_writes_documented_json(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [
        sys.executable,
        os.path.join(BENCHMARKS, "throughput.py"),
        "--quick",
        "--presets=gan_digits",
        "--steps=2",
        "--xla=off",
        f"--output_dir={tmp_path}",
    ]
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads((tmp_path / "throughput.json").read_text())
    assert (tmp_path / "throughput.md").read_text() in completed.stdout
    assert results["errors"] == []
    matmul = results["matmul"]
    assert matmul["reference_source"] in ("tensorflow", "numpy")
    assert matmul["reference_gflops"] == max(matmul["tensorflow"]["best"], matmul["numpy"]["best"])
    (case,) = results["cases"]
    assert case["preset"] == "gan_digits" and case["xla"] is False and case["steps_timed"] == 2
    for key in (
        "batch_size",
        "ms_per_step",
        "images_per_second",
        "step_gflop",
        "gflops",
        "fraction_of_matmul",
        "pipeline_images_per_second",
        "pipeline_cached_images_per_second",
    ):
        assert math.isfinite(case[key]) and case[key] > 0, key
    # The report's derived numbers (float64, a product and a division) against the same
    # formulas here.
    assert_close(case["images_per_second"], 64e3 / case["ms_per_step"], dtype="float64", terms=2)
    gflops = case["step_gflop"] * 1e3 / case["ms_per_step"]
    assert_close(case["gflops"], gflops, dtype="float64", terms=3)
    # gan_digits: F_G = 2·100·256 + 2·256·512 + 2·512·1024, F_D = 2·1024·512 + 2·512·256 + 2·256;
    # step = 4 F_G + 8 F_D per example, 64 examples.
    f_g = 2 * 100 * 256 + 2 * 256 * 512 + 2 * 512 * 1024
    f_d = 2 * 1024 * 512 + 2 * 512 * 256 + 2 * 256
    assert_close(case["step_gflop"], 64 * (4 * f_g + 8 * f_d) / 1e9, dtype="float64", terms=2)
