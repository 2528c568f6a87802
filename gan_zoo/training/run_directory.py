"""The run directory: every file a run writes, its lock, its checks, restart and repairs.

Files only (no model); `gan_zoo.training.fit` calls it around `fit`. The layout (`CONFIG`, ...):

    config.json        the resolved configuration, written before training starts
    samples/           epoch_0001.png ... a grid (or scatter plot) per epoch from fixed noise
    history.json       per-epoch logs;  loss_curves.png  their plot
    checkpoints/       tf.train checkpoints of model and optimizers (newest 3)
    logs/              TensorBoard scalars and sample images
    saved_model/       the exported generator (see `gan_zoo.export`)
    translation.json   the measured translation (CycleGAN on digits_thickness)

- `write_json` (atomic: temporary file, then rename), `read_json` (the content, or why it
  cannot be used), `set_aside` (a damaged file kept as `<name>.damaged`).
- `check_out_dir`, `check_data_dir`: a path that is a file, lies under a file, or cannot be
  written (read) is a one-line `ValueError` before any work starts.
- `RunLock`: one trainer per run directory: `gan_zoo.lock`, held with `fcntl.flock` for the
  life of the process and holding the owner's pid, host and start time. The kernel drops a
  flock when its process dies, however it dies, so the lock of a killed trainer is taken over;
  a live holder makes a second trainer stop at once naming it. The file stays: it marks the
  directory as a gan_zoo run.
- `restart`: deletes only the files gan_zoo writes (by name pattern, see `_OWNED`), and
  refuses on a directory that is not a gan_zoo run.
- `checkpoint_candidates` / `check_checkpoint`: the run's checkpoints found by their files
  (not only through the `checkpoint` index, which may be missing or garbage), newest first,
  and whether each one reads back completely. `quarantine` moves damaged files aside into
  `checkpoints/damaged/` (never deletes them) so a resumed run cannot overwrite them;
  `rewrite_checkpoint_index` points the index at the good ones.

An interrupted export is finished or undone by `gan_zoo.export.recover`, which `train` calls
when it takes the lock.
"""

import fcntl
import json
import logging
import os
import re
import shutil
import socket
import sys
import time
from typing import Any

import tensorflow as tf

LOCK_FILE = "gan_zoo.lock"
CONFIG = "config.json"
HISTORY = "history.json"
LOSS_CURVES = "loss_curves.png"
TRANSLATION = "translation.json"
SAMPLES = "samples"
CHECKPOINTS = "checkpoints"
DAMAGED = "damaged"
LOGS = "logs"
EXPORT = "saved_model"

# What gan_zoo writes into a run directory, and so what `restart` deletes: top-level names
# mapped to None (the file or directory as a whole) or to a pattern of the names gan_zoo
# writes inside that directory (searched recursively; other files there are kept).
_EVENTS = re.compile(r"events\.out\.tfevents\..*|.*\.profile-empty")
_OWNED: dict[str, re.Pattern | None] = {
    CONFIG: None,
    f"{CONFIG}.damaged": None,
    HISTORY: None,
    f"{HISTORY}.damaged": None,
    LOSS_CURVES: None,
    TRANSLATION: None,
    SAMPLES: re.compile(r"epoch_\d{4,}\.png|latest\.png(\.tmp)?"),
    CHECKPOINTS: re.compile(r"checkpoint(\.tmp.*)?|ckpt-\d+(\.index|\.data-\d+-of-\d+|_temp.*)"),
    LOGS: _EVENTS,
    EXPORT: None,
    f"{EXPORT}.old": None,
}
_TEMPORARY_EXPORT = re.compile(rf"{EXPORT}\.tmp-(\d+)")
_CHECKPOINT_FILE = re.compile(r"ckpt-(\d+)\.(index|data-\d+-of-\d+)")


def _problem(error: OSError) -> str:
    return error.strerror or type(error).__name__


