"""Fixtures of the command-line tests."""

import pytest

from gan_zoo import export, presets


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory) -> str:
    """A tiny untrained `dcgan_digits` exported to `<run>/saved_model`, as a run leaves it.

    Shared by a module's tests: copy it before changing anything in it.
    """
    model = presets.build(
        "dcgan_digits",
        latent_dim=8,
        generator_kwargs={"base_filters": 4},
        discriminator_kwargs={"base_filters": 4},
    )
    path = tmp_path_factory.mktemp("run") / "saved_model"
    return export.export_generator(model, str(path), metadata={"preset": "dcgan_digits"})
