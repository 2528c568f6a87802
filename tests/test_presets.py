import functools

import keras
import numpy as np
import pytest
from harness import assert_close, assert_reproduced

import gan_zoo
from gan_zoo import presets

REQUIRED = {"gan_digits", "dcgan_digits", "gan_ring8", "dcgan_mnist", "dcgan_celeba64"}


def test_required_presets_are_listed_with_descriptions():
    names = gan_zoo.list_presets()
    assert REQUIRED <= set(names)
    assert names == sorted(names)
    for name in names:
        preset = presets.get_preset(name)
        assert preset.description and "\n" not in preset.description
        assert "20" in preset.paper  # cites a year


@functools.cache
def built(name: str):
    """`gan_zoo.build(name)`, once per test session (the 256 px networks take seconds)."""
    return gan_zoo.build(name)


@pytest.mark.parametrize("name", presets.list_presets())
def test_every_preset_builds_a_compiled_model(name):
    model = built(name)
    preset = presets.get_preset(name)
    assert model.compiled
    if preset.family.task == "translation":
        image = np.zeros((1, *preset.sample_shape), np.float32)
        assert model.translate(image, "b_to_a").shape == image.shape
        return
    assert model.latent_dim == preset.latent_dim
    samples = model.generate(2, seed=0)
    assert samples.shape == (2, *preset.sample_shape)


