"""gan_zoo: a Keras 3 GAN model zoo trained with `model.fit()`.

Example:
>>> import gan_zoo
>>> model = gan_zoo.build("dcgan_digits")
>>> images = model.generate(16, seed=0)  # float32 [16, 32, 32, 1] in [-1, 1]

`import gan_zoo` registers gan_zoo's Keras classes (every family's models, networks and layers,
the schedules and streaming metrics) with Keras, so that `keras.saving.load_model("model.keras")`
finds them: at once when Keras is already imported, else the moment Keras is imported. So
`import gan_zoo` alone stays light (the `gan-zoo` command answers `--help` without loading
TensorFlow), and the submodules (`gan_zoo.data`, `gan_zoo.training`, ...) load on first use.

>>> import gan_zoo, keras
>>> model = keras.saving.load_model("runs/demo/dcgan.keras")  # saved with model.save(...)
"""

import importlib
import importlib.abc
import importlib.machinery
import sys

# Keras finds a saved class by its registered name ("gan_zoo>GAN"), which exists only once the
# module that defines it has been imported. Importing those modules imports TensorFlow, so they
# are imported together with Keras: now if it is loaded, else right after its own import.
_REGISTERING_MODULES = (
    "gan_zoo.families",
    "gan_zoo.layers",
    "gan_zoo.schedules",
    "gan_zoo.metrics.streaming",
)


def _register_keras_classes() -> None:
    for name in _REGISTERING_MODULES:
        importlib.import_module(name)


class _AfterKerasImport(importlib.abc.MetaPathFinder):
    """Registers gan_zoo's classes once Keras is imported, by whichever module imports it.

    When a gan_zoo module's import is what imports Keras, the registration waits until the
    outermost gan_zoo module being imported has finished (the families import those modules
    themselves). The finder then removes itself.
    """

    def __init__(self):
        self.depth = 0  # gan_zoo modules being executed, nested
        self.pending = False

    def find_spec(self, name, path=None, target=None):
        if name != "keras" and not name.startswith("gan_zoo."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            if name != "keras":
                self.depth += 1
            try:
                execute(module)
            finally:
                if name != "keras":
                    self.depth -= 1
            if name == "keras":
                self.pending = True
            if self.pending and self.depth == 0:
                self.pending = False
                if self in sys.meta_path:
                    sys.meta_path.remove(self)
                sys.modules.setdefault(name, module)
                _register_keras_classes()

        spec.loader.exec_module = exec_module
        return spec


if "keras" in sys.modules:
    _register_keras_classes()
elif not any(isinstance(finder, _AfterKerasImport) for finder in sys.meta_path):
    sys.meta_path.insert(0, _AfterKerasImport())

__version__ = "0.1.0"

_SUBMODULES = (
    "builders",
    "cli",
    "data",
    "engine",
    "evaluation",
    "distribute",
    "export",
    "families",
    "layers",
    "losses",
    "metrics",
    "models",
    "plotting",
    "presets",
    "pretrained",
    "serving",
    "training",
)


def list_presets() -> list[str]:
    """Returns the names of every registered preset, sorted."""
    from gan_zoo import families  # noqa: PLC0415 (imports TensorFlow on first use)

    return families.list_presets()


def build(name: str, *, pretrained: bool = False, **overrides):
    """Builds the compiled model of preset `name`; see `gan_zoo.families.build`.

    `pretrained=True` loads the preset's shipped generator weights (offline; presets with
    weights: `gan_zoo.pretrained.available()`). `seed`, `compile_kwargs` and preset fields
    pass through as keywords.
    """
    from gan_zoo import families  # noqa: PLC0415 (imports TensorFlow on first use)

    return families.build(name, pretrained=pretrained, **overrides)


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"gan_zoo.{name}")
    raise AttributeError(f"module 'gan_zoo' has no attribute {name!r}")