def warn(message: str) -> None:
    """Reports damage found (and what was done about it) on stderr."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def check_out_dir(path: str) -> None:
    """Checks that `path` is or can become a writable run directory (nothing is created).

    Raises:
        ValueError: (one line) `path` is a file, lies under a file, or cannot be written.
    """
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"--out_dir {path!r} is a file, not a directory; give a directory path")
    existing = _nearest_existing_directory(path, "--out_dir")
    probe = os.path.join(existing, f".gan_zoo_write_test-{os.getpid()}")
    try:  # a real write: os.access misses read-only mounts for root, and ACLs
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError as error:
        where = "" if existing == os.path.abspath(path) else f" (it would go in {existing!r})"
        raise ValueError(f"--out_dir {path!r} is not writable{where}: {_problem(error)}") from None


def check_data_dir(path: str | None) -> None:
    """Checks that a given `--data_dir` is a readable directory, or can be created.

    Raises:
        ValueError: (one line) it is a file, lies under a file, or cannot be read.
    """
    if path is None:
        return
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise ValueError(
                f"--data_dir {path!r} is a file, not a directory; give the TFDS data directory"
            )
        if not os.access(path, os.R_OK | os.X_OK):
            raise ValueError(f"--data_dir {path!r} is not readable: permission denied")
        return
    _nearest_existing_directory(path, "--data_dir")


def _nearest_existing_directory(path: str, flag: str) -> str:
    """The deepest existing ancestor of `path`; a ValueError naming `flag` when it is a file."""
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ValueError(
            f"{flag} {path!r} lies under {existing!r}, which is a file, not a directory"
        )
    return existing


class RunLockedError(ValueError):
    """Another live process holds the run directory's lock."""


class RunLock:
    """An exclusive, process-lifetime lock on a run directory (see the module docstring).

    Args:
        directory: str. The run directory.
    """

    def __init__(self, directory: str):
        self.directory = directory
        self.path = os.path.join(directory, LOCK_FILE)
        self._fd: int | None = None
        self.taken_over: dict | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Takes the lock, creating the directory; a lock of a dead process is taken over.

        Raises:
            RunLockedError: a live process holds it (the message names its pid and host).
        """
        if self.held:
            return
        os.makedirs(self.directory, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = _read_owner(fd)
            os.close(fd)
            who = f"pid {owner.get('pid', '?')} on {owner.get('host', '?')}"
            since = owner.get("started")
            raise RunLockedError(
                f"{self.directory} is in use by another gan_zoo trainer ({who}"
                + (f", started {since}" if since else "")
                + "); wait for it to finish, stop it, or use another --out_dir"
            ) from None
        previous = _read_owner(fd)
        if previous.get("pid") and not _is_alive_here(previous):
            self.taken_over = previous
        owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(owner) + "\n").encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Releases the lock; the file stays, empty (it marks a gan_zoo run)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)  # an owner left in the file means a killed trainer
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_owner(fd: int) -> dict:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        owner = json.loads(text) if text.strip() else {}
    except ValueError:
        owner = {}
    return owner if isinstance(owner, dict) else {}


def _is_alive_here(owner: dict) -> bool:
    """Whether the lock's former owner is a running process of this host."""
    if owner.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(owner["pid"]), 0)
    except (OSError, ValueError, TypeError):
        return False
    return True


def is_run_directory(directory: str) -> bool:
    """Whether `directory` holds a gan_zoo run: its lock file, or a gan_zoo `config.json`."""
    if os.path.exists(os.path.join(directory, LOCK_FILE)):
        return True
    config, _ = read_json(os.path.join(directory, CONFIG))
    return isinstance(config, dict) and {"preset", "run"} <= set(config)


def check_restart(directory: str) -> None:
    """Raises ValueError (one line) when `directory` holds files but is not a gan_zoo run."""
    if os.path.isdir(directory) and os.listdir(directory) and not is_run_directory(directory):
        raise ValueError(
            f"--restart refuses to delete anything in {directory}: it is not a gan_zoo run "
            f"directory (no {LOCK_FILE}, no config.json written by gan_zoo); give an empty or "
            "new --out_dir"
        )