def test_cyclegan_presets_follow_the_paper():
    """Zhu et al. 2017: LSGAN, λ_cyc = 10, identity 0.5 λ_cyc, pool 50, Adam(2e-4, 0.5) with
    a constant rate for the first half and a linear decay to zero over the second."""
    horse2zebra = presets.get_preset("cyclegan_horse2zebra")
    assert (horse2zebra.batch_size, horse2zebra.image_size, horse2zebra.epochs) == (1, 256, 200)
    model = built("cyclegan_horse2zebra")
    assert (model.cycle_weight, model.identity_weight, model.pool_size) == (10.0, 5.0, 50)
    # The reference implementation's networks: 11.378 M and 2.765 M parameters.
    assert model.generator_a_to_b.count_params() == 11_378_179
    assert model.discriminator_b.count_params() == 2_764_737
    total = 200 * 1334
    for _, optimizer in model.network_optimizers.values():
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert_close(float(optimizer.beta_1), 0.5, err_msg="beta_1")
        schedule = optimizer._learning_rate
        assert (schedule.total_steps, schedule.decay_start_step) == (total, total // 2)
        assert_close(float(schedule(0)), 2e-4, terms=4, err_msg="lr at 0")
        assert_close(float(schedule(total // 2)), 2e-4, terms=4, err_msg="lr at ½")
        assert_close(float(schedule(total * 3 // 4)), 1e-4, terms=4, err_msg="lr at ¾")
        assert float(schedule(total)) == 0.0
    digits = presets.get_preset("cyclegan_digits_thickness")
    assert digits.dataset == "digits_thickness" and digits.learning_rate_decay_start == 0.5


def test_translation_preset_settings_are_checked():
    preset = presets.get_preset("cyclegan_digits_thickness")
    with pytest.raises(ValueError, match="needs steps_per_epoch"):
        preset.replace(steps_per_epoch=None)
    with pytest.raises(ValueError, match=r"learning_rate_decay_start must be in \[0, 1\)"):
        preset.replace(learning_rate_decay_start=1.0)
    with pytest.raises(ValueError, match="Unknown architecture 'dcgan'; expected one of: resnet"):
        preset.replace(architecture="dcgan")
    with pytest.raises(ValueError, match="Unknown preset setting.s. latent_dim"):
        preset.replace(latent_dim=8)  # translation has no z
    with pytest.raises(ValueError, match="latent_dim must be a positive integer"):
        presets.get_preset("dcgan_digits").replace(latent_dim=None)


def test_paper_hyperparameters():
    dcgan = presets.get_preset("dcgan_celeba64")
    assert (dcgan.latent_dim, dcgan.batch_size, dcgan.image_size, dcgan.channels) == (
        100,
        128,
        64,
        3,
    )
    assert (dcgan.g_learning_rate, dcgan.beta_1) == (2e-4, 0.5)
    ring = presets.get_preset("gan_ring8")
    assert (ring.latent_dim, ring.batch_size, ring.g_learning_rate, ring.d_learning_rate) == (
        256,
        512,
        1e-3,
        1e-4,
    )
    assert ring.epochs * ring.steps_per_epoch == 25_000
    model = gan_zoo.build("dcgan_mnist")
    assert isinstance(model.g_optimizer, keras.optimizers.Adam)
    assert_close(float(model.d_optimizer.learning_rate), 2e-4, err_msg="D lr")
    assert_close(float(model.d_optimizer.beta_1), 0.5, err_msg="D beta_1")


def test_overrides_and_seed():
    model = gan_zoo.build("gan_ring8", latent_dim=7, seed=3)
    assert model.latent_dim == 7 and model.seed == 3
    a = gan_zoo.build("gan_ring8", seed=3).generator.get_weights()
    b = gan_zoo.build("gan_ring8", seed=3).generator.get_weights()
    for x, y in zip(a, b, strict=True):  # the same seeded initialisers run again
        assert_reproduced(x, y)


def test_bad_names_list_the_valid_ones():
    with pytest.raises(
        ValueError,
        match=r"Unknown preset 'dcgan_mnsit'; expected one of: .*"
        r"dcgan_digits",
    ):
        gan_zoo.build("dcgan_mnsit")
    with pytest.raises(ValueError, match="Unknown preset setting.*latnt_dim.*latent_dim"):
        gan_zoo.build("gan_ring8", latnt_dim=3)
    with pytest.raises(ValueError, match="batch_size must be a positive integer; got 0"):
        gan_zoo.build("gan_ring8", batch_size=0)
    with pytest.raises(ValueError, match="already registered"):
        presets.register(presets.get_preset("gan_ring8"))


def test_stacked_digits_preset_is_dcgan_digits_on_1000_modes(tfds_data_dir):
    from gan_zoo.data import dataset_info, make_dataset

    preset = presets.get_preset("dcgan_stacked_digits")
    digits = presets.get_preset("dcgan_digits")
    assert (preset.dataset, preset.image_size, preset.channels) == ("stacked_digits", 32, 3)
    assert (preset.latent_dim, preset.batch_size) == (64, 64)
    assert (preset.epochs, preset.steps_per_epoch, preset.ema_decay) == (20, 100, 0.99)
    assert preset.generator_kwargs == preset.discriminator_kwargs == {"base_filters": 32}
    same = ("algorithm", "architecture", "loss", "g_learning_rate", "d_learning_rate", "beta_1")
    assert all(getattr(preset, key) == getattr(digits, key) for key in same)
    assert preset.family.task == "unconditional"
    assert "1611.02163" in preset.paper and "VEEGAN" in preset.paper
    assert "Stacked-MNIST" in preset.description
    assert dataset_info(preset.dataset)["image_shape"] == preset.sample_shape
    # What training.train builds for it: steps_per_epoch set → an endless stream of draws.
    ds = make_dataset(
        preset.dataset,
        split="train",
        batch_size=preset.batch_size,
        image_size=preset.image_size,
        channels=preset.channels,
        data_dir=tfds_data_dir,
        repeat=preset.steps_per_epoch is not None,
    )
    assert ds.cardinality() == -1  # tf.data.INFINITE_CARDINALITY
    assert next(iter(ds)).shape == (64, *preset.sample_shape)


def test_stylegan_presets_follow_the_reference():
    """stylegan2-ada-pytorch: Adam(0.0025, β = (0, 0.99)) with lazy regularization's
    c = k / (k + 1) on lr and betas (R1 every 16 D steps, path length every 4 G steps)."""
    ffhq = presets.get_preset("stylegan_ffhq256")
    assert (ffhq.batch_size, ffhq.image_size, ffhq.latent_dim) == (64, 256, 512)
    assert ffhq.discriminator_kwargs["minibatch_std_group_size"] == 8
    assert_close(ffhq.ema_decay, 0.5 ** (64 / 20_000), dtype="float64", terms=2)
    model = built("stylegan_ffhq256")
    assert (model.r1_gamma, model.r1_interval, model.path_length_weight) == (1.0, 16, 2.0)
    assert model.style_mixing_probability == 0.9
    assert model.generator.num_ws == 14 and model.generator.w_dim == 512
    assert len(model.generator.mapping.layers) == 1 + 1 + 8  # z, normalization, 8 layers
    d_ratio, g_ratio = 16 / 17, 4 / 5
    assert_close(float(model.d_optimizer.learning_rate), 0.0025 * d_ratio, terms=2)
    assert_close(float(model.d_optimizer.beta_2), 0.99**d_ratio, terms=2)
    assert_close(float(model.g_optimizer.learning_rate), 0.0025 * g_ratio, terms=2)
    assert_close(float(model.g_optimizer.beta_2), 0.99**g_ratio, terms=2)
    assert float(model.g_optimizer.beta_1) == 0.0
    celeba = built("stylegan_celeba64")
    assert_close(celeba.r1_gamma, 0.0002 * 64**2 / 32, dtype="float64", terms=3)
    digits = built("stylegan_digits")
    assert digits.path_length_weight == 0.0  # off: G's Adam is uncorrected
    assert_close(float(digits.g_optimizer.learning_rate), 0.0025, err_msg="G lr")
    with pytest.raises(ValueError, match="Unknown architecture 'dcgan'; expected one of: stylegan"):
        presets.get_preset("stylegan_digits").replace(architecture="dcgan")
    with pytest.raises(ValueError, match="Unknown architecture 'stylegan'; expected one of: dcgan"):
        presets.get_preset("dcgan_digits").replace(architecture="stylegan")
    with pytest.raises(ValueError, match="'stylegan' go together, on images"):
        presets.get_preset("stylegan_digits").replace(image_size=None, channels=None)


def test_each_family_declares_its_own_typed_config():
    """One dataclass per family: a field of another family is an unknown setting, by name."""
    expected = {
        "dcgan_digits": ("GANConfig", "gan"),
        "wgan_gp_digits": ("WGANConfig", "wgan"),
        "cgan_digits": ("ConditionalGANConfig", "conditional"),
        "cyclegan_digits_thickness": ("CycleGANConfig", "cyclegan"),
        "stylegan_digits": ("StyleGANConfig", "stylegan"),
    }
    for name, (config_class, family) in expected.items():
        preset = presets.get_preset(name)
        assert (type(preset).__name__, preset.family.name) == (config_class, family)
        assert isinstance(preset, presets.Preset)
    with pytest.raises(ValueError, match=r"Unknown preset setting\(s\) num_classes"):
        presets.get_preset("dcgan_digits").replace(num_classes=10)
    with pytest.raises(ValueError, match="conditioning must be one of concat, projection"):
        presets.get_preset("cgan_digits").replace(conditioning="film")


def test_an_algorithm_of_another_family_converts_the_config():
    """`--override=algorithm=wgan_gp` on a GAN preset: the WGAN family's config, shared fields
    kept, the new family's defaults for the rest."""
    converted = presets.get_preset("dcgan_digits").replace(algorithm="wgan_gp", loss="wasserstein")
    assert type(converted).__name__ == "WGANConfig" and converted.family.name == "wgan"
    assert converted.latent_dim == 64 and converted.dataset == "gan_zoo_digits"
    assert converted.d_steps == 1  # kept from the GAN preset, not the WGAN default of 5
    with pytest.raises(ValueError, match="Unknown algorithm 'wgann'; expected one of: acgan"):
        presets.get_preset("dcgan_digits").replace(algorithm="wgann")


def test_run_configs_of_the_one_union_preset_still_load():
    """A config.json written by the previous version (every union field) gives the family's
    config back; a setting of another family is named."""
    from gan_zoo.families import from_dict  # noqa: PLC0415

    old_union = {
        **presets.get_preset("cyclegan_digits_thickness").to_dict(),
        "latent_dim": None,
        "d_steps": 1,
        "conditioning": None,
        "num_classes": None,
        "label_embedding_dim": 16,
    }
    config = from_dict(old_union)
    assert config.to_dict() == presets.get_preset("cyclegan_digits_thickness").to_dict()
    with pytest.raises(ValueError, match="settings num_classes do not belong to the gan family"):
        from_dict({**presets.get_preset("dcgan_digits").to_dict(), "num_classes": 10})
