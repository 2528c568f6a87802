"""`gan-zoo` (`python -m gan_zoo.cli.main`, what setup.cfg's console script runs): dispatch,
help, a bad subcommand, and `gan-zoo export` as a user runs it."""

import configparser
import json
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUBCOMMANDS = ("train", "generate", "evaluate", "export")


def gan_zoo(*args, timeout=300) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # gan-zoo quiets TensorFlow itself
    return subprocess.run(
        [sys.executable, "-m", "gan_zoo.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO_ROOT,
    )


def test_setup_cfg_installs_the_gan_zoo_command():
    setup = configparser.ConfigParser()
    setup.read(os.path.join(REPO_ROOT, "setup.cfg"))
    scripts = setup["options.entry_points"]["console_scripts"].strip().splitlines()
    assert "gan-zoo = gan_zoo.cli.main:main" in [line.strip() for line in scripts]


def test_help_lists_the_subcommands_one_line_each():
    done = gan_zoo("--help")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stdout.startswith("usage: gan-zoo <subcommand> [--flags]")
    for name in SUBCOMMANDS:
        lines = [line for line in done.stdout.splitlines() if line.startswith(f"  {name} ")]
        assert len(lines) == 1 and len(lines[0].split()) > 3, (name, done.stdout)


def test_train_help_shows_the_common_flags():
    done = gan_zoo("train", "--help")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "gan-zoo train --preset=dcgan_digits" in done.stdout
    for text in ("--preset", "--override", "[infrastructure]", "--dry_run", "--helpfull"):
        assert text in done.stdout, text
    assert "GAN_ZOO_" not in done.stdout  # test-only hooks are not user documentation


@pytest.mark.parametrize("args", [["trian", "--preset=x"], ["--preset=x"], []])
def test_an_unknown_or_missing_subcommand_is_a_one_line_error(args):
    done = gan_zoo(*args, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert "expected one of: train, generate, evaluate, export" in lines[0]
    if args:
        assert f"unknown subcommand {args[0]!r}" in lines[0]


def test_export_of_a_keras_file_serves_images(tmp_path, tiny_model):
    import tensorflow as tf

    model = tiny_model
    keras_file = tmp_path / "m.keras"
    model.save(keras_file)
    out = tmp_path / "exported"
    done = gan_zoo("export", f"--keras_file={keras_file}", f"--out={out}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"exported {keras_file} to {out}" in done.stdout
    assert "Traceback" not in done.stderr
    loaded = tf.saved_model.load(str(out))
    images = loaded.signatures["serving_default"](noise=tf.zeros([3, 8]))["images"]
    assert images.shape == (3, 32, 32, 1) and images.dtype == tf.uint8
    with open(out / "gan_zoo.json") as f:
        metadata = json.load(f)
    assert metadata["preset"] == "dcgan_digits" and metadata["latent_dim"] == 8


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "error: pass exactly one of --run_dir and --keras_file"),
        (["--run_dir=no/such/run"], "error: --run_dir 'no/such/run' is not a directory"),
    ],
)
def test_export_bad_input_is_a_one_line_error(args, message):
    done = gan_zoo("export", *args, timeout=120)
    assert done.returncode == 2, done.stderr[-3000:]
    assert [line for line in done.stderr.splitlines() if line.startswith("error:")] == [message]
    assert "Traceback" not in done.stderr


@pytest.mark.slow  # ~30 s: a one-epoch training run, then the export
def test_export_of_a_run_directory_matches_the_runs_own_export(tmp_path, tfds_data_dir):
    import numpy as np
    import tensorflow as tf

    run_dir = tmp_path / "run"
    done = gan_zoo(
        "train",
        "--preset=dcgan_digits",
        f"--out_dir={run_dir}",
        "--epochs=1",
        "--steps_per_epoch=2",
        "--batch_size=8",
        f"--data_dir={tfds_data_dir}",
        "--override=latent_dim=8",
        '--override=generator_kwargs={"base_filters": 4}',
        '--override=discriminator_kwargs={"base_filters": 4}',
        "--verbose=0",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = tmp_path / "from_checkpoint"
    done = gan_zoo("export", f"--run_dir={run_dir}", f"--out={out}")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"exported {run_dir} (ckpt-1, epoch 1) to {out}" in done.stdout
    noise = tf.random.stateless_normal([4, 8], seed=[1, 2])
    ours = tf.saved_model.load(str(out)).signatures["serving_default"](noise=noise)["images"]
    theirs = tf.saved_model.load(str(run_dir / "saved_model")).signatures["serving_default"]
    np.testing.assert_array_equal(ours.numpy(), theirs(noise=noise)["images"].numpy())