def restart(directory: str) -> tuple[int, list[str]]:
    """Deletes the files gan_zoo wrote into `directory` (`_OWNED`); keeps everything else.

    Returns:
        `(deleted, kept)`: the number of files deleted and the other files left inside the
        run's own folders (relative paths), which gan_zoo did not write.

    Raises:
        ValueError: (one line) `directory` holds files but is not a gan_zoo run.
    """
    check_restart(directory)
    if not os.path.isdir(directory):
        return 0, []
    deleted, kept = 0, []
    for name, pattern in _OWNED.items():
        path = os.path.join(directory, name)
        if not os.path.lexists(path):
            continue
        if pattern is None or not os.path.isdir(path):
            deleted += _count_files(path)
            _remove(path)
            continue
        for root, dirs, files in os.walk(path, topdown=False):
            for file in files:
                if pattern.fullmatch(file) or os.path.basename(root) == DAMAGED:
                    os.remove(os.path.join(root, file))
                    deleted += 1
                else:
                    kept.append(os.path.relpath(os.path.join(root, file), directory))
            for sub in dirs:
                _remove_if_empty(os.path.join(root, sub))
        _remove_if_empty(path)
    for entry in os.listdir(directory):
        if _TEMPORARY_EXPORT.fullmatch(entry):
            deleted += _count_files(os.path.join(directory, entry))
            _remove(os.path.join(directory, entry))
    return deleted, sorted(kept)


def _count_files(path: str) -> int:
    if not os.path.isdir(path) or os.path.islink(path):
        return 1
    return sum(len(files) for _, _, files in os.walk(path))


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.remove(path)


def _remove_if_empty(path: str) -> None:
    try:
        os.rmdir(path)
    except OSError:
        pass


