"""One export entry for every family: `export_model(model, path)` writes what the family serves.

For each registered family a tiny model of one of its presets is exported through
`gan_zoo.export.export_model`, loaded back, and each declared signature called: its output
shape, dtype and the `gan_zoo.json` entries must be the family's. `export_generator`, the
previous name, is the same function (it dispatches identically by construction).
"""

import json
import os

import numpy as np
import pytest
import tensorflow as tf
from harness import TINY_PRESETS

from gan_zoo import export, families

# family → the signatures its SavedModel must have (the models: harness.TINY_PRESETS).
SIGNATURES = {
    "gan": {"serving_default"},
    "wgan": {"serving_default"},
    "conditional": {"serving_default"},
    "r3gan": {"serving_default"},
    "cyclegan": {"serving_default", "translate_a_to_b", "translate_b_to_a"},
    "stylegan": {"serving_default", "map", "synthesize"},
}


def test_every_registered_family_has_an_export_case():
    assert set(SIGNATURES) == set(families.FAMILIES) == set(TINY_PRESETS)


def test_the_old_entry_point_is_the_new_one():
    assert export.export_generator is export.export_model


def _call(loaded, name: str, inputs: dict) -> dict:
    return {key: value.numpy() for key, value in loaded.signatures[name](**inputs).items()}


@pytest.mark.parametrize("family", sorted(SIGNATURES))
def test_export_model_writes_the_family_signatures(family, tmp_path):
    preset, overrides = TINY_PRESETS[family]
    signatures = SIGNATURES[family]
    model = families.build(preset, **overrides)
    assert families.family_of(model).name == family
    path = export.export_model(model, str(tmp_path / family), metadata={"preset": preset})
    loaded = tf.saved_model.load(path)
    assert signatures <= set(loaded.signatures), sorted(loaded.signatures)
    with open(os.path.join(path, export.METADATA_FILE)) as f:
        info = json.load(f)
    assert info["preset"] == preset and info["model"] == model.name
    rng = np.random.default_rng(0)
    shape = families.get_preset(preset).replace(**overrides).sample_shape
    if family == "cyclegan":
        images = rng.integers(0, 256, (2, *shape), dtype=np.uint8)
        for direction in ("a_to_b", "b_to_a"):
            out = _call(loaded, f"translate_{direction}", {"images": tf.constant(images)})
            assert out["images"].shape == images.shape and out["images"].dtype == np.uint8
        assert info["output"] == "translation"
        return
    noise = tf.constant(rng.standard_normal((3, info["latent_dim"])).astype(np.float32))
    inputs = {"noise": noise}
    if family == "conditional":
        inputs["labels"] = tf.constant([0, 1, 9], tf.int32)
        assert info["num_classes"] == 10
    if family == "stylegan":
        inputs["truncation_psi"] = tf.constant(0.5)
        w = _call(loaded, "map", inputs)["w"]
        assert w.shape == (3, info["w_dim"])
        ws = np.repeat(w[:, None, :], info["num_ws"], axis=1)
        synthesized = _call(loaded, "synthesize", {"ws": tf.constant(ws)})["images"]
        assert synthesized.shape == (3, *shape) and synthesized.dtype == np.uint8
    out = _call(loaded, "serving_default", inputs)
    key = "points" if info["output"] == "points" else "images"
    assert out[key].shape == (3, *shape)
    assert out[key].dtype == (np.float32 if key == "points" else np.uint8)


def test_an_object_that_is_no_family_model_gets_one_line(tmp_path):
    with pytest.raises(TypeError, match="dict is not a gan_zoo model: export_model needs"):
        export.export_model({}, str(tmp_path / "x"))
