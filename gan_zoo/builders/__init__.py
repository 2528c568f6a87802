"""Network builders: functions returning named functional `keras.Model`s.

A builder module exposes `generator(...)` and `discriminator(...)`; `get(name)` returns the pair,
so a preset names its architecture with one string. `cyclegan` (image-to-image networks) and
`stylegan` (mapping, synthesis and residual networks) have other signatures: they are imported
here but not listed in `ARCHITECTURES`.
"""

from collections.abc import Callable

from gan_zoo.builders import conditional, cyclegan, dcgan, dense, stylegan

ARCHITECTURES: dict[str, tuple[Callable, Callable]] = {
    "dense": (dense.generator, dense.discriminator),
    "dcgan": (dcgan.generator, dcgan.discriminator),
}


def get(name: str) -> tuple[Callable, Callable]:
    """Returns `(generator_builder, discriminator_builder)` of architecture `name`.

    Raises:
        ValueError: `name` is not a known architecture.
    """
    if name not in ARCHITECTURES:
        raise ValueError(
            f"Unknown architecture {name!r}; expected one of: {', '.join(sorted(ARCHITECTURES))}"
        )
    return ARCHITECTURES[name]


__all__ = ["ARCHITECTURES", "conditional", "cyclegan", "dcgan", "dense", "get", "stylegan"]
