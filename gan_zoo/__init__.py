"""gan_zoo: a Keras 3 GAN model zoo trained with `model.fit()`.

Example:
>>> import gan_zoo
>>> model = gan_zoo.build("dcgan_digits")
>>> images = model.generate(16, seed=0)  # float32 [16, 32, 32, 1] in [-1, 1]

`import gan_zoo` imports TensorFlow and Keras and gan_zoo's Keras classes (models, layers,
schedules, metrics), so that `keras.saving.load_model("model.keras")` finds every family's
classes after it. The other submodules (`gan_zoo.data`, `gan_zoo.training`, ...) load on first
use, so the package never touches TensorFlow Datasets until data is asked for.

>>> import gan_zoo, keras
>>> model = keras.saving.load_model("runs/demo/dcgan.keras")  # saved with model.save(...)
"""

import importlib

# Keras finds a saved class by its registered name ("gan_zoo>GAN"), which exists only once
# the module that defines it has been imported: import every module that registers one.
from gan_zoo import layers, models, schedules  # noqa: F401, E402
from gan_zoo.builders import stylegan_layers  # noqa: F401, E402
from gan_zoo.metrics import streaming  # noqa: F401, E402

__version__ = "0.1.0"

_SUBMODULES = (
    "builders",
    "callbacks",
    "data",
    "distribute",
    "export",
    "layers",
    "losses",
    "metrics",
    "models",
    "plotting",
    "presets",
    "training",
)


def list_presets() -> list[str]:
    """Returns the names of every registered preset, sorted."""
    from gan_zoo import presets

    return presets.list_presets()


def build(name: str, **overrides):
    """Builds the compiled model of preset `name`; see `gan_zoo.presets.build`."""
    from gan_zoo import presets

    return presets.build(name, **overrides)


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"gan_zoo.{name}")
    raise AttributeError(f"module 'gan_zoo' has no attribute {name!r}")
