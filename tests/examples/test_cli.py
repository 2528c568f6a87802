"""The example scripts as a user runs them: separate processes, flags, files on disk."""

import json
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TRAIN = os.path.join(REPO_ROOT, "examples", "train.py")
GENERATE = os.path.join(REPO_ROOT, "examples", "generate.py")


def run(script, *args, timeout=300):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, script, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO_ROOT,
    )


def test_help_is_readable():
    result = run(TRAIN, "--helpshort")  # absl exits with status 1 after printing help
    assert "Traceback" not in result.stderr
    for text in (
        "--preset",
        "[model]",
        "[training]",
        "[infrastructure]",
        "dcgan_digits",
        "--dry_run",
        "--strategy",
    ):
        assert text in result.stdout, text


def test_dry_run_prints_the_resolved_config_and_writes_nothing(tmp_path):
    out_dir = tmp_path / "never"
    result = run(
        TRAIN,
        "--preset=gan_ring8",
        "--epochs=3",
        "--override=latent_dim=32",
        f"--out_dir={out_dir}",
        "--dry_run",
    )
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)
    assert resolved["preset"]["epochs"] == 3 and resolved["preset"]["latent_dim"] == 32
    assert resolved["preset"]["batch_size"] == 512
    assert not out_dir.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset=dcgan_mnsit"], "flag --preset=dcgan_mnsit: value should be one of"),
        (["--strategy=tpuu"], "flag --strategy=tpuu: value should be one of"),
        (["--override=latnt_dim=3"], "error: Unknown preset setting(s) latnt_dim"),
        (["--override=oops"], "error: --override expects key=value"),
        (["--batch_size=0"], "error: batch_size must be positive; got 0"),
    ],
)
def test_bad_flags_get_one_line_errors(args, message):
    result = run(TRAIN, *args, "--dry_run")
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_train_then_generate_from_the_saved_model_alone(tmp_path, tfds_data_dir):
    out_dir = tmp_path / "run"
    result = run(
        TRAIN,
        "--preset=dcgan_digits",
        f"--out_dir={out_dir}",
        "--epochs=1",
        "--steps_per_epoch=2",
        "--batch_size=8",
        f"--data_dir={tfds_data_dir}",
        "--override=latent_dim=8",
        '--override=generator_kwargs={"base_filters": 4}',
        '--override=discriminator_kwargs={"base_filters": 4}',
        "--verbose=0",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "SavedModel:" in result.stdout and "sample grid:" in result.stdout
    for name in (
        "config.json",
        "history.json",
        "loss_curves.png",
        "samples/epoch_0001.png",
        "checkpoints/checkpoint",
        "saved_model/saved_model.pb",
    ):
        assert (out_dir / name).exists(), name
    # generate.py needs only the SavedModel directory, moved away from the run.
    moved = tmp_path / "only_the_model"
    os.rename(out_dir / "saved_model", moved)
    grid = tmp_path / "grid.png"
    result = run(
        GENERATE,
        f"--model_dir={moved}",
        "--num=16",
        "--seed=1",
        f"--output={grid}",
        f"--npy={tmp_path / 'samples.npy'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert grid.stat().st_size > 1000
    import numpy as np

    samples = np.load(tmp_path / "samples.npy")
    assert samples.shape == (16, 32, 32, 1) and samples.dtype == np.uint8


def test_generate_without_a_saved_model_is_a_clear_error(tmp_path):
    result = run(GENERATE, f"--model_dir={tmp_path}")
    assert result.returncode == 2
    assert "no SavedModel" in result.stderr and "Traceback" not in result.stderr


def test_conditional_preset_trains_and_generates_by_label(tmp_path, tfds_data_dir):
    out_dir = tmp_path / "cgan"
    result = run(
        TRAIN,
        "--preset=acgan_digits",
        f"--out_dir={out_dir}",
        "--epochs=1",
        "--steps_per_epoch=2",
        "--batch_size=8",
        f"--data_dir={tfds_data_dir}",
        "--num_samples=20",
        "--override=latent_dim=8",
        '--override=generator_kwargs={"base_filters": 4}',
        '--override=discriminator_kwargs={"base_filters": 4}',
        "--verbose=0",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = tmp_path / "rows.png"
    result = run(
        GENERATE,
        f"--model_dir={out_dir}",
        "--labels=rows",
        "--num=20",
        f"--output={rows}",
        f"--npy={tmp_path / 'rows.npy'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "wrote 20 samples" in result.stdout
    result = run(GENERATE, f"--model_dir={out_dir}", "--labels=3,11", f"--output={rows}")
    assert result.returncode == 2 and "--labels must be in [0, 10)" in result.stderr
