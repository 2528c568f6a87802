import json
import os

import numpy as np
import pytest
import tensorflow as tf
from harness import ON_GPU, assert_reproduced

from gan_zoo import presets, training

TINY_DCGAN = {
    "generator_kwargs": {"base_filters": 4},
    "discriminator_kwargs": {"base_filters": 4},
    "latent_dim": 8,
}


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory, tfds_data_dir):
    out_dir = str(tmp_path_factory.mktemp("run"))
    config = training.TrainConfig(
        preset="dcgan_digits",
        out_dir=out_dir,
        epochs=2,
        steps_per_epoch=3,
        batch_size=16,
        data_dir=tfds_data_dir,
        num_samples=9,
        verbose=0,
        overrides=TINY_DCGAN,
    )
    return config, training.train(config)


def test_run_directory_layout(digits_run):
    config, summary = digits_run
    out = config.out_dir
    for name in (
        "config.json",
        "history.json",
        "loss_curves.png",
        "samples/epoch_0001.png",
        "samples/epoch_0002.png",
        "samples/latest.png",
        "saved_model/saved_model.pb",
        "saved_model/gan_zoo.json",
    ):
        assert os.path.exists(os.path.join(out, name)), name
    assert os.listdir(os.path.join(out, "logs"))
    assert summary["samples"] == os.path.join(out, "samples", "epoch_0002.png")


def test_config_and_history_contents(digits_run):
    config, summary = digits_run
    with open(os.path.join(config.out_dir, "config.json")) as f:
        resolved = json.load(f)
    assert resolved["preset"]["name"] == "dcgan_digits"
    assert resolved["preset"]["batch_size"] == 16 and resolved["preset"]["epochs"] == 2
    assert resolved["run"]["seed"] == 0 and resolved["run"]["replicas"] == 1
    # jit_compile "auto" (the default) compiles with XLA only where the replicas run on a GPU.
    assert resolved["run"]["jit_compile"] == "auto" and resolved["run"]["xla"] is ON_GPU
    assert summary["model"].jit_compile is ON_GPU
    with open(os.path.join(config.out_dir, "history.json")) as f:
        history = json.load(f)
    for name in ("d_loss", "g_loss", "d_real", "d_fake", "epoch_seconds"):
        assert len(history[name]) == 2 and all(np.isfinite(history[name]))
    assert history["d_loss"] == pytest.approx(summary["history"]["d_loss"])


def _event_steps(folder: str) -> dict[str, list[int]]:
    """`{tag: [steps]}` of the TensorBoard events under `folder`."""
    steps: dict[str, list[int]] = {}
    for name in sorted(os.listdir(folder)):
        for event in tf.compat.v1.train.summary_iterator(os.path.join(folder, name)):
            for value in event.summary.value:
                steps.setdefault(value.tag, []).append(int(event.step))
    return steps


def test_tensorboard_logs_an_epoch_scalars_and_samples_at_one_step(digits_run):
    config, _ = digits_run
    logs = os.path.join(config.out_dir, "logs")
    scalars = _event_steps(os.path.join(logs, "train"))
    images = _event_steps(os.path.join(logs, "samples"))
    # Epoch i's losses, its wall time and its sample grid (samples/epoch_000i.png) at step i.
    assert images["samples"] == [1, 2]
    for tag in ("epoch_d_loss", "epoch_g_loss", "epoch_seconds"):
        assert scalars[tag] == [1, 2], (tag, scalars)


