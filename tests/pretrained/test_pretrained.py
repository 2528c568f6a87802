"""Pretrained weights by preset name: save, load, metadata, and every way loading is refused.

A tiny `dcgan_digits` (8-d noise, 4 base filters, an EMA generator) stands for a trained model:
its EMA generator's weights are perturbed (a seeded random change: what training does to them)
and saved with `save_pretrained`; a fresh model that loads them must give the same samples,
and a fresh model that does not must not.
"""

import configparser
import dataclasses
import fnmatch
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gan_zoo  # noqa: E402
from gan_zoo import families, presets, pretrained  # noqa: E402
from gan_zoo.families import registry  # noqa: E402
from gan_zoo.pretrained import weights as weights_module  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = {
    "latent_dim": 8,
    "generator_kwargs": {"base_filters": 4},
    "discriminator_kwargs": {"base_filters": 4},
}
PRESET = "dcgan_digits"
SCORES = {"frechet_distance": {"value": 1.5, "features": "gan_zoo digits classifier"}}


def tiny_config():
    return families.get_preset(PRESET).replace(**TINY)


def perturb(network, seed: int = 1) -> None:
    """A seeded change of every variable (trainable and batch-norm statistics)."""
    rng = np.random.default_rng(seed)
    for variable in network.weights:
        value = variable.numpy()
        variable.assign(value + rng.normal(0.0, 0.2, value.shape).astype(value.dtype))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """Tiny trained-looking weights saved into a folder: `(folder, samples, paths, model)`."""
    folder = tmp_path_factory.mktemp("weights")
    model = families.build(tiny_config(), seed=0)
    perturb(model.sampling_generator)
    paths = pretrained.save_pretrained(
        model,
        tiny_config(),
        folder,
        command="gan-zoo train --preset=dcgan_digits",
        seconds=12.34,
        steps=7,
        epochs=1,
        scores=SCORES,
    )
    return folder, model.generate(8, seed=0), paths, model


@pytest.fixture
def weights_copy(shipped, tmp_path):
    """A private copy of the shipped folder, to damage."""
    for path in shipped[2]:
        shutil.copy(path, tmp_path)
    return tmp_path


def test_loaded_weights_reproduce_the_samples(shipped):
    folder, expected, _, original = shipped
    model = families.build(tiny_config(), seed=0)
    before = model.generate(8, seed=0)
    assert model.sampling_generator is not model.generator  # dcgan_digits has an EMA
    assert pretrained.load_pretrained(model, tiny_config(), weights_dir=folder) is model
    after = model.generate(8, seed=0)
    np.testing.assert_allclose(after, expected, rtol=1e-5, atol=1e-6)
    assert np.abs(before - expected).max() > 1e-2  # a fresh model differs: the test can fail
    assert after.shape == (8, 32, 32, 1) and after.dtype == np.float32
    # Both generators hold the EMA weights; the discriminator stays fresh.
    for network in (model.generator, model.sampling_generator):
        for mine, theirs in zip(network.weights, original.sampling_generator.weights, strict=True):
            np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_metadata_records_config_provenance_and_sha256(shipped):
    folder, _, (weights, meta), model = shipped
    assert weights.name == f"{PRESET}.weights.h5" and meta.name == f"{PRESET}.json"
    assert pretrained.available(folder) == [PRESET]
    record = pretrained.metadata(PRESET, folder)
    with open(meta) as f:
        assert json.load(f) == record
    assert record["preset"] == PRESET
    assert record["config"] == json.loads(json.dumps(tiny_config().to_dict()))
    assert families.from_dict(record["config"]).to_dict() == tiny_config().to_dict()
    assert record["command"] == "gan-zoo train --preset=dcgan_digits"
    assert (record["steps"], record["epochs"], record["seconds"]) == (7, 1, 12.3)
    assert record["scores"] == SCORES
    with open(weights, "rb") as f:
        assert record["weights_sha256"] == hashlib.sha256(f.read()).hexdigest()
    assert record["network"]["which"] == "ema_generator"
    assert record["network"]["num_params"] == model.sampling_generator.count_params()
    assert record["cpu"] and record["tensorflow"] and record["keras"]
    assert record["date"].endswith("Z")


def test_build_pretrained_through_every_facade(shipped, monkeypatch):
    folder, expected, _, _ = shipped
    monkeypatch.setattr(weights_module, "WEIGHTS_DIR", folder)
    assert pretrained.available() == [PRESET]
    for build in (families.build, presets.build, gan_zoo.build):
        model = build(PRESET, pretrained=True, **TINY)
        np.testing.assert_allclose(model.generate(8, seed=0), expected, rtol=1e-5, atol=1e-6)
    # A setting that keeps the generator's shapes may change.
    model = families.build(PRESET, pretrained=True, **TINY, loss="hinge", ema_decay=None)
    np.testing.assert_allclose(model.generate(8, seed=0), expected, rtol=1e-5, atol=1e-6)


