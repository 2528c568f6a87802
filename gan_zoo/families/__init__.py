"""The zoo's families, one folder each, and the registry that tells the rest what they are.

`FAMILIES` maps a family's name to its `Family` (task, styles, model classes, typed config,
build). Presets are data: each family registers its typed configs (`GANConfig`,
`ConditionalGANConfig`, ...) and `build(name, **overrides)` turns one into a compiled model.
Add a family with `register_family` and `register_preset`, from any package: see
`docs/adding_a_family.md`.

Example:
>>> from gan_zoo import families
>>> sorted(families.FAMILIES)
['conditional', 'cyclegan', 'gan', 'r3gan', 'stylegan', 'wgan']
>>> model = families.build("dcgan_digits", latent_dim=32)
"""

# Each family registers itself and its presets on import, in this order.
from gan_zoo.families import conditional, cyclegan, gan, r3gan, registry, stylegan, wgan  # noqa: E402, I001
from gan_zoo.families.config import PresetConfig, from_dict
from gan_zoo.families.registry import (  # noqa: E402
    FAMILIES,
    TASKS,
    Family,
    algorithms,
    build,
    family_of,
    family_of_algorithm,
    get_family,
    get_preset,
    list_presets,
    register_family,
    register_preset,
    register_presets,
    unregister_family,
)

__all__ = [
    "FAMILIES",
    "TASKS",
    "Family",
    "PresetConfig",
    "algorithms",
    "build",
    "conditional",
    "cyclegan",
    "family_of",
    "family_of_algorithm",
    "from_dict",
    "gan",
    "get_family",
    "get_preset",
    "list_presets",
    "r3gan",
    "register_family",
    "register_preset",
    "register_presets",
    "registry",
    "stylegan",
    "unregister_family",
    "wgan",
]
