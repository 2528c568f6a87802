"""Pretrained generator weights shipped with gan_zoo, found by preset name; nothing downloads.

A preset `P` with weights has two files in a weights folder (`WEIGHTS_DIR`, this package's
folder, unless a `weights_dir` is given):

- `P.weights.h5`: the weights of the model's *sampling generator* (`model.sampling_generator`:
  the EMA generator when the preset has `ema_decay`, else the generator), as Keras'
  `save_weights` writes them;
- `P.json`: what made them: the preset's full config (`config.to_dict()`), the training command,
  steps, epochs and seconds, the CPU, TensorFlow/Keras versions, the date, the weights file's
  sha256, each generator variable's shape, and free-form `scores` (e.g. a Fréchet distance
  with the name of its feature extractor).

`load_pretrained` checks the sha256, the config fields that shape the generator
(`SHAPE_FIELDS`) and every variable's shape before it assigns anything, so a damaged file or an
override that changes the network is a one-line `ValueError` and the model is left as it was.

TensorFlow is imported only by `load_pretrained` and `save_pretrained`: `available()` and
`metadata()` read files alone.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import json
import os
import pathlib
import platform
import sys
import tempfile
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras

    from gan_zoo.families.config import PresetConfig

WEIGHTS_DIR = pathlib.Path(__file__).resolve().parent
WEIGHTS_SUFFIX = ".weights.h5"
METADATA_SUFFIX = ".json"
FORMAT_VERSION = 1
# Preset settings that change the generator's variables (their number or shapes): the shipped
# weights fit only a model whose config has the same values. `num_classes` and
# `label_embedding_dim` exist in conditional presets only; a field one side lacks differs.
SHAPE_FIELDS = (
    "architecture",
    "latent_dim",
    "image_size",
    "channels",
    "generator_kwargs",
    "num_classes",
    "label_embedding_dim",
)
_ABSENT = "<absent>"


# ------------------------------------------------------------------------------------ lookup
def _folder(weights_dir: str | os.PathLike | None) -> pathlib.Path:
    return pathlib.Path(weights_dir) if weights_dir is not None else WEIGHTS_DIR


def weights_path(preset: str, weights_dir: str | os.PathLike | None = None) -> pathlib.Path:
    """The path of preset `preset`'s weights file (whether or not it exists)."""
    return _folder(weights_dir) / f"{preset}{WEIGHTS_SUFFIX}"


def metadata_path(preset: str, weights_dir: str | os.PathLike | None = None) -> pathlib.Path:
    """The path of preset `preset`'s metadata file (whether or not it exists)."""
    return _folder(weights_dir) / f"{preset}{METADATA_SUFFIX}"


def available(weights_dir: str | os.PathLike | None = None) -> list[str]:
    """The presets that have a weights file, sorted.

    Args:
        weights_dir: folder to look in; None for the weights shipped in the package.

    Returns:
        Preset names, e.g. `["dcgan_mnist"]`; empty when none are shipped.
    """
    folder = _folder(weights_dir)
    if not folder.is_dir():
        return []
    return sorted(
        path.name[: -len(WEIGHTS_SUFFIX)]
        for path in folder.iterdir()
        # A dot file is a save in progress (or one a crash left).
        if path.name.endswith(WEIGHTS_SUFFIX) and not path.name.startswith(".") and path.is_file()
    )


def _no_weights(preset: str, weights_dir: str | os.PathLike | None) -> ValueError:
    names = available(weights_dir)
    where = "" if weights_dir is None else f" in {os.fspath(weights_dir)}"
    return ValueError(
        f"no pretrained weights for preset {preset!r}{where}; presets with weights: "
        f"{', '.join(names) if names else 'none'}"
    )


