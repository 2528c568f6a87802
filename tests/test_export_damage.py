"""Damaged exports and `.keras` files: one line naming the file and what is wrong (class 9).

`gan_zoo.export.check_saved_model` / `load_saved_model` (what `examples/generate.py` and
`examples/evaluate.py` call before any work) and `load_keras_model`, on a real export damaged
in each way a user meets: a truncated or missing `saved_model.pb`, a truncated `fingerprint.pb`,
a missing or truncated `variables/` index or data shard, a garbage `gan_zoo.json`; a truncated,
emptied or non-zip `.keras`. The CLIs' own handling (exit 2, one `error:` line, no traceback,
nothing changed) is checked end to end in `tests/examples/test_damaged_models_cli.py`.
"""

import os
import shutil

import numpy as np
import pytest
from damage import data_shard, tree_digest, truncate, write
from harness import assert_close, network_terms

from gan_zoo import export, presets


@pytest.fixture(scope="module")
def model():
    return presets.build(
        "dcgan_digits",
        latent_dim=8,
        generator_kwargs={"base_filters": 4},
        discriminator_kwargs={"base_filters": 4},
    )


@pytest.fixture(scope="module")
def exported(model, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "saved_model"
    return export.export_generator(model, str(path), metadata={"preset": "dcgan_digits"})


@pytest.fixture
def saved(exported, tmp_path):
    """A fresh copy of the export, to damage."""
    path = str(tmp_path / "saved_model")
    shutil.copytree(exported, path)
    return path


def test_a_whole_export_checks_and_loads_from_its_run_directory(exported):
    directory, metadata = export.check_saved_model(os.path.dirname(exported))
    assert directory == exported
    assert metadata["latent_dim"] == 8 and metadata["sample_shape"] == [32, 32, 1]
    loaded, directory, _ = export.load_saved_model(exported)
    images = loaded.signatures["serving_default"](noise=np.zeros([2, 8], np.float32))["images"]
    assert images.shape == (2, 32, 32, 1) and images.dtype.name == "uint8"


DAMAGES = {
    # id: (damage(directory), the file the message names, what it says)
    "saved_model.pb truncated": (
        lambda d: truncate(os.path.join(d, "saved_model.pb")),
        "saved_model.pb",
        "is damaged",
    ),
    "saved_model.pb empty": (
        lambda d: write(os.path.join(d, "saved_model.pb"), b""),
        "saved_model.pb",
        "is damaged",
    ),
    "fingerprint.pb garbage": (
        lambda d: write(os.path.join(d, "fingerprint.pb"), b"\xff" * 7),
        "fingerprint.pb",
        "is damaged",
    ),
    "variables/ missing": (
        lambda d: shutil.rmtree(os.path.join(d, "variables")),
        "variables.index",
        "is missing",
    ),
    "variables index truncated": (
        lambda d: truncate(os.path.join(d, "variables", "variables.index"), 0.3),
        "variables.index",
        "is damaged",
    ),
    "variables data missing": (
        lambda d: os.remove(data_shard(d)),
        "variables.data-00000-of-00001",
        "is missing",
    ),
    "variables data truncated": (
        lambda d: truncate(data_shard(d)),
        "variables.data-00000-of-00001",
        "is damaged",
    ),
    "gan_zoo.json garbage": (
        lambda d: write(os.path.join(d, "gan_zoo.json"), b'{"latent_dim": 8,'),
        "gan_zoo.json",
        "is not valid JSON",
    ),
    "gan_zoo.json wrong latent_dim": (
        lambda d: write(
            os.path.join(d, "gan_zoo.json"),
            b'{"output": "images", "latent_dim": -3, "sample_shape": [32, 32, 1]}',
        ),
        "gan_zoo.json",
        "latent_dim=-3",
    ),
}


@pytest.mark.parametrize("damage_id", DAMAGES)
def test_a_damaged_export_is_one_line_naming_the_file(saved, damage_id):
    damage, file_name, words = DAMAGES[damage_id]
    damage(saved)
    before = tree_digest(saved)
    with pytest.raises(ValueError) as caught:
        export.load_saved_model(saved)
    message = str(caught.value)
    assert "\n" not in message, message
    assert file_name in message and words in message, message
    assert "re-export" in message  # what to do about it
    assert tree_digest(saved) == before  # nothing written, nothing repaired behind the user


def test_a_folder_without_an_export_says_so(tmp_path):
    with pytest.raises(ValueError, match=r"no SavedModel \(saved_model.pb\) in .* saved_model/"):
        export.check_saved_model(str(tmp_path))
    with pytest.raises(ValueError, match="is not a directory"):
        export.check_saved_model(str(tmp_path / "nowhere"))


@pytest.fixture(scope="module")
def keras_file(model, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("keras") / "model.keras")
    model.save(path)
    return path


def test_a_whole_keras_file_loads_with_the_same_generator(model, keras_file):
    loaded = export.load_keras_model(keras_file)
    noise = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    # A rebuilt model against the original: to the generator's float32 round-off.
    assert_close(
        loaded.generate(noise),
        model.generate(noise),
        terms=network_terms(model.generator),
        err_msg=".keras reload vs original",
    )


KERAS_DAMAGES = {
    "truncated": (lambda p: truncate(p), "not a complete .keras (zip) archive"),
    "empty": (lambda p: write(p, b""), "not a complete .keras (zip) archive"),
    "not a zip": (lambda p: write(p, b"hello, I am text"), "not a complete .keras (zip)"),
}


@pytest.mark.parametrize("damage_id", KERAS_DAMAGES)
def test_a_damaged_keras_file_is_one_line_naming_it(keras_file, tmp_path, damage_id):
    damage, words = KERAS_DAMAGES[damage_id]
    path = str(tmp_path / "model.keras")
    shutil.copy(keras_file, path)
    damage(path)
    with open(path, "rb") as f:
        before = f.read()
    with pytest.raises(ValueError) as caught:
        export.load_keras_model(path)
    message = str(caught.value)
    assert "\n" not in message and path in message and words in message, message
    with open(path, "rb") as f:
        assert f.read() == before


def test_a_keras_path_that_is_no_keras_file_says_what_is_allowed(tmp_path):
    with pytest.raises(ValueError, match="does not exist; pass a .keras file"):
        export.load_keras_model(str(tmp_path / "missing.keras"))
    (tmp_path / "weights.h5").write_bytes(b"x")
    with pytest.raises(ValueError, match="is not a .keras file"):
        export.load_keras_model(str(tmp_path / "weights.h5"))
