"""Image preprocessing shared by every pipeline: uint8 or float [H, W, C] → float32 in [-1, 1].

Low in the data package: it imports no other `gan_zoo.data` module. `batching` applies it to
every image dataset, `folder` converts channels with it, `unpaired` preprocesses TFDS domains.
"""

import tensorflow as tf


def preprocess_image(
    image: tf.Tensor, *, image_size: int | None, channels: int | None
) -> tf.Tensor:
    """Image [H, W, C] in 0..255 → float32 [S, S, C'] in [-1, 1]; see `make_dataset`.

    A batch [N, H, W, C] gives [N, S, S, C'], each image exactly what it would give alone.

    Args:
        image: an image [H, W, C] or a batch [N, H, W, C] in 0..255 (any real dtype).
        image_size: output side S (center-crop to a square, then bilinear antialiased
            resize); None keeps H and W.
        channels: 1 or 3 to convert grayscale↔RGB (`convert_channels`); None keeps C.

    Returns:
        float32 images in [-1, 1] (`x / 127.5 - 1`).
    """
    image = tf.cast(image, tf.float32)
    if channels is not None:
        image = convert_channels(image, channels)
    if image_size is not None:
        image = center_crop_square(image)
        image = tf.image.resize(image, [image_size, image_size], method="bilinear", antialias=True)
    # Bilinear antialiased resizing has non-negative weights, so the clip only guards rounding.
    return tf.clip_by_value(image / 127.5 - 1.0, -1.0, 1.0)


def convert_channels(image: tf.Tensor, channels: int) -> tf.Tensor:
    """Converts float [H, W, c] (c in 1..4; alpha dropped) to [H, W, channels].

    Args:
        image: a float image (or batch of images), channels last; c may be unknown statically.
        channels: 3 for RGB (grayscale replicated), anything else for grayscale.

    Returns:
        The image with `channels` channels.
    """
    static = image.shape[-1]

    def to_rgb():
        if static is not None:
            return image[..., :3] if static >= 3 else tf.image.grayscale_to_rgb(image[..., :1])
        return tf.cond(
            tf.shape(image)[-1] >= 3,
            lambda: image[..., :3],
            lambda: tf.image.grayscale_to_rgb(image[..., :1]),
        )

    def to_gray():
        if static is not None:
            return tf.image.rgb_to_grayscale(image[..., :3]) if static >= 3 else image[..., :1]
        return tf.cond(
            tf.shape(image)[-1] >= 3,
            lambda: tf.image.rgb_to_grayscale(image[..., :3]),
            lambda: image[..., :1],
        )

    return to_rgb() if channels == 3 else to_gray()


def center_crop_square(image: tf.Tensor) -> tf.Tensor:
    """The centered square of an image [H, W, C] or of each image of a batch [N, H, W, C].

    Args:
        image: an image or a batch of images.

    Returns:
        The central min(H, W) × min(H, W) crop.
    """
    shape = tf.shape(image)
    height, width = shape[-3], shape[-2]
    size = tf.minimum(height, width)
    return tf.image.crop_to_bounding_box(
        image, (height - size) // 2, (width - size) // 2, size, size
    )