def test_checkpoint_restores_the_trained_weights(digits_run):
    config, summary = digits_run
    directory = os.path.join(config.out_dir, "checkpoints")
    latest = tf.train.latest_checkpoint(directory)
    assert latest.endswith("ckpt-2")
    fresh = presets.build("dcgan_digits", seed=5, **TINY_DCGAN)
    epoch = tf.Variable(0, dtype=tf.int64)
    checkpoint = tf.train.Checkpoint(
        model=fresh, g_optimizer=fresh.g_optimizer, d_optimizer=fresh.d_optimizer, epoch=epoch
    )
    checkpoint.restore(latest).assert_existing_objects_matched()
    assert int(epoch) == 2 and int(fresh.training_step) == 6
    trained = summary["model"]
    # Restored weights are the saved values, read back: exact.
    for a, b in zip(trained.generator.get_weights(), fresh.generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_points_preset_trains_and_plots(tmp_path, tfds_data_dir):
    config = training.TrainConfig(
        preset="gan_ring8",
        out_dir=str(tmp_path),
        epochs=1,
        steps_per_epoch=2,
        batch_size=64,
        data_dir=tfds_data_dir,
        verbose=0,
        export=False,
    )
    summary = training.train(config)
    assert np.isfinite(summary["final"]["d_loss"])
    assert os.path.exists(tmp_path / "samples" / "epoch_0001.png")
    assert summary["saved_model"] is None and not os.path.exists(tmp_path / "saved_model")


def test_resolve_rejects_bad_values():
    with pytest.raises(ValueError, match="Unknown preset 'nope'"):
        training.resolve(training.TrainConfig(preset="nope"))
    with pytest.raises(ValueError, match="epochs must be a positive integer; got -1"):
        training.resolve(training.TrainConfig(epochs=-1))
    with pytest.raises(ValueError, match="steps_per_execution must be a positive integer"):
        training.resolve(training.TrainConfig(steps_per_execution=0))
    with pytest.raises(ValueError, match="nan_policy must be one of stop, skip; got 'ignore'"):
        training.resolve(training.TrainConfig(nan_policy="ignore"))
    with pytest.raises(ValueError, match="mixed_precision must be one of off, mixed_float16"):
        training.resolve(training.TrainConfig(mixed_precision="float16"))
    with pytest.raises(ValueError, match="jit_compile must be True, False or 'auto'; got 'on'"):
        training.resolve(training.TrainConfig(jit_compile="on"))


def test_batch_not_divisible_by_replicas(tmp_path):
    config = training.TrainConfig(
        preset="gan_ring8",
        out_dir=str(tmp_path),
        batch_size=5,
        strategy="mirrored",
        devices=["/cpu:0", "/cpu:1"],
    )
    with pytest.raises(ValueError, match="not divisible by the 2 replicas"):
        training.train(config)
    assert not os.path.exists(tmp_path / "config.json")  # failed before writing anything


# (preset, --dataset): the presets whose data needs a download, and the offline MNIST presets
# switched to TFDS's full `mnist` with one flag, as online users do.
DOWNLOAD_RUNS = [
    ("dcgan_mnist", "mnist"),
    ("dcgan_celeba64", None),
    ("cgan_mnist", "mnist"),
    ("wgan_gp_fashion_mnist", None),
    ("sngan_cifar10", None),
]


@pytest.mark.parametrize("name, dataset", DOWNLOAD_RUNS)
def test_download_presets_train_on_mock_data(name, dataset, tmp_path):
    """The presets whose data needs a download run end to end on TFDS mock data, offline."""
    import tensorflow_datasets as tfds

    preset = presets.get_preset(name)
    tiny = {
        "latent_dim": 8,
        "generator_kwargs": {"base_filters": 4},
        "discriminator_kwargs": {**preset.discriminator_kwargs, "base_filters": 4},
        "d_steps": 1,
    }
    config = training.TrainConfig(
        preset=name,
        out_dir=str(tmp_path),
        epochs=1,
        steps_per_epoch=1,
        batch_size=4,
        verbose=0,
        data_dir=str(tmp_path / "tfds"),
        overrides=tiny,
        dataset=dataset,
    )
    with tfds.testing.mock_data(num_examples=8, policy=tfds.testing.MockPolicy.USE_CODE):
        summary = training.train(config)
    with open(tmp_path / "config.json") as f:
        assert json.load(f)["preset"]["dataset"] == (dataset or preset.dataset)
    assert all(np.isfinite(v) for v in summary["final"].values())
    images = summary["model"].generate(2, seed=0)
    assert images.shape == (2, *preset.sample_shape)
    assert os.path.exists(tmp_path / "saved_model" / "saved_model.pb")


def test_eval_every_records_metrics_in_history(tmp_path, tfds_data_dir):
    config = training.TrainConfig(
        preset="dcgan_digits",
        out_dir=str(tmp_path),
        epochs=2,
        steps_per_epoch=2,
        batch_size=8,
        data_dir=tfds_data_dir,
        verbose=0,
        export=False,
        eval_every=2,
        eval_samples=64,
        overrides=TINY_DCGAN,
    )
    training.train(config)
    with open(tmp_path / "history.json") as f:
        history = json.load(f)
    fid = history["eval_frechet_distance"]
    assert fid[0] is None and np.isfinite(fid[1]) and fid[1] > 0
    assert len(history["d_loss"]) == 2
    with pytest.raises(ValueError, match="eval_every must be 0"):
        training.resolve(training.TrainConfig(eval_every=-1))


def test_bad_dataset_leaves_no_run_directory(tmp_path):
    out_dir = tmp_path / "run"
    config = training.TrainConfig(
        preset="dcgan_digits", out_dir=str(out_dir), dataset="folder:/does/not/exist"
    )
    with pytest.raises(ValueError, match="does not exist"):
        training.train(config)
    assert not out_dir.exists()


def test_stacked_digits_preset_trains_and_evaluates_1000_modes(tmp_path, tfds_data_dir):
    config = training.TrainConfig(
        preset="dcgan_stacked_digits",
        out_dir=str(tmp_path),
        epochs=1,
        steps_per_epoch=2,
        batch_size=8,
        data_dir=tfds_data_dir,
        num_samples=4,
        verbose=0,
        export=False,
        eval_every=1,
        eval_samples=64,
        overrides=TINY_DCGAN,
    )
    summary = training.train(config)
    assert summary["model"].generate(2, seed=0).shape == (2, 32, 32, 3)
    final = summary["final"]
    assert np.isfinite(final["d_loss"]) and np.isfinite(final["g_loss"])
    # Evaluated with the per-channel digits classifier: 1,000 class modes, 64 samples.
    assert 1 <= final["eval_class_modes_covered"] <= 64
    assert 0 <= final["eval_class_kl_to_uniform"] <= np.log(1000) + 1e-6
    assert np.isfinite(final["eval_frechet_distance"]) and final["eval_frechet_distance"] > 0


TINY_CYCLEGAN = {
    "generator_kwargs": {"base_filters": 4, "num_residual_blocks": 1},
    "discriminator_kwargs": {"base_filters": 4, "num_layers": 2},
}
CYCLEGAN_LOGS = {"g_loss", "cycle_loss", "identity_loss", "d_a_loss", "d_b_loss", "d_loss"}


def test_cyclegan_digits_trains_translates_and_measures(tmp_path, tfds_data_dir):
    config = training.TrainConfig(
        preset="cyclegan_digits_thickness",
        out_dir=str(tmp_path),
        epochs=2,
        steps_per_epoch=2,
        batch_size=2,
        data_dir=tfds_data_dir,
        verbose=0,
        overrides=TINY_CYCLEGAN,
    )
    summary = training.train(config)
    model = summary["model"]
    assert set(summary["final"]) >= CYCLEGAN_LOGS
    assert all(np.isfinite(v) for v in summary["final"].values())
    # The schedule ran to its end: 4 updates of 4, decay over the last 2 -> rate 0 now.
    for _, optimizer in model.network_optimizers.values():
        assert int(optimizer.iterations) == 4
        assert float(optimizer.learning_rate) == 0.0
    # Translation grid: 6 rows (a, G(a), F(G(a)), b, F(b), G(F(b))) of 8 test images.
    assert summary["samples"].endswith("epoch_0002.png") and os.path.exists(summary["samples"])
    images_a = np.linspace(-1, 1, 3 * 32 * 32, dtype=np.float32).reshape(3, 32, 32, 1)
    images_b = -images_a
    rows = training.TranslationGrid(str(tmp_path), images_a, images_b).grid_images(model)
    to_b = model.translate(images_a)
    expected = [images_a, to_b, model.translate(to_b, "b_to_a"), images_b]
    # The grid runs the same translate() on the same images: the same program again.
    assert_reproduced(rows[:12], np.concatenate(expected), err_msg="translation grid rows")
    assert rows.shape == (18, 32, 32, 1)
    with open(tmp_path / "translation.json") as f:
        measured = json.load(f)
    assert measured == pytest.approx(summary["translation"])
    for key in ("label_accuracy_a_to_b", "thickness_in_range_b_to_a", "label_accuracy_real_b"):
        assert 0.0 <= measured[key] <= 1.0
    assert measured["label_accuracy_real_a"] > 0.95  # the classifier reads thin digits
    assert measured["thickness_real_a_mean"] < measured["thickness_real_b_mean"]
    assert measured["cycle_error_a"] > 0 and measured["num_a"] == measured["num_b"] > 100
    # Both directions exported, and the checkpoint restores all four networks and optimizers.
    signatures = tf.saved_model.load(summary["saved_model"]).signatures
    assert {"translate_a_to_b", "translate_b_to_a", "serving_default"} <= set(signatures)
    fresh = presets.build("cyclegan_digits_thickness", **TINY_CYCLEGAN)
    checkpoint = tf.train.Checkpoint(model=fresh, **fresh.checkpoint_items())
    checkpoint.restore(tf.train.latest_checkpoint(tmp_path / "checkpoints")).expect_partial()
    for name in ("generator_b_to_a", "discriminator_a"):
        for a, b in zip(
            getattr(fresh, name).get_weights(), getattr(model, name).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(a, b)  # restored from the checkpoint: exact
    assert int(fresh.discriminator_b_optimizer.iterations) == 4


@pytest.mark.slow  # 25 s; cyclegan_digits_thickness trains in make test
def test_cyclegan_horse2zebra_trains_on_mock_data(tmp_path):
    """The download-only CycleGAN preset end to end on TFDS mock data, offline."""
    import tensorflow_datasets as tfds

    config = training.TrainConfig(
        preset="cyclegan_horse2zebra",
        out_dir=str(tmp_path),
        epochs=1,
        steps_per_epoch=2,
        image_size=32,
        data_dir=str(tmp_path / "tfds"),
        verbose=0,
        overrides=TINY_CYCLEGAN,
    )
    with tfds.testing.mock_data(num_examples=4, policy=tfds.testing.MockPolicy.USE_CODE):
        summary = training.train(config)
    assert set(summary["final"]) >= CYCLEGAN_LOGS
    assert all(np.isfinite(v) for v in summary["final"].values())
    assert summary["translation"] is None  # measured only on the embedded digits pair
    images = np.zeros((2, 32, 32, 3), np.float32)
    assert summary["model"].translate(images, "b_to_a").shape == (2, 32, 32, 3)
    assert os.path.exists(summary["samples"])
    assert os.path.exists(tmp_path / "saved_model" / "saved_model.pb")


def test_paired_and_unpaired_data_must_match_the_preset():
    with pytest.raises(ValueError, match="needs unpaired \\(a, b\\) data"):
        training.resolve(
            training.TrainConfig(preset="cyclegan_digits_thickness", dataset="gan_zoo_digits")
        )
    with pytest.raises(ValueError, match="dcgan_digits needs single images"):
        training.resolve(training.TrainConfig(preset="dcgan_digits", dataset="digits_thickness"))


def test_translation_presets_reject_eval_every(tmp_path):
    config = training.TrainConfig(
        preset="cyclegan_digits_thickness", out_dir=str(tmp_path), eval_every=1
    )
    with pytest.raises(ValueError, match="eval_every applies to generators from noise"):
        training.train(config)


TINY_STYLEGAN = {
    "latent_dim": 8,
    "generator_kwargs": {"w_dim": 8, "mapping_layers": 2, "channel_base": 128, "channel_max": 8},
    "discriminator_kwargs": {"channel_base": 128, "channel_max": 8},
}


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) for n in ("stylegan_celeba64", "stylegan_ffhq256")],
)
def test_stylegan_download_presets_train_on_mock_data(name, tmp_path):
    """stylegan_celeba64 on TFDS mock data and stylegan_ffhq256 on a folder of mock images
    (FFHQ is not in TFDS), end to end, offline, with narrow networks at 32 px."""
    import tensorflow_datasets as tfds

    dataset = None
    if name == "stylegan_ffhq256":
        folder = tmp_path / "ffhq"
        folder.mkdir()
        pixels = np.random.RandomState(0).randint(0, 256, size=(6, 48, 48, 3)).astype(np.uint8)
        for index, image in enumerate(pixels):
            tf.io.write_file(str(folder / f"{index:05d}.png"), tf.io.encode_png(image))
        dataset = f"folder:{folder}"
    out_dir = tmp_path / name
    config = training.TrainConfig(
        preset=name,
        out_dir=str(out_dir),
        epochs=1,
        steps_per_epoch=2,
        batch_size=4,
        image_size=32,
        dataset=dataset,
        data_dir=str(tmp_path / "tfds"),
        num_samples=4,
        verbose=0,
        overrides=TINY_STYLEGAN,
    )
    with tfds.testing.mock_data(num_examples=8, policy=tfds.testing.MockPolicy.USE_CODE):
        summary = training.train(config)
    assert set(summary["final"]) >= {"d_loss", "g_loss", "r1_penalty", "path_length"}
    assert all(np.isfinite(v) for v in summary["final"].values())
    assert summary["model"].generate(2, seed=0, truncation_psi=0.5).shape == (2, 32, 32, 3)
    serve = tf.saved_model.load(str(out_dir / "saved_model")).signatures["serving_default"]
    noise = tf.random.normal([2, 8])
    assert serve(noise=noise, truncation_psi=0.5)["images"].shape == (2, 32, 32, 3)


