"""Feature extractors for sample-quality metrics, each named in every evaluation report.

A `FeatureExtractor` maps images to the feature vectors the Fréchet distance, KID and the k-NN
metrics compare, and (when it has a classifier head) to class probabilities for the Inception
Score and the class-mode metrics. Five ship with gan_zoo:

- `MnistFeatures` (`"gan_zoo_mnist_classifier"`): the classifier of real 28 px MNIST digits
  shipped inside the package (`gan_zoo.metrics.digits_classifier`, trained on the 4,000
  `gan_zoo_mnist` train digits): 128-d penultimate features, 10-class probabilities. Offline,
  fast on CPU; the feature space of every 28 px figure.
- `StackedMnistFeatures` (`"gan_zoo_stacked_mnist_classifier"`): the same classifier run on
  each channel of 3-channel stacked MNIST (`stacked_mnist`, the Stacked-MNIST benchmark):
  384-d features (the three channels' 128-d features side by side) and 1,000-class
  probabilities (one class per digit triple). Offline.
- `DigitsFeatures` (`"gan_zoo_digits_classifier"`) and `StackedDigitsFeatures`
  (`"gan_zoo_stacked_digits_classifier"`): the same two for scikit-learn's 8×8 digits at
  32 px (`gan_zoo_digits`, `stacked_digits`), which the fast presets train on.
- `InceptionV3Features` (`"keras_inception_v3_imagenet"`): `keras.applications.InceptionV3`
  with its ImageNet weights: the 2048-d average-pool features (the FID feature layer) and the
  1000-class softmax (for the Inception Score). The weights come from a local file, or are
  downloaded by Keras only when explicitly allowed.

No extractor gives numbers comparable to published FID / IS tables
(`comparable_to_published` is False for all of them, and every report says so); see
`InceptionV3Features` for why.

Example:
>>> extractor = get_extractor("mnist")
>>> feats, probs = extractor.compute(images)  # [N, 128] float32, [N, 10] float32
"""

from __future__ import annotations

import abc
import functools
import os
import pathlib

import keras
import numpy as np
import tensorflow as tf

from gan_zoo.metrics.digits_classifier import check_images

__all__ = [
    "EXTRACTORS",
    "INCEPTION_WEIGHTS_ENV",
    "DigitsFeatures",
    "FeatureExtractor",
    "InceptionV3Features",
    "MnistFeatures",
    "StackedDigitsFeatures",
    "StackedMnistFeatures",
    "get_extractor",
]

# Environment variable naming a local InceptionV3 weights file (.h5 or .weights.h5).
INCEPTION_WEIGHTS_ENV = "GAN_ZOO_INCEPTION_WEIGHTS"


