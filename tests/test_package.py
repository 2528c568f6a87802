"""`import gan_zoo` as users meet it: a `.keras` file of every family loads after it alone."""

import json
import os
import subprocess
import sys

import numpy as np

from gan_zoo import presets

# One preset per model class and per kind of custom layer (spectral norm, projection, StyleGAN
# layers, CycleGAN's instance norm), kept small.
TINY_DCGAN = {
    "latent_dim": 8,
    "generator_kwargs": {"base_filters": 4},
    "discriminator_kwargs": {"base_filters": 4},
}
CASES = {
    "gan_ring8": {"latent_dim": 8},
    "dcgan_digits": TINY_DCGAN,
    "sngan_digits": TINY_DCGAN,
    "wgan_digits": TINY_DCGAN,
    "wgan_gp_ring8": {"latent_dim": 8},
    "cgan_projection_digits": TINY_DCGAN,
    "acgan_digits": TINY_DCGAN,
    "cyclegan_digits_thickness": {
        "generator_kwargs": {"base_filters": 4, "num_residual_blocks": 1},
        "discriminator_kwargs": {"base_filters": 4},
    },
    "stylegan_digits": {
        "latent_dim": 8,
        "generator_kwargs": {"w_dim": 8, "mapping_layers": 2, "channel_base": 64, "channel_max": 8},
        "discriminator_kwargs": {"channel_base": 64, "channel_max": 8},
    },
}

FRESH_PROCESS = r"""
import json, sys
import numpy as np
import gan_zoo  # the only gan_zoo import: it must register every class
import keras

assert "gan_zoo.training" not in sys.modules and "gan_zoo.presets" not in sys.modules
report = {}
for path in sys.argv[1:]:
    model = keras.saving.load_model(path)
    weights = np.load(path + ".npz")
    same = all(
        np.array_equal(w.numpy(), weights[f"arr_{i}"]) for i, w in enumerate(model.weights)
    )
    if hasattr(model, "translate"):
        out = model.translate(np.zeros((2, 32, 32, 1), np.float32), "a_to_b")
    elif getattr(model, "num_classes", None):
        out = model.generate(2, seed=0, labels=np.array([0, 1]))
    else:
        out = model.generate(2, seed=0)
    report[path] = {
        "class": type(model).__name__,
        "weights": len(model.weights),
        "same_weights": bool(same),
        "finite": bool(np.isfinite(out).all()),
    }
print(json.dumps(report))
"""


def test_every_family_s_keras_file_loads_after_import_gan_zoo(tmp_path):
    """What a user saw: `keras.models.load_model("dcgan.keras")` in a fresh process failed
    with "Could not locate class 'GAN'" after `import gan_zoo`, which loaded nothing."""
    expected = {}
    for name, overrides in CASES.items():
        model = presets.build(name, **overrides)
        path = str(tmp_path / f"{name}.keras")
        model.save(path)
        np.savez(path + ".npz", *[w.numpy() for w in model.weights])
        expected[path] = {"class": type(model).__name__, "weights": len(model.weights)}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, *expected],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for path, wanted in expected.items():
        got = report[path]
        assert (got["class"], got["weights"]) == (wanted["class"], wanted["weights"]), path
        # Stored values read back: the same numbers, no computation in between.
        assert got["same_weights"] and got["finite"], (path, got)
    assert {got["class"] for got in report.values()} == {
        "GAN", "WGAN", "WGANGP", "ConditionalGAN", "ACGAN", "CycleGAN", "StyleGAN",
    }  # fmt: skip
