"""Two small digit classifiers shipped with gan_zoo: offline features and class predictions.

One CNN (`build_digits_classifier`), trained twice by `scripts/train_digits_classifier.py`
(reproducible: fixed seeds, deterministic ops), with weights inside the package so that
nothing downloads (`CLASSIFIERS` lists them; each training run's record sits next to its
weights as JSON):

- `mnist` (`load_mnist_classifier`): trained on the 4,000 real 28×28 digits of the `train`
  split of `gan_zoo_mnist`; held-out accuracy on its 1,000 `test` digits in the record
  (`classifier_record("mnist")`). The feature space of every 28 px quality figure.
- `digits` (`load_digits_classifier`): trained on scikit-learn's 8×8 digits (`gan_zoo_digits`
  `train`, 1,433 images) served at 32 px; 364/364 on its test split. Serves the fast 8×8
  presets the tests train.

Uses:

- `DigitsClassifier.features`: the 128-d penultimate activations, for an offline Fréchet
  distance between real and generated digits (as FID uses Inception's pool features).
- `DigitsClassifier.predict` / `predict_proba`: class predictions for the class-mode metrics
  (modes covered, KL of the class histogram, ...).
- `DigitsClassifier.predict_stacked`: the 1,000-mode label of stacked digits (three digits as
  the channels of one image, as in Stacked-MNIST; see `gan_zoo.data.stacked_digits`).

Example:
>>> clf = load_mnist_classifier()
>>> feats = clf.features(images)  # images float32 [N, 28, 28, 1] in [-1, 1] → [N, 128]
>>> labels = clf.predict(images)  # int64 [N] in 0..9
"""

import dataclasses
import functools
import json
import os
import pathlib

import keras
import numpy as np
import tensorflow as tf

IMAGE_SIZE = 32
NUM_CLASSES = 10
FEATURE_DIM = 128
WEIGHTS_DIR = pathlib.Path(__file__).resolve().parent / "weights"


@dataclasses.dataclass(frozen=True)
class ClassifierSpec:
    """One shipped classifier: the data it was trained on and how its network is built.

    Attributes:
        name: `"mnist"` or `"digits"`.
        dataset: the embedded dataset whose `train` split trained it (`test` measures it).
        image_size: input side; images of another size are resized to it.
        stem_strides: stride of the first convolution (2 for 8×8 digits served at 32 px,
            where it loses nothing; 1 for real 28 px digits).
        width: multiplier of every convolution's filters.
        augmentation: the training script's augmentation (`shift` or `affine`).
        epochs: the training script's passes over the train split.
    """

    name: str
    dataset: str
    image_size: int
    stem_strides: int
    width: int = 1
    augmentation: str = "shift"
    epochs: int = 15

    @property
    def weights_path(self) -> pathlib.Path:
        """The shipped `.weights.h5` file."""
        return WEIGHTS_DIR / f"{self.name}_classifier.weights.h5"

    @property
    def record_path(self) -> pathlib.Path:
        """The JSON record of the training run that made the weights."""
        return WEIGHTS_DIR / f"{self.name}_classifier.json"


CLASSIFIERS = {
    "mnist": ClassifierSpec("mnist", "gan_zoo_mnist", 28, 1, augmentation="affine", epochs=40),
    "digits": ClassifierSpec("digits", "gan_zoo_digits", 32, 2),
}
WEIGHTS_PATH = CLASSIFIERS["digits"].weights_path
RECORD_PATH = CLASSIFIERS["digits"].record_path
# Accuracy of the shipped 8×8 weights on the 364 images of the `gan_zoo_digits` `test` split at
# 32 px, as measured by scripts/train_digits_classifier.py (also in RECORD_PATH): 364/364.
# With 364 test images this bounds the true error rate below ~0.8% (95%, rule of three).
HELD_OUT_ACCURACY = 1.0


def classifier_spec(name: str) -> ClassifierSpec:
    """The `ClassifierSpec` called `name` (`"mnist"` or `"digits"`).

    Raises:
        ValueError: an unknown name, listing the valid ones.
    """
    if name not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {name!r}; valid: {', '.join(CLASSIFIERS)}")
    return CLASSIFIERS[name]


