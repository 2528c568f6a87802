"""`TrainConfig`: everything a training run needs, and `resolve`, its checked, effective form.

Each field carries its command-line help (`metadata["help"]`, the text `--help` shows), where
it takes one of a fixed set of values `metadata["choices"]`, and where its flag is not named
like it `metadata["flag"]` (`overrides`: the repeatable `--override=key=value`). A CLI builds
its flags from `dataclasses.fields(TrainConfig)` (`gan_zoo.cli.config_flags`). The help texts
start with their group: `[model]`, `[training]` or `[infrastructure]`.
"""

import dataclasses
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gan_zoo.families.config import PresetConfig

# The fixed choices of some fields, written out so that `gan-zoo train --help` builds its flags
# without importing TensorFlow; tests/examples/test_cli.py checks that each is the library's
# (`distribute.STRATEGIES`, `precision.POLICIES`, `engine.NAN_POLICIES`, `data.CORRUPT_IMAGES`).
STRATEGIES = ("default", "one_device", "mirrored", "multi_worker", "tpu")
MIXED_PRECISION_POLICIES = ("off", "mixed_float16", "mixed_bfloat16")
NAN_POLICIES = ("stop", "skip")
CORRUPT_IMAGES = ("error", "skip")

# `verbose`'s values: Keras' progress settings.
VERBOSITIES = ("auto", 0, 1, 2)


def _field(
    default: Any = dataclasses.MISSING,
    help_text: str = "",
    choices: tuple | None = None,
    factory: Any = dataclasses.MISSING,
    flag: str | None = None,
) -> Any:
    """A dataclass field with its CLI help (and choices, and flag name) in `metadata`."""
    metadata: dict[str, Any] = {"help": help_text}
    if choices is not None:
        metadata["choices"] = tuple(choices)
    if flag is not None:
        metadata["flag"] = flag
    return dataclasses.field(default=default, default_factory=factory, metadata=metadata)


@dataclasses.dataclass
class TrainConfig:
    """Everything a training run needs; the `train` CLI fills it from flags.

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
        overrides: dict. Other preset fields to change (`{"latent_dim": 64}`); the CLI's
            repeatable `--override=key=value`.
        restart: bool. Delete the files gan_zoo wrote in the run directory (checkpoints,
            history, samples, TensorBoard events, export; other files are kept) and start at
            epoch 0; refused on a directory that is not a gan_zoo run. When False a directory
            with a checkpoint is resumed. Defaults to False.
        nan_policy: str. `"stop"`: a NaN or infinite loss stops training and `train` raises
            `TrainingDiverged`; `"skip"`: the model drops such updates and logs their count
            (`skipped_updates`). Defaults to `"stop"`.
        mixed_precision: str. A `gan_zoo.precision.POLICIES` name: `"off"` (float32),
            `"mixed_float16"` or `"mixed_bfloat16"`. Defaults to `"off"`.
        corrupt_images: str. `folder:` datasets only: `"error"` (an undecodable file is an
            error naming it) or `"skip"` (leave such files out, logging how many). Defaults to
            `"error"`.
    """

    preset: str = _field(
        "dcgan_digits",
        "[model] Which recipe to train (algorithm + networks + data + settings), e.g. "
        "dcgan_digits, gan_ring8, wgan_gp_ring8, cgan_digits, stylegan_digits, "
        "cyclegan_digits_thickness; a wrong name lists them all (gan_zoo.list_presets()).",
    )
    out_dir: str | None = _field(
        None,
        "[infrastructure] Run directory (default: runs/<preset>). One with a checkpoint is "
        "resumed from its newest one.",
    )
    epochs: int | None = _field(None, "[training] Epochs (default: the preset's).")
    batch_size: int | None = _field(
        None, "[training] Global batch size over all replicas (default: the preset's)."
    )
    steps_per_epoch: int | None = _field(
        None, "[training] Steps per epoch over a repeated dataset (default: one pass)."
    )
    dataset: str | None = _field(
        None,
        "[training] Replace the preset's data: gan_zoo_mnist (5,000 real MNIST digits, offline), "
        "mnist (TFDS's 70,000, downloads), gan_zoo_digits, stacked_mnist, stacked_digits, "
        "gaussian_mixture/ring8|grid25, folder:PATH or any TFDS name; CycleGAN presets take "
        "unpaired data: digits_thickness or cycle_gan/<pair>.",
    )
    image_size: int | None = _field(None, "[training] Image side (default: the preset's).")
    data_dir: str | None = _field(None, "[training] TFDS data directory.")
    seed: int = _field(0, "[training] Seeds weights, noise and data shuffling.")
    strategy: str = _field(
        "default",
        "[infrastructure] tf.distribute strategy: default (one device), one_device, mirrored (all "
        "local GPUs, or --devices), multi_worker (MultiWorkerMirroredStrategy: run the same "
        "command on every worker with TF_CONFIG set; only the chief writes --out_dir), tpu "
        "(TPUStrategy on TPU_NAME's TPU or this TPU VM's). --batch_size is the global batch over "
        "all replicas.",
        choices=STRATEGIES,
    )
    devices: list[str] = _field(
        help_text="[infrastructure] Devices for mirrored/one_device, e.g. /gpu:0,/gpu:1.",
        factory=list,
    )
    jit_compile: bool | str = _field(
        "auto",
        "[infrastructure] XLA-compile the training step: --jit_compile, --nojit_compile, or "
        "--jit_compile=auto (the default: on where the strategy runs on GPUs or TPUs, off on "
        "CPUs).",
        choices=("auto", True, False),
    )
    steps_per_execution: int = _field(1, "[infrastructure] Training steps per compiled call.")
    num_samples: int = _field(64, "[infrastructure] Images per sample grid.")
    sample_every: int = _field(1, "[infrastructure] Epochs between sample grids.")
    checkpoint_every: int = _field(
        1, "[infrastructure] Epochs between checkpoints (the newest 3 are kept)."
    )
    eval_every: int = _field(
        0, "[infrastructure] Evaluate every N epochs (FID etc. vs the real floor); 0: off."
    )
    eval_samples: int = _field(1000, "[infrastructure] Generated samples per evaluation.")
    export: bool = _field(True, "[infrastructure] Export a SavedModel at the end.")
    verbose: int | str = _field(
        "auto",
        "[infrastructure] Progress: auto, 0 silent, 1 bar, 2 one line per epoch.",
        choices=VERBOSITIES,
    )
    overrides: dict[str, Any] = _field(
        help_text="[model] Change a preset setting: key=value, repeatable "
        "(e.g. latent_dim=64, d_steps=2, loss=hinge).",
        factory=dict,
        flag="override",
    )
    restart: bool = _field(
        False,
        "[infrastructure] Delete the files gan_zoo wrote in --out_dir (checkpoints, history, "
        "samples, logs, export; your own files stay) and start at epoch 0 instead of resuming. "
        "Refused on a directory that is not a gan_zoo run.",
    )
    nan_policy: str = _field(
        "stop",
        "[infrastructure] A NaN or infinite loss: stop (exit status 3, naming the step and the "
        "loss; the last good checkpoint is kept) or skip (drop that update, count it in the "
        "logged skipped_updates).",
        choices=NAN_POLICIES,
    )
    mixed_precision: str = _field(
        "off",
        "[infrastructure] float16/bfloat16 compute with float32 variables; float16 adds loss "
        "scaling.",
        choices=MIXED_PRECISION_POLICIES,
    )
    corrupt_images: str = _field(
        "error",
        "[training] folder: datasets: an undecodable image file is an error naming it, or is "
        "skipped (the count is logged).",
        choices=CORRUPT_IMAGES,
    )


