"""CycleGAN's serving signatures: uint8 images of one domain in, of the other out."""

import keras
import tensorflow as tf

from gan_zoo import serving


def _translation_endpoint(network, shape: list[int], direction: str):
    """The serving function of one direction: uint8 images in, uint8 images out, shape checked."""
    message = (
        f"translate_{direction} takes uint8 images [N, {shape[0]}, {shape[1]}, {shape[2]}] "
        "(height, width, channels)"
    )

    def serve(images):
        with tf.control_dependencies([serving.check_shape(images, [None, *shape], message)]):
            fixed = tf.ensure_shape(tf.identity(images), [None, *shape])
        return {
            "images": serving.uint8_images(network(serving.float_images(fixed), training=False))
        }

    return serve


def translation_archive(model) -> tuple[keras.export.ExportArchive, dict]:
    """The serving archive of both generators of a translation model (CycleGAN).

    Signatures `translate_a_to_b` and `translate_b_to_a` take `images` uint8 `[N, H, W, C]`
    (the source domain's trained size) and return `images` uint8 of the same shape; the first
    is also `serving_default`. An input of another shape or channel count fails with an
    `InvalidArgumentError` that names the expected shape.

    Args:
        model: a `CycleGAN` (`generator_a_to_b`, `generator_b_to_a`).

    Returns:
        `(archive, info)` for `gan_zoo.export.export_model`.
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
    }
    return archive, info
