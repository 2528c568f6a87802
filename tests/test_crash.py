"""Crash tests: real `gan-zoo train` processes killed with SIGKILL, then rerun.

One small command (an MLP GAN on the 2-D ring, one pass of the data per epoch, a checkpoint
per epoch) is run three ways:

- uninterrupted, once per module (in the background, beside the first trial): the reference
  final weights (`GAN_ZOO_FINAL_WEIGHTS`);
- killed with SIGKILL at a random moment after its first checkpoint (seeded delays; a bounded
  number of trials, each process bounded by a timeout), then rerun unchanged;
- killed by the `GAN_ZOO_KILL_IN_CHECKPOINT` hook in the middle of writing a checkpoint (its
  files written, the data file torn, the index not yet updated), then rerun unchanged.

After each kill every checkpoint the index lists must load into a fresh model; after each rerun
the process must exit 0 having resumed, the run must hold every epoch once, and the final
weights must equal the uninterrupted run's exactly.

Every process runs `tests/train_with_faults.py`: the train CLI with the test-only hooks of
`tests/fault_hooks.py` (`GAN_ZOO_FINAL_WEIGHTS`, `GAN_ZOO_KILL_IN_CHECKPOINT`) installed.

`GAN_ZOO_CRASH_TRIALS=N` sets the number of random kills of `test_sigkill_at_random_moments`
(default 1; the slow variant runs 4).
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf
from harness import assert_reproduced

from gan_zoo import data, presets, training

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = os.path.join(REPO_ROOT, "tests", "train_with_faults.py")
PROCESS_TIMEOUT_S = 120  # one training process; a healthy one takes ~20 s on 2 CPU cores
EPOCHS = 10
RANDOM_KILL_WINDOW_S = 5.0  # kills land up to this long after the first checkpoint appears

PRESET = "gan_ring8"
OVERRIDES = {
    "steps_per_epoch": None,  # the preset's 500 steps over a repeated stream -> one pass
    "latent_dim": 8,
    "generator_kwargs": {"hidden_units": [16], "activation": "tanh", "output_activation": None},
    "discriminator_kwargs": {"hidden_units": [16], "activation": "tanh"},
}
STEPS_PER_EPOCH = 9  # one pass: 20,000 ring points // batch 2,048 (no --steps_per_epoch)


def _command(out_dir, data_dir) -> list[str]:
    return [
        sys.executable,
        TRAIN,
        f"--preset={PRESET}",
        f"--out_dir={out_dir}",
        f"--epochs={EPOCHS}",
        "--batch_size=2048",
        *(f"--override={key}={json.dumps(value)}" for key, value in OVERRIDES.items()),
        f"--data_dir={data_dir}",
        "--export=false",
        "--sample_every=1000",
        "--verbose=0",
    ]


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    env.pop("GAN_ZOO_KILL_IN_CHECKPOINT", None)
    env.update(extra)
    return env


def _start(out_dir, data_dir, log_path, **env) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 (closed by _finish)
    process = subprocess.Popen(
        _command(out_dir, data_dir), env=_env(**env), stdout=log, stderr=subprocess.STDOUT
    )
    process.log = log
    process.log_path = log_path
    return process


def _finish(process: subprocess.Popen, timeout: float = PROCESS_TIMEOUT_S) -> tuple[int, str]:
    """Waits (bounded) for `process`; returns (exit code, output)."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"training did not finish within {timeout} s")
    finally:
        process.log.close()
    with open(process.log_path) as f:
        return process.returncode, f.read()


def _run(out_dir, data_dir, log_path, **env) -> tuple[int, str]:
    return _finish(_start(out_dir, data_dir, log_path, **env))


def _wait_for_first_checkpoint(process: subprocess.Popen, directory) -> None:
    index = os.path.join(directory, "checkpoints", "checkpoint")
    deadline = time.monotonic() + PROCESS_TIMEOUT_S
    while not os.path.exists(index):
        if process.poll() is not None:
            pytest.fail(f"training exited ({process.returncode}) before its first checkpoint")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no checkpoint within {PROCESS_TIMEOUT_S} s")
        time.sleep(0.02)


def _fresh_model():
    preset, _ = training.resolve(training.TrainConfig(preset=PRESET, overrides=OVERRIDES))
    return presets.build(preset, seed=1)  # another seed: restoring must overwrite everything


def _check_every_checkpoint_loads(directory) -> list[int]:
    """Restores each checkpoint the index lists into a fresh model; returns their epochs."""
    state = tf.train.get_checkpoint_state(os.path.join(directory, "checkpoints"))
    assert state is not None and state.all_model_checkpoint_paths
    model = _fresh_model()
    epochs = []
    for path in state.all_model_checkpoint_paths:
        if not os.path.isabs(path):
            path = os.path.join(directory, "checkpoints", path)
        tf.train.load_checkpoint(path)  # the files parse
        epoch = tf.Variable(0, dtype=tf.int64)
        checkpoint = tf.train.Checkpoint(
            model=model, epoch=epoch, **training.checkpoint_items(model)
        )
        checkpoint.restore(path).assert_existing_objects_matched()
        assert path.endswith(f"ckpt-{int(epoch)}")
        assert int(model.training_step) == int(epoch) * STEPS_PER_EPOCH
        assert training.weights_are_finite(model)
        epochs.append(int(epoch))
    return epochs