# Settings that must be positive integers (eval_every may also be 0: off).
_POSITIVE = (
    "steps_per_execution",
    "num_samples",
    "sample_every",
    "checkpoint_every",
    "eval_samples",
)
# TrainConfig fields that `resolve` moves into the preset (they are not kept under "run").
_INTO_PRESET = ("epochs", "batch_size", "steps_per_epoch", "dataset", "image_size")


def resolve(config: TrainConfig) -> tuple["PresetConfig", dict[str, Any]]:
    """Applies the config's overrides to its preset.

    Returns:
        `(preset, resolved)`: the effective preset (its family's config) and a JSON-ready
        dict of every setting, `{"preset": ..., "run": ...}` (what `config.json` records).

    Raises:
        ValueError: an unknown preset or setting, or a value out of range.
    """
    from gan_zoo import data, families, precision  # noqa: PLC0415 (TensorFlow: not for --help)

    preset = families.get_preset(config.preset)
    changes = dict(config.overrides)
    for key in _INTO_PRESET:
        value = getattr(config, key)
        if value is not None:
            changes[key] = value
    preset = preset.replace(**changes)
    channels_note = None
    if data.is_folder_name(preset.dataset) and preset.channels is not None:
        preset, channels_note = _folder_channels(preset, "channels" in changes)
    _check_data_kind(preset)
    if config.eval_every < 0:
        raise ValueError(
            f"eval_every must be 0 (off) or a positive integer; got {config.eval_every}"
        )
    for key in _POSITIVE:
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
    for key in (*_INTO_PRESET, "overrides", "restart"):
        run.pop(key)
    return preset, {"preset": preset.to_dict(), "run": run}


def _check_data_kind(preset: "PresetConfig") -> None:
    """Raises ValueError unless translation presets get unpaired data and the others not."""
    from gan_zoo import data  # noqa: PLC0415 (TensorFlow: not for --help)

    unpaired = data.unpaired.is_unpaired_name(preset.dataset)
    translation = preset.family.task == "translation"
    if translation and not unpaired:
        raise ValueError(
            f"{preset.name} translates between two domains and needs unpaired (a, b) data: "
            f"digits_thickness or cycle_gan/<pair>; got dataset {preset.dataset!r}"
        )
    if unpaired and not translation:
        raise ValueError(
            f"dataset {preset.dataset!r} yields unpaired (a, b) pairs for translation presets "
            f"(cyclegan_*); {preset.name} needs single images"
        )


def _folder_channels(preset: "PresetConfig", overridden: bool) -> tuple["PresetConfig", str]:
    """Gives an image preset the channels of its `folder:PATH` images, and says so.

    A folder holding any colour file trains in colour (3 channels) and an all-grayscale one
    in grayscale, whatever the preset was built for (`dcgan_digits` has 1), unless
    `--override=channels=N` chose: then the files are converted to N channels.

    Returns:
        `(preset, note)`: the preset with its channels set, and one sentence for the run's log.
    """
    from gan_zoo import data  # noqa: PLC0415 (TensorFlow: not for --help)

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
