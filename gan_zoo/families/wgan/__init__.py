"""The WGAN family: WGAN (weight clipping) and WGAN-GP (gradient penalty)."""

from gan_zoo.families import registry
from gan_zoo.families.wgan.family import WGANConfig, WGANFamily
from gan_zoo.families.wgan.model import WGAN, WGANGP
from gan_zoo.families.wgan.presets import PRESETS

FAMILY = registry.register_family(WGANFamily())
registry.register_presets(PRESETS)

__all__ = ["FAMILY", "WGAN", "WGANGP", "WGANConfig", "WGANFamily"]
