"""`train(config)`: strategy → data → model → callbacks → fit → export, into one run directory.

Run directory layout (DESIGN.md):

    config.json        the resolved configuration, written before training starts
    samples/           epoch_0001.png ... a grid (or scatter plot) per epoch from fixed noise
    history.json       per-epoch logs;  loss_curves.png  their plot
    checkpoints/       tf.train checkpoints of model and optimizers (newest 3)
    logs/              TensorBoard scalars and sample images
    saved_model/       the exported generator (see `gan_zoo.export`)

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
import os
import shutil
import tempfile
import time
from typing import Any

import keras
import tensorflow as tf

from gan_zoo import callbacks as callbacks_lib
from gan_zoo import data, distribute, export, presets


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
        jit_compile: bool. XLA-compile the train step. Defaults to False.
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
    jit_compile: bool = False
    steps_per_execution: int = 1
    num_samples: int = 64
    sample_every: int = 1
    checkpoint_every: int = 1
    eval_every: int = 0
    eval_samples: int = 1000
    export: bool = True
    verbose: int | str = "auto"
    overrides: dict[str, Any] = dataclasses.field(default_factory=dict)


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
    run = dataclasses.asdict(config)
    run["out_dir"] = config.out_dir or os.path.join("runs", config.preset)
    for key in ("epochs", "batch_size", "steps_per_epoch", "dataset", "image_size", "overrides"):
        run.pop(key)
    return preset, {"preset": preset.to_dict(), "run": run}


def train(config: TrainConfig) -> dict[str, Any]:
    """Trains a preset and writes its run directory.

    Args:
        config: a `TrainConfig`.

    Returns:
        A summary dict: `out_dir`, `model`, `history` (per-epoch logs), `final` (last epoch's
        logs), `seconds`, `samples` (newest grid path), `saved_model` (path or None),
        `translation` (the measured translation on `digits_thickness`, else None) and `chief`
        (False on a multi-worker run's other workers, whose `samples` and `saved_model` are
        None: their files were temporary).
    """
    start = time.perf_counter()
    preset, resolved = resolve(config)
    strategy = distribute.get_strategy(config.strategy, config.devices)
    distribute.check_global_batch(preset.batch_size, strategy)
    resolved["run"]["replicas"] = strategy.num_replicas_in_sync
    if distribute.is_chief(strategy):
        return _train(config, preset, resolved, strategy, resolved["run"]["out_dir"], start)
    # A non-chief worker: the same work into a temporary directory, deleted afterwards.
    scratch = tempfile.mkdtemp(prefix="gan_zoo_worker_")
    try:
        summary = _train(config, preset, resolved, strategy, scratch, start)
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
) -> dict[str, Any]:
    """`train`'s work once the strategy is known, writing the run directory into `out_dir`."""
    if preset.is_translation and config.eval_every:
        raise ValueError(
            "eval_every applies to generators from noise; translation presets are measured "
            "at the end of training (translation.json) and by examples/evaluate.py"
        )
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
    )
    if distribute.is_multi_worker(strategy):
        # TFDS splits are one file or a few: shard the workers' batches by element, not by file
        # (tf.data's default FILE policy fails with "Could not apply FILE based sharding").
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        dataset = dataset.with_options(options)
    with strategy.scope():
        model = presets.build(
            preset,
            seed=config.seed,
            compile_kwargs={
                "jit_compile": config.jit_compile,
                "steps_per_execution": config.steps_per_execution,
            },
        )
    if distribute.is_multi_worker(strategy):
        distribute.enable_multi_worker_fit(model)  # keras-team/keras#20585
    # Written once data and model exist (a bad dataset leaves no run directory), before fit.
    os.makedirs(out_dir, exist_ok=True)
    callbacks_lib.write_json(resolved, os.path.join(out_dir, "config.json"))
    samples = _sample_callback(preset, config, out_dir)
    callbacks = [samples]
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
    callbacks += [
        callbacks_lib.HistoryWriter(out_dir),
        callbacks_lib.Checkpointer(
            os.path.join(out_dir, "checkpoints"), every_n_epochs=config.checkpoint_every
        ),
        keras.callbacks.TensorBoard(os.path.join(out_dir, "logs"), write_graph=False),
    ]
    history = model.fit(
        dataset,
        epochs=preset.epochs,
        steps_per_epoch=preset.steps_per_epoch,
        callbacks=callbacks,
        verbose=config.verbose,
    )
    saved_model = None
    if config.export:
        saved_model = export.export_model(
            model,
            os.path.join(out_dir, "saved_model"),
            metadata={"preset": preset.name, "epochs": preset.epochs, "seed": config.seed},
        )
    final = {name: values[-1] for name, values in history.history.items()}
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
        "history": history.history,
        "final": final,
        "seconds": time.perf_counter() - start,
        "samples": samples.last_path,
        "saved_model": saved_model,
        "translation": translation,
        "chief": True,
    }


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
