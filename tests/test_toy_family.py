"""The proof of the family design: a family registered from tests/ goes through every generic path.

`ToyGAN` (a simultaneous-update GAN: one noise draw, D and G updated from the same forward pass)
and its typed config live here, not in `gan_zoo/`. Registered with the public registry, its
preset trains with `gan_zoo.training.train` (run directory, checkpoints, export), exports with
`gan_zoo.export.export_model`, samples with the `generate` command line and is measured with
`gan_zoo.evaluation.evaluate_model`, none of which was edited for it.
"""

import dataclasses
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_zoo import builders, evaluation, export, families, training
from gan_zoo.engine import AdversarialModel
from gan_zoo.families import registry
from gan_zoo.families.config import PresetConfig

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@keras.saving.register_keras_serializable(package="gan_zoo_tests")
class ToyGAN(AdversarialModel):
    """Simultaneous gradient descent: D and G step from one forward pass of one noise draw."""

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple | list) else data
        noise = self.replica_normal(tf.shape(real)[0], (self.latent_dim,), purpose=0)
        with tf.GradientTape(persistent=True) as tape:
            fake = self.generator(noise, training=True)
            real_scores = self.discriminator(real, training=True)
            fake_scores = self.discriminator(fake, training=True)
            d_loss = self.d_loss_fn(real_scores, fake_scores)
            g_loss = self.g_loss_fn(fake_scores)
            d_scaled = self.scaled_loss(self.d_optimizer, d_loss)
            g_scaled = self.scaled_loss(self.g_optimizer, g_loss)
        for optimizer, scaled, network, loss in (
            (self.d_optimizer, d_scaled, self.discriminator, d_loss),
            (self.g_optimizer, g_scaled, self.generator, g_loss),
        ):
            variables = network.trainable_variables
            self.apply_update(optimizer, tape.gradient(scaled, variables), variables, (loss,))
        del tape
        self.update_ema()
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(tf.reduce_mean(real_scores))
        self.d_fake_tracker.update_state(tf.reduce_mean(fake_scores))
        return self.step_logs()


@dataclasses.dataclass(frozen=True, eq=False)
class ToyConfig(PresetConfig):
    """The toy family's typed preset: the shared fields plus the size of z."""

    ARCHITECTURES = ("dense",)

    algorithm: str = "toy_simultaneous"
    architecture: str = "dense"
    latent_dim: int = 8


class ToyFamily(registry.Family):
    name = "toy"
    description = "Simultaneous-update GAN on dense networks (a test family)."
    task = "unconditional"
    algorithms = {"toy_simultaneous": ToyGAN}
    config_class = ToyConfig

    def network_builders(self, config):
        return {
            "generator_kwargs": [builders.dense.generator],
            "discriminator_kwargs": [builders.dense.discriminator],
        }

    def build(self, config, seed, compile_kwargs):
        generator = builders.dense.generator(
            config.latent_dim, config.sample_shape, **config.generator_kwargs
        )
        discriminator = builders.dense.discriminator(
            config.sample_shape, **config.discriminator_kwargs
        )
        model = ToyGAN(generator, discriminator, seed=seed, name=config.name)
        optimizer = registry.optimizer_factory(config)
        model.compile(
            g_optimizer=optimizer(config.g_learning_rate),
            d_optimizer=optimizer(config.d_learning_rate),
            loss=config.loss,
            **(compile_kwargs or {}),
        )
        return model


TOY_PRESET = ToyConfig(
    name="toy_ring8",
    description="ToyGAN on the ring of 8 Gaussians.",
    paper="a test of the family registry",
    dataset="gaussian_mixture/ring8",
    image_size=None,
    channels=None,
    batch_size=64,
    epochs=2,
    steps_per_epoch=5,
    g_learning_rate=1e-3,
    d_learning_rate=1e-3,
    generator_kwargs={"hidden_units": (16,), "output_activation": None},
    discriminator_kwargs={"hidden_units": (16,)},
)


@pytest.fixture
def toy_family():
    family = registry.register_family(ToyFamily())
    registry.register_preset(TOY_PRESET)
    yield family
    registry.unregister_family("toy")
    assert "toy" not in families.FAMILIES and "toy_ring8" not in families.list_presets()


def test_the_registry_knows_the_toy_family(toy_family):
    preset = families.get_preset("toy_ring8")
    assert families.family_of(preset) is toy_family and preset.family is toy_family
    model = families.build("toy_ring8", seed=0)
    assert families.family_of(model) is toy_family
    with pytest.raises(ValueError, match=r"Unknown preset setting\(s\) num_classes"):
        preset.replace(num_classes=3)
    with pytest.raises(ValueError, match="generator_kwargs key.s. 'base_filters' not accepted"):
        preset.replace(generator_kwargs={"base_filters": 4})
    with pytest.raises(ValueError, match="family 'toy' is already registered"):
        registry.register_family(ToyFamily())


def test_the_toy_family_trains_exports_generates_and_evaluates(toy_family, tmp_path):
    run_dir = tmp_path / "run"
    result = training.train(
        training.TrainConfig(preset="toy_ring8", out_dir=str(run_dir), verbose=0)
    )
    logs = result["final"]
    assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(logs)
    assert all(np.isfinite(logs[key]) for key in ("d_loss", "g_loss"))
    assert len(result["history"]["d_loss"]) == 2 and result["saved_model"]
    with open(run_dir / "config.json") as f:
        assert json.load(f)["preset"]["algorithm"] == "toy_simultaneous"

    # The one export entry, on a model the generic path never saw before.
    model = result["model"]
    path = export.export_model(model, str(tmp_path / "export"), metadata={"preset": "toy_ring8"})
    loaded, _, metadata = export.load_saved_model(path)
    noise = np.random.default_rng(0).standard_normal((5, 8)).astype(np.float32)
    points = loaded.signatures["serving_default"](noise=tf.constant(noise))["points"].numpy()
    assert points.shape == (5, 2) and points.dtype == np.float32 and np.isfinite(points).all()
    expected = model.generator(noise, training=False).numpy()
    np.testing.assert_allclose(points, expected, rtol=1e-5, atol=1e-5)
    assert metadata["output"] == "points" and metadata["latent_dim"] == 8

    # The generate command line reads the run's SavedModel: no gan_zoo family needed there.
    npy = tmp_path / "samples.npy"
    completed = subprocess.run(
        [
            sys.executable,
            os.path.join(REPO_ROOT, "examples", "generate.py"),
            f"--model_dir={run_dir}",
            "--num=32",
            f"--output={tmp_path / 'samples.png'}",
            f"--npy={npy}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""},
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    samples = np.load(npy)
    assert samples.shape == (32, 2) and np.isfinite(samples).all()

    # Evaluation of the in-memory model against its dataset's modes.
    report = evaluation.evaluate_model(model, dataset="gaussian_mixture/ring8", num_samples=500)
    assert report["dataset"] == "gaussian_mixture/ring8" and report["metrics"] == ["mode_coverage"]
    assert report["source"]["latent_dim"] == 8 and report["counts"]["generated"] == 500
    assert report["model"]["num_modes"] == 8 and 0 <= report["model"]["modes_covered"] <= 8
    assert sum(report["model"]["counts"]) <= 500
    assert report["real_baseline"]["modes_covered"] == 8  # the floor: real points cover all
