"""`train(config)`: strategy → data → model → callbacks → fit → export, into one run directory.

Modules: `config` (`TrainConfig`, `resolve`), `fit` (`train`), `resume` (the epoch to start at,
restoring, `check_resumable`), `run_directory` (every file a run writes: layout, lock, atomic
JSON, restart, repairs), `callbacks` (sample grids, history, TensorBoard, NaN guard,
evaluation), `checkpointing` (`Checkpointer`), `divergence` (`TrainingDiverged`).

Run directory layout (DESIGN.md; `run_directory`):

    config.json        the resolved configuration, written before training starts
    samples/           epoch_0001.png ... a grid (or scatter plot) per epoch from fixed noise
    history.json       per-epoch logs;  loss_curves.png  their plot
    checkpoints/       tf.train checkpoints of model and optimizers (newest 3)
    logs/              TensorBoard scalars and sample images
    saved_model/       the exported generator (see `gan_zoo.export`)

Resuming: `train` on a run directory that holds a checkpoint continues from the newest one
(written atomically by `Checkpointer`): it restores the model (networks, EMA generator,
StyleGAN's w̄ and path-length mean, CycleGAN's image pools), every optimizer (so the training
step, on which every random draw is keyed), dropout seed states and the epoch, feeds the data
from where the interrupted run was (`resume.resume_data`), and trains to the configured number
of epochs: a run killed and rerun ends with the same weights as one never interrupted
(`tests/test_resume.py`, `tests/test_crash.py`). `history.json` continues from the restored
epoch. The directory's `config.json` must describe the same preset and networks
(`check_resumable`); `TrainConfig.restart` deletes the files gan_zoo wrote there (and
refuses on a directory that is not a gan_zoo run) and starts over.

Damage and accidents (`run_directory`; `make reliability` runs each through the CLI): the
run directory is locked for one trainer (a second one stops at once naming the first; a lock
left by a killed process is taken over). A checkpoint that does not read back is skipped for
the next older one and moved into `checkpoints/damaged/`; a missing or garbage checkpoint
index is rebuilt from the checkpoint files; an unusable `config.json` or `history.json` is
kept as `<name>.damaged`; each is reported on stderr. Checkpoints none of which loads are an
error, and nothing is deleted that the user did not ask to delete. An export interrupted by
a kill is finished or undone before the run starts (`gan_zoo.export.recover`). `--out_dir`
and `--data_dir` that cannot be used are one-line errors before any work; `config.json`
records the devices that ran (`run.devices_used`) and whether XLA was on (`run.xla`).

Divergence: with `nan_policy="stop"` a NaN or infinite log stops training (`DivergenceGuard`),
nothing more is checkpointed, and `train` raises `TrainingDiverged` naming the step, the loss
and the last good checkpoint. With `nan_policy="skip"` the model drops such updates and logs
their count (`skipped_updates`).

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

import importlib

# Public name → the submodule defining it. Loaded on first use, so that `gan_zoo.training.config`
# (what `gan-zoo train --help` needs) imports without TensorFlow.
_WHERE = {
    "DivergenceGuard": "callbacks",
    "EvaluationCallback": "callbacks",
    "HistoryWriter": "callbacks",
    "SampleGrid": "callbacks",
    "TensorBoard": "callbacks",
    "TranslationGrid": "callbacks",
    "Checkpointer": "checkpointing",
    "checkpoint_items": "checkpointing",
    "weights_are_finite": "checkpointing",
    "NAN_POLICIES": "config",
    "TrainConfig": "config",
    "resolve": "config",
    "TrainingDiverged": "divergence",
    "train": "fit",
    "STRUCTURAL_SETTINGS": "resume",
    "check_resumable": "resume",
    "LOCK_FILE": "run_directory",
    "RunLock": "run_directory",
    "RunLockedError": "run_directory",
    "write_json": "run_directory",
}
_SUBMODULES = (
    "callbacks",
    "checkpointing",
    "config",
    "divergence",
    "fit",
    "resume",
    "run_directory",
)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"gan_zoo.training.{_WHERE[name]}"), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"gan_zoo.training.{name}")
    raise AttributeError(f"module 'gan_zoo.training' has no attribute {name!r}")


__all__ = [
    "LOCK_FILE",
    "NAN_POLICIES",
    "STRUCTURAL_SETTINGS",
    "Checkpointer",
    "DivergenceGuard",
    "EvaluationCallback",
    "HistoryWriter",
    "RunLock",
    "RunLockedError",
    "SampleGrid",
    "TensorBoard",
    "TrainConfig",
    "TrainingDiverged",
    "TranslationGrid",
    "check_resumable",
    "checkpoint_items",
    "resolve",
    "train",
    "weights_are_finite",
    "write_json",
]