TINY_MLP = {
    "latent_dim": 4,
    "generator_kwargs": {"hidden_units": [16]},
    "discriminator_kwargs": {"hidden_units": [16]},
}


def test_divergence_guard_checks_every_log():
    class Model:
        training_step = 7
        steps_per_execution = 1
        stop_training = False

    model = Model()
    guard = training.DivergenceGuard()
    guard.set_model(model)
    guard.on_train_begin()
    guard.on_epoch_begin(2)
    guard.on_train_batch_end(0, {"d_loss": 1.0, "g_loss": np.float32(2.0), "skipped_updates": 3})
    assert guard.diverged is None and not model.stop_training
    guard.on_train_batch_end(1, {"d_loss": 0.5, "r1_penalty": float("inf")})
    assert model.stop_training
    assert guard.diverged == {
        "step": 7,
        "steps_per_execution": 1,
        "epoch": 3,
        "name": "r1_penalty",
        "value": float("inf"),
    }
    assert guard.describe() == "r1_penalty = inf at step 7 (epoch 3)"
    model.steps_per_execution = 4
    guard.on_train_begin()
    guard.on_train_batch_end(2, {"g_loss": float("nan")})
    assert guard.describe() == "g_loss = nan at steps 4-7 (epoch 3)"


def test_a_nan_stops_training_and_keeps_the_last_good_checkpoint(tmp_path, tfds_data_dir):
    config = training.TrainConfig(
        preset="gan_digits",
        out_dir=str(tmp_path),
        epochs=1,
        steps_per_epoch=2,
        batch_size=64,
        data_dir=tfds_data_dir,
        num_samples=4,
        verbose=0,
        export=False,
        overrides=TINY_MLP,
    )
    training.train(config)
    # Resumed with absurd learning rates (the command's rates replace the checkpoint's): the
    # first update of epoch 2 (step 3) makes the weights overflow.
    config.epochs = 3
    config.overrides = {**TINY_MLP, "g_learning_rate": 1e37, "d_learning_rate": 1e37}
    with pytest.raises(training.TrainingDiverged) as raised:
        training.train(config)
    error = raised.value
    assert isinstance(error, RuntimeError) and "\n" not in str(error)
    assert error.step == 3 and not np.isfinite(error.value)
    assert f"{error.loss} = {error.value} at step 3 (epoch 2)" in str(error)
    assert error.checkpoint == str(tmp_path / "checkpoints" / "ckpt-1")
    assert f"the last good checkpoint, {error.checkpoint}, is kept" in str(error)
    assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")) == error.checkpoint
    assert not any(name.startswith("ckpt-2") for name in os.listdir(tmp_path / "checkpoints"))
    assert not os.path.exists(tmp_path / "samples" / "epoch_0002.png")  # NaN samples: no grid
    with open(tmp_path / "history.json") as f:
        assert len(json.load(f)["d_loss"]) == 2  # the diverged epoch is recorded


