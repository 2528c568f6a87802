"""The GAN family: the original GAN, DCGAN, LSGAN and SNGAN recipes on one `GAN` model."""

from gan_zoo.families import registry
from gan_zoo.families.gan.family import GANConfig, GANFamily, networks
from gan_zoo.families.gan.model import GAN
from gan_zoo.families.gan.presets import PRESETS

FAMILY = registry.register_family(GANFamily())
registry.register_presets(PRESETS)

__all__ = ["FAMILY", "GAN", "GANConfig", "GANFamily", "networks"]
