"""`train(config)`: strategy → data → model → callbacks → fit → export, into one run directory.

Run directory layout (DESIGN.md):

    config.json        the resolved configuration, written before training starts
    samples/           epoch_0001.png ... a grid (or scatter plot) per epoch from fixed noise
    history.json       per-epoch logs;  loss_curves.png  their plot
    checkpoints/       tf.train checkpoints of model and optimizers (newest 3)
    logs/              TensorBoard scalars and sample images
    saved_model/       the exported generator (see `gan_zoo.export`)

Resuming: `train` on a run directory that holds a checkpoint continues from the newest one
(written atomically by `callbacks.Checkpointer`): it restores the model (networks, EMA
generator, StyleGAN's w̄ and path-length mean, CycleGAN's image pools), every optimizer (so the
training step, on which every random draw is keyed), dropout seed states and the epoch, feeds
the data from where the interrupted run was (see `_resume_data`), and trains to the configured
number of epochs: a run killed and rerun ends with the same weights as one never interrupted
(`tests/test_resume.py`, `tests/test_crash.py`). `history.json` continues from the restored
epoch. The directory's `config.json` must describe the same preset and networks
(`check_resumable`); `TrainConfig.restart` deletes the files gan_zoo wrote there (and
refuses on a directory that is not a gan_zoo run) and starts over.

Damage and accidents (`gan_zoo.run_dir`; `make reliability` runs each through the CLI): the
run directory is locked for one trainer (a second one stops at once naming the first; a lock
left by a killed process is taken over). A checkpoint that does not read back is skipped for
the next older one and moved into `checkpoints/damaged/`; a missing or garbage checkpoint
index is rebuilt from the checkpoint files; an unusable `config.json` or `history.json` is
kept as `<name>.damaged`; each is reported on stderr. Checkpoints none of which loads are an
error, and nothing is deleted that the user did not ask to delete. An export interrupted by
a kill is finished or undone before the run starts (`gan_zoo.export.recover`). `--out_dir`
and `--data_dir` that cannot be used are one-line errors before any work; `config.json`
records the devices that ran (`run.devices_used`) and whether XLA was on (`run.xla`).

Divergence: with `nan_policy="stop"` a NaN or infinite log stops training
(`callbacks.DivergenceGuard`), nothing more is checkpointed, and `train` raises
`TrainingDiverged` naming the step, the loss and the last good checkpoint. With
`nan_policy="skip"` the model drops such updates and logs their count (`skipped_updates`).

Translation presets (CycleGAN) train on `(a, b)` batches; their `samples/` grids show fixed
test images of both domains with their translations and cycle reconstructions, `saved_model/`
holds both generators (`translate_a_to_b`, `translate_b_to_a`), and on the embedded
`digits_thickness` pair `translation.json` records the measured translation (label kept,
stroke thickness, cycle error; `gan_zoo.metrics.translation`).

Under `--strategy=multi_worker` every worker runs `train` with the same config; only the chief
(`gan_zoo.distribute.is_chief`) writes `out_dir`. The other workers run exactly the same code
(callbacks, checkpoints, export: TensorFlow's multi-worker saving expects every worker to take
part) into a private temporary directory that is deleted when `train` returns, as the
`tf.distribute` multi-worker guide recommends; their `out_dir` is never created.
"""

import dataclasses
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from typing import Any

import keras
import tensorflow as tf

from gan_zoo import callbacks as callbacks_lib
from gan_zoo import data, distribute, export, precision, presets
from gan_zoo import run_dir as run_directory
from gan_zoo.models.base import NAN_POLICIES

# Preset settings that shape the networks' and optimizers' variables: a run directory written
# with other values cannot be resumed (its checkpoint would not fit). Everything else
# (epochs, learning rates, loss, batch size, ...) may change on resume.
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


class TrainingDiverged(RuntimeError):  # noqa: N818 (reads as an event, like StopIteration)
    """Training met a NaN or infinite loss under `nan_policy="stop"` and stopped.

    The message names the step, the loss and its value, and the last good checkpoint.

    Attributes:
        step: int. The training step (1-based) whose logs were not finite.
        loss: str. The offending log's name.
        value: float. Its value (nan, inf or -inf).
        checkpoint: str or None. The newest checkpoint, written before the divergence.
    """

    def __init__(self, message: str, step: int, loss: str, value: float, checkpoint: str | None):
        super().__init__(message)
        self.step = step
        self.loss = loss
        self.value = value
        self.checkpoint = checkpoint


