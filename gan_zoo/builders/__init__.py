"""Shared network builders: functions returning named functional `keras.Model`s.

A builder module exposes `generator(...)` and `discriminator(...)`; `get(name)` returns the pair,
so a preset names its architecture with one string. These networks serve several families (GAN,
WGAN, conditional); a family's own networks live in its folder
(`gan_zoo.families.cyclegan.networks`, `gan_zoo.families.stylegan.networks`).
"""

from collections.abc import Callable

from gan_zoo.builders import dcgan, dense

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


__all__ = ["ARCHITECTURES", "dcgan", "dense", "get"]
