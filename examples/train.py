r"""Trains a gan_zoo preset with model.fit() and writes a run directory.

Examples:
  python examples/train.py --preset=dcgan_digits --out_dir=runs/demo
  python examples/train.py --preset=gan_ring8 --epochs=5 --dry_run
  python examples/train.py --preset=dcgan_digits --strategy=mirrored --batch_size=128
  python examples/train.py --preset=gan_digits --override=latent_dim=64 \
      --override=d_learning_rate=1e-4
  # rerun the same command after a crash: it resumes from the newest checkpoint
  python examples/train.py --preset=dcgan_digits --out_dir=runs/demo
  python examples/train.py --preset=dcgan_digits --out_dir=runs/demo --restart  # start over
  # two machines (run on each, with its own task index; only the chief writes --out_dir):
  TF_CONFIG='{"cluster": {"worker": ["host0:12345", "host1:12345"]},
              "task": {"type": "worker", "index": 0}}' \
      python examples/train.py --preset=dcgan_digits --strategy=multi_worker --batch_size=128

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

Flags by group (details below, alphabetical):
  model           --preset --override
  training        --epochs --batch_size --steps_per_epoch --seed --dataset --image_size
                  --data_dir --corrupt_images
  infrastructure  --out_dir --restart --strategy --devices --jit_compile
                  --steps_per_execution --mixed_precision --nan_policy --num_samples
                  --sample_every --checkpoint_every --eval_every --eval_samples --export
                  --verbose --dry_run

Quiet by default: TensorFlow's C++ log lines are kept off stderr; --verbosity=0 (absl's flag)
shows them and INFO logs. --help shows the common flags, --helpfull every flag.
"""

import json
import logging as std_logging
import os
import signal
import sys

_EXAMPLES = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [_EXAMPLES, os.path.dirname(_EXAMPLES)]  # cli_support, then gan_zoo (a checkout)
import cli_support  # noqa: E402 (examples/cli_support.py: no TensorFlow, no gan_zoo)

cli_support.quiet_native_logs()  # TF's C++ log lines off stderr unless --verbosity asks

from absl import app, flags, logging  # noqa: E402

# Flag choices, written out so that --help needs no TensorFlow (`import gan_zoo` loads it);
# tests/examples/test_cli.py checks them against gan_zoo's own lists.
STRATEGIES = ("default", "one_device", "mirrored", "multi_worker", "tpu")
MIXED_PRECISION_POLICIES = ("off", "mixed_float16", "mixed_bfloat16")
NAN_POLICIES = ("stop", "skip")
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

# Model.
flags.DEFINE_string(
    "preset",
    "dcgan_digits",
    "[model] Which recipe to train (algorithm + networks + data + settings), e.g. "
    "dcgan_digits, gan_ring8, wgan_gp_ring8, cgan_digits, stylegan_digits, "
    "cyclegan_digits_thickness; a wrong name lists them all (gan_zoo.list_presets()).",
)
flags.DEFINE_multi_string(
    "override",
    [],
    "[model] Change a preset setting: key=value, repeatable "
    "(e.g. latent_dim=64, d_steps=2, loss=hinge).",
)
# Training.
flags.DEFINE_integer("epochs", None, "[training] Epochs (default: the preset's).")
flags.DEFINE_integer(
    "batch_size", None, "[training] Global batch size over all replicas (default: the preset's)."
)
flags.DEFINE_integer(
    "steps_per_epoch",
    None,
    "[training] Steps per epoch over a repeated dataset (default: one pass).",
)
flags.DEFINE_integer("seed", 0, "[training] Seeds weights, noise and data shuffling.")
flags.DEFINE_string(
    "dataset",
    None,
    "[training] Replace the preset's data: gan_zoo_digits, stacked_digits, "
    "gaussian_mixture/ring8|grid25, folder:PATH or any TFDS name; CycleGAN presets take "
    "unpaired data: digits_thickness or cycle_gan/<pair>.",
)
flags.DEFINE_integer("image_size", None, "[training] Image side (default: the preset's).")
flags.DEFINE_string("data_dir", None, "[training] TFDS data directory.")
# Infrastructure.
flags.DEFINE_string(
    "out_dir",
    None,
    "[infrastructure] Run directory (default: runs/<preset>). One with a checkpoint is resumed "
    "from its newest one.",
)
flags.DEFINE_bool(
    "restart",
    False,
    "[infrastructure] Delete the files gan_zoo wrote in --out_dir (checkpoints, history, "
    "samples, logs, export; your own files stay) and start at epoch 0 instead of resuming. "
    "Refused on a directory that is not a gan_zoo run.",
)
flags.DEFINE_enum(
    "strategy",
    "default",
    list(STRATEGIES),
    "[infrastructure] tf.distribute strategy: default (one device), one_device, mirrored (all "
    "local GPUs, or --devices), multi_worker (MultiWorkerMirroredStrategy: run the same command "
    "on every worker with TF_CONFIG set; only the chief writes --out_dir), tpu (TPUStrategy on "
    "TPU_NAME's TPU or this TPU VM's). --batch_size is the global batch over all replicas.",
)
flags.DEFINE_list(
    "devices", [], "[infrastructure] Devices for mirrored/one_device, e.g. /gpu:0,/gpu:1."
)