def _check_finished(directory, output: str, weights_path, reference_path) -> None:
    """A rerun that resumed: every epoch once, the right step count, the reference weights."""
    assert "resuming" in output or "nothing to train" in output, output[-2000:]
    with open(os.path.join(directory, "history.json")) as f:
        history = json.load(f)
    assert len(history["d_loss"]) == EPOCHS and all(np.isfinite(history["d_loss"]))
    latest = tf.train.latest_checkpoint(os.path.join(directory, "checkpoints"))
    assert latest.endswith(f"ckpt-{EPOCHS}")
    reader = tf.train.load_checkpoint(latest)
    assert reader.get_tensor("epoch/.ATTRIBUTES/VARIABLE_VALUE") == EPOCHS
    iterations = reader.get_tensor("g_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE")
    assert iterations == EPOCHS * STEPS_PER_EPOCH
    resumed, reference = np.load(weights_path), np.load(reference_path)
    assert resumed.files == reference.files
    # The resumed run ends exactly where the uninterrupted one did: the same compiled steps on
    # the same data and restored state, run again.
    for key in reference.files:
        assert_reproduced(resumed[key], reference[key], err_msg=key)


@pytest.fixture(scope="module")
def ring_dir(tfds_data_dir):
    """The ring prepared once here, so the training processes only read it."""
    data.make_dataset("gaussian_mixture/ring8", split="train", data_dir=tfds_data_dir)
    return tfds_data_dir


@pytest.fixture(scope="module")
def reference(tmp_path_factory, ring_dir):
    """Starts the uninterrupted run; `wait()` returns the path of its final weights."""
    root = tmp_path_factory.mktemp("reference")
    weights = str(root / "weights.npz")
    process = _start(root / "run", ring_dir, root / "log.txt", GAN_ZOO_FINAL_WEIGHTS=weights)

    class Reference:
        path = None

        def wait(self) -> str:
            if self.path is None:
                code, output = _finish(process)
                assert code == 0, output[-3000:]
                self.path = weights
            return self.path

    yield Reference()
    if process.poll() is None:
        process.kill()
        process.wait()
        process.log.close()


def _random_kill_trials(tmp_path, ring_dir, reference, trials: int) -> None:
    rng = random.Random(20240508 + trials)  # the slow variant draws other delays
    start = time.perf_counter()
    report = []
    for trial in range(trials):
        run_dir = tmp_path / f"trial{trial}"
        weights = str(tmp_path / f"weights{trial}.npz")
        process = _start(run_dir, ring_dir, tmp_path / f"killed{trial}.txt")
        _wait_for_first_checkpoint(process, run_dir)
        delay = rng.uniform(0.0, RANDOM_KILL_WINDOW_S)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        code, output = _finish(process)
        # The run may finish between poll() and kill(): then SIGKILL finds it done, exit 0.
        assert code in (-signal.SIGKILL, 0), output[-3000:]
        killed = code == -signal.SIGKILL
        left = _check_every_checkpoint_loads(run_dir)
        code, output = _run(
            run_dir, ring_dir, tmp_path / f"rerun{trial}.txt", GAN_ZOO_FINAL_WEIGHTS=weights
        )
        assert code == 0, output[-3000:]
        _check_finished(run_dir, output, weights, reference.wait())
        resumed_line = next((line for line in output.splitlines() if "resuming" in line), "")
        report.append(
            f"trial {trial}: killed={killed} {delay:.2f} s after the first checkpoint, "
            f"checkpoints left {left}; rerun: {resumed_line.strip() or 'nothing to train'}"
        )
    report.append(f"{trials} trial(s) in {time.perf_counter() - start:.1f} s")
    print("\n".join(report))


def test_sigkill_at_a_random_moment(tmp_path, ring_dir, reference):
    trials = int(os.environ.get("GAN_ZOO_CRASH_TRIALS", "1"))
    _random_kill_trials(tmp_path, ring_dir, reference, trials)


@pytest.mark.slow  # ~2.5 minutes: four more random kills
def test_sigkill_at_random_moments_many_trials(tmp_path, ring_dir, reference):
    _random_kill_trials(tmp_path, ring_dir, reference, 4)


def test_sigkill_while_writing_a_checkpoint(tmp_path, ring_dir, reference):
    start = time.perf_counter()
    run_dir = tmp_path / "run"
    code, output = _run(run_dir, ring_dir, tmp_path / "killed.txt", GAN_ZOO_KILL_IN_CHECKPOINT="3")
    assert code == -signal.SIGKILL, output[-3000:]
    files = os.listdir(run_dir / "checkpoints")
    assert "ckpt-3.index" in files  # epoch 3's files were written (and its data file torn) ...
    assert _check_every_checkpoint_loads(run_dir) == [1, 2]  # ... but the index never named it
    weights = str(tmp_path / "weights.npz")
    code, output = _run(run_dir, ring_dir, tmp_path / "rerun.txt", GAN_ZOO_FINAL_WEIGHTS=weights)
    assert code == 0, output[-3000:]
    assert f"resuming {run_dir} from epoch 2 (step {2 * STEPS_PER_EPOCH})" in output
    _check_finished(run_dir, output, weights, reference.wait())
    print(f"killed mid-checkpoint and resumed in {time.perf_counter() - start:.1f} s")
