"""SavedModel export of generators, for serving without gan_zoo installed.

The SavedModel's `serving_default` signature takes `noise` float32 `[N, latent_dim]` and returns
`images` uint8 `[N, H, W, C]` (or `points` float32 `[N, 2]` for 2-D models); conditional
models also take `labels` int32 `[N]` in [0, num_classes), checked at call time. Translation
models (CycleGAN) get `translate_a_to_b` and `translate_b_to_a` signatures instead
(`export_translators`): `images` uint8 `[N, H, W, C]` in, `images` uint8 out. StyleGAN models
(`export_style_generator`) take `noise` and a scalar `truncation_psi`, and add `map` (z → w) and
`synthesize` (per-layer styles `ws` → images) signatures. It loads with
`tf.saved_model.load(path)` in any TensorFlow process, and `saved_model_cli show --all` describes
it. A `gan_zoo.json` file beside it records the latent size, output kind and model name.

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

METADATA_FILE = "gan_zoo.json"


def uint8_images(images: tf.Tensor) -> tf.Tensor:
    """Maps float images in [-1, 1] to uint8 [0, 255], rounding and clipping."""
    images = tf.cast(images, tf.float32)
    return tf.cast(tf.clip_by_value(tf.round((images + 1.0) * 127.5), 0.0, 255.0), tf.uint8)


# A test hook: None, or a function called with the stage an export has reached ("written":
# the new SavedModel is complete in its temporary directory; "old_moved": the previous export
# is at PATH.old and PATH is empty; "replaced": the new one is at PATH, PATH.old not yet
# deleted). `examples/train.py` sets it (GAN_ZOO_KILL_IN_EXPORT) to kill itself there.
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


def _check_shape(tensor: tf.Tensor, dims: list[int | None], message: str) -> tf.Operation:
    """An op that fails at call time unless `tensor`'s shape is `dims` (None: any size).

    The serving functions are traced with `[None, ...]` input specs, but a concrete signature
    does not check the shapes it is fed, and TensorFlow folds checks of the statically known
    rank away (`tf.rank`, `tf.ensure_shape`). So the runtime shape is padded with -1 (never a
    real size) to one more entry than `dims` and compared entry by entry: a tensor of another
    rank differs in the last entries.

    Args:
        tensor: the input to check.
        dims: the expected sizes, None where any size is allowed.
        message: the error's first part; the received shape follows it.

    Returns:
        The assert op, for `tf.control_dependencies`.
    """
    shape = tf.shape(tensor)
    padded = tf.concat([shape, tf.fill([len(dims) + 1], -1)], axis=0)[: len(dims) + 1]
    expected = tf.stack(
        [padded[i] if size is None else tf.constant(size) for i, size in enumerate(dims)]
        + [tf.constant(-1)]
    )
    return tf.debugging.Assert(
        tf.reduce_all(tf.equal(padded, expected)),
        [f"{message}; got shape", shape],
        summarize=len(dims) + 8,
    )


def _shape_text(dims: list[int | None]) -> str:
    return "[" + ", ".join("N" if size is None else str(size) for size in dims) + "]"


def _checked(tensor: tf.Tensor, name: str, dtype: str, dims: list[int | None]) -> tf.Tensor:
    """`tensor`, once `_check_shape` has passed (message: "noise must be float32 [N, 8]")."""
    check = _check_shape(tensor, dims, f"{name} must be {dtype} {_shape_text(dims)}")
    with tf.control_dependencies([check]):
        return tf.identity(tensor)


def float_images(images: tf.Tensor) -> tf.Tensor:
    """Maps uint8 images [0, 255] to float32 [-1, 1] (`x / 127.5 - 1`, as the data pipeline)."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


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


def export_model(model, path: str, metadata: dict | None = None) -> str:
    """Exports any gan_zoo model and returns the path.

    Translators (CycleGAN) go to `export_translators`, style generators (StyleGAN) to
    `export_style_generator`, every other generator to `export_generator`.
    """
    if hasattr(model, "translate"):
        return export_translators(model, path, metadata)
    if hasattr(model, "style_mixing"):
        return export_style_generator(model, path, metadata)
    return export_generator(model, path, metadata)


def export_style_generator(model, path: str, metadata: dict | None = None) -> str:
    """Writes a StyleGAN's sampling generator (EMA when present) with three signatures.

    - `serving_default`: `noise` float32 `[N, latent_dim]` (z) and `truncation_psi` float32
      scalar (1 = no truncation, 0 = every sample is the image of the average w) → `images`
      uint8 `[N, H, W, C]`.
    - `map`: the same inputs → `w` float32 `[N, w_dim]` (truncated).
    - `synthesize`: `ws` float32 `[N, num_ws, w_dim]`, one style vector per layer (repeat one w
      for an unmixed image, splice two for style mixing) → `images` uint8.

    Sampling uses the fixed noise maps, so the same inputs always give the same images.

    Args:
        model: a `gan_zoo.models.StyleGAN`.
        path: str. Output directory; replaced atomically if it exists.
        metadata: dict or None. Extra entries for `gan_zoo.json`.

    Returns:
        The path written.
    """
    generator = model.sampling_generator
    latent_dim, num_ws, w_dim = generator.latent_dim, generator.num_ws, generator.w_dim
    noise_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="noise")
    psi_spec = tf.TensorSpec([], tf.float32, name="truncation_psi")
    ws_spec = tf.TensorSpec([None, num_ws, w_dim], tf.float32, name="ws")

    def serve(noise, truncation_psi):
        noise = _checked(noise, "noise", "float32", [None, latent_dim])
        return {"images": uint8_images(generator(noise, truncation_psi=truncation_psi))}

    def map_noise(noise, truncation_psi):
        noise = _checked(noise, "noise", "float32", [None, latent_dim])
        return {"w": tf.cast(generator.map(noise, truncation_psi), tf.float32)}

    def synthesize(ws):
        ws = _checked(ws, "ws", "float32", [None, num_ws, w_dim])
        return {"images": uint8_images(generator.synthesize(ws))}

    archive = keras.export.ExportArchive()
    archive.track(generator)
    archive.add_endpoint(name="serving_default", fn=serve, input_signature=[noise_spec, psi_spec])
    archive.add_endpoint(name="map", fn=map_noise, input_signature=[noise_spec, psi_spec])
    archive.add_endpoint(name="synthesize", fn=synthesize, input_signature=[ws_spec])
    info = {
        "latent_dim": latent_dim,
        "output": "images",
        "sample_shape": list(generator.output_shape[1:]),
        "model": getattr(model, "name", None),
        "num_classes": None,
        "signatures": ["serving_default", "map", "synthesize"],
        "num_ws": num_ws,
        "w_dim": w_dim,
        **(metadata or {}),
    }
    return _write_archive(archive, path, info)


