"""SavedModel export of generators, for serving without gan_zoo installed.

The SavedModel's `serving_default` signature takes `noise` float32 `[N, latent_dim]` and returns
`images` uint8 `[N, H, W, C]` (or `points` float32 `[N, 2]` for 2-D models); conditional
models also take `labels` int32 `[N]` in [0, num_classes), checked at call time. Translation
models (CycleGAN) get `translate_a_to_b` and `translate_b_to_a` signatures instead:
`images` uint8 `[N, H, W, C]` in, `images` uint8 out. StyleGAN models take `noise` and a scalar
`truncation_psi`, and add `map` (z → w) and `synthesize` (per-layer styles `ws` → images)
signatures. One entry exports every family, `export_model(model, path)`: the model's
`serving_archive()` (defined by its family) says what to serve. It loads with
`tf.saved_model.load(path)` in any TensorFlow process, and `saved_model_cli show --all` describes
it. A `gan_zoo.json` file beside it records the latent size, output kind and model name, and
under `"noise"` what the `noise` input is: z ~ N(0, I), float32 `[N, latent_dim]`, independent
standard normal numbers (`noise_description`). A SavedModel signature carries names, dtypes and
shapes only, no documentation, so the distribution lives in that file and in the README's
serving client.

Bad inputs, as a caller of `loaded.signatures[...]` meets them:

- a wrong shape (`noise` of another latent size or rank, `labels` not `[N]`, `ws` or translator
  `images` of another shape) fails with an `InvalidArgumentError` whose message holds
  `"noise must be float32 [N, 100]; got shape] [2 7]"` (the expected and the received shape),
  checked before the network runs;
- a wrong dtype (an int32 or float64 tensor for float32 `noise`) is refused by TensorFlow before
  the function runs: `InvalidArgumentError: ... input #1(zero-based) was expected to be a float
  tensor but is a int32 tensor` (inputs are numbered in name order: `noise` is #1 beside
  `labels` #0, else #0).
  NumPy arrays and Python lists are converted to the signature's dtype instead;
- a class label outside [0, num_classes) fails with `"labels must be < num_classes = 10"` (or
  `">= 0"`), and `labels` and `noise` of different lengths with `"same length N"`.

The restored functions (`loaded.serving_default(noise)`, positional) check shapes and dtypes in
Python first: `TypeError: ... Can not cast TensorSpec(shape=(2, 7), dtype=tf.float32,
name='noise') to TensorSpec(shape=(None, 100), dtype=tf.float32, name='noise')`.

Writes are atomic: the SavedModel is written to a temporary directory `PATH.tmp-PID`, the old
export is renamed to `PATH.old`, the new one to `PATH`, and `PATH.old` is deleted. A kill at any
instant leaves either a complete export at `PATH`, or (between the two renames) none there and
the complete previous one at `PATH.old`: `recover(PATH)`, which every export and every
`gan_zoo.training.train` call runs first, renames it back and removes the temporary
directories of killed exports.
"""

import json
import os
import re
import shutil
from collections.abc import Callable

import keras
import tensorflow as tf

# Re-exported: the conversions and the noise description clients of a SavedModel use.
from gan_zoo.serving import float_images, noise_description, uint8_images  # noqa: F401

METADATA_FILE = "gan_zoo.json"


# A test hook: None, or a function called with the stage an export has reached ("written":
# the new SavedModel is complete in its temporary directory; "old_moved": the previous export
# is at PATH.old and PATH is empty; "replaced": the new one is at PATH, PATH.old not yet
# deleted). tests/fault_hooks.py sets it (GAN_ZOO_KILL_IN_EXPORT) to kill a run there.
after_stage: Callable[[str], None] | None = None


def _stage(name: str) -> None:
    if after_stage is not None:
        after_stage(name)


def _replace_directory(temporary: str, path: str) -> None:
    """Moves `temporary` to `path`, keeping the old `path` until the new one is in place."""
    backup = f"{path}.old"
    if os.path.exists(backup):
        shutil.rmtree(backup)
    if os.path.exists(path):
        os.replace(path, backup)
        _stage("old_moved")
    os.replace(temporary, path)
    _stage("replaced")
    if os.path.exists(backup):
        shutil.rmtree(backup)


def recover(path: str) -> list[str]:
    """Finishes or undoes an interrupted export to `path`; returns what it did (sentences).

    `PATH.old` without `PATH` (killed between the two renames): `PATH.old` is complete (it is
    renamed only after the new export is whole, and deleted only once `PATH` exists), so it is
    renamed back. `PATH.old` beside `PATH` (killed while deleting it): removed.
    `PATH.tmp-PID` of a process that is no longer running: removed.
    """
    path = os.path.abspath(path)
    done = []
    backup = f"{path}.old"
    if os.path.isdir(backup):
        if os.path.exists(path):
            shutil.rmtree(backup)
            done.append(f"removed {backup}, left by an interrupted export")
        else:
            os.replace(backup, path)
            done.append(f"restored the previous export {path} (an export was interrupted)")
    parent, name = os.path.split(path)
    if os.path.isdir(parent):
        pattern = re.compile(rf"{re.escape(name)}\.tmp-(\d+)")
        for entry in sorted(os.listdir(parent)):
            match = pattern.fullmatch(entry)
            if match and not _process_running(int(match.group(1))):
                shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)
                done.append(f"removed {entry}, left by an interrupted export")
    return done


