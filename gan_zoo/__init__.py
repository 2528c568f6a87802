"""gan_zoo: a Keras 3 GAN model zoo trained with `model.fit()`.

Example:
>>> import gan_zoo
>>> model = gan_zoo.build("dcgan_digits")
>>> images = model.generate(16, seed=0)  # float32 [16, 32, 32, 1] in [-1, 1]

Submodules (`gan_zoo.data`, `gan_zoo.losses`, ...) load on first use, so importing the package
stays cheap and never touches TensorFlow Datasets until data is asked for.
"""

import importlib

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
