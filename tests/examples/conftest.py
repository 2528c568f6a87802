"""Fixtures of the command-line tests."""

import pytest

import gan_zoo
from gan_zoo import export


def _tiny_dcgan():
    return gan_zoo.build(
        "dcgan_digits",
        latent_dim=8,
        generator_kwargs={"base_filters": 4},
        discriminator_kwargs={"base_filters": 4},
    )


@pytest.fixture
def tiny_model():
    """An untrained `dcgan_digits` with 8-d noise and 4 base filters: seconds to build."""
    return _tiny_dcgan()


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory) -> str:
    """A tiny untrained `dcgan_digits` exported to `<run>/saved_model`, as a run leaves it.

    Shared by a module's tests: copy it before changing anything in it.
    """
    path = tmp_path_factory.mktemp("run") / "saved_model"
    return export.export_model(_tiny_dcgan(), str(path), metadata={"preset": "dcgan_digits"})
