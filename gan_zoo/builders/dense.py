"""Multilayer-perceptron generator and discriminator for any output shape.

The original GAN networks (Goodfellow et al. 2014, arXiv:1406.2661) were MLPs; so are the 2-D
mode-collapse benchmarks' networks (Metz et al. 2016, arXiv:1611.02163; Srivastava et al. 2017,
arXiv:1705.07761). Flat outputs such as 2-D points (`output_shape=(2,)`) and images
(`output_shape=(32, 32, 1)`) are both supported.
"""

import math
from collections.abc import Sequence

import keras
from keras import layers

from gan_zoo.layers import batch_normalization, maybe_spectral_norm


def _check_shape(name: str, shape: Sequence[int]) -> tuple[int, ...]:
    shape = tuple(int(d) for d in shape)
    if not shape or any(d < 1 for d in shape):
        raise ValueError(f"{name} must be a non-empty tuple of positive sizes; got {shape}")
    return shape


def generator(
    latent_dim: int,
    output_shape: Sequence[int],
    hidden_units: Sequence[int] = (256, 512),
    activation: str = "leaky_relu",
    output_activation: str | None = "tanh",
    batch_norm: bool = False,
    name: str = "generator",
) -> keras.Model:
    """MLP generator: z → Dense × len(hidden_units) → Dense(prod(output_shape)) → reshape.

    Args:
        latent_dim: int. Size of z.
        output_shape: tuple of int. Shape of one sample without the batch axis, e.g. `(2,)` or
            `(32, 32, 1)`.
        hidden_units: tuple of int. Width of each hidden layer. Defaults to `(256, 512)`.
        activation: str. Keras activation of the hidden layers. Defaults to `"leaky_relu"`.
        output_activation: str or None. `"tanh"` keeps images in [-1, 1]; use `None` for
            unbounded outputs such as 2-D points. Defaults to `"tanh"`.
        batch_norm: bool. Batch normalization after each hidden layer. Defaults to `False`.
        name: str. Model name. Defaults to `"generator"`.

    Returns:
        A functional `keras.Model` mapping float32 `[B, latent_dim]` to `[B, *output_shape]`.
    """
    output_shape = _check_shape("output_shape", output_shape)
    noise = keras.Input((latent_dim,), name="noise")
    x = noise
    for i, units in enumerate(hidden_units):
        x = layers.Dense(units, name=f"dense_{i}")(x)
        if batch_norm:
            x = batch_normalization(f"batch_norm_{i}")(x)
        x = layers.Activation(activation, name=f"{activation}_{i}")(x)
    x = layers.Dense(math.prod(output_shape), activation=output_activation, name="output")(x)
    x = layers.Reshape(output_shape, name="reshape")(x)
    return keras.Model(noise, x, name=name)


def discriminator(
    input_shape: Sequence[int],
    hidden_units: Sequence[int] = (512, 256),
    activation: str = "leaky_relu",
    dropout: float = 0.0,
    spectral_norm: bool = False,
    name: str = "discriminator",
) -> keras.Model:
    """MLP discriminator: x → flatten → Dense × len(hidden_units) → Dense(1) logit.

    Args:
        input_shape: tuple of int. Shape of one sample without the batch axis.
        hidden_units: tuple of int. Width of each hidden layer. Defaults to `(512, 256)`.
        activation: str. Keras activation of the hidden layers. Defaults to `"leaky_relu"`.
        dropout: float in [0, 1). Dropout after each hidden layer. Defaults to 0.
        spectral_norm: bool. Spectral normalization of every Dense layer. Defaults to False.
        name: str. Model name. Defaults to `"discriminator"`.

    Returns:
        A functional `keras.Model` mapping `[B, *input_shape]` to raw scores `[B, 1]` (logits;
        no sigmoid, so every loss in `gan_zoo.losses` applies).
    """
    input_shape = _check_shape("input_shape", input_shape)
    sample = keras.Input(input_shape, name="sample")
    x = layers.Flatten(name="flatten")(sample) if len(input_shape) > 1 else sample
    for i, units in enumerate(hidden_units):
        x = maybe_spectral_norm(layers.Dense(units, name=f"dense_{i}"), spectral_norm)(x)
        x = layers.Activation(activation, name=f"{activation}_{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    score = maybe_spectral_norm(layers.Dense(1, name="score"), spectral_norm)(x)
    return keras.Model(sample, score, name=name)
