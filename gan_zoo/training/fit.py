"""`train(config)`: strategy → data → model → resume → callbacks → fit → export.

`train` reads top to bottom; each step is a helper below it, and what the steps share is one
typed `Run`. The package docstring (`gan_zoo.training`) tells what a run directory holds and
how resuming, damage, divergence, translation presets and multi-worker runs behave.
"""

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from typing import Any

import keras
import tensorflow as tf

from gan_zoo import data, distribute, export, families, precision
from gan_zoo.families.config import PresetConfig
from gan_zoo.training import resume, run_directory
from gan_zoo.training.callbacks import (
    DivergenceGuard,
    EvaluationCallback,
    HistoryWriter,
    SampleGrid,
    TensorBoard,
    TranslationGrid,
)
from gan_zoo.training.checkpointing import Checkpointer
from gan_zoo.training.config import TrainConfig, resolve
from gan_zoo.training.divergence import raise_if_diverged

# Columns of a translation grid: fixed test images of each domain.
TRANSLATION_GRID_COLUMNS = 8


@dataclasses.dataclass
class Run:
    """What the steps of one `train` call share, once the strategy is known.

    Attributes:
        config: the `TrainConfig`.
        preset: the effective preset (`resolve`'s first result).
        resolved: what `config.json` records (`resolve`'s second result, with `run.replicas`,
            `run.devices_used` and `run.xla` added).
        strategy: the `tf.distribute` strategy.
        run_dir: the run directory (`resolved["run"]["out_dir"]`).
        out_dir: where this process writes: `run_dir` on the chief, a temporary directory on
            the other workers of a multi-worker run.
        xla: whether the train step is XLA-compiled (`jit_compile`, "auto" decided).
        start: `time.perf_counter()` when `train` was called.
        lock: the run directory's `RunLock` (the chief's), or None.
    """

    config: TrainConfig
    preset: PresetConfig
    resolved: dict[str, Any]
    strategy: tf.distribute.Strategy
    run_dir: str
    out_dir: str
    xla: bool
    start: float
    lock: run_directory.RunLock | None = None

    @property
    def chief(self) -> bool:
        """Whether this process writes the run directory itself."""
        return self.out_dir == self.run_dir

    @property
    def task(self) -> str:
        """The preset's family's task: "unconditional", "conditional" or "translation"."""
        return self.preset.family.task

    @property
    def multi_worker(self) -> bool:
        """Whether this is one worker of a multi-worker run."""
        return distribute.is_multi_worker(self.strategy)

    def path(self, *names: str) -> str:
        """A path inside this process's `out_dir`."""
        return os.path.join(self.out_dir, *names)