class _AutoBooleanParser(flags.BooleanParser):
    """A boolean flag's parser that also takes "auto" (parsed as None: the default)."""

    def parse(self, argument):
        if isinstance(argument, str) and argument.strip().lower() == "auto":
            return None
        try:
            return super().parse(argument)
        except ValueError:
            raise ValueError(f"expected true, false or auto; got {argument!r}") from None

    def flag_type(self):
        return "bool or auto"


flags.DEFINE_flag(
    flags.BooleanFlag(
        "jit_compile",
        None,
        "[infrastructure] XLA-compile the training step: --jit_compile, --nojit_compile, or "
        "--jit_compile=auto (the default: on where the strategy runs on GPUs or TPUs, off on "
        "CPUs).",
    )
)
flags.FLAGS["jit_compile"].parser = _AutoBooleanParser()
flags.DEFINE_integer("steps_per_execution", 1, "[infrastructure] Training steps per compiled call.")
flags.DEFINE_enum(
    "mixed_precision",
    "off",
    list(MIXED_PRECISION_POLICIES),
    "[infrastructure] float16/bfloat16 compute with float32 variables; float16 adds loss scaling.",
)
flags.DEFINE_enum(
    "nan_policy",
    "stop",
    list(NAN_POLICIES),
    "[infrastructure] A NaN or infinite loss: stop (exit status 3, naming the step and the "
    "loss; the last good checkpoint is kept) or skip (drop that update, count it in the logged "
    "skipped_updates).",
)
flags.DEFINE_enum(
    "corrupt_images",
    "error",
    ["error", "skip"],
    "[training] folder: datasets: an undecodable image file is an error naming it, or is "
    "skipped (the count is logged).",
)
flags.DEFINE_integer("num_samples", 64, "[infrastructure] Images per sample grid.")
flags.DEFINE_integer("sample_every", 1, "[infrastructure] Epochs between sample grids.")
flags.DEFINE_integer(
    "checkpoint_every", 1, "[infrastructure] Epochs between checkpoints (the newest 3 are kept)."
)
flags.DEFINE_integer(
    "eval_every",
    0,
    "[infrastructure] Evaluate every N epochs (FID etc. vs the real floor); 0: off.",
)
flags.DEFINE_integer("eval_samples", 1000, "[infrastructure] Generated samples per evaluation.")
flags.DEFINE_bool("export", True, "[infrastructure] Export a SavedModel at the end.")
flags.DEFINE_enum(
    "verbose",
    "auto",
    ["auto", "0", "1", "2"],
    "[infrastructure] Progress: auto, 0 silent, 1 bar, 2 one line per epoch.",
)
flags.DEFINE_bool("dry_run", False, "[infrastructure] Print the resolved configuration and exit.")

FLAGS = flags.FLAGS


