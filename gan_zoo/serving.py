"""Serving signatures: what a SavedModel's functions take and return, checked at call time.

A generator's `serving_default` takes `noise` float32 `[N, latent_dim]` and returns `images` uint8
`[N, H, W, C]` (or `points` float32 `[N, 2]` for 2-D models); conditional generators also take
`labels` int32 `[N]` in [0, num_classes). A family with other inputs (translation, styles)
writes its own signatures with these helpers. Bad inputs fail inside the function with an
`InvalidArgumentError` naming the expected shape (`checked`), before any network runs.
"""

import keras
import tensorflow as tf


def uint8_images(images: tf.Tensor) -> tf.Tensor:
    """Maps float images in [-1, 1] to uint8 [0, 255], rounding and clipping."""
    images = tf.cast(images, tf.float32)
    return tf.cast(tf.clip_by_value(tf.round((images + 1.0) * 127.5), 0.0, 255.0), tf.uint8)


def check_shape(tensor: tf.Tensor, dims: list[int | None], message: str) -> tf.Operation:
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


def checked(tensor: tf.Tensor, name: str, dtype: str, dims: list[int | None]) -> tf.Tensor:
    """`tensor`, once `check_shape` has passed (message: "noise must be float32 [N, 8]")."""
    check = check_shape(tensor, dims, f"{name} must be {dtype} {_shape_text(dims)}")
    with tf.control_dependencies([check]):
        return tf.identity(tensor)


def float_images(images: tf.Tensor) -> tf.Tensor:
    """Maps uint8 images [0, 255] to float32 [-1, 1] (`x / 127.5 - 1`, as the data pipeline)."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def noise_description(latent_dim: int) -> dict:
    """What a generator's `noise` input is, as `gan_zoo.json` records it under `"noise"`.

    Every gan_zoo generator trains on z drawn from a standard normal distribution, one row of
    `latent_dim` independent N(0, 1) numbers per sample; a client that feeds anything else
    (uniform noise, another scale) gets images the generator never learned to make.
    """
    return {
        "distribution": "standard_normal",
        "mean": 0.0,
        "stddev": 1.0,
        "dtype": "float32",
        "shape": [None, int(latent_dim)],
        "description": (
            f"z ~ N(0, I): float32 [N, {int(latent_dim)}], independent standard normal "
            "numbers, one row per sample (numpy.random.default_rng().standard_normal)"
        ),
    }


def generator_archive(
    generator: keras.Model, latent_dim: int, num_classes: int | None = None, name: str | None = None
) -> tuple[keras.export.ExportArchive, dict]:
    """The serving archive of a noise-to-sample generator, and its `gan_zoo.json` entries.

    Args:
        generator: keras.Model. z `[N, latent_dim]` (and labels `[N]` when `num_classes`) →
            samples `[N, H, W, C]` in [-1, 1] or points `[N, 2]`.
        latent_dim: int. Size of z.
        num_classes: int or None. Classes of a conditional generator.
        name: str or None. The model's name, recorded in `gan_zoo.json`.

    Returns:
        `(archive, info)`: a `keras.export.ExportArchive` with `serving_default`, and the
        metadata (latent size, noise distribution, output kind, sample shape).
    """
    latent_dim = int(latent_dim)
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
            noise = checked(noise, "noise", "float32", [None, latent_dim])
            labels = checked(labels, "labels", "int32", [None])
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
            noise = checked(noise, "noise", "float32", [None, latent_dim])
            return outputs(generator(noise, training=False))

        signature = [noise_spec]
    archive.add_endpoint(name="serving_default", fn=serve, input_signature=signature)
    info = {
        "latent_dim": latent_dim,
        "noise": noise_description(latent_dim),
        "output": "images" if produces_images else "points",
        "sample_shape": list(generator.output_shape[1:]),
        "model": name,
        "num_classes": num_classes,
    }
    return archive, info
