"""A small digits classifier shipped with gan_zoo: offline features and class predictions.

The classifier is a CNN trained on the `train` split of the embedded `gan_zoo_digits` dataset
(scikit-learn's 8×8 digits) served at 32 px, by `scripts/train_digits_classifier.py`
(reproducible: fixed seeds, deterministic ops). Its weights ship inside the package
(`WEIGHTS_PATH`, 0.36 MB), so nothing downloads. Its held-out accuracy on the `test` split is
`HELD_OUT_ACCURACY` = 1.0 (364 of 364 images; train split 99.9%); the training run's record
sits next to the weights (`weights/digits_classifier.json`). Training (15 epochs) took 50 to
90 s on 2 shared CPU cores, and gives bit-identical weights when rerun on the same machine.

Uses:

- `DigitsClassifier.features`: the 128-d penultimate activations, for an offline Fréchet
  distance between real and generated digits (as FID uses Inception's pool features).
- `DigitsClassifier.predict` / `predict_proba`: class predictions for the class-mode metrics
  (modes covered, KL of the class histogram, ...).
- `DigitsClassifier.predict_stacked`: the 1,000-mode label of stacked digits (three digits as
  the channels of one image, as in Stacked-MNIST; see `gan_zoo.data.stacked_digits`).

Example:
>>> clf = load_digits_classifier()
>>> feats = clf.features(images)  # images float32 [N, 32, 32, 1] in [-1, 1] → [N, 128]
>>> labels = clf.predict(images)  # int64 [N] in 0..9
"""

import functools
import os
import pathlib

import keras
import numpy as np
import tensorflow as tf

IMAGE_SIZE = 32
NUM_CLASSES = 10
FEATURE_DIM = 128
WEIGHTS_PATH = pathlib.Path(__file__).resolve().parent / "weights" / "digits_classifier.weights.h5"
RECORD_PATH = WEIGHTS_PATH.with_name("digits_classifier.json")
# Accuracy of the shipped weights on the 364 images of the `gan_zoo_digits` `test` split at
# 32 px, as measured by scripts/train_digits_classifier.py (also in RECORD_PATH): 364/364.
# With 364 test images this bounds the true error rate below ~0.8% (95%, rule of three).
HELD_OUT_ACCURACY = 1.0

# Float images beyond this magnitude are taken for another scale (e.g. 0..255) and rejected.
_FLOAT_RANGE_LIMIT = 2.0


def build_digits_classifier(image_size: int = IMAGE_SIZE, channels: int = 1) -> keras.Model:
    """Builds the (untrained) digits classifier network.

    3×3 convolutions, each followed by batch norm and ReLU: a stride-2 stem of 32 filters,
    a 32-filter conv and 2×2 max pooling, two 64-filter convs and 2×2 max pooling; then global
    average pooling, dropout, a 128-unit ReLU `Dense` layer named `features`, dropout, and a
    10-unit `Dense` layer named `logits` (unnormalised class scores). About 75k parameters.

    Args:
        image_size: input height and width. Defaults to 32, the size the digits presets use.
        channels: input channels. Defaults to 1 (the shipped weights are for 1).

    Returns:
        A functional `keras.Model` named `digits_classifier` mapping float32
        [B, image_size, image_size, channels] images in [-1, 1] to logits [B, 10].
    """
    inputs = keras.Input((image_size, image_size, channels), name="images")
    # The digits are 8×8 images served at 32 px: a stride-2 stem loses nothing and quarters
    # the cost of every later layer.
    x = _conv_bn_relu(inputs, 32, "stem", strides=2)
    x = _conv_bn_relu(x, 32, "block1_conv1")
    x = keras.layers.MaxPooling2D(2, name="block1_pool")(x)
    x = _conv_bn_relu(x, 64, "block2_conv1")
    x = _conv_bn_relu(x, 64, "block2_conv2")
    x = keras.layers.MaxPooling2D(2, name="block2_pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="global_pool")(x)
    x = keras.layers.Dropout(0.2, name="pool_dropout")(x)
    x = keras.layers.Dense(FEATURE_DIM, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.3, name="features_dropout")(x)
    logits = keras.layers.Dense(NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, logits, name="digits_classifier")


def _conv_bn_relu(x, filters: int, name: str, strides: int = 1):
    x = keras.layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False, name=name)(
        x
    )
    # Momentum 0.9 (not 0.99): training is a few hundred steps, the moving statistics must keep up.
    x = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


