"""Resuming a run directory: the epoch to start at, the restore, and the data from there on.

`initial_epoch` restarts (`TrainConfig.restart`) or restores the newest checkpoint that loads
(written atomically by `checkpointing.Checkpointer`): the model (networks, EMA generator,
StyleGAN's w̄ and path-length mean, CycleGAN's image pools), every optimizer (so the training
step, on which every random draw is keyed), dropout seed states and the epoch. `resume_data`
then feeds the data from where the interrupted run was, so a run killed and rerun ends with
the same weights as one never interrupted (`tests/test_resume.py`, `tests/test_crash.py`).
The directory's `config.json` must describe the same preset and networks (`check_resumable`).
"""

import json
import math
import os
from typing import Any

import keras
import tensorflow as tf

from gan_zoo.training import run_directory
from gan_zoo.training.checkpointing import (
    RESTORE_MISMATCH,
    Checkpointer,
    checkpoint_items,
    mismatch_reason,
    number,
    training_step,
)

# Preset settings that shape the networks' and optimizers' variables: a run directory written
# with other values cannot be resumed (its checkpoint would not fit). Everything else
# (epochs, learning rates, loss, batch size, ...) may change on resume. A setting only one
# side's preset has (a `config.json` of an earlier version stored every family's fields) is
# not compared: another family shows as another `algorithm`.
STRUCTURAL_SETTINGS = (
    "algorithm",
    "architecture",
    "latent_dim",
    "image_size",
    "channels",
    "conditioning",
    "num_classes",
    "label_embedding_dim",
    "generator_kwargs",
    "discriminator_kwargs",
    "optimizer",
)
_ADVICE = "pass --restart to start over there, or use another --out_dir"


def initial_epoch(
    run_dir: str,
    resolved: dict[str, Any],
    model: keras.Model,
    checkpointer: Checkpointer,
    restart: bool,
    chief: bool,
) -> int:
    """Restarts (deleting the old run's files) or restores the newest checkpoint that loads.

    Damage is repaired only once the restore has succeeded, and never by deleting: a
    checkpoint that does not read back (truncated, missing data file, garbage index) is
    skipped for the next older one and moved into `checkpoints/damaged/`; an unreadable
    `config.json` or `history.json` is kept as `<name>.damaged`; each is reported on stderr.
    Checkpoints that exist but none of which loads, or a directory that cannot be listed,
    are an error: the run never silently starts again at epoch 0 over them. Only the chief
    (`chief`) changes files; the other workers of a multi-worker run only read them.

    Returns:
        The epoch to start at: the restored checkpoint's, or 0.
    """
    if restart:
        if chief:
            deleted, kept = run_directory.restart(run_dir)
            if deleted or kept:
                note = f"; kept {len(kept)} file(s) gan_zoo did not write" if kept else ""
                print(f"--restart: deleted {deleted} file(s) of the old run{note}", flush=True)
        return 0
    checkpoint_dir = os.path.join(run_dir, run_directory.CHECKPOINTS)
    candidates = run_directory.checkpoint_candidates(checkpoint_dir)
    config_path = os.path.join(run_dir, run_directory.CONFIG)
    history_path = os.path.join(run_dir, run_directory.HISTORY)
    old_config, config_problem = run_directory.read_json(config_path)
    if (
        config_problem is None
        and old_config is not None
        and not run_directory.is_config(old_config)
    ):
        config_problem = "it is not a gan_zoo config (an object with preset and run)"
    history, history_problem = run_directory.read_json(history_path)
    if history_problem is None and history is not None and not run_directory.is_history(history):
        history_problem = "it is not a gan_zoo history (an object of per-epoch lists)"
    damaged_files = [
        (path, problem)
        for path, problem in ((config_path, config_problem), (history_path, history_problem))
        if problem
    ]
    if not candidates and history is None and not os.path.exists(config_path):
        return 0
    changed = [] if config_problem else check_resumable(run_dir, resolved)
    skipped: list[tuple[str, str]] = []
    restored = None
    for prefix in candidates:
        problem = run_directory.check_checkpoint(prefix)
        if problem is None:
            restored = prefix
            break
        skipped.append((prefix, problem))
    if candidates and restored is None:
        reasons = "; ".join(f"{os.path.basename(p)}: {why}" for p, why in skipped)
        raise ValueError(
            f"cannot resume {run_dir}: none of its {len(candidates)} checkpoint(s) reads back "
            f"({reasons}); they are left as they are. Pass --restart to start over (it deletes "
            "them), or use another --out_dir"
        )
    epoch = 0 if restored is None else restore(run_dir, model, checkpointer, restored)
    if not chief:  # the chief repairs its directory; the others only read it
        return epoch
    _repair(checkpoint_dir, candidates, damaged_files, skipped, restored)
    if restored is not None:
        note = f"; changed: {', '.join(changed)}" if changed else ""
        print(
            f"resuming {run_dir} from epoch {epoch} (step {training_step(model)}) of "
            f"{os.path.basename(restored)}{note}",
            flush=True,
        )
    return epoch