def test_a_preset_without_weights_lists_the_presets_with_weights(shipped, monkeypatch, tmp_path):
    folder = shipped[0]
    monkeypatch.setattr(weights_module, "WEIGHTS_DIR", folder)
    message = "no pretrained weights for preset 'gan_ring8'; presets with weights: dcgan_digits"
    with pytest.raises(ValueError, match=f"^{message}$"):
        families.build("gan_ring8", pretrained=True)
    monkeypatch.setattr(weights_module, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(ValueError, match="presets with weights: none$"):
        gan_zoo.build(PRESET, pretrained=True)
    with pytest.raises(ValueError, match="no pretrained weights for preset 'nope'"):
        pretrained.metadata("nope")


def test_an_override_that_changes_the_generator_names_the_field(shipped, monkeypatch):
    monkeypatch.setattr(weights_module, "WEIGHTS_DIR", shipped[0])
    with pytest.raises(ValueError, match=r"latent_dim: weights 8, model 9") as caught:
        families.build(PRESET, pretrained=True, **{**TINY, "latent_dim": 9})
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match=r"generator_kwargs: weights"):
        families.build(PRESET, pretrained=True, **{**TINY, "generator_kwargs": {}})
    with pytest.raises(ValueError, match=r"latent_dim: weights 8, model 64"):
        families.build(PRESET, pretrained=True)  # the preset's own 64-d noise
    with pytest.raises(ValueError, match=r"image_size: weights 32, model 16"):
        pretrained.check_compatible(tiny_config().replace(image_size=16))


def test_a_network_that_does_not_fit_is_refused_before_any_assignment(shipped):
    folder = shipped[0]
    model = families.build(PRESET, **{**TINY, "generator_kwargs": {"base_filters": 8}})
    before = [w.numpy() for w in model.generator.weights]
    # The config passed says base_filters 4 (as the weights): the variables' shapes catch it.
    with pytest.raises(ValueError, match=r"does not fit the model's generator: variable \S+"):
        pretrained.load_pretrained(model, tiny_config(), weights_dir=folder)
    for value, variable in zip(before, model.generator.weights, strict=True):
        np.testing.assert_array_equal(value, variable.numpy())


def test_a_damaged_weights_file_is_named(weights_copy):
    path = weights_copy / f"{PRESET}.weights.h5"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    model = families.build(tiny_config())
    with pytest.raises(
        ValueError, match=re.escape(f"pretrained weights file {path} is damaged: its sha256")
    ):
        pretrained.load_pretrained(model, tiny_config(), weights_dir=weights_copy)
    # Garbage whose sha256 the record agrees with: the h5 reader's error, naming the file.
    path.write_bytes(b"not an h5 file" * 100)
    meta = weights_copy / f"{PRESET}.json"
    record = json.loads(meta.read_text())
    record["weights_sha256"] = pretrained.sha256_of(path)
    meta.write_text(json.dumps(record))
    with pytest.raises(
        ValueError, match=re.escape(f"cannot load pretrained weights file {path}: ")
    ):
        pretrained.load_pretrained(model, tiny_config(), weights_dir=weights_copy)


def test_missing_or_garbage_metadata_is_named(weights_copy):
    meta = weights_copy / f"{PRESET}.json"
    meta.write_text("{not json")
    with pytest.raises(ValueError, match=re.escape(f"metadata file {meta} is unreadable")):
        pretrained.metadata(PRESET, weights_copy)
    meta.unlink()
    with pytest.raises(ValueError, match=re.escape(f"have no metadata file {meta}")):
        pretrained.check_compatible(tiny_config(), weights_copy)
    (weights_copy / f"{PRESET}.weights.h5").unlink()
    assert pretrained.available(weights_copy) == []


def test_translation_presets_have_no_sampling_generator():
    with pytest.raises(ValueError, match="translation preset"):
        pretrained.check_compatible("cyclegan_digits_thickness")


def test_mismatched_field_compares_as_json_stores_and_flags_absent_fields():
    config = tiny_config().to_dict()
    assert pretrained.mismatched_field(json.loads(json.dumps(config)), config) is None
    tuples = {**config, "generator_kwargs": {"hidden_units": (4, 8)}}
    lists = {**config, "generator_kwargs": {"hidden_units": [4, 8]}}
    assert pretrained.mismatched_field(lists, tuples) is None
    conditional = {**config, "num_classes": 10}
    assert pretrained.mismatched_field(config, conditional).startswith("num_classes:")