def classifier_record(name: str) -> dict:
    """The training record shipped beside classifier `name`'s weights (accuracy, settings).

    Raises:
        ValueError: an unknown name.
        FileNotFoundError: the record is missing.
    """
    with open(classifier_spec(name).record_path) as f:
        return json.load(f)


# Float images beyond this magnitude are taken for another scale (e.g. 0..255) and rejected.
_FLOAT_RANGE_LIMIT = 2.0


def build_digits_classifier(
    image_size: int = IMAGE_SIZE, channels: int = 1, stem_strides: int = 2, width: int = 1
) -> keras.Model:
    """Builds the (untrained) digits classifier network.

    3×3 convolutions, each followed by batch norm and ReLU: a stem of 32 filters,
    a 32-filter conv and 2×2 max pooling, two 64-filter convs and 2×2 max pooling; then global
    average pooling, dropout, a 128-unit ReLU `Dense` layer named `features`, dropout, and a
    10-unit `Dense` layer named `logits` (unnormalised class scores). About 75k parameters.

    Args:
        image_size: input height and width. Defaults to 32, the size the digits presets use.
        channels: input channels. Defaults to 1 (the shipped weights are for 1).
        stem_strides: stride of the stem: 2 for 8×8 digits served at 32 px (the `digits`
            weights), 1 for real 28 px digits (the `mnist` weights). Defaults to 2.
        width: multiplier of every convolution's filters (1: 32, 32, 64, 64; the `mnist`
            weights use 2). Defaults to 1.

    Returns:
        A functional `keras.Model` named `digits_classifier` mapping float32
        [B, image_size, image_size, channels] images in [-1, 1] to logits [B, 10].
    """
    inputs = keras.Input((image_size, image_size, channels), name="images")
    # 8×8 digits served at 32 px: a stride-2 stem loses nothing and quarters the cost of every
    # later layer. Real 28 px digits keep their resolution (stride 1).
    x = _conv_bn_relu(inputs, 32 * width, "stem", strides=stem_strides)
    x = _conv_bn_relu(x, 32 * width, "block1_conv1")
    x = keras.layers.MaxPooling2D(2, name="block1_pool")(x)
    x = _conv_bn_relu(x, 64 * width, "block2_conv1")
    x = _conv_bn_relu(x, 64 * width, "block2_conv2")
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
    with `x / 127.5 - 1`). Images of another size are resized to the network's input size
    (bilinear, antialiased, as `gan_zoo.data.make_dataset` resizes). Inference runs in batches in
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
def load_classifier(
    name: str = "mnist", weights_path: str | os.PathLike | None = None
) -> DigitsClassifier:
    """Loads shipped classifier `name` (cached; nothing downloads).

    Args:
        name: `"mnist"` (real 28 px digits) or `"digits"` (8×8 digits at 32 px). Defaults to
            `"mnist"`.
        weights_path: a `.weights.h5` file of the same network; None loads the shipped one.
            Defaults to None.

    Returns:
        A `DigitsClassifier` (the same object on every call with the same arguments).

    Raises:
        ValueError: an unknown name.
        FileNotFoundError: if the weights file is missing (e.g. an install without package
            data); `scripts/train_digits_classifier.py --classifier=NAME` recreates it.
    """
    spec = classifier_spec(name)
    path = pathlib.Path(weights_path) if weights_path is not None else spec.weights_path
    if not path.is_file():
        raise FileNotFoundError(
            f"{name} classifier weights not found at {str(path)!r}; "
            f"run scripts/train_digits_classifier.py --classifier={name} to create them"
        )
    model = build_digits_classifier(spec.image_size, 1, spec.stem_strides, spec.width)
    model.load_weights(str(path))
    return DigitsClassifier(model)


def load_mnist_classifier(weights_path: str | os.PathLike | None = None) -> DigitsClassifier:
    """`load_classifier("mnist", weights_path)`: the classifier of real 28 px MNIST digits."""
    return load_classifier("mnist", weights_path)


def load_digits_classifier(weights_path: str | os.PathLike | None = None) -> DigitsClassifier:
    """`load_classifier("digits", weights_path)`: the classifier of the 8×8 digits at 32 px."""
    return load_classifier("digits", weights_path)