def train(
    config: TrainConfig, callbacks: Sequence[keras.callbacks.Callback] = ()
) -> dict[str, Any]:
    """Trains a preset and writes its run directory, resuming it when it holds a checkpoint.

    Args:
        config: a `TrainConfig`.
        callbacks: more Keras callbacks for `fit`, after the run's own (sample grids, history,
            checkpoints, TensorBoard).

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
    run = _describe_run(config, preset, resolved, strategy, start)
    if not distribute.is_chief(strategy):
        return _train_elsewhere(run, callbacks)
    if resolved["run"].get("channels_from_data"):
        print(f"images: {resolved['run']['channels_from_data']}", flush=True)
    run_directory.check_out_dir(run.run_dir)
    run.lock = run_directory.RunLock(run.run_dir)
    if os.path.isdir(run.run_dir):  # another trainer may be at work there: find out at once
        if config.restart:
            run_directory.check_restart(run.run_dir)
        run.lock.acquire()
    try:
        return _train(run, callbacks)
    finally:
        run.lock.release()


def _train(run: Run, extra_callbacks: Sequence[keras.callbacks.Callback]) -> dict[str, Any]:
    """`train`'s work once the strategy is known, writing the run directory into `run.out_dir`.

    `out_dir` is the run directory on the chief and a temporary one on the other workers of a
    multi-worker run; every worker resumes from the run directory's (the chief's)
    checkpoints, which must then be on storage every worker can read.
    """
    config, preset = run.config, run.preset
    if run.task == "translation" and config.eval_every:
        raise ValueError(
            "eval_every applies to generators from noise; translation presets are measured "
            "at the end of training (translation.json) and by examples/evaluate.py"
        )
    # The shuffle order depends on TensorFlow's global seed as well as the dataset's: set it
    # first, so the same config gives the same batches whatever ran before in this process.
    keras.utils.set_random_seed(config.seed)
    dataset = _training_data(run)
    model = _build_model(run)
    guard = DivergenceGuard() if config.nan_policy == "stop" else None
    checkpointer = Checkpointer(
        run.path(run_directory.CHECKPOINTS), every_n_epochs=config.checkpoint_every, guard=guard
    )
    _check_epoch_has_steps(run, dataset)
    _take_run_directory(run)  # data and model exist: a bad dataset leaves no run directory
    initial_epoch = resume.initial_epoch(
        run.run_dir, run.resolved, model, checkpointer, config.restart, run.chief
    )
    if run.multi_worker:
        resume.check_workers_agree(run.strategy, initial_epoch)
    dataset, steps_per_epoch = resume.resume_data(
        dataset, preset.steps_per_epoch, config.steps_per_execution, initial_epoch
    )
    os.makedirs(run.out_dir, exist_ok=True)
    run_directory.write_json(run.resolved, run.path(run_directory.CONFIG))  # before fit
    samples = _sample_callback(run)
    history_writer = HistoryWriter(run.out_dir)
    callbacks = _callbacks(run, guard, samples, history_writer, checkpointer)
    callbacks += extra_callbacks
    history = _fit(run, model, dataset, callbacks, initial_epoch, steps_per_epoch)
    raise_if_diverged(model, guard, checkpointer)
    final = _final_logs(history, history_writer)
    saved_model = _export(run, model)
    translation = _measure_translation(run, model)
    return {
        "out_dir": run.out_dir,
        "model": model,
        "history": history,
        "final": final,
        "initial_epoch": initial_epoch,
        "seconds": time.perf_counter() - run.start,
        "samples": samples.last_path,
        "saved_model": saved_model,
        "translation": translation,
        "chief": True,
    }


def _describe_run(
    config: TrainConfig,
    preset: PresetConfig,
    resolved: dict[str, Any],
    strategy: tf.distribute.Strategy,
    start: float,
) -> Run:
    """The `Run` of this process; records the replicas, devices and XLA in `resolved`."""
    xla = config.jit_compile
    xla = distribute.uses_accelerator(strategy) if xla == "auto" else xla
    resolved["run"]["replicas"] = strategy.num_replicas_in_sync
    resolved["run"]["devices_used"] = distribute.describe_devices(strategy)
    resolved["run"]["xla"] = xla
    run_dir = resolved["run"]["out_dir"]
    return Run(config, preset, resolved, strategy, run_dir, run_dir, xla, start)


def _train_elsewhere(run: Run, callbacks: Sequence[keras.callbacks.Callback]) -> dict[str, Any]:
    """A non-chief worker: the same work into a temporary directory, deleted afterwards."""
    scratch = tempfile.mkdtemp(prefix="gan_zoo_worker_")
    try:
        summary = _train(dataclasses.replace(run, out_dir=scratch), callbacks)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    summary.update(out_dir=run.run_dir, samples=None, saved_model=None, chief=False)
    return summary


def _training_data(run: Run) -> tf.data.Dataset:
    """The preset's training batches (with labels for conditional presets), checked."""
    config, preset = run.config, run.preset
    conditional = run.task == "conditional"
    dataset = data.make_dataset(
        preset.dataset,
        split="train",
        batch_size=preset.batch_size,
        image_size=preset.image_size,
        channels=preset.channels,
        seed=config.seed,
        data_dir=config.data_dir,
        repeat=preset.steps_per_epoch is not None,
        with_labels=conditional,
        corrupt_images=config.corrupt_images,
    )
    if conditional:
        # A label >= num_classes would fail inside fit() on CPU and read zeros on GPU.
        classes = data.dataset_info(preset.dataset, config.data_dir).get("num_classes")
        if classes is not None and classes > preset.num_classes:
            raise ValueError(
                f"dataset {preset.dataset!r} has {classes} classes but {preset.name} is built "
                f"for num_classes={preset.num_classes}; pass --override=num_classes={classes}"
            )
    return dataset


def _build_model(run: Run) -> keras.Model:
    """The compiled model, built in the strategy's scope under the precision policy."""
    config = run.config
    compile_kwargs = {"jit_compile": run.xla, "steps_per_execution": config.steps_per_execution}
    if config.nan_policy != "stop":  # the model's default is "stop"
        compile_kwargs["nan_policy"] = config.nan_policy
    with run.strategy.scope(), precision.policy_scope(config.mixed_precision):
        model = families.build(run.preset, seed=config.seed, compile_kwargs=compile_kwargs)
    if run.multi_worker:
        distribute.enable_multi_worker_fit(model)  # keras-team/keras#20585
    return model


def _check_epoch_has_steps(run: Run, dataset: tf.data.Dataset) -> None:
    """Raises ValueError when one pass over the data has no batch at all."""
    preset, data_dir = run.preset, run.config.data_dir
    if preset.steps_per_epoch is None and int(dataset.cardinality()) == 0:
        examples = data.dataset_info(preset.dataset, data_dir).get("num_examples", {})
        count = examples.get("train") if isinstance(examples, dict) else None
        raise ValueError(
            f"batch_size {preset.batch_size} is larger than the {count or 'few'} training "
            f"examples of {preset.dataset!r}: an epoch would have 0 steps; use --batch_size "
            f"<= {count or 'the number of examples'}, or --steps_per_epoch with a repeated "
            "stream"
        )


def _take_run_directory(run: Run) -> None:
    """The chief takes the lock (saying whose it took over) and finishes an interrupted export."""
    if run.lock is None:
        return
    run.lock.acquire()
    if run.lock.taken_over:
        owner = run.lock.taken_over
        run_directory.warn(
            f"took over the lock of {run.run_dir} left by pid {owner.get('pid')} "
            f"(started {owner.get('started', '?')}), which is no longer running"
        )
    for done in export.recover(os.path.join(run.run_dir, run_directory.EXPORT)):
        run_directory.warn(done)


