"""What is evaluated: a gan_zoo model, an exported SavedModel or a run directory, as samples.

`ModelSource` gives all three one interface (sample shape, latent size, classes, samples from
`sample_noise(num, latent_dim, seed)`); `default_dataset` names the real data a model is
measured against. A model's kind comes from the family registry (`families.family_of(model)`),
a SavedModel's from its signatures and `gan_zoo.json`.
"""

from __future__ import annotations

import json
import os

import numpy as np
import tensorflow as tf

__all__ = ["ModelSource", "default_dataset"]

# Images per generator call when sampling a SavedModel.
_SAMPLE_BATCH = 256
# The dataset of a model, or of a SavedModel that names neither a run's nor a preset's.
DEFAULT_DATASET = "gan_zoo_digits"


def _task_of(model) -> str | None:
    """The family task of a model ("unconditional", ...); None for no gan_zoo model."""
    import keras

    from gan_zoo import families

    if not isinstance(model, keras.Model):
        return None
    try:
        return families.family_of(model).task
    except ValueError:
        return None


class ModelSource:
    """A uniform view of a gan_zoo model or an exported SavedModel directory.

    Args:
        model_or_dir: a model built by a noise-to-sample family (task `"unconditional"` or
            `"conditional"`), a SavedModel directory, or a run directory holding
            `saved_model/`.

    Attributes:
        sample_shape: tuple. `(H, W, C)` of images, or `(2,)` for points.
        num_classes: int or None. Classes of a conditional model.
        latent_dim: int.
        source: str. The model's name, or the SavedModel's path.
        metadata: dict. The SavedModel's `gan_zoo.json` (empty for a model).
        run_config: dict. The run directory's `config.json` (empty when there is none).

    Raises:
        ValueError: not a gan_zoo model of a noise-to-sample family, or a missing or damaged
            SavedModel (one line naming the file), or one that is not a generator.
    """

    def __init__(self, model_or_dir):
        self.metadata: dict = {}
        self.run_config: dict = {}
        if isinstance(model_or_dir, str | os.PathLike):
            self._load_saved_model(os.fspath(model_or_dir))
            return
        model = model_or_dir
        task = _task_of(model)
        if task is None:
            raise ValueError(
                f"expected a gan_zoo model or a SavedModel directory, got {type(model)!r}"
            )
        if task == "translation":
            raise ValueError(
                f"expected a gan_zoo model or a SavedModel directory, got {type(model)!r}, a "
                "translation model: measure it with gan_zoo.evaluation.evaluate_translation"
            )
        self.sample_shape = tuple(int(d) for d in model.sampling_generator.output_shape[1:])
        self.num_classes = int(model.num_classes) if task == "conditional" else None
        self.latent_dim = int(model.latent_dim)
        self.source = getattr(model, "name", type(model).__name__)
        self._model = model

    def _load_saved_model(self, path: str) -> None:
        from gan_zoo.export import METADATA_FILE, load_saved_model

        # One line naming a missing or damaged file (saved_model.pb, variables/, gan_zoo.json).
        loaded, saved, self.metadata = load_saved_model(path)
        run_dir = path if os.path.abspath(saved) != os.path.abspath(path) else None
        path = saved
        config_dir = run_dir or os.path.dirname(os.path.abspath(path))
        config_path = os.path.join(config_dir, "config.json")
        if os.path.exists(config_path):
            try:
                with open(config_path) as f:
                    self.run_config = json.load(f)
            except (OSError, ValueError):
                self.run_config = {}
        if "serving_default" not in loaded.signatures:
            raise ValueError(f"{path!r} has no serving_default signature")
        serve = loaded.signatures["serving_default"]
        inputs = serve.structured_input_signature[1]
        if "noise" not in inputs:
            raise ValueError(f"{path!r} has no 'noise' input; is it a gan_zoo generator?")
        self._loaded, self._serve = loaded, serve
        self.latent_dim = int(inputs["noise"].shape[-1])
        self.num_classes = None
        if "labels" in inputs:
            self.num_classes = self.metadata.get("num_classes")
            if not self.num_classes:
                raise ValueError(f"{path!r} takes labels but its {METADATA_FILE} lacks num_classes")
        self.sample_shape = tuple(self.metadata["sample_shape"])  # checked by load_saved_model
        self.source = path
        self._model = None

    @property
    def is_points(self) -> bool:
        """Whether samples are 2-D points rather than images."""
        return len(self.sample_shape) == 1

    def _call(self, noise, labels=None) -> np.ndarray:
        inputs = {"noise": tf.convert_to_tensor(noise, tf.float32)}
        if "truncation_psi" in self._serve.structured_input_signature[1]:
            inputs["truncation_psi"] = tf.constant(1.0)  # StyleGAN: measured without truncation
        if self.num_classes:
            if labels is None:
                labels = np.arange(len(noise)) % self.num_classes
            inputs["labels"] = tf.convert_to_tensor(np.asarray(labels, np.int32))
        outputs = self._serve(**inputs)
        if "images" in outputs:
            return outputs["images"].numpy().astype(np.float32) / 127.5 - 1.0
        return outputs["points"].numpy().astype(np.float32)

    def sample(self, num: int, seed: int, labels=None) -> np.ndarray:
        """`num` samples from `sample_noise(num, latent_dim, seed)` (labels cycling 0..C-1)."""
        if self._model is not None:
            if self.num_classes:
                return np.asarray(self._model.generate(num, labels=labels, seed=seed), np.float32)
            return np.asarray(self._model.generate(num, seed=seed), np.float32)
        from gan_zoo.engine import sample_noise

        noise = sample_noise(num, self.latent_dim, seed).numpy()
        if self.num_classes and labels is None:
            labels = np.arange(num) % self.num_classes
        parts = []
        for start in range(0, num, _SAMPLE_BATCH):
            batch_labels = None if labels is None else labels[start : start + _SAMPLE_BATCH]
            parts.append(self._call(noise[start : start + _SAMPLE_BATCH], batch_labels))
        return np.concatenate(parts) if parts else np.zeros((0, *self.sample_shape), np.float32)

    def info(self) -> dict:
        """The report's `source` section: path or name, sample shape, latent size, classes."""
        return {
            "source": str(self.source),
            "sample_shape": list(self.sample_shape),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "preset": self.metadata.get("preset"),
        }

    def dataset(self) -> str:
        """The run's dataset (its `config.json`), else its preset's, else `gan_zoo_digits`."""
        preset = self.run_config.get("preset")
        if isinstance(preset, dict) and preset.get("dataset"):
            return str(preset["dataset"])
        name = self.metadata.get("preset")
        if isinstance(name, str):
            from gan_zoo import families

            try:
                return families.get_preset(name).dataset
            except ValueError:
                pass
        return DEFAULT_DATASET


def default_dataset(model_or_dir) -> str:
    """The dataset a model is evaluated against when none is named.

    For a run directory, the dataset in its `config.json` (the resolved preset); else, for a
    SavedModel whose `gan_zoo.json` names a `preset`, that preset's dataset
    (`families.get_preset(name).dataset`); else `"gan_zoo_digits"`.

    Args:
        model_or_dir: a gan_zoo model, a SavedModel directory or a run directory.

    Returns:
        A `make_dataset` name.
    """
    if not isinstance(model_or_dir, str | os.PathLike):
        return DEFAULT_DATASET
    return ModelSource(model_or_dir).dataset()
