"""The R3GAN family: RpGAN + R1 + R2 on residual networks (Huang et al. 2024)."""

from gan_zoo.families import registry
from gan_zoo.families.r3gan.family import R3GANConfig, R3GANFamily
from gan_zoo.families.r3gan.model import R3GAN
from gan_zoo.families.r3gan.presets import PRESETS

FAMILY = registry.register_family(R3GANFamily())
registry.register_presets(PRESETS)

__all__ = ["FAMILY", "R3GAN", "R3GANConfig", "R3GANFamily"]