def metadata(preset: str, weights_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The metadata shipped beside preset `preset`'s weights.

    Args:
        preset: a preset name with weights (see `available()`).
        weights_dir: folder to look in; None for the weights shipped in the package.

    Returns:
        The `<preset>.json` dict: `preset`, `config`, `command`, `steps`, `epochs`,
        `seconds`, `cpu`, `tensorflow`, `keras`, `date`, `weights_sha256`, `scores`, ...

    Raises:
        ValueError: (one line) the preset has no weights (the message lists those that
            have), or its metadata file is missing, unreadable or not a gan_zoo record.
    """
    weights, path = weights_path(preset, weights_dir), metadata_path(preset, weights_dir)
    if not weights.is_file():
        raise _no_weights(preset, weights_dir)
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
    except FileNotFoundError:
        raise ValueError(
            f"pretrained weights {weights} have no metadata file {path}; reinstall gan_zoo or "
            "ship them again with scripts/ship_pretrained.py"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(
            f"metadata file {path} is unreadable ({str(error).splitlines()[0][:120]})"
        ) from None
    if not isinstance(record, dict) or not isinstance(record.get("config"), dict):
        raise ValueError(f"metadata file {path} is not a gan_zoo pretrained record (no config)")
    return record


# ---------------------------------------------------------------------------------- checks
def _plain(value: Any) -> Any:
    """`value` as JSON stores it (tuples become lists), for comparisons with a record."""
    return json.loads(json.dumps(value))


def mismatched_field(
    expected: dict[str, Any], actual: dict[str, Any], labels: tuple[str, str] = ("weights", "model")
) -> str | None:
    """The first of `SHAPE_FIELDS` whose values differ between two config dicts, or None.

    A field present in one dict only differs (another family's config).

    Args:
        expected: a config dict (`config.to_dict()`, or a record's `config`).
        actual: another one.
        labels: what to call the two in the text. Defaults to `("weights", "model")`.

    Returns:
        `"latent_dim: weights 100, model 64"`-style text naming the field, or None.
    """
    for field in SHAPE_FIELDS:
        if field not in expected and field not in actual:
            continue
        want = _plain(expected.get(field, _ABSENT))
        have = _plain(actual.get(field, _ABSENT))
        if want != have:
            first, second = labels
            return f"{field}: {first} {json.dumps(want)}, {second} {json.dumps(have)}"
    return None


def _resolve(preset: str | PresetConfig) -> PresetConfig:
    from gan_zoo.families import registry  # noqa: PLC0415 (imports TensorFlow)

    return registry.get_preset(preset) if isinstance(preset, str) else preset


def _check_noise_to_sample(config: PresetConfig) -> None:
    from gan_zoo.families import registry  # noqa: PLC0415 (imports TensorFlow)

    task = registry.family_of(config).task
    if task == "translation":
        raise ValueError(
            f"pretrained weights hold one sampling generator; preset {config.name!r} is a "
            f"{task} preset (two generators), which has none"
        )


def check_compatible(
    preset: str | PresetConfig, weights_dir: str | os.PathLike | None = None
) -> dict[str, Any]:
    """Checks that preset `preset`'s weights exist and fit its config; returns the metadata.

    Reads only the metadata (no network is built): `families.build(..., pretrained=True)`
    calls it first, so a preset without weights or an override that changes the generator
    fails at once.

    Args:
        preset: a preset name, or a config (its `name` finds the files; its fields are
            compared, so a config with overrides is checked as it is).
        weights_dir: folder to look in; None for the weights shipped in the package.

    Returns:
        The metadata dict (see `metadata`).

    Raises:
        ValueError: (one line) a translation preset, no weights for the preset (listing the
            presets that have them), an unreadable metadata file, or a `SHAPE_FIELDS` value
            that differs from the one the weights were trained with (naming the field).
    """
    config = _resolve(preset)
    _check_noise_to_sample(config)
    record = metadata(config.name, weights_dir)
    problem = mismatched_field(record["config"], config.to_dict())
    if problem:
        raise ValueError(
            f"pretrained weights of {config.name!r} do not fit this model's generator ({problem}); "
            "build the preset without shape-changing overrides, or with pretrained=False"
        )
    return record


def sha256_of(path: str | os.PathLike) -> str:
    """The hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _variables(network: keras.Model) -> list[list]:
    return [[v.path, [int(d) for d in v.shape]] for v in network.weights]


def _check_variables(record: dict[str, Any], network: keras.Model, path: pathlib.Path) -> None:
    """The network's variables have the shapes the record lists (when it lists them)."""
    expected = record.get("network", {}).get("variables")
    if not expected:
        return
    have = _variables(network)
    if len(expected) != len(have):
        raise ValueError(
            f"{path} holds {len(expected)} generator variables, the model's generator has "
            f"{len(have)}: it was trained for another network"
        )
    for (name, want), (own, shape) in zip(expected, have, strict=True):
        if list(want) != list(shape):
            raise ValueError(
                f"{path} does not fit the model's generator: variable {own} has shape {shape}, "
                f"the file's {name} has {list(want)}"
            )


# ----------------------------------------------------------------------------- load, save
def load_pretrained(
    model: keras.Model,
    preset: str | PresetConfig,
    weights_dir: str | os.PathLike | None = None,
) -> keras.Model:
    """Loads preset `preset`'s pretrained weights into `model`'s generators.

    The weights go into `model.sampling_generator` and into `model.generator` (the same
    network when the preset has no EMA), so `model.generate(num)` gives the pretrained samples
    (float32 `[num, H, W, C]` in [-1, 1] for images) whichever network it uses. The
    discriminator and the optimizers keep their fresh state: the weights are for sampling
    (fine-tuning from them trains a new discriminator).

    Nothing is assigned unless every check passes: the sha256 recorded in the metadata, the
    config's `SHAPE_FIELDS`, and each generator variable's shape.

    Args:
        model: a noise-to-sample model (built by `gan_zoo.families.build`).
        preset: the preset name the model was built from, or its config (with the overrides
            it was built with: `families.build` passes it).
        weights_dir: folder with `<preset>.weights.h5` and `<preset>.json`; None for the
            weights shipped in the package.

    Returns:
        `model`, with the pretrained generator weights.

    Raises:
        ValueError: (one line) no weights for the preset (listing those that have them), a
            translation preset, a shape-changing field or variable that differs (naming it),
            or a weights or metadata file that is missing, damaged or unreadable (naming it).
    """
    config = _resolve(preset)
    record = check_compatible(config, weights_dir)
    path = weights_path(config.name, weights_dir)
    expected = record.get("weights_sha256")
    actual = sha256_of(path)
    if expected and actual != expected:
        raise ValueError(
            f"pretrained weights file {path} is damaged: its sha256 {actual[:12]}... differs from "
            f"the {expected[:12]}... recorded in {metadata_path(config.name, weights_dir)}; "
            "reinstall gan_zoo or ship the weights again"
        )
    networks = [model.sampling_generator]
    if model.generator is not model.sampling_generator:
        networks.append(model.generator)
    for network in networks:
        _check_variables(record, network, path)
    for network in networks:
        try:
            network.load_weights(os.fspath(path))
        except (OSError, ValueError, KeyError, TypeError) as error:
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise ValueError(f"cannot load pretrained weights file {path}: {first[:200]}") from None
    return model


def _cpu() -> str:
    """The CPU's model name (Linux `/proc/cpuinfo`), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _gan_zoo_version() -> str:
    try:
        return importlib.metadata.version("gan_zoo")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _write_atomically(write, path: pathlib.Path, suffix: str) -> None:
    """Calls `write(temporary_path)`, then renames the file to `path` (no half-written file)."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would ship files only their owner reads
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def save_pretrained(
    model: keras.Model,
    preset: str | PresetConfig,
    out_dir: str | os.PathLike,
    *,
    command: str,
    seconds: float | None,
    steps: int | None,
    scores: dict[str, Any] | None,
    epochs: int | None = None,
    run: dict[str, Any] | None = None,
) -> tuple[pathlib.Path, pathlib.Path]:
    """Writes `model`'s sampling generator weights and their metadata for `load_pretrained`.

    Args:
        model: a trained noise-to-sample model of the preset.
        preset: the preset name, or the config the model was built from (recorded in full;
            `load_pretrained` compares its `SHAPE_FIELDS`).
        out_dir: folder for `<preset>.weights.h5` and `<preset>.json` (created if needed;
            `gan_zoo/pretrained` ships them in the package).
        command: the command that trained the model, recorded as it is.
        seconds: training wall time in seconds, or None when unknown.
        steps: training steps (generator updates), or None when unknown.
        scores: free-form quality measurements (e.g. `{"fid": {"value": 12.3,
            "features": "gan_zoo mnist classifier"}}`), or None for none yet.
        epochs: epochs trained, or None when unknown.
        run: the run's settings (a run directory's `config.json` `run` section: seed,
            devices, XLA, precision), recorded as `run`; None for none.

    Returns:
        `(weights_path, metadata_path)`.

    Raises:
        ValueError: a translation preset (no single sampling generator), or scores that are
            not a dict.
    """
    import keras  # noqa: PLC0415 (TensorFlow, only when saving)
    import tensorflow as tf  # noqa: PLC0415

    config = _resolve(preset)
    _check_noise_to_sample(config)
    if scores is not None and not isinstance(scores, dict):
        raise ValueError(f"scores must be a dict, got {type(scores).__name__}")
    folder = pathlib.Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    network = model.sampling_generator
    weights = weights_path(config.name, folder)
    _write_atomically(lambda p: network.save_weights(p), weights, WEIGHTS_SUFFIX)
    record = {
        "format": FORMAT_VERSION,
        "preset": config.name,
        "config": _plain(config.to_dict()),
        "weights_file": weights.name,
        "weights_sha256": sha256_of(weights),
        "network": {
            "which": "ema_generator" if network is not model.generator else "generator",
            "name": network.name,
            "num_params": int(network.count_params()),
            "variables": _variables(network),
        },
        "command": command,
        "steps": None if steps is None else int(steps),
        "epochs": None if epochs is None else int(epochs),
        "seconds": None if seconds is None else round(float(seconds), 1),
        "cpu": _cpu(),
        "cpu_count": os.cpu_count(),
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
        "run": _plain(run or {}),
        "python": sys.version.split()[0],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "gan_zoo": _gan_zoo_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scores": _plain(scores or {}),
    }
    meta = metadata_path(config.name, folder)

    def write_json(path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=2)
            f.write("\n")

    _write_atomically(write_json, meta, METADATA_SUFFIX)
    return weights, meta