def _repair(
    checkpoint_dir: str,
    candidates: list[str],
    damaged_files: list[tuple[str, str]],
    skipped: list[tuple[str, str]],
    restored: str | None,
) -> None:
    """Sets damaged files aside, quarantines skipped checkpoints, rewrites the index; says so."""
    for path, problem in damaged_files:
        kept_as = run_directory.set_aside(path)
        run_directory.warn(f"{path} was unusable ({problem}): kept as {os.path.basename(kept_as)}")
    if skipped:
        folder = run_directory.quarantine([p for p, _ in skipped])
        for prefix, problem in skipped:
            run_directory.warn(
                f"skipped checkpoint {os.path.basename(prefix)}: {problem}; its files are "
                f"kept in {folder}"
            )
    if restored is not None:
        good = [p for p in candidates if p not in dict(skipped)]
        problem = run_directory.rewrite_checkpoint_index(checkpoint_dir, good)
        if problem:
            run_directory.warn(f"rewrote the checkpoint index of {checkpoint_dir}: {problem}")


def restore(run_dir: str, model: keras.Model, checkpointer: Checkpointer, prefix: str) -> int:
    """Restores checkpoint `prefix` (which reads back) into `model`; returns its epoch.

    Raises:
        ValueError: (one line) the checkpoint is intact but does not fit the model (another
            architecture or optimizer): a real mismatch, so `--restart` is the advice.
    """
    optimizers = {
        name: item
        for name, item in checkpoint_items(model).items()
        if isinstance(item, keras.optimizers.Optimizer)
    }
    rates = {name: number(optimizer.learning_rate) for name, optimizer in optimizers.items()}
    try:
        epoch = checkpointer.restore(model, path=prefix)
    except RESTORE_MISMATCH as error:
        raise ValueError(
            f"cannot resume {run_dir}: its checkpoint {os.path.basename(prefix)} does not fit "
            f"this command's model ({mismatch_reason(error)}); resume with the settings of its "
            "config.json, pass --restart to start over there, or use another --out_dir"
        ) from None
    # A float learning rate is an optimizer variable, so the checkpoint brought back the old
    # run's: this command's wins (a schedule is a function of the step, restored with it).
    for name, optimizer in optimizers.items():
        try:
            optimizer.learning_rate = rates[name]
        except TypeError:  # a LearningRateSchedule: not settable, nothing to do
            pass
    return epoch


