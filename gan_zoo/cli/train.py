r"""Trains a gan_zoo preset with model.fit() and writes a run directory.

Examples:
  gan-zoo train --preset=dcgan_digits --out_dir=runs/demo
  gan-zoo train --preset=gan_ring8 --epochs=5 --dry_run
  gan-zoo train --preset=dcgan_digits --strategy=mirrored --batch_size=128
  gan-zoo train --preset=gan_digits --override=latent_dim=64 \
      --override=d_learning_rate=1e-4
  # rerun the same command after a crash: it resumes from the newest checkpoint
  gan-zoo train --preset=dcgan_digits --out_dir=runs/demo
  gan-zoo train --preset=dcgan_digits --out_dir=runs/demo --restart  # start over
  # two machines (run on each, with its own task index; only the chief writes --out_dir):
  TF_CONFIG='{"cluster": {"worker": ["host0:12345", "host1:12345"]},
              "task": {"type": "worker", "index": 0}}' \
      gan-zoo train --preset=dcgan_digits --strategy=multi_worker --batch_size=128

The run directory holds config.json (written first), samples/ (a PNG grid per epoch),
history.json and loss_curves.png, checkpoints/, logs/ (TensorBoard) and saved_model/.

Resuming: a run directory with a checkpoint is continued from its newest one (model, EMA,
optimizers, epoch and step; the data resume where they were), so rerunning the same command
after a crash or a kill ends as an uninterrupted run would; `--restart` deletes the files the
old run wrote and starts over. Resuming with another preset or other network settings is an
error. A damaged checkpoint is skipped for the next older one (and kept in
checkpoints/damaged/), unusable JSON files are kept as *.damaged, and one run directory takes
one trainer at a time (`make reliability` shows each case).

Exit status: 0 trained; 2 bad input (one line on stderr); 3 training diverged (a NaN or
infinite loss under --nan_policy=stop: one line on stderr naming the step, the loss and the
last good checkpoint, which is kept).
"""

import json
import logging as std_logging
import os
import sys
import textwrap

from absl import flags, logging

from gan_zoo.cli import common, config_flags

FLAGS = flags.FLAGS

# Every flag but --dry_run is a field of `gan_zoo.training.TrainConfig` (`config_flags`
# generates them: name, type, default, help and choices from the field); the groups are how
# --help presents them. A field missing here is listed under "other".
GROUPS = {
    "model": ["preset", "override"],
    "training": [
        "epochs",
        "batch_size",
        "steps_per_epoch",
        "seed",
        "dataset",
        "image_size",
        "data_dir",
        "corrupt_images",
    ],
    "infrastructure": [
        "out_dir",
        "restart",
        "strategy",
        "devices",
        "jit_compile",
        "steps_per_execution",
        "mixed_precision",
        "nan_policy",
        "num_samples",
        "sample_every",
        "checkpoint_every",
        "eval_every",
        "eval_samples",
        "export",
        "verbose",
        "dry_run",
    ],
}
# The flags --help shows (--helpfull shows all).
COMMON_FLAGS = [
    "preset",
    "override",
    "out_dir",
    "epochs",
    "batch_size",
    "dataset",
    "image_size",
    "restart",
    "strategy",
    "mixed_precision",
    "export",
    "dry_run",
]
QUIET_NOTE = """\
Quiet by default: TensorFlow's C++ log lines are kept off stderr; --verbosity=0 (absl's flag)
shows them and INFO logs. --help shows the common flags, --helpfull every flag."""

_DEFINED: list[config_flags.ConfigFlag] = []


def train_config_class() -> type:
    """`gan_zoo.training.TrainConfig`, the dataclass the flags are generated from."""
    from gan_zoo.training import TrainConfig

    return TrainConfig


