r"""Exports a gan_zoo model as a SavedModel: a run directory's newest checkpoint or a .keras file.

  gan-zoo export --run_dir=runs/demo                       # into runs/demo/saved_model
  gan-zoo export --run_dir=runs/demo --out=/tmp/demo_model
  gan-zoo export --keras_file=dcgan.keras --out=dcgan_saved_model

A run directory's model is rebuilt from its config.json (preset and settings, mixed precision)
and restored from its newest checkpoint that reads back (a damaged one is skipped and named;
nothing in the run directory changes but --out). A .keras file is one written by
`model.save(...)` of a gan_zoo model. Either way `gan_zoo.export.export_model` writes the
SavedModel every family serves (`serving_default`, and `translate_*` / `map` / `synthesize`
where the family has them) with its gan_zoo.json, atomically: an export already at --out is
replaced only once the new one is complete. `gan-zoo generate` and `gan-zoo evaluate` take it.

Exit status: 0 exported; 2 bad input (one line on stderr).
"""

import os
import re
import sys

from absl import flags, logging

from gan_zoo.cli import common

FLAGS = flags.FLAGS
COMMON_FLAGS = ["run_dir", "keras_file", "out"]


def define_flags() -> None:
    """Defines export's flags in absl's FLAGS (once per process)."""
    if "run_dir" in FLAGS:
        return
    flags.DEFINE_string(
        "run_dir",
        None,
        "Run directory (gan-zoo train's --out_dir) whose newest checkpoint to export.",
    )
    flags.DEFINE_string(
        "keras_file", None, "A .keras file saved by model.save() to export instead of a run."
    )
    flags.DEFINE_string(
        "out",
        None,
        "SavedModel directory to write (replaced atomically). Default: <run_dir>/saved_model, "
        "or the .keras file's path without .keras plus _saved_model.",
    )


def _default_out(run_dir: str | None, keras_file: str | None) -> str:
    if run_dir:
        return os.path.join(run_dir, "saved_model")
    return re.sub(r"\.keras$", "", keras_file) + "_saved_model"


def _read_run_config(run_dir: str) -> dict:
    """The run's config.json, checked to be a gan_zoo run's.

    Raises:
        ValueError: no such directory, no checkpoint, or an unusable config.json.
    """
    from gan_zoo.training import run_directory

    if not os.path.isdir(run_dir):
        raise ValueError(f"--run_dir {run_dir!r} is not a directory")
    path = os.path.join(run_dir, run_directory.CONFIG)
    config, problem = run_directory.read_json(path)
    if config is None and problem is None:
        problem = "it does not exist; is this a gan_zoo run directory?"
    if problem is None and not run_directory.is_config(config):
        problem = "it is not a gan_zoo config (an object with preset and run)"
    if problem:
        raise ValueError(f"cannot export {run_dir}: {path} is unusable ({problem})")
    return config


def _newest_checkpoint(run_dir: str) -> str:
    """The newest checkpoint of `run_dir` that reads back; warns about each skipped one.

    Raises:
        ValueError: no checkpoint, or none that reads back.
    """
    from gan_zoo.training import run_directory

    directory = os.path.join(run_dir, run_directory.CHECKPOINTS)
    candidates = run_directory.checkpoint_candidates(directory)
    if not candidates:
        raise ValueError(f"cannot export {run_dir}: {directory} holds no checkpoint")
    skipped = []
    for prefix in candidates:
        problem = run_directory.check_checkpoint(prefix)
        if problem is None:
            for name, why in skipped:
                print(f"warning: skipped checkpoint {name}: {why}", file=sys.stderr)
            return prefix
        skipped.append((os.path.basename(prefix), problem))
    reasons = "; ".join(f"{name}: {why}" for name, why in skipped)
    raise ValueError(
        f"cannot export {run_dir}: none of its {len(candidates)} checkpoint(s) reads back "
        f"({reasons})"
    )


def model_from_run(run_dir: str):
    """Rebuilds the model of `run_dir`'s config.json and restores its newest checkpoint.

    Returns:
        `(model, metadata)`: the restored model and gan_zoo.json entries (preset, epochs,
        seed, checkpoint).

    Raises:
        ValueError: (one line) see `_read_run_config` and `_newest_checkpoint`; a preset this
            version cannot build, or a checkpoint that does not fit it.
    """
    config = _read_run_config(run_dir)
    prefix = _newest_checkpoint(run_dir)

    from gan_zoo import families, precision
    from gan_zoo.training import Checkpointer, checkpointing

    run = config["run"]
    preset = families.from_dict(config["preset"])
    with precision.policy_scope(run.get("mixed_precision", "off")):
        model = families.build(preset, seed=run.get("seed", 0))
    checkpointer = Checkpointer(os.path.dirname(prefix))
    try:
        epoch = checkpointer.restore(model, path=prefix)
    except checkpointing.RESTORE_MISMATCH as error:
        raise ValueError(
            f"cannot export {run_dir}: its checkpoint {os.path.basename(prefix)} does not fit "
            f"the model of its config.json ({checkpointing.mismatch_reason(error)})"
        ) from None
    metadata = {
        "preset": preset.name,
        "epochs": epoch,
        "seed": run.get("seed", 0),
        "checkpoint": os.path.basename(prefix),
    }
    return model, metadata


def model_from_keras_file(path: str):
    """Loads a `.keras` file; returns `(model, metadata)` (its preset when it names one).

    Raises:
        ValueError: (one line) a missing, damaged or foreign file (`load_keras_model`).
    """
    import gan_zoo
    from gan_zoo import export

    model = export.load_keras_model(path)
    metadata = {"source": os.path.basename(path)}
    if model.name in gan_zoo.list_presets():
        metadata["preset"] = model.name
    return model, metadata


def main(argv):
    """Exports, or prints a one-line error."""
    del argv
    if common.requested_verbosity() is None:  # TF's checkpoint reader logs at INFO
        logging.set_verbosity(logging.WARNING)
    if bool(FLAGS.run_dir) == bool(FLAGS.keras_file):
        print("error: pass exactly one of --run_dir and --keras_file", file=sys.stderr)
        return 2
    out = FLAGS.out or _default_out(FLAGS.run_dir, FLAGS.keras_file)
    from gan_zoo import export

    try:
        if FLAGS.run_dir:
            model, metadata = model_from_run(FLAGS.run_dir)
            source = f"{FLAGS.run_dir} ({metadata['checkpoint']}, epoch {metadata['epochs']})"
        else:
            model, metadata = model_from_keras_file(FLAGS.keras_file)
            source = FLAGS.keras_file
        path = export.export_model(model, out, metadata)
    except (ValueError, TypeError, OSError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        print(f"error: {message}", file=sys.stderr)
        return 2
    print(f"exported {source} to {path}")
    return 0


def run(argv: list[str] | None = None) -> None:
    """`gan-zoo export`: `argv` is the program name, then the flags; exits with its status."""
    common.run_subcommand(define_flags, main, __doc__, FLAGS, __name__, COMMON_FLAGS, argv)
