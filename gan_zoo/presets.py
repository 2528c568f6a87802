"""The zoo's table of presets: name → a family's typed config (the public names of before).

Presets live with their families (`gan_zoo/families/<family>/presets.py`); this module keeps
the names users call: `build`, `get_preset`, `list_presets`, `register` and `Preset` (the base
class of every family's config).
"""

from gan_zoo.families import build, get_preset, list_presets
from gan_zoo.families.config import PresetConfig as Preset
from gan_zoo.families.registry import register_preset as register

__all__ = ["Preset", "build", "get_preset", "list_presets", "register"]
