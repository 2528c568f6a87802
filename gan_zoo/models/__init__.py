"""Training algorithms: one module per GAN family, each a `keras.Model` with `train_step`."""

import keras

from gan_zoo.models.base import AdversarialModel, assign_in_sync, sample_noise
from gan_zoo.models.conditional import ACGAN, ConditionalGAN
from gan_zoo.models.cyclegan import CycleGAN
from gan_zoo.models.gan import GAN
from gan_zoo.models.stylegan import StyleGAN, StyleGenerator
from gan_zoo.models.wgan import WGAN, WGANGP

ALGORITHMS: dict[str, type[keras.Model]] = {
    "gan": GAN,
    "conditional_gan": ConditionalGAN,
    "acgan": ACGAN,
    "wgan": WGAN,
    "wgan_gp": WGANGP,
    "cyclegan": CycleGAN,
    "stylegan": StyleGAN,
}


def get(name: str) -> type[keras.Model]:
    """Returns the model class of algorithm `name`.

    Raises:
        ValueError: `name` is not a known algorithm.
    """
    if name not in ALGORITHMS:
        raise ValueError(
            f"Unknown algorithm {name!r}; expected one of: {', '.join(sorted(ALGORITHMS))}"
        )
    return ALGORITHMS[name]


__all__ = [
    "ACGAN",
    "ALGORITHMS",
    "GAN",
    "WGAN",
    "WGANGP",
    "AdversarialModel",
    "ConditionalGAN",
    "CycleGAN",
    "StyleGAN",
    "StyleGenerator",
    "assign_in_sync",
    "get",
    "sample_noise",
]
