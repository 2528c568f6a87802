r"""The reliability battery: damage a real run directory, run the CLI, count what was lost.

Every case starts from a copy of one real run (`gan_ring8` with small networks, 3 epochs of 5
steps, a checkpoint per epoch, exported), damages it in one way, runs `examples/train.py` (or
`generate.py` / `evaluate.py`) as a user would, and checks:

- the outcome: exit status 2 with exactly one `error:` line on stderr and no traceback where
  the input is bad; exit 0 where the run can go on (resuming from the newest checkpoint that
  loads, and saying what it skipped);
- files changed (error cases): every file of the directory byte-identical afterwards;
- files lost (every case): a checkpoint, sample grid, export or file of the user's whose bytes
  are no longer anywhere in the directory (a damaged file kept as `*.damaged` or moved into
  `checkpoints/damaged/` is not lost). Files a run rewrites by design (config.json,
  history.json, loss_curves.png, samples/latest.png, the checkpoint index, TensorBoard events,
  the lock file, and the export when the run exported again) are not counted.

Usage:
  python scripts/reliability.py                 # every case; prints the table (~5 minutes)
  python scripts/reliability.py --cases=lock,export   # cases whose id contains a word
  python scripts/reliability.py --markdown      # the table as Markdown (README)

Exit status 0 when every case is clear, 1 otherwise.
"""

import argparse
import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = os.path.join(REPO_ROOT, "examples", "train.py")
GENERATE = os.path.join(REPO_ROOT, "examples", "generate.py")
EVALUATE = os.path.join(REPO_ROOT, "examples", "evaluate.py")
# The train CLI with the test-only kill hooks (GAN_ZOO_KILL_*) of tests/fault_hooks.py.
TRAIN_WITH_FAULTS = os.path.join(REPO_ROOT, "tests", "train_with_faults.py")
TIMEOUT_S = 180

OVERRIDES = {
    "latent_dim": 8,
    "generator_kwargs": {"hidden_units": [16], "activation": "tanh", "output_activation": None},
    "discriminator_kwargs": {"hidden_units": [16], "activation": "tanh"},
}
EPOCHS = 3


def train_args(
    out_dir: str, data_dir: str, *extra: str, epochs: int = EPOCHS, steps: int | None = 5
) -> list[str]:
    """The base command: the small ring run, `epochs` epochs of `steps` (None: one pass)."""
    steps_flag = f"--steps_per_epoch={steps}" if steps else "--override=steps_per_epoch=null"
    return [
        TRAIN,
        "--preset=gan_ring8",
        f"--out_dir={out_dir}",
        f"--data_dir={data_dir}",
        f"--epochs={epochs}",
        steps_flag,
        "--batch_size=256",
        *(f"--override={key}={json.dumps(value)}" for key, value in OVERRIDES.items()),
        "--num_samples=16",
        "--verbose=0",
        *extra,
    ]


@dataclasses.dataclass
class Result:
    """What a command did."""

    code: int
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        """The stderr lines that start with `error:`."""
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]


def run(args: list[str], env: dict | None = None, timeout: float = TIMEOUT_S) -> Result:
    """Runs a CLI (`args[0]` a script path) with this Python; returns its result."""
    environment = {**os.environ, "CUDA_VISIBLE_DEVICES": "", **(env or {})}
    environment.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the CLIs must quiet TensorFlow themselves
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        cwd=REPO_ROOT,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def _with_faults(args: list[str]) -> list[str]:
    """A train command (`args[0]` = TRAIN) run by tests/train_with_faults.py instead."""
    assert args[0] == TRAIN, args[0]
    return [TRAIN_WITH_FAULTS, *args[1:]]


def snapshot(directory: str) -> dict[str, str]:
    """`{relative path: sha256}` of every file under `directory` (links not followed)."""
    files = {}
    if not os.path.isdir(directory):
        return files
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                files[os.path.relpath(path, directory)] = hashlib.sha256(f.read()).hexdigest()
    return files


