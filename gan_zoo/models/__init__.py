"""Every family's model classes under one name, and `get(algorithm)`.

The classes live with their families (`gan_zoo/families/<family>/model.py`); the shared step
machinery in `gan_zoo.engine`.
"""

import keras

from gan_zoo.engine import AdversarialModel, assign_in_sync, sample_noise
from gan_zoo.families import algorithms, family_of_algorithm
from gan_zoo.families.conditional import ACGAN, ConditionalGAN
from gan_zoo.families.cyclegan import CycleGAN
from gan_zoo.families.gan import GAN
from gan_zoo.families.r3gan import R3GAN
from gan_zoo.families.stylegan import StyleGAN, StyleGenerator
from gan_zoo.families.wgan import WGAN, WGANGP

ALGORITHMS: dict[str, type[keras.Model]] = algorithms()


def get(name: str) -> type[keras.Model]:
    """Returns the model class of algorithm `name`.

    Raises:
        ValueError: `name` is not a known algorithm.
    """
    return family_of_algorithm(name).algorithms[name]


__all__ = [
    "ACGAN",
    "ALGORITHMS",
    "GAN",
    "R3GAN",
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
