"""Training algorithms: one module per GAN family, each a `keras.Model` with `train_step`."""

from gan_zoo.models.base import AdversarialModel, sample_noise
from gan_zoo.models.gan import GAN

ALGORITHMS: dict[str, type[AdversarialModel]] = {"gan": GAN}


def get(name: str) -> type[AdversarialModel]:
    """Returns the model class of algorithm `name`.

    Raises:
        ValueError: `name` is not a known algorithm.
    """
    if name not in ALGORITHMS:
        raise ValueError(
            f"Unknown algorithm {name!r}; expected one of: {', '.join(sorted(ALGORITHMS))}"
        )
    return ALGORITHMS[name]


__all__ = ["ALGORITHMS", "GAN", "AdversarialModel", "get", "sample_noise"]