REWRITTEN = ("config.json", "history.json", "loss_curves.png", "gan_zoo.lock")


def _rewritten_by_design(path: str, exported: bool) -> bool:
    return (
        path in REWRITTEN
        or path in ("samples/latest.png", "checkpoints/checkpoint")
        or path.startswith("logs/")
        or (exported and path.split("/", 1)[0].startswith("saved_model"))  # .old, .tmp-PID
    )


_CHECKPOINT = re.compile(r"checkpoints/ckpt-(\d+)\.(index|data-.*)")
KEEP_CHECKPOINTS = 3  # the Checkpointer's max_to_keep


def _rotated(path: str, after: dict[str, str]) -> bool:
    """A checkpoint that the newest-3 rotation removed: three newer ones are there now."""
    match = _CHECKPOINT.fullmatch(path)
    if not match:
        return False
    newer = {
        int(m.group(1))
        for m in map(_CHECKPOINT.fullmatch, after)
        if m and int(m.group(1)) > int(match.group(1))
    }
    return len(newer) >= KEEP_CHECKPOINTS


def files_lost(
    before: dict[str, str], after: dict[str, str], exported: bool, restarted: bool = False
) -> list[str]:
    """Files of `before` whose bytes are nowhere in `after` (see the module docstring).

    After `--restart` (the user asked to delete the run) only files gan_zoo did not write
    count.
    """
    present = set(after.values())
    lost = []
    for path, digest in before.items():
        if digest in present or _rewritten_by_design(path, exported) or _rotated(path, after):
            continue
        if restarted and _written_by_gan_zoo(path):
            continue
        lost.append(path)
    return sorted(lost)


def _written_by_gan_zoo(path: str) -> bool:
    top = path.split("/", 1)[0]
    return top in (
        "checkpoints",
        "samples",
        "logs",
        "saved_model",
        "history.json",
        "config.json",
        "loss_curves.png",
    ) and not path.endswith("my_notes.txt")