@dataclasses.dataclass
class TrainConfig:
    """Everything a training run needs; `examples/train.py` fills it from flags.

    Attributes:
        preset: str. Preset name. Defaults to `"dcgan_digits"`.
        out_dir: str or None. Run directory; `runs/<preset>` when None.
        epochs, batch_size, steps_per_epoch: int or None. None keeps the preset's value.
            `batch_size` is the global batch over all replicas.
        dataset: str or None. A `make_dataset` name replacing the preset's.
        image_size: int or None. Image side replacing the preset's.
        data_dir: str or None. TFDS data directory.
        seed: int. Seeds weights, noise and shuffling. Defaults to 0.
        strategy: str. A `gan_zoo.distribute.STRATEGIES` name. Defaults to `"default"`.
        devices: list of str. Devices for `mirrored` / `one_device`.
        jit_compile: bool or "auto". XLA-compile the train step; "auto" compiles it where the
            strategy's replicas run on GPUs or TPUs (2.1-4.4x faster steps on an H100 for every
            family measured) and not on CPUs (where StyleGAN's XLA step is slower). The choice
            made is `run.xla` in config.json. Defaults to "auto".
        steps_per_execution: int. Train steps per compiled call. Defaults to 1.
        num_samples: int. Images in each sample grid. Defaults to 64.
        sample_every: int. Epochs between sample grids. Defaults to 1.
        checkpoint_every: int. Epochs between checkpoints. Defaults to 1.
        eval_every: int. Epochs between `EvaluationCallback` runs (Fréchet distance and the
            other metrics against the real-vs-real floor, into history.json and TensorBoard);
            0 turns it off. Defaults to 0.
        eval_samples: int. Generated samples per evaluation. Defaults to 1000.
        export: bool. Write `saved_model/` at the end. Defaults to True.
        verbose: int or "auto". Keras progress bar setting. Defaults to "auto".
        overrides: dict. Other preset fields to change (`{"latent_dim": 64}`).
        restart: bool. Delete the files gan_zoo wrote in the run directory (checkpoints,
            history, samples, TensorBoard events, export; other files are kept) and start at
            epoch 0; refused on a directory that is not a gan_zoo run. When False a directory
            with a checkpoint is resumed.
            Defaults to False.
        nan_policy: str. `"stop"`: a NaN or infinite loss stops training and `train` raises
            `TrainingDiverged`; `"skip"`: the model drops such updates and logs their count
            (`skipped_updates`). Defaults to `"stop"`.
        mixed_precision: str. A `gan_zoo.precision.POLICIES` name: `"off"` (float32),
            `"mixed_float16"` or `"mixed_bfloat16"`. Defaults to `"off"`.
        corrupt_images: str. `folder:` datasets only: `"error"` (an undecodable file is an
            error naming it) or `"skip"` (leave such files out, logging how many). Defaults to
            `"error"`.
    """

    preset: str = "dcgan_digits"
    out_dir: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    steps_per_epoch: int | None = None
    dataset: str | None = None
    image_size: int | None = None
    data_dir: str | None = None
    seed: int = 0
    strategy: str = "default"
    devices: list[str] = dataclasses.field(default_factory=list)
    jit_compile: bool | str = "auto"
    steps_per_execution: int = 1
    num_samples: int = 64
    sample_every: int = 1
    checkpoint_every: int = 1
    eval_every: int = 0
    eval_samples: int = 1000
    export: bool = True
    verbose: int | str = "auto"
    overrides: dict[str, Any] = dataclasses.field(default_factory=dict)
    restart: bool = False
    nan_policy: str = "stop"
    mixed_precision: str = "off"
    corrupt_images: str = "error"


