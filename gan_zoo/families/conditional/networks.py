"""Class-conditional wrappers around any gan_zoo generator / discriminator.

- `generator`: the label's embedding is concatenated to z (Mirza & Osindero 2014,
  arXiv:1411.1784); the wrapped generator takes `latent_dim + embedding_dim` inputs.
- `concat_discriminator`: the label enters D's input: an extra constant image channel from an
  embedding of size H·W for images, or concatenated features for flat samples.
- `projection_discriminator`: score = ψ(φ(x)) + ⟨embed(y), φ(x)⟩ on D's penultimate features
  φ (Miyato & Koyama 2018, arXiv:1802.05637).
- `auxiliary_classifier_discriminator`: D's features feed a score head and a class-logits head
  (ACGAN, Odena, Olah & Shlens 2017, arXiv:1610.09585).

Every wrapped network is a functional model taking `[samples_or_noise, labels]` with labels
int32 `[B]` in [0, num_classes).
"""

import math

import keras
from keras import layers


def _labels_input() -> keras.KerasTensor:
    return keras.Input((), dtype="int32", name="labels")


def generator(
    base: keras.Model, num_classes: int, embedding_dim: int, name: str = "generator"
) -> keras.Model:
    """Wraps `base` (input size latent_dim + embedding_dim) into G(z, y).

    Args:
        base: keras.Model. An unconditional generator whose input has
            `latent_dim + embedding_dim` features.
        num_classes: int. Number of labels.
        embedding_dim: int. Size of the label embedding concatenated to z.
        name: str. Defaults to `"generator"`.

    Returns:
        `keras.Model([noise [B, latent_dim], labels [B]]) → samples` as `base` produces them.
    """
    latent_dim = base.input_shape[-1] - embedding_dim
    if latent_dim < 1:
        raise ValueError(
            f"base generator input {base.input_shape[-1]} must exceed embedding_dim {embedding_dim}"
        )
    noise = keras.Input((latent_dim,), name="noise")
    labels = _labels_input()
    embedded = layers.Embedding(num_classes, embedding_dim, name="label_embedding")(labels)
    inputs = layers.Concatenate(name="noise_and_label")([noise, embedded])
    return keras.Model([noise, labels], base(inputs), name=name)


def concat_discriminator(
    base: keras.Model,
    sample_shape: tuple,
    num_classes: int,
    embedding_dim: int = 8,
    name: str = "discriminator",
) -> keras.Model:
    """Wraps `base` so the label enters D's input.

    Args:
        base: keras.Model. An unconditional discriminator built for `(H, W, C + 1)` images, or
            for `(features + embedding_dim,)` flat samples.
        sample_shape: tuple. Shape of one real sample, `(H, W, C)` or `(F,)`.
        num_classes: int. Number of labels.
        embedding_dim: int. Embedding size for flat samples (images use H·W). Defaults to 8.
        name: str. Defaults to `"discriminator"`.

    Returns:
        `keras.Model([samples, labels]) → scores [B, 1]`.
    """
    samples = keras.Input(sample_shape, name="samples")
    labels = _labels_input()
    if len(sample_shape) == 3:
        height, width, _ = sample_shape
        embedded = layers.Embedding(num_classes, height * width, name="label_embedding")(labels)
        label_map = layers.Reshape((height, width, 1), name="label_map")(embedded)
        inputs = layers.Concatenate(axis=-1, name="image_and_label")([samples, label_map])
    else:
        embedded = layers.Embedding(num_classes, embedding_dim, name="label_embedding")(labels)
        flat = layers.Reshape((math.prod(sample_shape),), name="flatten_samples")(samples)
        inputs = layers.Concatenate(name="sample_and_label")([flat, embedded])
    return keras.Model([samples, labels], base(inputs), name=name)


def _features(base: keras.Model) -> tuple[keras.KerasTensor, keras.KerasTensor]:
    """A `samples` input and φ(samples): `base` up to the layer before its `score` layer."""
    if not base.layers[-1].name.startswith("score"):
        raise ValueError(f"discriminator {base.name!r} must end with a layer named 'score'")
    features = keras.Model(base.input, base.layers[-2].output, name="features")
    samples = keras.Input(base.input_shape[1:], name="samples")
    return samples, features(samples)


def projection_discriminator(
    base: keras.Model, num_classes: int, name: str = "discriminator"
) -> keras.Model:
    """D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩ (Miyato & Koyama 2018).

    Args:
        base: keras.Model. An unconditional discriminator ending in a `score` layer.
        num_classes: int. Number of labels.
        name: str. Defaults to `"discriminator"`.

    Returns:
        `keras.Model([samples, labels]) → scores [B, 1]`.
    """
    samples, phi = _features(base)
    labels = _labels_input()
    width = phi.shape[-1]
    unconditional = layers.Dense(1, name="score")(phi)
    embedded = layers.Embedding(num_classes, width, name="label_projection")(labels)
    projection = layers.Dot(axes=-1, name="projection")([embedded, phi])
    scores = layers.Add(name="projected_score")([unconditional, projection])
    return keras.Model([samples, labels], scores, name=name)


def auxiliary_classifier_discriminator(
    base: keras.Model, num_classes: int, name: str = "discriminator"
) -> keras.Model:
    """ACGAN's D: shared features, a real/fake score head and a class-logits head.

    Args:
        base: keras.Model. An unconditional discriminator ending in a `score` layer.
        num_classes: int. Number of labels.
        name: str. Defaults to `"discriminator"`.

    Returns:
        `keras.Model(samples) → [scores [B, 1], class_logits [B, num_classes]]`.
    """
    samples, phi = _features(base)
    scores = layers.Dense(1, name="score")(phi)
    class_logits = layers.Dense(num_classes, name="class_logits")(phi)
    return keras.Model(samples, [scores, class_logits], name=name)