def test_weights_and_metadata_are_declared_as_package_data():
    """setup.cfg ships the folder's files in a wheel or sdist, not only in a checkout."""
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(REPO_ROOT, "setup.cfg"))
    patterns = [p.strip() for p in cfg["options.package_data"]["gan_zoo.pretrained"].split(",")]
    assert os.path.samefile(
        pretrained.WEIGHTS_DIR, os.path.join(REPO_ROOT, "gan_zoo", "pretrained")
    )
    for name in ("dcgan_mnist.weights.h5", "dcgan_mnist.json"):
        assert any(fnmatch.fnmatch(name, p) for p in patterns), name


def test_import_gan_zoo_and_listing_weights_do_not_import_tensorflow():
    code = (
        "import sys, gan_zoo; gan_zoo.pretrained.available(); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'heavy'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_ship_script_help_and_refusals(tmp_path):
    script = os.path.join(REPO_ROOT, "scripts", "ship_pretrained.py")
    done = subprocess.run(
        [sys.executable, script, "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "--run_dir" in done.stdout and "--scores" in done.stdout
    ship = _ship_module()
    run = tmp_path / "run"
    run.mkdir()
    config = {"preset": {**tiny_config().to_dict(), "latent_dim": 9}, "run": {}}
    (run / "config.json").write_text(json.dumps(config))
    with pytest.raises(SystemExit, match="changed a setting that shapes the generator"):
        ship.ship(str(run), PRESET, out_dir=str(tmp_path / "out"))
    with pytest.raises(SystemExit, match="is a run of preset 'dcgan_digits', not 'dcgan_mnist'"):
        ship.ship(str(run), "dcgan_mnist", out_dir=str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def _ship_module():
    path = os.path.join(REPO_ROOT, "scripts", "ship_pretrained.py")
    spec = importlib.util.spec_from_file_location("ship_pretrained", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ship_script_ships_a_trained_run(tmp_path, tfds_data_dir, monkeypatch):
    """Train a tiny registered preset for 2 steps, ship it, build it pretrained (~7 s)."""
    from gan_zoo import training

    name = "tiny_shipped_dcgan"
    monkeypatch.setitem(registry._PRESETS, name, dataclasses.replace(tiny_config(), name=name))
    run_dir = tmp_path / "run"
    summary = training.train(
        training.TrainConfig(
            preset=name,
            out_dir=str(run_dir),
            epochs=1,
            batch_size=32,
            steps_per_epoch=2,
            data_dir=tfds_data_dir,
            num_samples=4,
            verbose=0,
            export=False,
        )
    )
    expected = summary["model"].generate(8, seed=0)
    scores = tmp_path / "quality.json"
    scores.write_text(json.dumps(SCORES))
    out = tmp_path / "out"
    record = _ship_module().main(
        [f"--run_dir={run_dir}", f"--preset={name}", f"--scores={scores}", f"--out_dir={out}"]
    )
    assert record["scores"] == SCORES and record["epochs"] == 1 and record["steps"] == 2
    assert record["seconds"] is not None and record["run"]["checkpoint"] == "ckpt-1"
    assert record["command"].startswith(f"gan-zoo train --preset={name}")
    assert "--epochs=1" in record["command"] and "--steps_per_epoch=2" in record["command"]
    assert record["run"]["command_source"] == "rebuilt from config.json"
    assert os.stat(record["weights_path"]).st_mode & 0o044 == 0o044  # readable by all
    monkeypatch.setattr(weights_module, "WEIGHTS_DIR", out)
    model = families.build(name, pretrained=True)
    np.testing.assert_allclose(model.generate(8, seed=0), expected, rtol=1e-5, atol=1e-6)


SHIPPED = "cgan_projection_mnist"


def test_shipped_weights_generate_digits_of_their_label_offline():
    """The shipped generator, right after install: real digits, each of the asked class."""
    assert SHIPPED in pretrained.available()
    model = families.build(SHIPPED, pretrained=True)
    images = model.generate(16)
    assert images.shape == (16, 28, 28, 1) and images.dtype == np.float32
    assert np.isfinite(images).all() and images.min() >= -1.0 and images.max() <= 1.0
    # The shipped MNIST classifier (98.7 % on real test digits) reads them as their labels.
    from gan_zoo.metrics import load_mnist_classifier

    labels = np.arange(200) % 10
    samples = model.generate(200, labels=labels, seed=1)
    accuracy = float(np.mean(load_mnist_classifier().predict(samples) == labels))
    assert accuracy >= 0.9, accuracy
    # An untrained generator of the same preset is not read as its labels.
    untrained = families.build(SHIPPED).generate(200, labels=labels, seed=1)
    assert float(np.mean(load_mnist_classifier().predict(untrained) == labels)) < 0.5
    record = pretrained.metadata(SHIPPED)
    assert record["config"]["name"] == SHIPPED and record["epochs"] == 40
    assert record["scores"]["extractor"] == "gan_zoo_mnist_classifier"
    assert record["scores"]["model"]["frechet_distance"] < 2.0
    assert pretrained.sha256_of(pretrained.weights_path(SHIPPED)) == record["weights_sha256"]