def resolve(config: TrainConfig) -> tuple[presets.Preset, dict[str, Any]]:
    """Applies the config's overrides to its preset.

    Returns:
        `(preset, resolved)`: the effective `Preset` and a JSON-ready dict of every setting.

    Raises:
        ValueError: an unknown preset or setting, or a value out of range.
    """
    preset = presets.get_preset(config.preset)
    changes = dict(config.overrides)
    for key in ("epochs", "batch_size", "steps_per_epoch", "dataset", "image_size"):
        value = getattr(config, key)
        if value is not None:
            changes[key] = value
    preset = preset.replace(**changes)
    channels_note = None
    if data.is_folder_name(preset.dataset) and preset.channels is not None:
        preset, channels_note = _folder_channels(preset, "channels" in changes)
    unpaired = data.unpaired.is_unpaired_name(preset.dataset)
    if preset.is_translation and not unpaired:
        raise ValueError(
            f"{preset.name} translates between two domains and needs unpaired (a, b) data: "
            f"digits_thickness or cycle_gan/<pair>; got dataset {preset.dataset!r}"
        )
    if unpaired and not preset.is_translation:
        raise ValueError(
            f"dataset {preset.dataset!r} yields unpaired (a, b) pairs for translation presets "
            f"(cyclegan_*); {preset.name} needs single images"
        )
    if config.eval_every < 0:
        raise ValueError(
            f"eval_every must be 0 (off) or a positive integer; got {config.eval_every}"
        )
    for key in (
        "steps_per_execution",
        "num_samples",
        "sample_every",
        "checkpoint_every",
        "eval_samples",
    ):
        if getattr(config, key) < 1:
            raise ValueError(f"{key} must be a positive integer; got {getattr(config, key)}")
    if config.nan_policy not in NAN_POLICIES:
        raise ValueError(
            f"nan_policy must be one of {', '.join(NAN_POLICIES)}; got {config.nan_policy!r}"
        )
    if config.jit_compile not in (True, False, "auto"):
        raise ValueError(f"jit_compile must be True, False or 'auto'; got {config.jit_compile!r}")
    precision.check_policy(config.mixed_precision)
    run = dataclasses.asdict(config)
    run["out_dir"] = config.out_dir or os.path.join("runs", config.preset)
    if channels_note:
        run["channels_from_data"] = channels_note
    for key in (
        "epochs",
        "batch_size",
        "steps_per_epoch",
        "dataset",
        "image_size",
        "overrides",
        "restart",
    ):
        run.pop(key)
    return preset, {"preset": preset.to_dict(), "run": run}


def _folder_channels(preset: presets.Preset, overridden: bool) -> tuple[presets.Preset, str]:
    """Gives an image preset the channels of its `folder:PATH` images, and says so.

    A folder holding any colour file trains in colour (3 channels) and an all-grayscale one
    in grayscale, whatever the preset was built for (`dcgan_digits` has 1), unless
    `--override=channels=N` chose: then the files are converted to N channels.

    Returns:
        `(preset, note)`: the preset with its channels set, and one sentence for the run's log.
    """
    channels, colour, gray = data.folder_channels(preset.dataset)
    found = f"{colour} colour and {gray} grayscale image files"
    if overridden:
        note = f"channels={preset.channels} (--override) for {found}"
        if channels != preset.channels:
            kind = "grayscale" if preset.channels == 1 else "colour"
            note += f": every image is converted to {kind}"
        return preset, note
    if channels == preset.channels:
        return preset, f"channels={channels} ({found}), as {preset.name} has"
    note = (
        f"channels={channels} from the folder ({found}); {preset.name} has "
        f"{preset.channels}: pass --override=channels={preset.channels} to keep it"
    )
    return preset.replace(channels=channels), note