def _process_running(pid: int) -> bool:
    """Whether process `pid` exists on this host (this process counts as not running)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, as another user's process
        return True
    return True


def _write_archive(archive, path: str, info: dict) -> str:
    """Writes `archive` and `gan_zoo.json` to a temporary directory, then renames it to `path`."""
    path = os.path.abspath(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    recover(path)  # also removes this process's own stale temporary directory
    temporary = f"{path}.tmp-{os.getpid()}"
    archive.write_out(temporary, verbose=False)
    with open(os.path.join(temporary, METADATA_FILE), "w") as f:
        json.dump(info, f, indent=2)
    _stage("written")
    _replace_directory(temporary, path)
    return path


def export_model(model: keras.Model, path: str, metadata: dict | None = None) -> str:
    """Exports any gan_zoo model as a SavedModel (atomically) and returns the path.

    The model says what to serve (`model.serving_archive()`): a generator's `serving_default`
    (`noise` → `images`), a conditional generator's (`noise`, `labels`), a StyleGAN's
    `serving_default`/`map`/`synthesize`, a translator's `translate_a_to_b`/`translate_b_to_a`.
    A family's model class defines it; this function never asks which family it is.

    Args:
        model: a model built by any registered family.
        path: str. Output directory; replaced atomically if it exists.
        metadata: dict or None. Extra entries for `gan_zoo.json` (preset, epochs, ...).

    Returns:
        The absolute path written.

    Raises:
        TypeError: `model` has no `serving_archive()` (not a gan_zoo family's model).
    """
    make_archive = getattr(type(model), "serving_archive", None)
    if make_archive is None:
        raise TypeError(
            f"{type(model).__name__} is not a gan_zoo model: export_model needs a model with "
            "serving_archive() (build one with gan_zoo.build)"
        )
    archive, info = make_archive(model)
    return _write_archive(archive, path, {**info, **(metadata or {})})


# The previous entry point: the same dispatch (every family's model serves what it declares).
export_generator = export_model


# ----------------------------------------------------------------------------- loading

SAVED_MODEL_FILE = "saved_model.pb"
_METADATA_OUTPUTS = ("images", "points", "translation")
_REEXPORT = "re-export the model (gan_zoo.export.export_model, or train with --export)"


def find_saved_model(path: str) -> str:
    """The SavedModel directory of `path`: `path` itself, or the `saved_model/` it holds.

    Args:
        path: a SavedModel directory, or a run directory holding `saved_model/`.

    Returns:
        The directory holding `saved_model.pb`.

    Raises:
        ValueError: `path` is not a directory, or neither it nor its `saved_model/` holds a
            `saved_model.pb`.
    """
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise ValueError(
            f"{path!r} is not a directory; pass a SavedModel directory or a run directory "
            "holding saved_model/"
        )
    candidate = os.path.join(path, "saved_model")
    if os.path.exists(os.path.join(candidate, SAVED_MODEL_FILE)):
        return candidate
    if not os.path.exists(os.path.join(path, SAVED_MODEL_FILE)):
        raise ValueError(f"no SavedModel ({SAVED_MODEL_FILE}) in {path!r} or its saved_model/")
    return path


def _first_line(error: BaseException) -> str:
    """The first line of TensorFlow's or Python's message, without TensorFlow's decorations."""
    lines = str(error).strip().splitlines()
    line = lines[0].strip() if lines else type(error).__name__
    return re.sub(r"^\{\{[^}]*\}\}\s*", "", line).split(" [Op:")[0].strip() or type(error).__name__


def _read_bytes(path: str, what: str) -> bytes:
    if not os.path.exists(path):
        raise ValueError(f"{path!r} is missing: {what}; {_REEXPORT}")
    if not os.path.isfile(path):
        raise ValueError(f"{path!r} is not a file: {what}; {_REEXPORT}")
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as error:
        raise ValueError(f"{path!r} cannot be read ({error.strerror})") from None


def _check_protos(directory: str) -> None:
    """`saved_model.pb` (and `fingerprint.pb`, when present) parse as what they must be."""
    from google.protobuf.message import DecodeError
    from tensorflow.core.protobuf import fingerprint_pb2, saved_model_pb2

    path = os.path.join(directory, SAVED_MODEL_FILE)
    data = _read_bytes(path, "it holds the model's graph")
    try:
        proto = saved_model_pb2.SavedModel.FromString(data)
    except DecodeError:
        raise ValueError(
            f"{path!r} is damaged: its {len(data)} bytes do not parse as a SavedModel "
            f"(truncated or corrupt); {_REEXPORT}"
        ) from None
    if len(proto.meta_graphs) != 1 or not proto.meta_graphs[0].object_graph_def.nodes:
        raise ValueError(
            f"{path!r} is damaged: it holds {len(proto.meta_graphs)} meta graphs and no "
            f"object graph ({len(data)} bytes: truncated?); {_REEXPORT}"
        )
    path = os.path.join(directory, "fingerprint.pb")
    if os.path.exists(path):  # optional, but TensorFlow logs a traceback when it is damaged
        data = _read_bytes(path, "it identifies the SavedModel")
        try:
            fingerprint_pb2.FingerprintDef.FromString(data)
        except DecodeError:
            raise ValueError(
                f"{path!r} is damaged: its {len(data)} bytes do not parse as a SavedModel "
                f"fingerprint (truncated or corrupt); {_REEXPORT}"
            ) from None


def _check_variables(directory: str) -> None:
    """`variables/` holds an index and every data shard it needs, each tensor readable."""
    folder = os.path.join(directory, "variables")
    index = os.path.join(folder, "variables.index")
    _read_bytes(index, "it lists the model's weights")
    shards = sorted(
        name
        for name in (os.listdir(folder) if os.path.isdir(folder) else ())
        if re.fullmatch(r"variables\.data-\d{5}-of-\d{5}", name)
    )
    if not shards:
        raise ValueError(
            f"{os.path.join(folder, 'variables.data-00000-of-00001')!r} is missing: it holds "
            f"the model's weights; {_REEXPORT}"
        )
    count = int(shards[0][-5:])
    for i in range(count):
        name = os.path.join(folder, f"variables.data-{i:05d}-of-{count:05d}")
        if not os.path.isfile(name):
            raise ValueError(f"{name!r} is missing: it holds the model's weights; {_REEXPORT}")
    try:
        reader = tf.train.load_checkpoint(os.path.join(folder, "variables"))
    except (tf.errors.OpError, OSError, ValueError) as error:
        raise ValueError(
            f"{index!r} is damaged ({_first_line(error)}: truncated or corrupt); {_REEXPORT}"
        ) from None
    data = os.path.join(folder, shards[0] if count == 1 else "variables.data-*")
    try:
        for key in reader.get_variable_to_shape_map():
            reader.get_tensor(key)  # checks the bytes are there and their checksum
    except (tf.errors.OpError, OSError, ValueError, IndexError) as error:
        reason = _first_line(error)
        if "Checksum does not match" in reason:
            reason = "a tensor's checksum does not match"
        raise ValueError(
            f"{data!r} is damaged ({reason}: truncated or corrupt); {_REEXPORT}"
        ) from None


def _read_metadata(directory: str) -> dict:
    path = os.path.join(directory, METADATA_FILE)
    what = "a gan_zoo export writes it beside saved_model.pb (latent size, output kind)"
    data = _read_bytes(path, what)
    try:
        metadata = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path!r} is not valid JSON (not UTF-8 text); {_REEXPORT}") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path!r} is not valid JSON ({error.msg} at line {error.lineno} column "
            f"{error.colno}; truncated?); {_REEXPORT}"
        ) from None
    if not isinstance(metadata, dict):
        raise ValueError(
            f"{path!r} holds a JSON {type(metadata).__name__}, not the object a gan_zoo export "
            f"writes; {_REEXPORT}"
        )
    if metadata.get("output") not in _METADATA_OUTPUTS:
        raise ValueError(
            f"{path!r} has output={metadata.get('output')!r}; a gan_zoo export has one of "
            f"{', '.join(map(repr, _METADATA_OUTPUTS))}; {_REEXPORT}"
        )

    def positive(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value > 0

    def shape(value, length=None) -> bool:
        return (
            isinstance(value, list)
            and len(value) in ((length,) if length else (1, 3))
            and all(map(positive, value))
        )

    if metadata["output"] == "translation":
        checks = {"image_shape_a": (shape, 3), "image_shape_b": (shape, 3)}
    else:
        checks = {"latent_dim": (positive,), "sample_shape": (shape,)}
        if metadata.get("num_classes") is not None:
            checks["num_classes"] = (positive,)
        if "synthesize" in (metadata.get("signatures") or ()):  # StyleGAN
            checks.update(num_ws=(positive,), w_dim=(positive,))
    for key, (check, *args) in checks.items():
        if not check(metadata.get(key), *args):
            wanted = "a positive integer" if check is positive else "a list of positive sizes"
            raise ValueError(
                f"{path!r} has {key}={metadata.get(key)!r}, not {wanted} as a gan_zoo export "
                f"writes; {_REEXPORT}"
            )
    return metadata


def check_saved_model(path: str) -> tuple[str, dict]:
    """Checks that the files of an exported gan_zoo SavedModel are whole, without loading it.

    Checks, in this order: `saved_model.pb` parses as a SavedModel with one meta graph;
    `fingerprint.pb`, when present, parses; `variables/variables.index` opens and every
    tensor it lists reads from the `variables.data-*` shards (sizes and checksums); and
    `gan_zoo.json` is a JSON object naming an `output` kind, with the entries that kind's
    export writes (`latent_dim`, `sample_shape`, ... or `image_shape_a`/`_b`). Nothing is
    written.

    Args:
        path: a SavedModel directory, or a run directory holding `saved_model/`.

    Returns:
        `(directory, metadata)`: the SavedModel directory and its `gan_zoo.json` as a dict.

    Raises:
        ValueError: one line naming the missing or damaged file and what is wrong with it.
    """
    directory = find_saved_model(path)
    _check_protos(directory)
    _check_variables(directory)
    return directory, _read_metadata(directory)


def load_saved_model(path: str) -> tuple[object, str, dict]:
    """Checks (`check_saved_model`) and loads an exported gan_zoo SavedModel.

    Example:
    >>> loaded, directory, metadata = load_saved_model("runs/demo")  # or runs/demo/saved_model
    >>> images = loaded.signatures["serving_default"](noise=tf.zeros([4, 100]))["images"]

    Args:
        path: a SavedModel directory, or a run directory holding `saved_model/`.

    Returns:
        `(loaded, directory, metadata)`: what `tf.saved_model.load` returns, the SavedModel
        directory and its `gan_zoo.json` as a dict.

    Raises:
        ValueError: one line naming the missing or damaged file, or why TensorFlow could not
            load the SavedModel.
    """
    directory, metadata = check_saved_model(path)
    try:
        loaded = tf.saved_model.load(directory)
    except Exception as error:  # noqa: BLE001 (any failure of a checked export: one line)
        raise ValueError(
            f"cannot load the SavedModel in {directory!r} ({type(error).__name__}: "
            f"{_first_line(error)}); {_REEXPORT}"
        ) from error
    return loaded, directory, metadata


def load_keras_model(path: str, **kwargs) -> keras.Model:
    """Checks and loads a gan_zoo model saved with `model.save("x.keras")`.

    `keras.saving.load_model` reports a truncated `.keras` file as "File not found"; this
    checks the archive first (a zip whose members pass their CRC checks, with `config.json`
    and `model.weights.h5`) and names the file and what is wrong in one line.

    Args:
        path: a `.keras` file.
        **kwargs: passed to `keras.saving.load_model` (`compile`, `safe_mode`, ...).

    Returns:
        The model, with gan_zoo's classes registered.

    Raises:
        ValueError: one line naming the file and what is wrong: missing, not a `.keras` file,
            truncated or corrupt, or not loadable by Keras.
    """
    import zipfile
    import zlib

    path = os.fspath(path)
    again = "save the model again (model.save)"
    if not os.path.exists(path):
        raise ValueError(f"{path!r} does not exist; pass a .keras file saved by model.save()")
    if not os.path.isfile(path) or not path.endswith(".keras"):
        raise ValueError(f"{path!r} is not a .keras file; pass a file saved by model.save()")
    size = os.path.getsize(path)
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path!r} is damaged: its {size} bytes are not a complete .keras (zip) archive "
            f"(truncated or corrupt); {again}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            missing = [name for name in ("config.json", "model.weights.h5") if name not in names]
            if missing:
                raise ValueError(
                    f"{path!r} is damaged: it lacks {', '.join(missing)} (a .keras file holds "
                    f"config.json, metadata.json and model.weights.h5); {again}"
                )
            bad = archive.testzip()
            if bad is not None:
                raise ValueError(
                    f"{path!r} is damaged: {bad} inside it fails its CRC check (corrupt); {again}"
                )
            json.loads(archive.read("config.json").decode("utf-8"))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, UnicodeDecodeError) as error:
        raise ValueError(f"{path!r} is damaged ({_first_line(error)}); {again}") from None
    except json.JSONDecodeError as error:
        message = f"its config.json is not JSON ({error.msg})"
        raise ValueError(f"{path!r} is damaged: {message}; {again}") from None
    # Keras resolves gan_zoo's classes by their registered names: `import gan_zoo` (which ran
    # before this module) registered every family's.
    try:
        return keras.saving.load_model(path, **kwargs)
    except Exception as error:  # noqa: BLE001 (whatever Keras raises: one line)
        raise ValueError(
            f"cannot load {path!r} ({type(error).__name__}: {_first_line(error)})"
        ) from error
