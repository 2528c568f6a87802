"""The image files `gan-zoo generate` translates: found in a folder, decoded to one array."""

import os

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def list_images(folder: str) -> list[str]:
    """Image files under `folder`, sorted, as paths relative to it.

    Raises:
        ValueError: the folder is missing or holds no images.
    """
    if not folder or not os.path.isdir(folder):
        raise ValueError(f"--input_dir {folder!r} is not a directory of images")
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(IMAGE_EXTENSIONS):
                found.append(os.path.relpath(os.path.join(root, name), folder))
    if not found:
        raise ValueError(f"--input_dir {folder!r} holds no images ({' '.join(IMAGE_EXTENSIONS)})")
    return found


def load_images(folder: str, names: list[str], shape: list[int], resize: bool):
    """Decodes `names` to one uint8 array `[N, H, W, C]` of the model's `shape`.

    Raises:
        ValueError: a file that does not decode, or (without `resize`) has another size or
            channel count.
    """
    import numpy as np
    import tensorflow as tf

    height, width, channels = shape
    images = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            image = tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
        except tf.errors.OpError as error:  # corrupt, unreadable or vanished
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            reason = reason.split("}} ")[-1].split(" [Op:")[0]
            raise ValueError(f"cannot decode image {path!r} ({reason})") from None
        if resize:
            image = image[..., :3] if image.shape[-1] >= 3 else image[..., :1]
            if image.shape[-1] != channels:
                convert = tf.image.grayscale_to_rgb if channels == 3 else tf.image.rgb_to_grayscale
                image = convert(image)
            image = tf.image.resize(image, [height, width], antialias=True)
            image = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)
        elif list(image.shape) != [height, width, channels]:
            raise ValueError(
                f"{path!r} is {'x'.join(map(str, image.shape))} (HxWxC); the model takes "
                f"{height}x{width}x{channels} images (pass --resize to convert)"
            )
        images.append(image.numpy())
    return np.stack(images)