def define_flags(flag_values: flags.FlagValues = FLAGS) -> list[config_flags.ConfigFlag]:
    """Defines train's flags (once per process): TrainConfig's fields, then --dry_run."""
    if _DEFINED:
        return _DEFINED
    groups = {flag: group for group, names in GROUPS.items() for flag in names}
    _DEFINED[:] = config_flags.define_flags(
        train_config_class(), flag_values, __name__, groups=groups
    )
    flags.DEFINE_bool(
        "dry_run",
        False,
        "[infrastructure] Print the resolved configuration and exit.",
        flag_values=flag_values,
        module_name=__name__,
    )
    return _DEFINED


def group_summary(flag_values: flags.FlagValues = FLAGS) -> str:
    """The help's "Flags by group" block: every flag of this program, in `GROUPS`' order."""
    own = {flag.name for flag in flag_values.get_flags_for_module(__name__)}
    grouped = {group: [name for name in names if name in own] for group, names in GROUPS.items()}
    listed = {name for names in grouped.values() for name in names}
    other = sorted(own - listed)
    if other:
        grouped["other"] = other
    lines = ["Flags by group (details below, alphabetical):"]
    for group, names in grouped.items():
        lines += textwrap.wrap(
            " ".join(f"--{name}" for name in names),
            width=90,
            initial_indent=f"  {group:<16}",
            subsequent_indent=" " * 18,
        )
    return "\n".join(lines)


def help_doc() -> str:
    """The text --help prints above the flags."""
    return f"{__doc__.strip()}\n\n{group_summary()}\n\n{QUIET_NOTE}"


def config_from_flags():
    """The `TrainConfig` of the parsed flags.

    Raises:
        ValueError: an --override that is not key=value.
    """
    return config_flags.config_from_flags(train_config_class(), define_flags(), FLAGS)


def main(argv):
    """Trains, or prints the configuration with --dry_run."""
    del argv
    if common.requested_verbosity() is None:  # TF's checkpoint saver logs at INFO
        logging.set_verbosity(logging.WARNING)
    from gan_zoo import training

    try:
        config = config_from_flags()
        if FLAGS.dry_run:
            _, resolved = training.resolve(config)
            print(json.dumps(resolved, indent=2))
            return 0
        summary = training.train(config)
    except ValueError as error:  # bad input: one line, no stack trace
        print(f"error: {error}", file=sys.stderr)
        # and no teardown warnings (a checkpoint that did not fit leaves unrestored values)
        std_logging.getLogger("tensorflow").setLevel(std_logging.ERROR)
        return 2
    except training.TrainingDiverged as error:  # a NaN: one line, the last checkpoint kept
        print(f"error: {error}", file=sys.stderr)
        return 3
    final = ", ".join(f"{k}={v:.4f}" for k, v in sorted(summary["final"].items()))
    if summary["history"]:
        print(f"\ntrained {config.preset} in {summary['seconds']:.0f} s; last epoch: {final}")
    else:  # a finished run: training.train said so; say what is there, not what was done
        print(f"last epoch of the run: {final or 'none logged'}")
        print("(pass a larger --epochs to continue it, or --restart to train it again)")
    if not summary.get("chief", True):
        print(f"this worker is not the chief: the chief writes {summary['out_dir']}")
        return 0
    out_dir = summary["out_dir"]
    latest = os.path.join(out_dir, "samples", "latest.png")
    samples = summary["samples"] or (latest if os.path.exists(latest) else None)
    curves = os.path.join(out_dir, "loss_curves.png")
    print(f"run directory:  {out_dir}")
    for label, path in (
        ("sample grid", samples),
        ("loss curves", curves if os.path.exists(curves) else None),
        ("SavedModel", summary["saved_model"]),
    ):
        if path:
            print(f"{label + ':':<15} {path}")
    return 0


def run(argv: list[str] | None = None) -> None:
    """`gan-zoo train`: `argv` is the program name, then the flags; exits with main's status."""
    common.run_subcommand(define_flags, main, help_doc(), FLAGS, __name__, COMMON_FLAGS, argv)