def _sharded(run: Run, dataset: tf.data.Dataset) -> tf.data.Dataset:
    """The dataset, sharded by element across the workers of a multi-worker run.

    TFDS splits are one file or a few: tf.data's default FILE policy fails with "Could not
    apply FILE based sharding".
    """
    if not run.multi_worker:
        return dataset
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def _fit(
    run: Run,
    model: keras.Model,
    dataset: tf.data.Dataset,
    callbacks: list[keras.callbacks.Callback],
    initial_epoch: int,
    steps_per_epoch: int | None,
) -> dict[str, list]:
    """`model.fit` up to the preset's epochs; the logs of the epochs trained (maybe none)."""
    epochs = run.preset.epochs
    if initial_epoch >= epochs:
        if run.chief:
            print(f"{run.run_dir} has finished all {epochs} epochs; nothing to train", flush=True)
        return {}
    return model.fit(
        _sharded(run, dataset),
        epochs=epochs,
        initial_epoch=initial_epoch,
        steps_per_epoch=steps_per_epoch,
        callbacks=callbacks,
        verbose=run.config.verbose,
        shuffle=False,  # the dataset shuffles; True only makes Keras warn about it
    ).history


def _callbacks(
    run: Run,
    guard: DivergenceGuard | None,
    samples: SampleGrid,
    history_writer: HistoryWriter,
    checkpointer: Checkpointer,
) -> list[keras.callbacks.Callback]:
    """The run's callbacks, in the order that matters (see the comments)."""
    config = run.config
    callbacks = [guard] if guard is not None else []  # first: it decides what others keep
    callbacks.append(samples)
    if config.eval_every:  # before HistoryWriter, so history.json records the eval_* values
        callbacks.append(
            EvaluationCallback(
                every_n_epochs=config.eval_every,
                num_samples=config.eval_samples,
                dataset=run.preset.dataset,
                data_dir=config.data_dir,
                seed=config.seed,
                log_dir=run.path(run_directory.LOGS),
            )
        )
    logs = TensorBoard(run.path(run_directory.LOGS), write_graph=False)
    return [*callbacks, history_writer, checkpointer, logs]


def _sample_callback(run: Run) -> SampleGrid:
    """The per-epoch picture: samples from fixed noise, or translations of fixed test images."""
    config, preset = run.config, run.preset
    directory, log_dir = run.path(run_directory.SAMPLES), run.path(run_directory.LOGS)
    if run.task == "translation":
        columns = min(config.num_samples, TRANSLATION_GRID_COLUMNS)
        test = data.make_dataset(
            preset.dataset,
            split="test",
            batch_size=columns,
            image_size=preset.image_size,
            channels=preset.channels,
            shuffle=False,
            data_dir=config.data_dir,
            drop_remainder=False,
        )
        images_a, images_b = next(iter(test))
        return TranslationGrid(
            directory,
            images_a.numpy(),
            images_b.numpy(),
            every_n_epochs=config.sample_every,
            log_dir=log_dir,
        )
    reference = None
    if preset.dataset.startswith("gaussian_mixture/"):
        reference = data.mixture_centres(preset.dataset.split("/", 1)[1])
    return SampleGrid(
        directory,
        num_samples=config.num_samples,
        seed=config.seed,
        every_n_epochs=config.sample_every,
        log_dir=log_dir,
        reference_points=reference,
    )


def _final_logs(history: dict[str, list], history_writer: HistoryWriter) -> dict[str, Any]:
    """The last epoch's logs: of this call's `fit`, else the run directory's history."""
    if history:
        return {name: values[-1] for name, values in history.items()}
    history_writer.on_train_begin()  # nothing trained now: reads history.json
    return {
        name: values[-1]
        for name, values in history_writer.history.items()
        if values and values[-1] is not None and name != "epoch_seconds"
    }


def _export(run: Run, model: keras.Model) -> str | None:
    """Writes `saved_model/` (when `config.export`); returns its path."""
    if not run.config.export:
        return None
    preset = run.preset
    return export.export_model(
        model,
        run.path(run_directory.EXPORT),
        metadata={"preset": preset.name, "epochs": preset.epochs, "seed": run.config.seed},
    )


def _measure_translation(run: Run, model: keras.Model) -> dict[str, Any] | None:
    """On `digits_thickness`, measures the translation into `translation.json`; else None."""
    preset = run.preset
    if preset.dataset != data.DIGITS_THICKNESS:
        return None
    from gan_zoo.evaluation import evaluate_translation

    translation = evaluate_translation(
        lambda x: model.translate(x, "a_to_b"),
        lambda x: model.translate(x, "b_to_a"),
        data.load_digits_thickness("test", preset.image_size, run.config.data_dir),
    )
    run_directory.write_json(translation, run.path(run_directory.TRANSLATION))
    return translation