def _translation_endpoint(network, shape: list[int], direction: str):
    """The serving function of one direction: uint8 images in, uint8 images out, shape checked."""
    message = (
        f"translate_{direction} takes uint8 images [N, {shape[0]}, {shape[1]}, {shape[2]}] "
        "(height, width, channels)"
    )

    def serve(images):
        with tf.control_dependencies([_check_shape(images, [None, *shape], message)]):
            fixed = tf.ensure_shape(tf.identity(images), [None, *shape])
        return {"images": uint8_images(network(float_images(fixed), training=False))}

    return serve


def export_translators(model, path: str, metadata: dict | None = None) -> str:
    """Writes both generators of a translation model (CycleGAN) as one SavedModel.

    Signatures `translate_a_to_b` and `translate_b_to_a` take `images` uint8 `[N, H, W, C]`
    (the source domain's trained size) and return `images` uint8 of the same shape; the first
    is also `serving_default`. An input of another shape or channel count fails with an
    `InvalidArgumentError` that names the expected shape.

    Args:
        model: a `gan_zoo.models.CycleGAN` (`generator_a_to_b`, `generator_b_to_a`).
        path: str. Output directory; replaced atomically if it exists.
        metadata: dict or None. Extra entries for `gan_zoo.json` (preset, epochs, ...).

    Returns:
        The path written.
    """
    archive = keras.export.ExportArchive()
    shapes = {}
    spec = tf.TensorSpec([None, None, None, None], tf.uint8, name="images")
    for direction in ("a_to_b", "b_to_a"):
        network = getattr(model, f"generator_{direction}")
        archive.track(network)
        shape = [int(d) for d in network.inputs[0].shape[1:]]
        shapes[direction] = shape

        serve = _translation_endpoint(network, shape, direction)
        names = [f"translate_{direction}"] + (["serving_default"] if direction == "a_to_b" else [])
        for name in names:
            archive.add_endpoint(name=name, fn=serve, input_signature=[spec])
    info = {
        "output": "translation",
        "signatures": ["translate_a_to_b", "translate_b_to_a"],
        "image_shape_a": shapes["a_to_b"],
        "image_shape_b": shapes["b_to_a"],
        "model": getattr(model, "name", None),
        **(metadata or {}),
    }
    return _write_archive(archive, path, info)


def export_generator(model, path: str, metadata: dict | None = None) -> str:
    """Writes the model's sampling generator (EMA when present) as a SavedModel.

    Args:
        model: a gan_zoo `AdversarialModel` (any object with `sampling_generator` or
            `generator`, and `latent_dim`).
        path: str. Output directory; replaced atomically if it exists.
        metadata: dict or None. Extra entries for `gan_zoo.json` (preset, epochs, ...).

    Returns:
        The path written.
    """
    generator = getattr(model, "sampling_generator", None) or model.generator
    latent_dim = int(model.latent_dim)
    num_classes = getattr(model, "num_classes", None)
    produces_images = len(generator.output_shape) == 4

    def outputs(samples):
        if produces_images:
            return {"images": uint8_images(samples)}
        return {"points": tf.cast(samples, tf.float32)}

    noise_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="noise")
    archive = keras.export.ExportArchive()
    archive.track(generator)
    if num_classes:

        def serve(noise, labels):
            noise = _checked(noise, "noise", "float32", [None, latent_dim])
            labels = _checked(labels, "labels", "int32", [None])
            checks = [
                tf.debugging.assert_equal(
                    tf.shape(labels)[0],
                    tf.shape(noise)[0],
                    message="labels and noise must have the same length N",
                ),
                tf.debugging.assert_non_negative(labels, message="labels must be >= 0"),
                tf.debugging.assert_less(
                    labels, num_classes, message=f"labels must be < num_classes = {num_classes}"
                ),
            ]
            # The checks run before the embedding lookup, whose own error would come first
            # otherwise (ops without a data dependency run in any order).
            with tf.control_dependencies(checks):
                labels = tf.identity(labels)
            return outputs(generator([noise, labels], training=False))

        signature = [noise_spec, tf.TensorSpec([None], tf.int32, name="labels")]
    else:

        def serve(noise):
            noise = _checked(noise, "noise", "float32", [None, latent_dim])
            return outputs(generator(noise, training=False))

        signature = [noise_spec]
    archive.add_endpoint(name="serving_default", fn=serve, input_signature=signature)
    info = {
        "latent_dim": latent_dim,
        "output": "images" if produces_images else "points",
        "sample_shape": list(generator.output_shape[1:]),
        "model": getattr(model, "name", None),
        "num_classes": num_classes,
        **(metadata or {}),
    }
    return _write_archive(archive, path, info)