def write_json(data: Any, path: str) -> None:
    """Writes `data` as JSON atomically (temporary file, then rename)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = f"{path}.tmp"
    with open(temporary, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(temporary, path)


def is_config(data: Any) -> bool:
    """Whether `data` (a `config.json`'s content) is a gan_zoo config: `preset` and `run`."""
    return isinstance(data, dict) and all(isinstance(data.get(k), dict) for k in ("preset", "run"))


def is_history(data: Any) -> bool:
    """Whether `data` (a `history.json`'s content) is an object of per-epoch lists."""
    return isinstance(data, dict) and all(isinstance(v, list) for v in data.values())


def read_json(path: str) -> tuple[Any, str | None]:
    """Reads a JSON file.

    Returns:
        `(data, None)`; `(None, None)` when the file does not exist; `(None, problem)` when it
        exists but cannot be used (`"it is empty"`, `"it is not valid JSON (...)"`, ...).
    """
    if not os.path.lexists(path):
        return None, None
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as error:
        return None, f"it cannot be read ({_problem(error)})"
    if not raw.strip():
        return None, "it is empty"
    try:
        return json.loads(raw.decode("utf-8")), None
    except (UnicodeDecodeError, ValueError) as error:
        return None, f"it is not valid JSON ({str(error)[:80]})"


def set_aside(path: str) -> str:
    """Renames a damaged file to `<path>.damaged` (replacing an older one); returns the name."""
    target = f"{path}.damaged"
    os.replace(path, target)
    return target


def checkpoint_candidates(checkpoint_dir: str) -> list[str]:
    """Path prefixes of every checkpoint in `checkpoint_dir`, newest (highest number) first.

    Found from the files themselves (`ckpt-N.index`, `ckpt-N.data-*`), not from the
    `checkpoint` index, so a missing or garbage index still lists them; a data file without
    its index is listed too (`check_checkpoint` then calls it damaged).

    Raises:
        ValueError: (one line) `checkpoint_dir` exists but cannot be listed.
    """
    if not os.path.lexists(checkpoint_dir):
        return []
    try:
        names = os.listdir(checkpoint_dir)
    except OSError as error:
        raise ValueError(
            f"cannot resume: {checkpoint_dir} exists but cannot be listed ({_problem(error)}); "
            "nothing was changed"
        ) from None
    numbers = {int(m.group(1)) for m in map(_CHECKPOINT_FILE.fullmatch, names) if m}
    return [os.path.join(checkpoint_dir, f"ckpt-{n}") for n in sorted(numbers, reverse=True)]


def check_checkpoint(prefix: str) -> str | None:
    """Reads every tensor of checkpoint `prefix`; returns None, or what is wrong with it."""
    files = _checkpoint_files(prefix)
    if f"{os.path.basename(prefix)}.index" not in files:
        return "its .index file is missing"
    if not any(".data-" in name for name in files):
        return "its data file is missing"
    try:
        reader = tf.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except Exception as error:  # noqa: BLE001 (TF raises OpError, IndexError, ValueError, ...)
        text = (getattr(error, "message", None) or str(error)).strip()
        first = text.splitlines()[0] if text else type(error).__name__
        return f"it does not read back: truncated or corrupt ({first[:120]})"
    return None


def _checkpoint_files(prefix: str) -> list[str]:
    directory, base = os.path.split(prefix)
    return sorted(
        name
        for name in os.listdir(directory)
        if name == f"{base}.index" or name.startswith(f"{base}.data-")
    )


def quarantine(prefixes: list[str]) -> str | None:
    """Moves the files of damaged checkpoints into `checkpoints/damaged/`; returns that folder."""
    if not prefixes:
        return None
    target = os.path.join(os.path.dirname(prefixes[0]), DAMAGED)
    os.makedirs(target, exist_ok=True)
    for prefix in prefixes:
        for name in _checkpoint_files(prefix):
            os.replace(os.path.join(os.path.dirname(prefix), name), os.path.join(target, name))
    return target


def rewrite_checkpoint_index(checkpoint_dir: str, prefixes: list[str]) -> str | None:
    """Points the `checkpoint` index at `prefixes` (newest first) when it does not already.

    A missing, garbage or stale index would make `tf.train.CheckpointManager` forget the good
    checkpoints (and, numbering from them, overwrite them); a garbage one is kept as
    `checkpoints/damaged/checkpoint`.

    Returns:
        None, or what was wrong with the old index.
    """
    index = os.path.join(checkpoint_dir, "checkpoint")
    names = [os.path.basename(p) for p in prefixes]
    state, problem = None, None
    if os.path.lexists(index):
        logger = logging.getLogger("tensorflow")
        level = logger.level
        logger.setLevel(logging.ERROR)  # TF logs a garbage index's ParseError twice
        try:
            state = tf.train.get_checkpoint_state(checkpoint_dir)
        except Exception:  # noqa: BLE001
            state = None
        finally:
            logger.setLevel(level)
        if state is None:
            problem = "it does not parse"
            os.makedirs(os.path.join(checkpoint_dir, DAMAGED), exist_ok=True)
            os.replace(index, os.path.join(checkpoint_dir, DAMAGED, "checkpoint"))
    else:
        problem = "it is missing"
    if state is not None:
        listed = [os.path.basename(p) for p in state.all_model_checkpoint_paths]
        latest = os.path.basename(state.model_checkpoint_path)
        if latest == names[0] and set(listed) <= set(names):
            return None
        problem = "it named checkpoints that are damaged or gone"
    # The index's text format, with each checkpoint's time so that the manager rotates them
    # as its own (checkpoints without one it would keep forever).
    lines = [f"model_checkpoint_path: {json.dumps(names[0])}"]
    lines += [f"all_model_checkpoint_paths: {json.dumps(n)}" for n in reversed(names)]
    lines += [
        f"all_model_checkpoint_timestamps: {os.path.getmtime(p + '.index'):.6f}"
        for p in reversed(prefixes)
    ]
    temporary = f"{index}.tmp-{os.getpid()}"
    with open(temporary, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(temporary, index)
    return problem
