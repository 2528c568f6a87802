"""The StyleGAN family: StyleGAN2 (Karras et al. 2020) with truncation and style mixing."""

from gan_zoo.families import registry
from gan_zoo.families.stylegan import layers, networks
from gan_zoo.families.stylegan.family import StyleGANConfig, StyleGANFamily, stylegan_step_flops
from gan_zoo.families.stylegan.generator import StyleGenerator
from gan_zoo.families.stylegan.model import StyleGAN, lazy_regularization_adam
from gan_zoo.families.stylegan.presets import PRESETS

FAMILY = registry.register_family(StyleGANFamily())
registry.register_presets(PRESETS)

__all__ = [
    "FAMILY",
    "StyleGAN",
    "StyleGANConfig",
    "StyleGANFamily",
    "StyleGenerator",
    "lazy_regularization_adam",
    "layers",
    "networks",
    "stylegan_step_flops",
]