def files_changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Paths added, removed or modified between two snapshots."""
    return sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))


@dataclasses.dataclass
class Case:
    """One damage and what must follow.

    Attributes:
        id: short name (the table's first column).
        what: the damage, in words.
        damage: `damage(run_dir, context)` applies it to a copy of the base run.
        command: `command(run_dir, context)` returns the CLI arguments.
        expect: "error" (exit 2, one line, nothing changed) or "ok" (exit 0).
        fragment: text the error line (or stdout+stderr, for "ok") must hold.
        check: optional `check(run_dir, result, context)` returning a problem or None.
        env: extra environment variables of the command.
    """

    id: str
    what: str
    damage: Callable[[str, dict], None]
    command: Callable[[str, dict], list[str]]
    expect: str
    fragment: str
    check: Callable[[str, Result, dict], str | None] | None = None
    env: dict | None = None


def _resume(run_dir: str, context: dict) -> list[str]:
    return train_args(run_dir, context["data_dir"], "--export=false")


def _resume_more(run_dir: str, context: dict) -> list[str]:
    return train_args(run_dir, context["data_dir"], epochs=EPOCHS + 1)


def _truncate(path: str, keep: float = 0.5) -> None:
    os.truncate(path, int(os.path.getsize(path) * keep))


def _data_file(run_dir: str, epoch: int) -> str:
    folder = os.path.join(run_dir, "checkpoints")
    name = next(n for n in os.listdir(folder) if n.startswith(f"ckpt-{epoch}.data"))
    return os.path.join(folder, name)


def _write(path: str, content: bytes) -> None:
    with open(path, "wb") as f:
        f.write(content)


def _resumed_from(epoch: int) -> Callable[[str, Result, dict], str | None]:
    def check(run_dir: str, result: Result, context: dict) -> str | None:
        if f"from epoch {epoch} " not in result.stdout:
            return f"did not resume from epoch {epoch}"
        return None

    return check


def _saved_model_loads(run_dir: str, name: str = "saved_model") -> str | None:
    """Loads `run_dir/name` in a fresh process; a problem or None."""
    code = (
        "import sys, tensorflow as tf; m = tf.saved_model.load(sys.argv[1]); "
        "import numpy as np; out = m.signatures['serving_default'](noise=tf.zeros([2, 8])); "
        "print(list(out))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, os.path.join(run_dir, name)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""},
    )
    return None if done.returncode == 0 else f"{name} does not load: {done.stderr[-300:]}"


# What the rerun after a kill at each export stage says it did, and where a complete export
# lies right after the kill.
_EXPORT_STAGES = {
    "written": ("removed saved_model.tmp-", "saved_model"),
    "old_moved": ("restored the previous export", "saved_model.old"),
    "replaced": ("left by an interrupted export", "saved_model"),
}


def _kill_in_export(stage: str) -> Case:
    """Killed at `stage` of the export of epoch 4; then rerun: a loadable export at the end."""
    fragment, complete = _EXPORT_STAGES[stage]

    def damage(run_dir: str, context: dict) -> None:
        killed = run(
            _with_faults(_resume_more(run_dir, context)), env={"GAN_ZOO_KILL_IN_EXPORT": stage}
        )
        context["killed_code"] = killed.code
        context["after_kill"] = _saved_model_loads(run_dir, complete)

    def check(run_dir: str, result: Result, context: dict) -> str | None:
        if context.get("killed_code") != -signal.SIGKILL:
            return f"the export was not killed (exit {context.get('killed_code')})"
        if context["after_kill"]:
            return f"right after the kill: {context['after_kill']}"
        if os.path.exists(os.path.join(run_dir, "saved_model.old")):
            return "saved_model.old left behind"
        if any(".tmp-" in name for name in os.listdir(run_dir)):
            return "a temporary export directory left behind"
        return _saved_model_loads(run_dir)

    return Case(
        f"kill in export: {stage}",
        f"SIGKILL when the export reaches '{stage}' (a complete export at {complete}/), "
        "then the same command again",
        damage,
        _resume_more,
        "ok",
        fragment,
        check,
    )


def _second_trainer(run_dir: str, context: dict) -> None:
    """Starts a process that holds the run's lock (`RunLock`, the trainer's own) and waits.

    A real trainer would also write into the directory while the case runs, which would hide
    whether the refused command changed anything.
    """
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[2]); "
        "from gan_zoo.training import run_directory; "
        "lock = run_directory.RunLock(sys.argv[1]); lock.acquire(); print('held', flush=True); "
        "time.sleep(600)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, run_dir, REPO_ROOT],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""},
    )
    assert holder.stdout.readline().strip() == "held"
    context["holder"] = holder
    context["fragment"] = f"pid {holder.pid}"


def _stop_holder(run_dir: str, result: Result, context: dict) -> str | None:
    holder = context.pop("holder")
    holder.kill()
    holder.wait()
    if context["fragment"] not in result.stderr:
        return f"the error does not name the running trainer ({context['fragment']})"
    return None


def _stale_lock(run_dir: str, context: dict) -> None:
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    killed.kill()
    killed.wait()
    _write(
        os.path.join(run_dir, "gan_zoo.lock"),
        json.dumps({"pid": killed.pid, "host": os.uname().nodename, "started": "then"}).encode(),
    )


def _not_a_run(run_dir: str, context: dict) -> None:
    shutil.rmtree(run_dir)
    os.makedirs(os.path.join(run_dir, "photos"))
    _write(os.path.join(run_dir, "photos", "holiday.png"), b"\x89PNG not really")
    _write(os.path.join(run_dir, "notes.txt"), b"my notes")


def _user_file_kept(run_dir: str, result: Result, context: dict) -> str | None:
    if not os.path.exists(os.path.join(run_dir, "samples", "my_notes.txt")):
        return "--restart deleted a file gan_zoo did not write"
    return None


def _read_only(run_dir: str, context: dict) -> None:
    """Mounts the run read-only on itself (root); else points the case at /proc."""
    done = subprocess.run(
        ["mount", "-o", "bind,ro", run_dir, run_dir], capture_output=True, text=True
    )
    context["read_only"] = run_dir if done.returncode == 0 else "/proc/gan_zoo_run"
    context["mounted"] = done.returncode == 0


def _unmount(run_dir: str, result: Result, context: dict) -> str | None:
    if context.get("mounted"):
        subprocess.run(["umount", run_dir], check=True)
    return None


def _under_file(run_dir: str, context: dict) -> None:
    shutil.rmtree(run_dir)
    _write(run_dir, b"a file")


def _mirrored_gpu(run_dir: str, context: dict) -> list[str]:
    return _resume(run_dir, context) + ["--strategy=mirrored", "--devices=/gpu:0,/gpu:1"]


def _override(*overrides: str) -> Callable[[str, dict], list[str]]:
    return lambda run_dir, context: (
        _resume(run_dir, context) + [f"--override={item}" for item in overrides]
    )


def _no_native_lines(run_dir: str, result: Result, context: dict) -> str | None:
    from_tf = [
        line
        for line in result.stderr.splitlines()
        if line[:1] in "IWEF" and line[1:5].isdigit() and ".cc:" in line
    ]
    if from_tf or "absl::InitializeLog" in result.stderr:
        return f"TensorFlow's native log lines on stderr: {from_tf[:2]}"
    return None


# 8. Image folders: a folder of 8x8 PNGs with a symlink loop, a second link to a file, a
# non-UTF-8 name and a FIFO beside three good images.
FOLDER_OVERRIDES = {
    "latent_dim": 8,
    "generator_kwargs": {"base_filters": 4},
    "discriminator_kwargs": {"base_filters": 4},
}


def _damaged_folder(run_dir: str, context: dict) -> None:
    import numpy as np  # noqa: PLC0415 (the battery itself needs no NumPy but here)
    from PIL import Image  # noqa: PLC0415

    folder = os.path.join(
        context["scratch"], f"images-{os.path.basename(os.path.dirname(run_dir))}"
    )
    os.makedirs(os.path.join(folder, "digits"))
    for i in range(3):
        image = np.full((8, 8), 60 * i, np.uint8)
        Image.fromarray(image).save(os.path.join(folder, "digits", f"{i}.png"))
    os.symlink("..", os.path.join(folder, "digits", "loop"))  # a symlink loop
    os.symlink("0.png", os.path.join(folder, "digits", "again.png"))  # a file reached twice
    shutil.copy(os.path.join(folder, "digits", "1.png"), os.fsencode(folder) + b"/\xff.png")
    os.mkfifo(os.path.join(folder, "pipe.png"))  # would block a reader
    context["folder"] = folder
    context["folder_out"] = os.path.join(os.path.dirname(run_dir), "folder_run")


def _folder_train(*extra: str) -> Callable[[str, dict], list[str]]:
    return lambda run_dir, context: [
        TRAIN,
        "--preset=dcgan_digits",
        f"--dataset=folder:{context['folder']}",
        f"--out_dir={context['folder_out']}",
        "--image_size=28",
        "--batch_size=2",
        "--epochs=1",
        "--steps_per_epoch=1",
        *(f"--override={key}={json.dumps(value)}" for key, value in FOLDER_OVERRIDES.items()),
        "--num_samples=4",
        "--export=false",
        "--verbose=0",
        *extra,
    ]


def _folder_unchanged(run_dir: str, result: Result, context: dict) -> str | None:
    if not os.path.islink(os.path.join(context["folder"], "digits", "loop")):
        return "the image folder was modified"
    return None


# 9. generate and evaluate on a damaged export or with a bad seed.
def _generate(*extra: str) -> Callable[[str, dict], list[str]]:
    return lambda run_dir, context: [
        GENERATE,
        f"--model_dir={run_dir}",
        f"--output={os.path.join(os.path.dirname(run_dir), 'samples.png')}",
        *extra,
    ]


def _evaluate(*extra: str) -> Callable[[str, dict], list[str]]:
    return lambda run_dir, context: [
        EVALUATE,
        f"--model_dir={run_dir}",
        f"--data_dir={context['data_dir']}",
        f"--output={os.path.join(os.path.dirname(run_dir), 'report.json')}",
        *extra,
    ]


def _export_file(*parts: str) -> str:
    return os.path.join("saved_model", *parts)


def _export_data_file(run_dir: str) -> str:
    folder = os.path.join(run_dir, "saved_model", "variables")
    return os.path.join(
        folder, next(n for n in os.listdir(folder) if n.startswith("variables.data"))
    )


def _nothing(run_dir: str, context: dict) -> None:
    pass


CASES = [
    # 1. A damaged run directory.
    Case(
        "newest checkpoint: data truncated",
        "ckpt-3's data file cut to half",
        lambda d, c: _truncate(_data_file(d, 3)),
        _resume_more,
        "ok",
        "skipped checkpoint ckpt-3: it does not read back",
        _resumed_from(2),
    ),
    Case(
        "newest checkpoint: index truncated",
        "ckpt-3.index cut to 10 bytes",
        lambda d, c: _truncate(os.path.join(d, "checkpoints", "ckpt-3.index"), 0.1),
        _resume_more,
        "ok",
        "skipped checkpoint ckpt-3",
        _resumed_from(2),
    ),
    Case(
        "newest checkpoint: data missing",
        "ckpt-3's data file deleted",
        lambda d, c: os.remove(_data_file(d, 3)),
        _resume_more,
        "ok",
        "skipped checkpoint ckpt-3: its data file is missing",
        _resumed_from(2),
    ),
    Case(
        "every checkpoint truncated",
        "all three data files cut to half",
        lambda d, c: [_truncate(_data_file(d, e)) for e in (1, 2, 3)],
        _resume,
        "error",
        "none of its 3 checkpoint(s) reads back",
    ),
    Case(
        "checkpoint index missing",
        "checkpoints/checkpoint deleted",
        lambda d, c: os.remove(os.path.join(d, "checkpoints", "checkpoint")),
        _resume_more,
        "ok",
        "rewrote the checkpoint index",
        _resumed_from(3),
    ),
    Case(
        "checkpoint index garbage",
        "checkpoints/checkpoint overwritten with garbage",
        lambda d, c: _write(os.path.join(d, "checkpoints", "checkpoint"), b"\x00garbage{{"),
        _resume_more,
        "ok",
        "rewrote the checkpoint index",
        _resumed_from(3),
    ),
    Case(
        "checkpoints/ is a file",
        "checkpoints/ replaced by a file",
        lambda d, c: (
            shutil.rmtree(os.path.join(d, "checkpoints")),
            _write(os.path.join(d, "checkpoints"), b"x"),
        ),
        _resume,
        "error",
        "cannot be listed",
    ),
    Case(
        "history.json empty",
        "history.json truncated to 0 bytes",
        lambda d, c: _write(os.path.join(d, "history.json"), b""),
        _resume_more,
        "ok",
        "history.json was unusable (it is empty): kept as history.json.damaged",
        _resumed_from(3),
    ),
    Case(
        "history.json garbage",
        "history.json cut mid-way",
        lambda d, c: _truncate(os.path.join(d, "history.json"), 0.5),
        _resume_more,
        "ok",
        "history.json was unusable (it is not valid JSON",
        _resumed_from(3),
    ),
    Case(
        "config.json empty",
        "config.json truncated to 0 bytes",
        lambda d, c: _write(os.path.join(d, "config.json"), b""),
        _resume_more,
        "ok",
        "config.json was unusable (it is empty): kept as config.json.damaged",
        _resumed_from(3),
    ),
    Case(
        "config.json garbage",
        "config.json overwritten with bytes that are not UTF-8",
        lambda d, c: _write(os.path.join(d, "config.json"), b"\xff\xfe{"),
        _resume_more,
        "ok",
        "config.json was unusable (it is not valid JSON",
        _resumed_from(3),
    ),
    # 2. Kills.
    Case(
        "kill in checkpoint",
        "SIGKILL mid-write of epoch 4's checkpoint (data torn, index not updated), rerun",
        lambda d, c: c.update(
            killed=run(
                _with_faults(_resume_more(d, c)), env={"GAN_ZOO_KILL_IN_CHECKPOINT": "4"}
            ).code
        ),
        _resume_more,
        "ok",
        "skipped checkpoint ckpt-4",
        _resumed_from(3),
    ),
    _kill_in_export("written"),
    _kill_in_export("old_moved"),
    _kill_in_export("replaced"),
    # 3. One run directory, one trainer.
    Case(
        "second trainer",
        "the same --out_dir while another trainer runs there",
        _second_trainer,
        _resume,
        "error",
        "is in use by another gan_zoo trainer",
        _stop_holder,
    ),
    Case(
        "stale lock",
        "gan_zoo.lock left by a killed process",
        _stale_lock,
        _resume_more,
        "ok",
        "took over the lock",
        _resumed_from(3),
    ),
    # 4. --restart.
    Case(
        "restart: not a run",
        "--restart on a folder of the user's files",
        _not_a_run,
        lambda d, c: _resume(d, c) + ["--restart"],
        "error",
        "--restart refuses to delete anything",
    ),
    Case(
        "restart: user file kept",
        "--restart on a run with the user's notes in samples/",
        lambda d, c: _write(os.path.join(d, "samples", "my_notes.txt"), b"keep me"),
        lambda d, c: _resume(d, c) + ["--restart"],
        "ok",
        "kept 1 file(s) gan_zoo did not write",
        _user_file_kept,
    ),
    # 5. Paths.
    Case(
        "out_dir is a file",
        "--out_dir names a file",
        _under_file,
        _resume,
        "error",
        "is a file, not a directory",
    ),
    Case(
        "out_dir under a file",
        "--out_dir inside a file's path",
        _under_file,
        lambda d, c: _resume(os.path.join(d, "run"), c),
        "error",
        "which is a file, not a directory",
    ),
    Case(
        "out_dir read-only",
        "the run directory on a read-only file system (a read-only bind mount; /proc where "
        "mounting is not allowed)",
        _read_only,
        lambda d, c: _resume(c["read_only"], c),
        "error",
        "is not writable",
        _unmount,
    ),
    Case(
        "data_dir is a file",
        "--data_dir names a file",
        _nothing,
        lambda d, c: _resume(d, {"data_dir": os.path.join(d, "config.json")}),
        "error",
        "--data_dir",
    ),
    # 6. Flags and overrides.
    Case(
        "override: unknown network key",
        "generator_kwargs with a key the dense generator does not take",
        _nothing,
        _override('generator_kwargs={"hidden_units": [16], "widht": 3}'),
        "error",
        "'widht' not accepted by the dense generator; accepted:",
    ),
    Case(
        "override: beta_1 out of range",
        "beta_1=1.5",
        _nothing,
        _override("beta_1=1.5"),
        "error",
        "beta_1 must be a number in [0, 1)",
    ),
    Case(
        "override: negative learning rate",
        "g_learning_rate=-0.001",
        _nothing,
        _override("g_learning_rate=-0.001"),
        "error",
        "g_learning_rate must be a positive number",
    ),
    Case(
        "override: negative penalty",
        "a WGAN-GP gp_weight of -1 on gan_ring8's model (not accepted either way)",
        _nothing,
        _override("algorithm=wgan_gp", 'model_kwargs={"gp_weight": -1}'),
        "error",
        "gp_weight must be a number >= 0",
    ),
    Case(
        "batch larger than the data",
        "--batch_size above the 20,000 ring points, one pass per epoch",
        _nothing,
        lambda d, c: train_args(d, c["data_dir"], "--batch_size=40000", steps=None),
        "error",
        "an epoch would have 0 steps",
    ),
    # 7. Devices.
    Case(
        "mirrored on missing GPUs",
        "--strategy=mirrored --devices=/gpu:0,/gpu:1 on a machine without GPUs",
        _nothing,
        _mirrored_gpu,
        "error",
        "which this machine does not have",
    ),
    Case(
        "one_device on a missing GPU",
        "--strategy=one_device --devices=/gpu:0 without a GPU",
        _nothing,
        lambda d, c: _resume(d, c) + ["--strategy=one_device", "--devices=/gpu:0"],
        "error",
        "which this machine does not have",
    ),
    # 8. Image folders.
    Case(
        "folder: loop, link, odd name, FIFO",
        "--dataset=folder: with a symlink loop, a second link to a file, a non-UTF-8 name "
        "and a FIFO beside three PNGs",
        _damaged_folder,
        _folder_train(),
        "error",
        "symlink loop",
        _folder_unchanged,
    ),
    Case(
        "folder: --corrupt_images=skip",
        "the same folder, skipping what cannot be used",
        _damaged_folder,
        _folder_train("--corrupt_images=skip"),
        "ok",
        "skipped 3 of the 6 image files",
        _folder_unchanged,
    ),
    # 9. generate and evaluate.
    Case(
        "generate: saved_model.pb truncated",
        "saved_model/saved_model.pb cut to half",
        lambda d, c: _truncate(os.path.join(d, _export_file("saved_model.pb"))),
        _generate(),
        "error",
        "saved_model.pb' is damaged",
    ),
    Case(
        "generate: weights missing",
        "saved_model/variables/variables.data-* deleted",
        lambda d, c: os.remove(_export_data_file(d)),
        _generate(),
        "error",
        "variables.data-00000-of-00001' is missing",
    ),
    Case(
        "generate: weights truncated",
        "saved_model/variables/variables.data-* cut to half",
        lambda d, c: _truncate(_export_data_file(d)),
        _generate(),
        "error",
        "variables.data-00000-of-00001' is damaged",
    ),
    Case(
        "generate: gan_zoo.json garbage",
        "saved_model/gan_zoo.json cut mid-way",
        lambda d, c: _truncate(os.path.join(d, _export_file("gan_zoo.json"))),
        _generate(),
        "error",
        "gan_zoo.json' is not valid JSON",
    ),
    Case(
        "generate: seed out of range",
        "--seed=2**63",
        _nothing,
        _generate("--seed=9223372036854775808"),
        "error",
        "--seed must be in",
    ),
    Case(
        "evaluate: weights index truncated",
        "saved_model/variables/variables.index cut to 30 %",
        lambda d, c: _truncate(os.path.join(d, _export_file("variables", "variables.index")), 0.3),
        _evaluate(),
        "error",
        "variables.index' is damaged",
    ),
    Case(
        "evaluate: seed out of range",
        "--seed=-1",
        _nothing,
        _evaluate("--seed=-1"),
        "error",
        "--seed must be in [0, ",
    ),
    # 10. Quiet.
    Case(
        "quiet by default",
        "a normal resume: no TensorFlow C++ log lines on stderr",
        _nothing,
        _resume,
        "ok",
        "nothing to train",
        _no_native_lines,
    ),
]


def make_base_run(root: str) -> dict:
    """Trains the base run once; returns the context (`data_dir`, `base`, `scratch`)."""
    context = {"data_dir": os.path.join(root, "tensorflow_datasets"), "scratch": root}
    base = os.path.join(root, "base")
    result = run(train_args(base, context["data_dir"]))
    if result.code != 0:
        raise SystemExit(f"the base run failed (exit {result.code}):\n{result.stderr[-3000:]}")
    context["base"] = base
    return context


def run_case(case: Case, context: dict, workdir: str) -> dict:
    """Runs one case on a fresh copy of the base run; returns its table row."""
    run_dir = os.path.join(workdir, "run")
    shutil.copytree(context["base"], run_dir, symlinks=True)
    case_context = dict(context)
    start = time.perf_counter()
    case.damage(run_dir, case_context)
    before = snapshot(run_dir)
    command = case.command(run_dir, case_context)
    result = run(command, env=case.env)
    after = snapshot(run_dir)
    exported = result.code == 0 and "SavedModel:" in result.stdout
    lost = files_lost(before, after, exported, restarted="--restart" in command)
    problems = []
    if "Traceback" in result.stderr:
        problems.append("a traceback on stderr")
    if case.expect == "error":
        changed = files_changed(before, after)
        if result.code != 2:
            problems.append(f"exit {result.code}, expected 2")
        if len(result.errors) != 1:
            problems.append(f"{len(result.errors)} error lines, expected 1")
        elif case.fragment not in result.errors[0]:
            problems.append(f"the error lacks {case.fragment!r}")
        if changed:
            problems.append(f"changed: {', '.join(changed[:3])}")
        outcome = result.errors[0] if result.errors else result.stderr.strip()[-200:]
    else:
        changed = []
        if result.code != 0:
            problems.append(f"exit {result.code}, expected 0: {result.stderr.strip()[-300:]}")
        if case.fragment not in result.stdout + result.stderr:
            problems.append(f"the output lacks {case.fragment!r}")
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        outcome = next((line for line in lines if case.fragment and case.fragment in line), "")
        outcome = outcome or next((line for line in lines if "resuming" in line), "exit 0")
    if case.check is not None:
        problem = case.check(run_dir, result, case_context)
        if problem:
            problems.append(problem)
    if lost:
        problems.append(f"lost: {', '.join(lost[:3])}")
    return {
        "case": case.id,
        "what": case.what,
        "exit": result.code,
        "outcome": outcome.strip(),
        "changed": len(changed),
        "lost": len(lost),
        "seconds": time.perf_counter() - start,
        "problems": problems,
    }


def print_table(rows: list[dict], markdown: bool) -> None:
    """Prints `rows` as aligned text, or as a Markdown table."""
    if markdown:
        print("| case | exit | outcome | files lost |")
        print("|---|---:|---|---:|")
        for row in rows:
            outcome = row["outcome"].replace("|", "\\|")
            if len(outcome) > 150:
                outcome = outcome[:147] + "..."
            problems = "; ".join(row["problems"])
            status = f" **FAILED: {problems}**" if problems else ""
            print(f"| {row['case']} | {row['exit']} | {outcome}{status} | {row['lost']} |")
        return
    width = max(len(row["case"]) for row in rows)
    for row in rows:
        mark = "clear" if not row["problems"] else "FAILED"
        outcome = row["outcome"] if len(row["outcome"]) < 110 else row["outcome"][:107] + "..."
        print(
            f"{row['case']:<{width}}  exit {row['exit']:>3}  lost {row['lost']}  "
            f"{mark:<6} {row['seconds']:5.1f} s  {outcome}"
        )
        for problem in row["problems"]:
            print(f"{'':<{width}}    ! {problem}")


def main() -> int:
    """Runs the cases; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="", help="comma-separated words; run matching cases")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    args = parser.parse_args()
    words = [w for w in args.cases.split(",") if w]
    cases = [c for c in CASES if not words or any(w in c.id for w in words)]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gan_zoo_reliability_") as root:
        context = make_base_run(root)
        rows = []
        for i, case in enumerate(cases):
            workdir = os.path.join(root, f"case{i}")
            os.makedirs(workdir)
            rows.append(run_case(case, context, workdir))
            if not args.markdown:
                print_table(rows[-1:], markdown=False)
    if args.markdown:
        print_table(rows, markdown=True)
    failed = [row for row in rows if row["problems"]]
    lost = sum(row["lost"] for row in rows)
    print(
        f"\n{len(rows) - len(failed)} of {len(rows)} cases clear, {lost} files lost, "
        f"{time.perf_counter() - start:.0f} s"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
