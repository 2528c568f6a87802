"""The conditional family: cGAN with concatenated or projected labels, and ACGAN."""

from gan_zoo.families import registry
from gan_zoo.families.conditional import networks
from gan_zoo.families.conditional.family import (
    CONDITIONINGS,
    ConditionalFamily,
    ConditionalGANConfig,
)
from gan_zoo.families.conditional.model import ACGAN, ConditionalGAN
from gan_zoo.families.conditional.presets import PRESETS

FAMILY = registry.register_family(ConditionalFamily())
registry.register_presets(PRESETS)

__all__ = [
    "ACGAN",
    "CONDITIONINGS",
    "FAMILY",
    "ConditionalFamily",
    "ConditionalGAN",
    "ConditionalGANConfig",
    "networks",
]