def parse_overrides(items: list[str]) -> dict:
    """Parses `key=value` strings; values are JSON when they parse, else strings."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--override expects key=value; got {item!r}")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def config_from_flags():
    """Builds a `gan_zoo.training.TrainConfig` from the parsed flags."""
    from gan_zoo import training

    return training.TrainConfig(
        preset=FLAGS.preset,
        out_dir=FLAGS.out_dir,
        epochs=FLAGS.epochs,
        batch_size=FLAGS.batch_size,
        steps_per_epoch=FLAGS.steps_per_epoch,
        dataset=FLAGS.dataset,
        image_size=FLAGS.image_size,
        data_dir=FLAGS.data_dir,
        seed=FLAGS.seed,
        strategy=FLAGS.strategy,
        devices=FLAGS.devices,
        jit_compile="auto" if FLAGS.jit_compile is None else FLAGS.jit_compile,
        steps_per_execution=FLAGS.steps_per_execution,
        num_samples=FLAGS.num_samples,
        sample_every=FLAGS.sample_every,
        checkpoint_every=FLAGS.checkpoint_every,
        eval_every=FLAGS.eval_every,
        eval_samples=FLAGS.eval_samples,
        export=FLAGS.export,
        verbose=FLAGS.verbose if FLAGS.verbose == "auto" else int(FLAGS.verbose),
        overrides=parse_overrides(FLAGS.override),
        restart=FLAGS.restart,
        nan_policy=FLAGS.nan_policy,
        mixed_precision=FLAGS.mixed_precision,
        corrupt_images=FLAGS.corrupt_images,
    )


# Test-only hooks (environment variables; not user documentation):
#   GAN_ZOO_FINAL_WEIGHTS=PATH.npz  every worker writes its model's final weights (`arr_0`,
#       `arr_1`, ... in `model.weights` order) to that file (tests/test_multi_worker.py compares
#       the workers' weights with it; tests/test_crash.py a resumed run's with an uninterrupted
#       one's).
#   GAN_ZOO_KILL_IN_CHECKPOINT=N  while writing the checkpoint of epoch N, once its files are
#       written and before the checkpoint index names it, the process truncates the checkpoint's
#       data file to half (a torn write) and kills itself with SIGKILL (tests/test_crash.py
#       checks that the previous checkpoint still loads and that a rerun resumes from it).
#   GAN_ZOO_KILL_IN_EXPORT=STAGE  the process kills itself with SIGKILL when the export
#       reaches STAGE: written (the new SavedModel complete in its temporary directory),
#       old_moved (between the two renames: no saved_model/, the previous one at
#       saved_model.old), replaced (the new one in place, saved_model.old not yet deleted).
def install_kill_in_checkpoint(epoch: int) -> None:
    """The GAN_ZOO_KILL_IN_CHECKPOINT hook: die mid-write of epoch `epoch`'s checkpoint."""
    from gan_zoo import callbacks

    def kill(prefix: str) -> None:
        if not prefix.endswith(f"-{epoch}"):
            return
        directory = os.path.dirname(prefix)
        for name in os.listdir(directory):
            if name.startswith(os.path.basename(prefix) + ".data-"):
                path = os.path.join(directory, name)
                os.truncate(path, os.path.getsize(path) // 2)
        os.kill(os.getpid(), signal.SIGKILL)

    callbacks.Checkpointer.after_write = staticmethod(kill)


def install_kill_in_export(stage: str) -> None:
    """The GAN_ZOO_KILL_IN_EXPORT hook: die with SIGKILL when the export reaches `stage`."""
    from gan_zoo import export

    def kill(reached: str) -> None:
        if reached == stage:
            os.kill(os.getpid(), signal.SIGKILL)

    export.after_stage = kill


def main(argv):
    """Trains, or prints the configuration with --dry_run."""
    del argv
    if cli_support.requested_verbosity() is None:  # TF's checkpoint saver logs at INFO
        logging.set_verbosity(logging.WARNING)
    from gan_zoo import training

    try:
        config = config_from_flags()
        if FLAGS.dry_run:
            _, resolved = training.resolve(config)
            print(json.dumps(resolved, indent=2))
            return 0
        kill_epoch = os.environ.get("GAN_ZOO_KILL_IN_CHECKPOINT")
        if kill_epoch:
            install_kill_in_checkpoint(int(kill_epoch))
        kill_stage = os.environ.get("GAN_ZOO_KILL_IN_EXPORT")
        if kill_stage:
            install_kill_in_export(kill_stage)
        summary = training.train(config)
    except ValueError as error:  # bad input: one line, no stack trace
        print(f"error: {error}", file=sys.stderr)
        # and no teardown warnings (a checkpoint that did not fit leaves unrestored values)
        std_logging.getLogger("tensorflow").setLevel(std_logging.ERROR)
        return 2
    except training.TrainingDiverged as error:  # a NaN: one line, the last checkpoint kept
        print(f"error: {error}", file=sys.stderr)
        return 3
    weights_path = os.environ.get("GAN_ZOO_FINAL_WEIGHTS")
    if weights_path:
        import numpy as np

        weights = [np.asarray(w.numpy()) for w in summary["model"].weights]
        np.savez(weights_path, *weights)
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


if __name__ == "__main__":
    cli_support.handle_help(__doc__, FLAGS, __name__, COMMON_FLAGS)
    app.run(main)
