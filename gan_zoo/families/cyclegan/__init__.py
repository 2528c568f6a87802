"""The CycleGAN family: unpaired image-to-image translation (Zhu et al. 2017)."""

from gan_zoo.families import registry
from gan_zoo.families.cyclegan import networks
from gan_zoo.families.cyclegan.family import CycleGANConfig, CycleGANFamily, cyclegan_step_flops
from gan_zoo.families.cyclegan.model import CycleGAN
from gan_zoo.families.cyclegan.presets import PRESETS

FAMILY = registry.register_family(CycleGANFamily())
registry.register_presets(PRESETS)

__all__ = [
    "FAMILY",
    "CycleGAN",
    "CycleGANConfig",
    "CycleGANFamily",
    "cyclegan_step_flops",
    "networks",
]