def test_mixed_precision_builds_the_networks_under_the_policy(tmp_path, tfds_data_dir):
    import keras

    from gan_zoo import precision

    config = training.TrainConfig(
        preset="gan_ring8",
        out_dir=str(tmp_path),
        epochs=1,
        steps_per_epoch=1,
        batch_size=16,
        data_dir=tfds_data_dir,
        verbose=0,
        export=False,
        mixed_precision="mixed_bfloat16",
        overrides={"latent_dim": 4, "generator_kwargs": {"hidden_units": [8]}},
    )
    summary = training.train(config)
    assert precision.compute_dtype(summary["model"].generator) == "bfloat16"
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    with open(tmp_path / "config.json") as f:
        assert json.load(f)["run"]["mixed_precision"] == "mixed_bfloat16"


def _png_folder(root, colours: dict[str, int]) -> str:
    """`{name: channels}` → 8x8 PNGs in `root`; returns the `folder:` dataset name."""
    os.makedirs(root, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, channels in colours.items():
        image = rng.integers(0, 256, size=(8, 8, channels), dtype=np.uint8)
        with open(os.path.join(root, name), "wb") as f:
            f.write(tf.io.encode_png(image).numpy())
    return f"folder:{root}"


def test_a_colour_folder_trains_a_grayscale_preset_in_colour_and_says_so(
    tmp_path, tfds_data_dir, capsys
):
    """What a user did: --dataset=folder:PATH of colour photos with dcgan_digits (1 channel).
    The images used to become grayscale silently; now the run trains in colour and logs it."""
    dataset = _png_folder(str(tmp_path / "photos"), {"a.png": 3, "b.png": 3, "c.png": 1})
    config = training.TrainConfig(
        preset="dcgan_digits",
        dataset=dataset,
        image_size=28,
        out_dir=str(tmp_path / "run"),
        epochs=1,
        steps_per_epoch=1,
        batch_size=2,
        data_dir=tfds_data_dir,
        num_samples=4,
        verbose=0,
        overrides=TINY_DCGAN,
    )
    preset, resolved = training.resolve(config)
    assert preset.channels == 3 and resolved["preset"]["channels"] == 3
    note = resolved["run"]["channels_from_data"]
    assert note.startswith("channels=3 from the folder (2 colour and 1 grayscale image files)")
    assert "--override=channels=1" in note
    summary = training.train(config)
    assert f"images: {note}" in capsys.readouterr().out
    assert summary["model"].generate(2, seed=0).shape == (2, 28, 28, 3)
    with open(os.path.join(config.out_dir, "config.json")) as f:
        assert json.load(f)["run"]["channels_from_data"] == note


def test_folder_channels_follow_the_files_unless_overridden(tmp_path):
    gray = _png_folder(str(tmp_path / "gray"), {"a.png": 1, "b.png": 1})
    colour = _png_folder(str(tmp_path / "colour"), {"a.png": 1, "b.png": 4})
    base = {"preset": "stylegan_ffhq256", "image_size": 32}  # a colour preset
    preset, resolved = training.resolve(training.TrainConfig(dataset=gray, **base))
    assert preset.channels == 1
    assert (
        "channels=1 from the folder (0 colour and 2 grayscale"
        in resolved["run"]["channels_from_data"]
    )
    preset, resolved = training.resolve(training.TrainConfig(dataset=colour, **base))
    assert preset.channels == 3
    assert resolved["run"]["channels_from_data"].endswith(", as stylegan_ffhq256 has")
    overridden = training.TrainConfig(
        preset="dcgan_digits", dataset=colour, overrides={"channels": 1}
    )
    preset, resolved = training.resolve(overridden)
    assert preset.channels == 1
    assert resolved["run"]["channels_from_data"] == (
        "channels=1 (--override) for 1 colour and 1 grayscale image files: every image is "
        "converted to grayscale"
    )
    # Datasets that are not folders keep the preset's channels and say nothing.
    _, resolved = training.resolve(training.TrainConfig(preset="dcgan_digits"))
    assert "channels_from_data" not in resolved["run"]