class DigitsClassifier:
    """The trained digits classifier: penultimate features and class predictions.

    Inputs to every method are images [N, H, W, C] as a NumPy array or tensor: float in
    [-1, 1] (gan_zoo's convention; values are clipped to [-1, 1]) or uint8 in 0..255 (mapped
    with `x / 127.5 - 1`). Images of another size are resized to 32×32 (bilinear,
    antialiased, as `gan_zoo.data.make_dataset` resizes). Inference runs in batches in
    inference mode (batch norm uses its moving statistics, dropout is off).

    Build one with `load_digits_classifier()` (shipped weights, cached) or wrap a model of
    `build_digits_classifier()`.
    """

    def __init__(self, model: keras.Model):
        """Wraps `model`, a network of `build_digits_classifier` with 1 input channel.

        Args:
            model: the classifier; it must have layers named `features` and `logits`.
        """
        self.model = model
        self.image_size = int(model.input_shape[1])
        self._both = keras.Model(
            model.inputs,
            [model.get_layer("features").output, model.get_layer("logits").output],
            name="digits_classifier_features_and_logits",
        )
        spec = tf.TensorSpec([None, self.image_size, self.image_size, 1], tf.float32)
        self._forward = tf.function(lambda x: self._both(x, training=False), input_signature=[spec])

    def features(self, images, batch_size: int = 256) -> np.ndarray:
        """Returns the penultimate (`features` layer, post-ReLU) activations.

        Args:
            images: [N, H, W, 1] float in [-1, 1] or uint8 in 0..255.
            batch_size: images per forward pass. Defaults to 256.

        Returns:
            float32 [N, 128].

        Raises:
            ValueError: if `images` is not [N, H, W, 1] or float values lie far outside [-1, 1].
        """
        return self._run(images, batch_size)[0]

    def logits(self, images, batch_size: int = 256) -> np.ndarray:
        """Returns the unnormalised class scores.

        Args:
            images: [N, H, W, 1] float in [-1, 1] or uint8 in 0..255.
            batch_size: images per forward pass. Defaults to 256.

        Returns:
            float32 [N, 10].

        Raises:
            ValueError: if `images` is not [N, H, W, 1] or float values lie far outside [-1, 1].
        """
        return self._run(images, batch_size)[1]

    def predict_proba(self, images, batch_size: int = 256) -> np.ndarray:
        """Returns the class probabilities (softmax of the logits).

        Args:
            images: [N, H, W, 1] float in [-1, 1] or uint8 in 0..255.
            batch_size: images per forward pass. Defaults to 256.

        Returns:
            float32 [N, 10], rows summing to 1.

        Raises:
            ValueError: if `images` is not [N, H, W, 1] or float values lie far outside [-1, 1].
        """
        logits = self.logits(images, batch_size)
        return tf.nn.softmax(logits, axis=-1).numpy().astype(np.float32)

    def predict(self, images, batch_size: int = 256) -> np.ndarray:
        """Returns the predicted digit of each image.

        Args:
            images: [N, H, W, 1] float in [-1, 1] or uint8 in 0..255.
            batch_size: images per forward pass. Defaults to 256.

        Returns:
            int64 [N] in 0..9.

        Raises:
            ValueError: if `images` is not [N, H, W, 1] or float values lie far outside [-1, 1].
        """
        return np.argmax(self.logits(images, batch_size), axis=-1).astype(np.int64)

    def predict_stacked(self, images, batch_size: int = 256) -> np.ndarray:
        """Returns the 1,000-mode label of stacked digits, classifying each channel alone.

        Args:
            images: [N, H, W, 3] float in [-1, 1] or uint8 in 0..255, each channel one digit
                (as made by `gan_zoo.data.stacked_digits.make_stacked_digits`).
            batch_size: images per forward pass. Defaults to 256.

        Returns:
            int64 [N] in 0..999: 100·d0 + 10·d1 + d2, where dk is the digit predicted for
            channel k.

        Raises:
            ValueError: if `images` is not [N, H, W, 3] or float values lie far outside [-1, 1].
        """
        images = check_images(images, 3, "stacked digits (one digit per channel)")
        n, height, width, _ = images.shape
        # [N, H, W, 3] → [N, 3, H, W] → [3N, H, W, 1]: channel k of image i is row 3i + k.
        per_channel = np.moveaxis(images, -1, 1).reshape(n * 3, height, width, 1)
        digits = self.predict(per_channel, batch_size).reshape(n, 3)
        return digits @ np.array([100, 10, 1], np.int64)

    def _run(self, images, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        images = check_images(images, 1, "grayscale digits")
        features, logits = [], []
        for start in range(0, len(images), batch_size):
            batch = self._preprocess(images[start : start + batch_size])
            f, lg = self._forward(batch)
            features.append(f.numpy())
            logits.append(lg.numpy())
        if not features:
            return np.zeros((0, FEATURE_DIM), np.float32), np.zeros((0, NUM_CLASSES), np.float32)
        return np.concatenate(features), np.concatenate(logits)

    def _preprocess(self, batch: np.ndarray) -> tf.Tensor:
        """uint8 or float [B, H, W, 1] → float32 [B, S, S, 1] in [-1, 1]."""
        is_uint8 = batch.dtype == np.uint8
        x = tf.convert_to_tensor(batch.astype(np.float32))
        if tuple(batch.shape[1:3]) != (self.image_size, self.image_size):
            size = [self.image_size, self.image_size]
            x = tf.image.resize(x, size, method="bilinear", antialias=True)
        if is_uint8:
            x = x / 127.5 - 1.0
        return tf.clip_by_value(x, -1.0, 1.0)


def check_images(images, channels: int | tuple[int, ...], kind: str = "") -> np.ndarray:
    """Checks images `[N, H, W, C]` (C in `channels`); returns them as uint8 or float32 NumPy.

    Args:
        images: array or tensor, uint8 in 0..255 or float in [-1, 1].
        channels: int or tuple of int. The allowed channel counts.
        kind: str. Words for the error message ("grayscale digits", ...).

    Raises:
        ValueError: wrong rank or channels, a dtype that is neither float nor integer, NaN or
            infinite values, or floats far outside [-1, 1] (another scale, e.g. 0..255).
    """
    if isinstance(images, tf.Tensor):
        images = images.numpy()
    images = np.asarray(images)
    allowed = (channels,) if isinstance(channels, int) else tuple(channels)
    if images.ndim != 4 or images.shape[-1] not in allowed:
        expected = (
            f"[N, H, W, {allowed[0]}]"
            if len(allowed) == 1
            else f"[N, H, W, C] with C = {' or '.join(map(str, allowed))}"
        )
        raise ValueError(
            f"expected {kind + ' ' if kind else ''}images {expected}, "
            f"got shape {tuple(images.shape)}"
        )
    if images.dtype == np.uint8:
        return images
    if not (np.issubdtype(images.dtype, np.floating) or np.issubdtype(images.dtype, np.integer)):
        raise ValueError(f"expected float or uint8 images, got dtype {images.dtype}")
    images = images.astype(np.float32, copy=False)
    if images.size:
        low, high = float(images.min()), float(images.max())
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError("images contain NaN or infinite values")
        if low < -_FLOAT_RANGE_LIMIT or high > _FLOAT_RANGE_LIMIT:
            raise ValueError(
                f"float images must be in [-1, 1], got values in [{low:g}, {high:g}]; "
                "pass uint8 for images in 0..255"
            )
    return images


@functools.lru_cache(maxsize=8)
def load_digits_classifier(weights_path: str | os.PathLike | None = None) -> DigitsClassifier:
    """Loads the classifier with the weights shipped in the package (cached; nothing downloads).

    Args:
        weights_path: a `.weights.h5` file of `build_digits_classifier()`; None loads the
            shipped `WEIGHTS_PATH`. Defaults to None.

    Returns:
        A `DigitsClassifier` (the same object on every call with the same argument).

    Raises:
        FileNotFoundError: if the weights file is missing (e.g. an install without package
            data); `scripts/train_digits_classifier.py` recreates it.
    """
    path = pathlib.Path(weights_path) if weights_path is not None else WEIGHTS_PATH
    if not path.is_file():
        raise FileNotFoundError(
            f"digits classifier weights not found at {str(path)!r}; "
            "run scripts/train_digits_classifier.py to create them"
        )
    model = build_digits_classifier()
    model.load_weights(str(path))
    return DigitsClassifier(model)