def train(config: TrainConfig) -> dict[str, Any]:
    """Trains a preset and writes its run directory, resuming it when it holds a checkpoint.

    Args:
        config: a `TrainConfig`.

    Returns:
        A summary dict: `out_dir`, `model`, `history` (per-epoch logs of the epochs trained by
        this call; `history.json` holds the whole run), `final` (last epoch's logs),
        `initial_epoch` (the epoch this call started at: 0, or the restored checkpoint's),
        `seconds`, `samples` (newest grid path), `saved_model` (path or None), `translation`
        (the measured translation on `digits_thickness`, else None) and `chief` (False on a
        multi-worker run's other workers, whose `samples` and `saved_model` are None: their
        files were temporary).

    Raises:
        ValueError: bad input (one line): an unknown preset or setting, a value out of range,
            a run directory that cannot be resumed with this config.
        TrainingDiverged: a NaN or infinite loss under `nan_policy="stop"`.
    """
    start = time.perf_counter()
    preset, resolved = resolve(config)
    run_directory.check_data_dir(config.data_dir)
    strategy = distribute.get_strategy(config.strategy, config.devices)
    distribute.check_global_batch(preset.batch_size, strategy)
    resolved["run"]["replicas"] = strategy.num_replicas_in_sync
    resolved["run"]["devices_used"] = distribute.describe_devices(strategy)
    xla = config.jit_compile
    resolved["run"]["xla"] = distribute.uses_accelerator(strategy) if xla == "auto" else xla
    if distribute.is_chief(strategy):
        out_dir = resolved["run"]["out_dir"]
        if resolved["run"].get("channels_from_data"):
            print(f"images: {resolved['run']['channels_from_data']}", flush=True)
        run_directory.check_out_dir(out_dir)
        lock = run_directory.RunLock(out_dir)
        if os.path.isdir(out_dir):  # another trainer may be at work there: find out at once
            if config.restart:
                run_directory.check_restart(out_dir)
            lock.acquire()
        try:
            return _train(config, preset, resolved, strategy, out_dir, start, lock)
        finally:
            lock.release()
    # A non-chief worker: the same work into a temporary directory, deleted afterwards.
    scratch = tempfile.mkdtemp(prefix="gan_zoo_worker_")
    try:
        summary = _train(config, preset, resolved, strategy, scratch, start, None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    summary.update(out_dir=resolved["run"]["out_dir"], samples=None, saved_model=None, chief=False)
    return summary


def _train(
    config: TrainConfig,
    preset: presets.Preset,
    resolved: dict[str, Any],
    strategy: Any,
    out_dir: str,
    start: float,
    lock: run_directory.RunLock | None,
) -> dict[str, Any]:
    """`train`'s work once the strategy is known, writing the run directory into `out_dir`.

    `out_dir` is the run directory on the chief and a temporary one on the other workers of a
    multi-worker run; every worker resumes from the run directory's (the chief's)
    checkpoints, which must then be on storage every worker can read.
    """
    if preset.is_translation and config.eval_every:
        raise ValueError(
            "eval_every applies to generators from noise; translation presets are measured "
            "at the end of training (translation.json) and by examples/evaluate.py"
        )
    run_dir_path = resolved["run"]["out_dir"]
    chief = out_dir == run_dir_path
    # The shuffle order depends on TensorFlow's global seed as well as the dataset's: set it
    # first, so the same config gives the same batches whatever ran before in this process.
    keras.utils.set_random_seed(config.seed)
    dataset = data.make_dataset(
        preset.dataset,
        split="train",
        batch_size=preset.batch_size,
        image_size=preset.image_size,
        channels=preset.channels,
        seed=config.seed,
        data_dir=config.data_dir,
        repeat=preset.steps_per_epoch is not None,
        with_labels=preset.conditioning is not None,
        corrupt_images=config.corrupt_images,
    )
    if preset.conditioning is not None:
        # A label >= num_classes would fail inside fit() on CPU and read zeros on GPU.
        classes = data.dataset_info(preset.dataset, config.data_dir).get("num_classes")
        if classes is not None and classes > preset.num_classes:
            raise ValueError(
                f"dataset {preset.dataset!r} has {classes} classes but {preset.name} is built "
                f"for num_classes={preset.num_classes}; pass --override=num_classes={classes}"
            )
    compile_kwargs = {
        "jit_compile": resolved["run"]["xla"],
        "steps_per_execution": config.steps_per_execution,
    }
    if config.nan_policy != "stop":  # the model's default is "stop"
        compile_kwargs["nan_policy"] = config.nan_policy
    with strategy.scope(), precision.policy_scope(config.mixed_precision):
        model = presets.build(preset, seed=config.seed, compile_kwargs=compile_kwargs)
    if distribute.is_multi_worker(strategy):
        distribute.enable_multi_worker_fit(model)  # keras-team/keras#20585
    guard = callbacks_lib.DivergenceGuard() if config.nan_policy == "stop" else None
    checkpointer = callbacks_lib.Checkpointer(
        os.path.join(out_dir, "checkpoints"), every_n_epochs=config.checkpoint_every, guard=guard
    )
    if preset.steps_per_epoch is None and int(dataset.cardinality()) == 0:
        examples = data.dataset_info(preset.dataset, config.data_dir).get("num_examples", {})
        count = examples.get("train") if isinstance(examples, dict) else None
        raise ValueError(
            f"batch_size {preset.batch_size} is larger than the {count or 'few'} training "
            f"examples of {preset.dataset!r}: an epoch would have 0 steps; use --batch_size "
            f"<= {count or 'the number of examples'}, or --steps_per_epoch with a repeated "
            "stream"
        )
    # Data and model exist (a bad dataset leaves no run directory): resume or start over.
    if lock is not None:
        lock.acquire()
        if lock.taken_over:
            owner = lock.taken_over
            _warn(
                f"took over the lock of {run_dir_path} left by pid {owner.get('pid')} "
                f"(started {owner.get('started', '?')}), which is no longer running"
            )
        for done in export.recover(os.path.join(run_dir_path, run_directory.EXPORT)):
            _warn(done)
    initial_epoch = _initial_epoch(config, resolved, run_dir_path, chief, model, checkpointer)
    if distribute.is_multi_worker(strategy):
        _check_workers_agree(strategy, initial_epoch)
    dataset, steps_per_epoch = _resume_data(
        dataset, preset.steps_per_epoch, config.steps_per_execution, initial_epoch
    )
    if distribute.is_multi_worker(strategy):
        # TFDS splits are one file or a few: shard the workers' batches by element, not by file
        # (tf.data's default FILE policy fails with "Could not apply FILE based sharding").
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        dataset = dataset.with_options(options)
    os.makedirs(out_dir, exist_ok=True)
    callbacks_lib.write_json(resolved, os.path.join(out_dir, "config.json"))  # before fit
    samples = _sample_callback(preset, config, out_dir)
    callbacks = [guard] if guard is not None else []  # first: it decides what others keep
    callbacks.append(samples)
    if config.eval_every:  # before HistoryWriter, so history.json records the eval_* values
        callbacks.append(
            callbacks_lib.EvaluationCallback(
                every_n_epochs=config.eval_every,
                num_samples=config.eval_samples,
                dataset=preset.dataset,
                data_dir=config.data_dir,
                seed=config.seed,
                log_dir=os.path.join(out_dir, "logs"),
            )
        )
    history_writer = callbacks_lib.HistoryWriter(out_dir)
    callbacks += [
        history_writer,
        checkpointer,
        callbacks_lib.TensorBoard(os.path.join(out_dir, "logs"), write_graph=False),
    ]
    history: dict[str, list] = {}
    if initial_epoch < preset.epochs:
        history = model.fit(
            dataset,
            epochs=preset.epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch,
            callbacks=callbacks,
            verbose=config.verbose,
            shuffle=False,  # the dataset shuffles; True only makes Keras warn about it
        ).history
    elif chief:
        print(
            f"{run_dir_path} has finished all {preset.epochs} epochs; nothing to train", flush=True
        )
    _raise_if_diverged(model, guard, checkpointer)
    if history:
        final = {name: values[-1] for name, values in history.items()}
    else:  # nothing trained now: the last epoch of the run directory's history
        history_writer.on_train_begin()
        final = {
            name: values[-1]
            for name, values in history_writer.history.items()
            if values and values[-1] is not None and name != "epoch_seconds"
        }
    saved_model = None
    if config.export:
        saved_model = export.export_model(
            model,
            os.path.join(out_dir, "saved_model"),
            metadata={"preset": preset.name, "epochs": preset.epochs, "seed": config.seed},
        )
    translation = None
    if preset.dataset == data.DIGITS_THICKNESS:
        from gan_zoo.metrics import translation as translation_metrics

        translation = translation_metrics.evaluate_translation(
            lambda x: model.translate(x, "a_to_b"),
            lambda x: model.translate(x, "b_to_a"),
            data.load_digits_thickness("test", preset.image_size, config.data_dir),
        )
        callbacks_lib.write_json(translation, os.path.join(out_dir, "translation.json"))
    return {
        "out_dir": out_dir,
        "model": model,
        "history": history,
        "final": final,
        "initial_epoch": initial_epoch,
        "seconds": time.perf_counter() - start,
        "samples": samples.last_path,
        "saved_model": saved_model,
        "translation": translation,
        "chief": True,
    }


def _initial_epoch(
    config: TrainConfig,
    resolved: dict[str, Any],
    run_dir: str,
    chief: bool,
    model: keras.Model,
    checkpointer: callbacks_lib.Checkpointer,
) -> int:
    """Restarts (deleting the old run's files) or restores the newest checkpoint that loads.

    Damage is repaired only once the restore has succeeded, and never by deleting: a
    checkpoint that does not read back (truncated, missing data file, garbage index) is
    skipped for the next older one and moved into `checkpoints/damaged/`; an unreadable
    `config.json` or `history.json` is kept as `<name>.damaged`; each is reported on stderr.
    Checkpoints that exist but none of which loads, or a directory that cannot be listed,
    are an error: the run never silently starts again at epoch 0 over them.

    Returns:
        The epoch to start at: the restored checkpoint's, or 0.
    """
    if config.restart:
        if chief:
            deleted, kept = run_directory.restart(run_dir)
            if deleted or kept:
                note = f"; kept {len(kept)} file(s) gan_zoo did not write" if kept else ""
                print(f"--restart: deleted {deleted} file(s) of the old run{note}", flush=True)
        return 0
    checkpoint_dir = os.path.join(run_dir, run_directory.CHECKPOINTS)
    candidates = run_directory.checkpoint_candidates(checkpoint_dir)
    config_path = os.path.join(run_dir, "config.json")
    history_path = os.path.join(run_dir, "history.json")
    old_config, config_problem = run_directory.read_json(config_path)
    if config_problem is None and old_config is not None and not _is_config(old_config):
        config_problem = "it is not a gan_zoo config (an object with preset and run)"
    history, history_problem = run_directory.read_json(history_path)
    if history_problem is None and history is not None and not _is_history(history):
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
    epoch = 0
    if restored is not None:
        epoch = _restore(run_dir, model, checkpointer, restored)
    if not chief:  # the chief repairs its directory; the others only read it
        return epoch
    for path, problem in damaged_files:
        kept_as = run_directory.set_aside(path)
        _warn(f"{path} was unusable ({problem}): kept as {os.path.basename(kept_as)}")
    if skipped:
        folder = run_directory.quarantine([p for p, _ in skipped])
        for prefix, problem in skipped:
            _warn(
                f"skipped checkpoint {os.path.basename(prefix)}: {problem}; its files are "
                f"kept in {folder}"
            )
    if restored is not None:
        good = [p for p in candidates if p not in dict(skipped)]
        problem = run_directory.rewrite_checkpoint_index(checkpoint_dir, good)
        if problem:
            _warn(f"rewrote the checkpoint index of {checkpoint_dir}: {problem}")
        step = int(_number(getattr(model, "training_step", model.optimizer.iterations)))
        note = f"; changed: {', '.join(changed)}" if changed else ""
        print(
            f"resuming {run_dir} from epoch {epoch} (step {step}) of "
            f"{os.path.basename(restored)}{note}",
            flush=True,
        )
    return epoch


def _restore(run_dir: str, model, checkpointer: callbacks_lib.Checkpointer, prefix: str) -> int:
    """Restores checkpoint `prefix` (which reads back) into `model`; returns its epoch.

    Raises:
        ValueError: (one line) the checkpoint is intact but does not fit the model (another
            architecture or optimizer): a real mismatch, so `--restart` is the advice.
    """
    optimizers = {
        name: item
        for name, item in callbacks_lib.checkpoint_items(model).items()
        if isinstance(item, keras.optimizers.Optimizer)
    }
    rates = {name: _number(optimizer.learning_rate) for name, optimizer in optimizers.items()}
    try:
        epoch = checkpointer.restore(model, path=prefix)
    except (AssertionError, ValueError, IndexError, tf.errors.OpError) as error:
        text = getattr(error, "message", None) or str(error) or type(error).__name__
        reason = re.sub(r"\{\{[^}]*\}\}\s*", "", text.strip().splitlines()[0])  # TF's op name
        raise ValueError(
            f"cannot resume {run_dir}: its checkpoint {os.path.basename(prefix)} does not fit "
            f"this command's model ({reason[:300]}); resume with the settings of its "
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


def _is_config(config: Any) -> bool:
    return isinstance(config, dict) and all(
        isinstance(config.get(key), dict) for key in ("preset", "run")
    )


def _is_history(history: Any) -> bool:
    return isinstance(history, dict) and all(isinstance(v, list) for v in history.values())


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


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
    path = os.path.join(run_dir, "config.json")
    if not os.path.exists(path):
        return []
    try:
        with open(path) as f:
            old = json.load(f)
        old_preset, old_run = old["preset"], old["run"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"cannot resume {run_dir}: its config.json is unreadable ({error}); pass --restart "
            "to start over there, or use another --out_dir"
        ) from None
    new_preset = json.loads(json.dumps(resolved["preset"]))  # tuples -> lists, as in the file
    new_run = json.loads(json.dumps(resolved["run"]))
    advice = "pass --restart to start over there, or use another --out_dir"
    if old_preset.get("name") != new_preset["name"]:
        raise ValueError(
            f"{run_dir} holds a run of preset {old_preset.get('name')!r}, not "
            f"{new_preset['name']!r}: a run resumes with its own preset; {advice}"
        )
    differ = [key for key in STRUCTURAL_SETTINGS if old_preset.get(key) != new_preset.get(key)]
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
            f"(other settings, such as epochs or learning rates, may change); {advice}"
        )
    changed = [
        f"{key} {json.dumps(old_preset.get(key))} -> {json.dumps(value)}"
        for key, value in new_preset.items()
        if key not in ("description", "paper") and old_preset.get(key) != value
    ]
    for key in ("seed", "mixed_precision", "nan_policy"):
        if key in old_run and old_run[key] != new_run.get(key):
            changed.append(f"{key} {json.dumps(old_run[key])} -> {json.dumps(new_run.get(key))}")
    return changed


def _resume_data(
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


def _number(value) -> float:
    """A scalar variable's value; also a tf.distribute mirrored one's (`float()` refuses)."""
    return keras.ops.convert_to_numpy(value).item()


def _check_workers_agree(strategy: Any, initial_epoch: int) -> None:
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


def _raise_if_diverged(
    model: keras.Model,
    guard: callbacks_lib.DivergenceGuard | None,
    checkpointer: callbacks_lib.Checkpointer,
) -> None:
    """Raises `TrainingDiverged` when the guard fired or a checkpoint was refused."""
    if guard is not None and guard.diverged is not None:
        info = guard.diverged
        what = guard.describe()
        step, loss, value = info["step"], info["name"], info["value"]
    elif checkpointer.refused:
        step = int(_number(getattr(model, "training_step", model.optimizer.iterations)))
        loss, value = "weights", math.nan
        what = f"the weights after epoch {checkpointer.refused[0]} are not finite (step {step})"
    else:
        return
    latest = tf.train.latest_checkpoint(checkpointer.directory)
    if latest is None:
        kept, then = "no checkpoint was written before it", "start over"
    else:
        kept, then = f"the last good checkpoint, {latest}, is kept", "resume from it"
    raise TrainingDiverged(
        f"training diverged: {what}; {kept}. Rerun with lower learning rates "
        f"(--override=g_learning_rate=... --override=d_learning_rate=...) to {then}, or with "
        "--nan_policy=skip to drop such updates",
        step,
        loss,
        value,
        latest,
    )


# Columns of a translation grid: fixed test images of each domain.
TRANSLATION_GRID_COLUMNS = 8


def _sample_callback(preset, config: TrainConfig, out_dir: str) -> callbacks_lib.SampleGrid:
    """The per-epoch picture: samples from fixed noise, or translations of fixed test images."""
    directory = os.path.join(out_dir, "samples")
    log_dir = os.path.join(out_dir, "logs")
    if preset.is_translation:
        columns = min(config.num_samples, TRANSLATION_GRID_COLUMNS)
        images_a, images_b = next(
            iter(
                data.make_dataset(
                    preset.dataset,
                    split="test",
                    batch_size=columns,
                    image_size=preset.image_size,
                    channels=preset.channels,
                    shuffle=False,
                    data_dir=config.data_dir,
                    drop_remainder=False,
                )
            )
        )
        return callbacks_lib.TranslationGrid(
            directory,
            images_a.numpy(),
            images_b.numpy(),
            every_n_epochs=config.sample_every,
            log_dir=log_dir,
        )
    reference = None
    if preset.dataset.startswith("gaussian_mixture/"):
        reference = data.mixture_centres(preset.dataset.split("/", 1)[1])
    return callbacks_lib.SampleGrid(
        directory,
        num_samples=config.num_samples,
        seed=config.seed,
        every_n_epochs=config.sample_every,
        log_dir=log_dir,
        reference_points=reference,
    )
