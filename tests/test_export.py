import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from harness import assert_close, network_terms

from gan_zoo import export, presets
from gan_zoo.models import sample_noise

FRESH_PROCESS = r"""
import json, sys
import numpy as np
import tensorflow as tf
assert "gan_zoo" not in sys.modules
loaded = tf.saved_model.load(sys.argv[1])
serve = loaded.signatures["serving_default"]
inputs = {"noise": tf.constant(np.load(sys.argv[2]))}
if "truncation_psi" in serve.structured_input_signature[1]:  # StyleGAN
    inputs["truncation_psi"] = tf.constant(0.7)
out = serve(**inputs)
key = sorted(out)[0]
np.save(sys.argv[3], out[key].numpy())
print(json.dumps({"key": key, "dtype": out[key].dtype.name,
                  "has_gan_zoo": any(m.startswith("gan_zoo") for m in sys.modules)}))
"""


@pytest.fixture(scope="module")
def image_model():
    return presets.build(
        "dcgan_digits",
        latent_dim=8,
        generator_kwargs={"base_filters": 4},
        discriminator_kwargs={"base_filters": 4},
    )


def run_fresh(saved, noise, tmp_path):
    np.save(tmp_path / "noise.npy", noise)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            FRESH_PROCESS,
            saved,
            str(tmp_path / "noise.npy"),
            str(tmp_path / "out.npy"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), np.load(tmp_path / "out.npy")


def test_image_signature_in_a_fresh_process_without_gan_zoo(image_model, tmp_path):
    saved = export.export_generator(
        image_model, str(tmp_path / "saved_model"), metadata={"preset": "dcgan_digits"}
    )
    noise = sample_noise(5, 8, seed=4).numpy()
    info, images = run_fresh(saved, noise, tmp_path)
    assert info == {"key": "images", "dtype": "uint8", "has_gan_zoo": False}
    assert images.shape == (5, 32, 32, 1) and images.dtype == np.uint8
    # The SavedModel's graph in another process vs eager generate(): two programs.
    assert_close(
        images,
        export.uint8_images(image_model.generate(noise)).numpy(),
        terms=network_terms(image_model.generator),
        err_msg="fresh-process SavedModel vs generate(), uint8 images",
    )
    with open(os.path.join(saved, "gan_zoo.json")) as f:
        metadata = json.load(f)
    assert metadata["latent_dim"] == 8 and metadata["output"] == "images"
    # What `noise` is: a client without gan_zoo can draw it from this alone.
    assert metadata["noise"]["distribution"] == "standard_normal"
    assert (metadata["noise"]["mean"], metadata["noise"]["stddev"]) == (0.0, 1.0)
    assert metadata["noise"]["shape"] == [None, 8] and metadata["noise"]["dtype"] == "float32"
    assert metadata["preset"] == "dcgan_digits"


def test_style_generator_in_a_fresh_process_without_gan_zoo(tmp_path):
    model = presets.build(
        "stylegan_digits",
        latent_dim=8,
        generator_kwargs={"w_dim": 8, "mapping_layers": 2, "channel_base": 64, "channel_max": 8},
        discriminator_kwargs={"channel_base": 64, "channel_max": 8},
    )
    saved = export.export_model(model, str(tmp_path / "saved_model"))
    noise = sample_noise(4, 8, seed=2).numpy()
    info, images = run_fresh(saved, noise, tmp_path)  # ψ = 0.7
    assert info == {"key": "images", "dtype": "uint8", "has_gan_zoo": False}
    expected = export.uint8_images(model.generate(noise, truncation_psi=0.7)).numpy()
    assert_close(
        images,
        expected,
        terms=network_terms(model.generator),
        err_msg="fresh-process StyleGAN SavedModel vs generate(ψ = 0.7), uint8 images",
    )
    with open(os.path.join(saved, "gan_zoo.json")) as f:
        metadata = json.load(f)
    assert (metadata["num_ws"], metadata["w_dim"], metadata["latent_dim"]) == (8, 8, 8)
    assert metadata["noise"] == export.noise_description(8)
    assert metadata["signatures"] == ["serving_default", "map", "synthesize"]
    # Wrong shapes fail before the networks run, naming the expected and the received shape.
    loaded = tf.saved_model.load(saved)
    psi = tf.constant(1.0)
    for call, expected in (
        (lambda: loaded.signatures["synthesize"](ws=tf.zeros([2, 3, 8])), "ws must be float32 "
         "[N, 8, 8]; got shape] [2 3 8]"),
        (lambda: loaded.signatures["map"](noise=tf.zeros([2, 7]), truncation_psi=psi),
         "noise must be float32 [N, 8]; got shape] [2 7]"),
        (lambda: loaded.signatures["serving_default"](noise=tf.zeros([8]), truncation_psi=psi),
         "noise must be float32 [N, 8]; got shape] [8]"),
    ):  # fmt: skip
        with pytest.raises(tf.errors.InvalidArgumentError) as error:
            call()
        assert expected in str(error.value)