def check_resumable(run_dir: str, resolved: dict[str, Any]) -> list[str]:
    """Checks that the run in `run_dir` may be continued with the configuration `resolved`.

    Args:
        run_dir: a run directory; its `config.json` (when present) describes the old run.
        resolved: `resolve`'s second result for the new command.

    Returns:
        The settings that differ but may (`"g_learning_rate 0.0002 -> 0.0001"`, ...).

    Raises:
        ValueError: (one line) another preset, or other values of `STRUCTURAL_SETTINGS`, or
            an unreadable `config.json`.
    """
    path = os.path.join(run_dir, run_directory.CONFIG)
    if not os.path.exists(path):
        return []
    try:
        with open(path) as f:
            old = json.load(f)
        old_preset, old_run = old["preset"], old["run"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"cannot resume {run_dir}: its config.json is unreadable ({error}); {_ADVICE}"
        ) from None
    new_preset = json.loads(json.dumps(resolved["preset"]))  # tuples -> lists, as in the file
    new_run = json.loads(json.dumps(resolved["run"]))
    if old_preset.get("name") != new_preset["name"]:
        raise ValueError(
            f"{run_dir} holds a run of preset {old_preset.get('name')!r}, not "
            f"{new_preset['name']!r}: a run resumes with its own preset; {_ADVICE}"
        )
    # Only the settings both presets have (an earlier version's file holds every family's).
    shared = [key for key in new_preset if key in old_preset]
    differ = [
        key for key in STRUCTURAL_SETTINGS if key in shared and old_preset[key] != new_preset[key]
    ]
    if (old_preset.get("ema_decay") is None) != (new_preset.get("ema_decay") is None):
        differ.append("ema_decay")
    old_values, new_values = dict(old_preset), dict(new_preset)
    policies = {old_run.get("mixed_precision", "off"), new_run.get("mixed_precision", "off")}
    if len(policies) == 2 and "mixed_float16" in policies:  # loss-scaled optimizers or not
        differ.append("mixed_precision")
        old_values["mixed_precision"] = old_run.get("mixed_precision", "off")
        new_values["mixed_precision"] = new_run.get("mixed_precision", "off")
    if differ:
        was = ", ".join(f"{key}={json.dumps(old_values.get(key))}" for key in differ)
        now = ", ".join(f"{key}={json.dumps(new_values.get(key))}" for key in differ)
        raise ValueError(
            f"{run_dir} holds a {new_preset['name']} run with {was}, this command asks for "
            f"{now}: a run resumes only with the networks and optimizers it was saved with "
            f"(other settings, such as epochs or learning rates, may change); {_ADVICE}"
        )
    changed = [
        f"{key} {json.dumps(old_preset[key])} -> {json.dumps(new_preset[key])}"
        for key in shared
        if key not in ("description", "paper") and old_preset[key] != new_preset[key]
    ]
    for key in ("seed", "mixed_precision", "nan_policy"):
        if key in old_run and old_run[key] != new_run.get(key):
            changed.append(f"{key} {json.dumps(old_run[key])} -> {json.dumps(new_run.get(key))}")
    return changed


def resume_data(
    dataset: tf.data.Dataset,
    steps_per_epoch: int | None,
    steps_per_execution: int,
    initial_epoch: int,
) -> tuple[tf.data.Dataset, int | None]:
    """The training stream and `fit`'s `steps_per_epoch`, positioned at `initial_epoch`.

    `fit` then sees exactly the batches an uninterrupted run would see from that epoch on:

    - a repeated dataset (the preset sets `steps_per_epoch`): one endless stream read by one
      iterator; the batches the earlier epochs consumed are skipped (`Dataset.skip`, which
      reads them: the cost of reading that much data, no training).
    - one pass per epoch (`steps_per_epoch` None): the pass is repeated after batching, so
      epoch e is pass e, each with its own shuffle order, and `steps_per_epoch` is the
      number of batches of a pass. Pass e's order is the e-th draw of the dataset's
      reshuffle seed generator; creating (not reading) one iterator per finished pass
      advances it, so resuming costs no reading. When the number of batches is unknown the
      dataset is returned as it is (one iterator per epoch; a resumed run then sees other
      shuffle orders than an uninterrupted one).

    Keras takes `steps_per_execution` batches per call, so an epoch consumes
    ceil(steps / steps_per_execution) · steps_per_execution batches.
    """
    if steps_per_epoch is None:
        batches = int(dataset.cardinality())
        if batches < 1:  # unknown or infinite
            return dataset, None
        consumed = initial_epoch * math.ceil(batches / steps_per_execution) * steps_per_execution
        passes, rest = divmod(consumed, batches)
        for _ in range(passes):
            iter(dataset)  # one reshuffle seed drawn, nothing read
        stream = dataset.repeat()
        return (stream.skip(rest) if rest else stream), batches
    consumed = (
        initial_epoch * math.ceil(steps_per_epoch / steps_per_execution) * steps_per_execution
    )
    return (dataset.skip(consumed) if consumed else dataset), steps_per_epoch


def check_workers_agree(strategy: Any, initial_epoch: int) -> None:
    """Raises ValueError unless every worker of a multi-worker run starts at the same epoch.

    A worker that cannot read the chief's checkpoints would start over while the others
    resume, and the collective ops of `fit` would then wait forever. All replicas are equal
    exactly when n · Σe² = (Σe)².
    """
    value = tf.constant(float(initial_epoch))

    def both():
        return tf.stack([value, value * value])

    sums = strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(both), axis=None).numpy()
    replicas = strategy.num_replicas_in_sync
    if not math.isclose(replicas * sums[1], sums[0] ** 2, rel_tol=1e-9, abs_tol=1e-6):
        raise ValueError(
            f"the workers restored different epochs (this one: {initial_epoch}, mean "
            f"{sums[0] / replicas:g}): resuming a multi-worker run needs --out_dir on storage "
            "every worker can read; or pass --restart"
        )