class FeatureExtractor(abc.ABC):
    """Images → feature vectors (and class probabilities, when the network has a classifier).

    Inputs to every method are images `[N, H, W, C]` (NumPy array or tensor): float in
    [-1, 1] (gan_zoo's convention) or uint8 in 0..255. Each extractor resizes them to its own
    input size and converts channels as its attributes describe.

    Attributes:
        name: str. Stable identifier written into every report (e.g.
            `"gan_zoo_digits_classifier"`); numbers are comparable only between reports
            with the same name.
        description: str. One line: network, weights, feature layer.
        image_size: int. Side the images are resized to before the network.
        channels: tuple of int. Input channel counts accepted.
        feature_dim: int. Width D of `features`.
        num_classes: int or None. Width C of `probabilities`; None when the extractor has no
            classifier head.
        comparable_to_published: bool. Whether FID / IS computed with this extractor can be
            compared with published tables (False for every extractor shipped here).
    """

    name: str
    description: str
    image_size: int
    channels: tuple[int, ...]
    feature_dim: int
    num_classes: int | None = None
    comparable_to_published: bool = False

    @abc.abstractmethod
    def compute(
        self, images, batch_size: int | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Features and probabilities in one pass over `images`.

        Args:
            images: `[N, H, W, C]` float in [-1, 1] or uint8 in 0..255.
            batch_size: images per forward pass; None for the extractor's default.

        Returns:
            `(features, probabilities)`: float32 `[N, feature_dim]` and float32
            `[N, num_classes]` rows summing to 1, or None when `num_classes` is None.

        Raises:
            ValueError: on images of the wrong rank, channel count or value range.
        """

    def features(self, images, batch_size: int | None = None) -> np.ndarray:
        """Returns float32 `[N, feature_dim]` features; see `compute`."""
        return self.compute(images, batch_size)[0]

    def probabilities(self, images, batch_size: int | None = None) -> np.ndarray | None:
        """Returns float32 `[N, num_classes]` class probabilities, or None; see `compute`."""
        if self.num_classes is None:
            return None
        return self.compute(images, batch_size)[1]

    def info(self) -> dict:
        """The extractor's description for reports (JSON-ready)."""
        return {
            "name": self.name,
            "description": self.description,
            "image_size": self.image_size,
            "channels": list(self.channels),
            "feature_dim": self.feature_dim,
            "num_classes": self.num_classes,
            "comparable_to_published": self.comparable_to_published,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class DigitsFeatures(FeatureExtractor):
    """The 8×8-digits classifier shipped with gan_zoo as a feature extractor (offline).

    Features are the 128-d penultimate (`features` layer, post-ReLU) activations of
    `gan_zoo.metrics.digits_classifier`; probabilities its 10-class softmax. Images must have
    1 channel; any size is resized to the classifier's input size (bilinear, antialiased).
    This one was trained on the `train` split of `gan_zoo_digits` (32 px), so its feature space
    is meaningful for those digits; for other datasets it is a consistent but arbitrary space.

    Args:
        weights_path: a `.weights.h5` file of the same network; None for the shipped weights.
            Defaults to None.
    """

    name = "gan_zoo_digits_classifier"
    classifier_name = "digits"  # a `digits_classifier.CLASSIFIERS` name
    channels = (1,)
    comparable_to_published = False

    def __init__(self, weights_path: str | os.PathLike | None = None):
        from gan_zoo.metrics.digits_classifier import (
            FEATURE_DIM,
            NUM_CLASSES,
            classifier_spec,
            load_classifier,
        )

        spec = classifier_spec(self.classifier_name)
        self.classifier = load_classifier(self.classifier_name, weights_path)
        self.weights = str(weights_path) if weights_path is not None else "shipped"
        self.image_size = spec.image_size
        self.feature_dim = FEATURE_DIM
        self.num_classes = NUM_CLASSES
        self.description = (
            f"gan_zoo's {self.classifier_name} classifier (trained on {spec.dataset} train, "
            f"{spec.image_size} px): 128-d penultimate features, 10-class softmax; "
            f"weights: {self.weights}"
        )

    def compute(self, images, batch_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Features `[N, 128]` and probabilities `[N, 10]`; see `FeatureExtractor.compute`."""
        features, logits = self.classifier._run(images, batch_size or 256)
        probabilities = tf.nn.softmax(logits, axis=-1).numpy().astype(np.float32)
        return features.astype(np.float32), probabilities


class MnistFeatures(DigitsFeatures):
    """The classifier of real 28 px MNIST digits shipped with gan_zoo (offline).

    As `DigitsFeatures`, with the `mnist` weights: trained on the 4,000 `train` digits of
    `gan_zoo_mnist` at 28 px (held-out accuracy in `classifier_record("mnist")`).
    """

    name = "gan_zoo_mnist_classifier"
    classifier_name = "mnist"


class StackedDigitsFeatures(FeatureExtractor):
    """Stacked digits (one digit per channel, 1,000 modes) through the shipped digits classifier.

    Each of the 3 channels of an image is classified alone by `DigitsFeatures` (all N·3
    single-channel images in one run). Features are the three channels' 128-d features
    concatenated in channel order (384-d); probabilities are the outer product of the three
    10-class softmaxes, flattened so that class 100·a + 10·b + c has probability
    p0[a]·p1[b]·p2[c] (the channels' digits taken as independent). Their argmax is therefore
    `DigitsClassifier.predict_stacked`, the label `gan_zoo.data.stacked_digits` gives a digit
    triple, so the class-mode metrics count the 1,000 Stacked-MNIST modes (Metz et al. 2016;
    Srivastava et al. 2017).

    Args:
        weights_path: a `.weights.h5` file of `build_digits_classifier()`; None for the shipped
            weights. Defaults to None.
    """

    name = "gan_zoo_stacked_digits_classifier"
    digits_class = DigitsFeatures
    channels = (3,)
    comparable_to_published = False

    def __init__(self, weights_path: str | os.PathLike | None = None):
        self.digits = self.digits_class(weights_path)
        self.weights = self.digits.weights
        self.image_size = self.digits.image_size
        self.feature_dim = 3 * self.digits.feature_dim
        self.num_classes = self.digits.num_classes**3
        self.description = (
            f"{self.digits.description.split(';')[0]}, on each channel of stacked digits: "
            "3 x 128-d penultimate features concatenated (384-d), 1000-class probabilities "
            f"p0[a] p1[b] p2[c] for class 100a+10b+c; weights: {self.weights}"
        )

    def compute(self, images, batch_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Features and 1,000-mode probabilities of stacked digits.

        Args:
            images: `[N, H, W, 3]` float in [-1, 1] or uint8 in 0..255, one digit per channel
                (as `gan_zoo.data.make_dataset("stacked_digits")` serves them).
            batch_size: single-channel images per forward pass (each image is 3 of them);
                None for 256.

        Returns:
            `(features, probabilities)`: float32 `[N, 384]`, where columns 128·k..128·k+127
            are the `DigitsFeatures` features of channel k, and float32 `[N, 1000]` rows
            summing to 1, where column 100·a + 10·b + c is p0[a]·p1[b]·p2[c] (pk: the 10-class
            softmax of channel k).

        Raises:
            ValueError: on images that are not `[N, H, W, 3]`, or floats far outside [-1, 1].
        """
        images = check_images(images, self.channels, "stacked digits (one digit per channel)")
        n, height, width, _ = images.shape
        # [N, H, W, 3] → [N, 3, H, W] → [3N, H, W, 1]: channel k of image i is row 3i + k.
        per_channel = np.moveaxis(images, -1, 1).reshape(n * 3, height, width, 1)
        features, probabilities = self.digits.compute(per_channel, batch_size)
        features = features.reshape(n, self.feature_dim)
        p = probabilities.astype(np.float64).reshape(n, 3, self.digits.num_classes)
        joint = np.einsum("na,nb,nc->nabc", p[:, 0], p[:, 1], p[:, 2])
        joint = joint.reshape(n, self.num_classes)
        joint /= joint.sum(axis=1, keepdims=True)  # float32 softmaxes sum to 1 up to rounding
        return features.astype(np.float32), joint.astype(np.float32)


class StackedMnistFeatures(StackedDigitsFeatures):
    """Stacked MNIST (three real 28 px digits as channels) through the shipped MNIST classifier.

    As `StackedDigitsFeatures`, with `MnistFeatures` on each channel: the published
    Stacked-MNIST mode count (1,000 modes) on `stacked_mnist`.
    """

    name = "gan_zoo_stacked_mnist_classifier"
    digits_class = MnistFeatures


class InceptionV3Features(FeatureExtractor):
    """Keras' ImageNet InceptionV3: 2048-d average-pool features and 1000-class probabilities.

    One functional model with two outputs is built from `keras.applications.InceptionV3`
    with its classifier (`include_top=True`): the `avg_pool` layer (global average pooling of
    the last mixed block, the layer before the classifier, 2048-d; the FID feature layer) and
    the `predictions` softmax (for the Inception Score). Images in [-1, 1] (or uint8) are
    resized to 299×299 (bilinear) and grayscale is repeated to 3 channels; [-1, 1] is already
    the input range Keras' InceptionV3 expects (`inception_v3.preprocess_input`).

    Not comparable to published numbers: published FID and IS (TF-GAN, the original TTUR
    code, pytorch-fid's `pt_inception-2015-12-05` weights, torch-fidelity, clean-fid) all use
    the 2015 Inception graph (`inception-2015-12-05`, 1008 classes, with its own pooling and
    resizing details). Keras' InceptionV3 ImageNet weights are a different network
    (the 2016 retrained Inception-v3, 1000 classes), so its features, and the FID/KID/IS
    computed from them, differ from those of the 2015 graph by amounts that depend on the
    data: there is no conversion between the two. Numbers from this extractor are internally
    consistent (comparable between gan_zoo runs evaluated with the same extractor, sample
    counts and resizing) but NOT comparable to published FID/IS tables; every report carries
    `comparable_to_published: false`.

    Weights, in order of precedence:

    1. `weights_path`: a local file (`.h5`, e.g. Keras' downloaded
       `inception_v3_weights_tf_dim_ordering_tf_kernels.h5`, or a `.weights.h5` saved from
       `keras.applications.InceptionV3(include_top=True)`);
    2. the environment variable `GAN_ZOO_INCEPTION_WEIGHTS` naming such a file;
    3. `weights="imagenet"` (Keras downloads and caches them in `~/.keras/models`) only when
       `allow_download=True`.

    Otherwise the constructor raises a one-line ValueError naming the three options.

    Args:
        weights_path: local weights file, or None. Defaults to None.
        allow_download: let Keras download the ImageNet weights when no file is given.
            Defaults to False (nothing downloads by default).
        _weights: test hook: `"random"` builds the network with random weights (the
            extractor's `weights` attribute then says so). Not for real evaluations.

    Raises:
        ValueError: no weights source, or a weights file that does not exist.
    """

    name = "keras_inception_v3_imagenet"
    image_size = 299
    channels = (1, 3)
    feature_dim = 2048
    num_classes = 1000
    comparable_to_published = False
    default_batch_size = 32

    def __init__(
        self,
        weights_path: str | os.PathLike | None = None,
        allow_download: bool = False,
        *,
        _weights: str | None = None,
    ):
        weights = _resolve_inception_weights(weights_path, allow_download, _weights)
        self.weights = weights
        self._model = _inception_two_outputs(weights)
        spec = tf.TensorSpec([None, self.image_size, self.image_size, 3], tf.float32)
        self._forward = tf.function(
            lambda x: self._model(x, training=False), input_signature=[spec]
        )
        source = {
            "imagenet": "ImageNet, downloaded by Keras",
            "random": "RANDOM (test only; numbers are meaningless)",
        }.get(weights, f"ImageNet, file {weights}")
        self.description = (
            "keras.applications.InceptionV3 (include_top): 2048-d avg_pool features and "
            f"1000-class softmax at 299 px; weights: {source}; not the TF-GAN / pytorch-fid "
            "2015 Inception graph"
        )

    def compute(self, images, batch_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Features `[N, 2048]` and probabilities `[N, 1000]`; see `FeatureExtractor.compute`."""
        batch_size = _check_batch_size(batch_size or self.default_batch_size)
        images = check_images(images, self.channels)
        features, probabilities = [], []
        for start in range(0, len(images), batch_size):
            batch = self._preprocess(images[start : start + batch_size])
            f, p = self._forward(batch)
            features.append(f.numpy())
            probabilities.append(p.numpy())
        if not features:
            return (
                np.zeros((0, self.feature_dim), np.float32),
                np.zeros((0, self.num_classes), np.float32),
            )
        return (
            np.concatenate(features).astype(np.float32),
            np.concatenate(probabilities).astype(np.float32),
        )

    def _preprocess(self, batch: np.ndarray) -> tf.Tensor:
        """uint8 or float [B, H, W, 1|3] → float32 [B, 299, 299, 3] in [-1, 1]."""
        x = tf.convert_to_tensor(batch.astype(np.float32))
        if batch.dtype == np.uint8:
            x = x / 127.5 - 1.0
        x = tf.clip_by_value(x, -1.0, 1.0)
        if tuple(batch.shape[1:3]) != (self.image_size, self.image_size):
            x = tf.image.resize(x, [self.image_size, self.image_size], method="bilinear")
        if batch.shape[-1] == 1:
            x = tf.repeat(x, 3, axis=-1)
        return x


def _resolve_inception_weights(weights_path, allow_download: bool, test_weights) -> str:
    """Returns a weights file path, `"imagenet"` or `"random"`; see `InceptionV3Features`."""
    if test_weights is not None:
        if test_weights != "random":
            raise ValueError(f"_weights must be 'random' or None, got {test_weights!r}")
        return "random"
    source = None
    if weights_path is not None:
        source = ("weights_path", os.fspath(weights_path))
    elif os.environ.get(INCEPTION_WEIGHTS_ENV):
        source = (f"${INCEPTION_WEIGHTS_ENV}", os.environ[INCEPTION_WEIGHTS_ENV])
    if source is not None:
        origin, path = source
        if not pathlib.Path(path).is_file():
            raise ValueError(
                f"InceptionV3 weights file {path!r} (from {origin}) does not exist; pass a "
                "local .h5/.weights.h5 file of keras.applications.InceptionV3(include_top=True)"
            )
        return str(pathlib.Path(path).resolve())
    if allow_download:
        return "imagenet"
    raise ValueError(
        "InceptionV3 needs weights: pass weights_path (or --inception_weights) to a local "
        f".h5/.weights.h5 file, set ${INCEPTION_WEIGHTS_ENV} to one, or allow_download=True "
        "to let Keras download the ImageNet weights (needs the network)"
    )


@functools.lru_cache(maxsize=2)
def _inception_two_outputs(weights: str) -> keras.Model:
    """InceptionV3 (include_top) as a model `images → (avg_pool [B, 2048], softmax [B, 1000])`.

    Cached per weights source: building the network takes seconds and 95 MB.
    """
    base = keras.applications.InceptionV3(
        include_top=True, weights=None if weights == "random" else weights
    )
    return keras.Model(
        base.inputs,
        [base.get_layer("avg_pool").output, base.output],
        name="inception_v3_pool_and_predictions",
    )


def _check_batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


EXTRACTORS = {
    "mnist": MnistFeatures,
    "stacked_mnist": StackedMnistFeatures,
    "digits": DigitsFeatures,
    "stacked_digits": StackedDigitsFeatures,
    "inception_v3": InceptionV3Features,
}


def get_extractor(name: str, **kwargs) -> FeatureExtractor:
    """Builds the feature extractor called `name`.

    Args:
        name: `"mnist"` (`MnistFeatures`), `"stacked_mnist"` (`StackedMnistFeatures`),
            `"digits"` (`DigitsFeatures`), `"stacked_digits"` (`StackedDigitsFeatures`) or
            `"inception_v3"` (`InceptionV3Features`).
        **kwargs: passed to the extractor's constructor (`weights_path`, `allow_download`).

    Returns:
        A `FeatureExtractor`.

    Raises:
        ValueError: an unknown name (the message lists the valid ones), or the extractor's own
            errors (e.g. InceptionV3 without weights).
    """
    if name not in EXTRACTORS:
        raise ValueError(
            f"unknown feature extractor {name!r}; valid: {', '.join(sorted(EXTRACTORS))}"
        )
    return EXTRACTORS[name](**kwargs)