def test_points_signature(tmp_path):
    model = presets.build("gan_ring8", latent_dim=4)
    saved = export.export_generator(model, str(tmp_path / "points"))
    noise = sample_noise(7, 4, seed=1).numpy()
    info, points = run_fresh(saved, noise, tmp_path)
    assert info["key"] == "points" and info["dtype"] == "float32"
    assert_close(
        points,
        model.generate(noise),
        terms=network_terms(model.generator),
        err_msg="fresh-process SavedModel vs generate(), points",
    )


def test_saved_model_cli_describes_it(image_model, tmp_path):
    saved = export.export_generator(image_model, str(tmp_path / "cli"))
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    result = subprocess.run(
        [cli, "show", "--dir", saved, "--all"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "serving_default" in result.stdout
    assert "noise" in result.stdout and "(-1, 8)" in result.stdout
    assert "DT_UINT8" in result.stdout


def test_export_replaces_atomically(image_model, tmp_path):
    path = str(tmp_path / "saved")
    export.export_generator(image_model, path)
    export.export_generator(image_model, path)  # overwrite: no leftovers, still loadable
    assert sorted(os.listdir(tmp_path)) == ["saved"]
    assert os.path.exists(os.path.join(path, "saved_model.pb"))


def test_uint8_mapping():
    values = export.uint8_images(np.array([-1.5, -1.0, 0.0, 0.999, 1.0, 2.0], np.float32))
    # Exact: (x + 1) · 127.5 of these inputs is exact in float32 before the one rounding (127.5
    # rounds half to even: 128), so there is no round-off to allow for.
    np.testing.assert_array_equal(values.numpy(), [0, 0, 128, 255, 255, 255])


TRANSLATE_FRESH = r"""
import json, sys
import numpy as np
import tensorflow as tf
loaded = tf.saved_model.load(sys.argv[1])
images = tf.constant(np.load(sys.argv[2]))
out = {d: loaded.signatures[f"translate_{d}"](images=images)["images"].numpy()
       for d in ("a_to_b", "b_to_a")}
np.save(sys.argv[3], np.stack([out["a_to_b"], out["b_to_a"]]))
errors = []
for shape in ([1, 32, 32, 3], [32, 32, 1], [1, 32, 32, 1, 1]):  # channels, rank 3, rank 5
    try:
        loaded.signatures["translate_a_to_b"](images=tf.zeros(shape, tf.uint8))
        errors.append(None)
    except tf.errors.InvalidArgumentError as e:
        errors.append(e.message)
print(json.dumps({"has_gan_zoo": any(m.startswith("gan_zoo") for m in sys.modules),
                  "errors": errors}))
"""


def test_translators_in_a_fresh_process_without_gan_zoo(tmp_path):
    model = presets.build(
        "cyclegan_digits_thickness",
        generator_kwargs={"base_filters": 4, "num_residual_blocks": 1},
        discriminator_kwargs={"base_filters": 4, "num_layers": 2},
    )
    saved = export.export_model(model, str(tmp_path / "saved_model"), metadata={"epochs": 3})
    images = np.random.RandomState(0).randint(0, 256, size=(4, 32, 32, 1)).astype(np.uint8)
    np.save(tmp_path / "images.npy", images)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", TRANSLATE_FRESH, saved, str(tmp_path / "images.npy"),
         str(tmp_path / "out.npy")],
        capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    info = json.loads(result.stdout.strip().splitlines()[-1])
    assert not info["has_gan_zoo"]
    expected = "translate_a_to_b takes uint8 images [N, 32, 32, 1] (height, width, channels)"
    shapes = ("[1 32 32 3]", "[32 32 1]", "[1 32 32 1 1]")
    assert len(info["errors"]) == len(shapes)
    for error, shape in zip(info["errors"], shapes, strict=True):
        assert f"{expected}; got shape] {shape}" in (error or ""), error
    translated = np.load(tmp_path / "out.npy")
    as_float = images.astype(np.float32) / 127.5 - 1.0
    for index, direction in enumerate(("a_to_b", "b_to_a")):
        expected = export.uint8_images(model.translate(as_float, direction)).numpy()
        assert_close(
            translated[index],
            expected,
            terms=network_terms(getattr(model, f"generator_{direction}")),
            err_msg=f"fresh-process translate_{direction} vs translate(), uint8 images",
        )
    with open(os.path.join(saved, "gan_zoo.json")) as f:
        metadata = json.load(f)
    assert metadata["output"] == "translation" and metadata["epochs"] == 3
    assert metadata["image_shape_a"] == metadata["image_shape_b"] == [32, 32, 1]
