r"""Ships a finished run's generator as the pretrained weights of its preset.

Reads a run directory written by `gan-zoo train` (`gan_zoo.training`): rebuilds the model from
its `config.json` (the resolved preset, seed and precision), restores its newest checkpoint
that reads back (`checkpoints/ckpt-N`: networks, EMA generator, optimizers, epoch), and writes
the sampling generator's weights and their metadata with `gan_zoo.pretrained.save_pretrained`:

    <out_dir>/<preset>.weights.h5   the EMA generator when the preset has ema_decay, else G
    <out_dir>/<preset>.json         config, command, steps, epochs, seconds, CPU, versions,
                                    date, sha256, scores

The training command is the one `config.json` records (`command`, or `run.command`) when
there is one, else `--command`, else one rebuilt from `config.json` (the preset, and the
settings that differ from the registered preset and from the trainer's defaults, as flags).
Training seconds are the sum of `history.json`'s `epoch_seconds` up to the checkpoint's epoch.
The weights are checked before they are written (finite samples) and after (a fresh
`load_pretrained` model gives the same samples as the restored run).

Refused: a run of another preset than --preset, a run whose preset changed a setting that
shapes the generator (`gan_zoo.pretrained.SHAPE_FIELDS`; `build(preset, pretrained=True)` could
not load it), and a run that has not finished its epochs (unless --allow_unfinished).

Examples:
  python scripts/ship_pretrained.py --run_dir=runs/dcgan_mnist --preset=dcgan_mnist
  python scripts/ship_pretrained.py --run_dir=runs/dcgan_mnist --preset=dcgan_mnist \
      --scores=runs/dcgan_mnist/quality.json
  python scripts/ship_pretrained.py --run_dir=runs/x --preset=dcgan_digits --out_dir=/tmp/w
"""

import argparse
import json
import os
import shlex
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

DEFAULT_OUT_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "gan_zoo", "pretrained"
)
# Preset fields `gan-zoo train` has a flag of their own for; others go through --override.
_PRESET_FLAGS = ("epochs", "batch_size", "steps_per_epoch", "dataset", "image_size")
# Run settings that change what is trained, written as flags when not the trainer's default.
_RUN_FLAGS = ("seed", "strategy", "mixed_precision", "nan_policy", "steps_per_execution")
_NOT_SETTINGS = ("name", "description", "paper")


def _fail(message: str) -> None:
    raise SystemExit(f"ship_pretrained: {message}")


def read_json_file(path: str, what: str):
    """The content of JSON file `path`, or a one-line exit naming it."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        _fail(f"{what} {path} does not exist")
    except (OSError, UnicodeDecodeError, ValueError) as error:
        _fail(f"{what} {path} is unreadable ({str(error).splitlines()[0][:120]})")


def rebuilt_command(config: dict, registered: dict) -> str:
    """A `gan-zoo train` command equivalent to the run's `config.json` (preset and run)."""
    from gan_zoo.training.config import TrainConfig

    preset, run = config["preset"], config.get("run", {})
    args = ["gan-zoo", "train", f"--preset={preset['name']}"]
    if run.get("out_dir"):
        args.append(f"--out_dir={run['out_dir']}")
    for key, value in preset.items():
        if key in _NOT_SETTINGS or registered.get(key) == value:
            continue
        if key in _PRESET_FLAGS and value is not None:
            args.append(f"--{key}={value}")
        else:
            args.append(f"--override={key}={json.dumps(value)}")
    defaults = TrainConfig()
    for key in _RUN_FLAGS:
        if key in run and run[key] != getattr(defaults, key):
            args.append(f"--{key}={run[key]}")
    return " ".join(shlex.quote(arg) for arg in args)


def restore_run(run_dir: str, config: dict):
    """The run's model with its newest readable checkpoint; `(model, epoch, checkpoint)`."""
    import keras

    from gan_zoo import families, precision
    from gan_zoo.training import resume, run_directory
    from gan_zoo.training.checkpointing import Checkpointer

    preset = families.from_dict(config["preset"])
    run = config.get("run", {})
    seed = int(run.get("seed", 0))
    keras.utils.set_random_seed(seed)
    with precision.policy_scope(run.get("mixed_precision", "off")):
        model = families.build(preset, seed=seed)
    checkpoint_dir = os.path.join(run_dir, run_directory.CHECKPOINTS)
    candidates = run_directory.checkpoint_candidates(checkpoint_dir)
    if not candidates:
        _fail(f"{checkpoint_dir} holds no checkpoint: is {run_dir} a finished gan_zoo run?")
    problems = []
    for prefix in candidates:
        problem = run_directory.check_checkpoint(prefix)
        if problem is None:
            epoch = resume.restore(run_dir, model, Checkpointer(checkpoint_dir), prefix)
            return model, epoch, prefix
        problems.append(f"{os.path.basename(prefix)}: {problem}")
    _fail(f"no checkpoint of {run_dir} reads back ({'; '.join(problems)})")


def training_seconds(run_dir: str, epoch: int) -> float | None:
    """Sum of `history.json`'s `epoch_seconds` of the first `epoch` epochs (None if absent)."""
    from gan_zoo.training import run_directory

    history, problem = run_directory.read_json(os.path.join(run_dir, run_directory.HISTORY))
    if problem or not isinstance(history, dict):
        return None
    seconds = history.get("epoch_seconds")
    if not isinstance(seconds, list) or len(seconds) < epoch:
        return None
    return float(sum(s for s in seconds[:epoch] if isinstance(s, int | float)))


def ship(
    run_dir: str,
    preset: str,
    scores: str | None = None,
    out_dir: str = DEFAULT_OUT_DIR,
    command: str | None = None,
    allow_unfinished: bool = False,
) -> dict:
    """Writes `<out_dir>/<preset>.weights.h5` and `.json` from run directory `run_dir`.

    Args:
        run_dir: a run directory of `gan-zoo train` (config.json, checkpoints/, history.json).
        preset: the preset the run trained; the weights are shipped under its name.
        scores: a JSON file of quality scores (a dict) to record, or None.
        out_dir: where to write; the package's `gan_zoo/pretrained` by default.
        command: the training command to record, when config.json records none.
        allow_unfinished: ship a run whose newest checkpoint is before its last epoch.

    Returns:
        The metadata written, with `weights_path` and `metadata_path` added.
    """
    import numpy as np

    from gan_zoo import families, pretrained
    from gan_zoo.training.checkpointing import training_step

    registered = families.get_preset(preset).to_dict()  # an unknown name lists the valid ones
    config = read_json_file(os.path.join(run_dir, "config.json"), "run config")
    if not isinstance(config, dict) or not isinstance(config.get("preset"), dict):
        _fail(f"{run_dir}/config.json is not a gan_zoo run config (no preset)")
    trained = config["preset"]
    if trained.get("name") != preset:
        _fail(f"{run_dir} is a run of preset {trained.get('name')!r}, not {preset!r}")
    problem = pretrained.mismatched_field(registered, trained, ("preset", "run"))
    if problem:
        _fail(
            f"{run_dir} changed a setting that shapes the generator ({problem}); "
            f"build({preset!r}, pretrained=True) could not load its weights"
        )
    score_dict = None
    if scores is not None:
        score_dict = read_json_file(scores, "scores file")
        if not isinstance(score_dict, dict):
            _fail(f"scores file {scores} must hold a JSON object, not {type(score_dict).__name__}")
    recorded = config.get("command") or config.get("run", {}).get("command")
    source = "config.json"
    if recorded:
        command = recorded if isinstance(recorded, str) else shlex.join(map(str, recorded))
    elif command:
        source = "--command"
    else:
        command, source = rebuilt_command(config, registered), "rebuilt from config.json"

    model, epoch, checkpoint = restore_run(run_dir, config)
    if epoch < int(trained.get("epochs", 0)) and not allow_unfinished:
        _fail(
            f"{run_dir} stopped at epoch {epoch} of {trained['epochs']} "
            f"({os.path.basename(checkpoint)}); finish it, or pass --allow_unfinished"
        )
    samples = model.generate(16, seed=0)
    if not np.isfinite(samples).all():
        _fail(f"the generator of {checkpoint} makes NaN or infinite samples; not shipped")
    weights_path, metadata_path = pretrained.save_pretrained(
        model,
        families.from_dict(trained),
        out_dir,
        command=command,
        seconds=training_seconds(run_dir, epoch),
        steps=training_step(model),
        epochs=epoch,
        scores=score_dict,
        run={
            **config.get("run", {}),
            "checkpoint": os.path.basename(checkpoint),
            "command_source": source,
        },
    )
    # The round trip users make: a fresh model of the preset with these weights (compared by
    # weights, not samples: a mixed-precision run's model computes in another dtype).
    fresh = pretrained.load_pretrained(families.build(preset), preset, weights_dir=out_dir)
    pairs = zip(fresh.sampling_generator.weights, model.sampling_generator.weights, strict=True)
    if not all(np.array_equal(a.numpy(), b.numpy()) for a, b in pairs):
        _fail(f"{weights_path} does not hold the run's generator weights; check the files")
    if not np.isfinite(fresh.generate(16, seed=0)).all():
        _fail(f"{weights_path} loads into a generator that makes NaN or infinite samples")
    record = pretrained.metadata(preset, out_dir)
    return {**record, "weights_path": str(weights_path), "metadata_path": str(metadata_path)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parses the command line (`argv` without the program name; None reads sys.argv)."""
    parser = argparse.ArgumentParser(
        description=(
            "Ships a finished gan-zoo training run as its preset's pretrained weights: writes "
            "<out_dir>/<preset>.weights.h5 (the sampling generator: EMA when the preset has one) "
            "and <out_dir>/<preset>.json (config, command, steps, time, CPU, versions, sha256, "
            "scores), loaded by gan_zoo.families.build(preset, pretrained=True)."
        ),
        epilog=(
            "example: python scripts/ship_pretrained.py --run_dir=runs/dcgan_mnist "
            "--preset=dcgan_mnist --scores=quality.json"
        ),
    )
    parser.add_argument(
        "--run_dir",
        required=True,
        help="finished run directory of `gan-zoo train` (config.json, checkpoints/, history.json)",
    )
    parser.add_argument(
        "--preset", required=True, help="preset the run trained; the weights take its name"
    )
    parser.add_argument(
        "--scores",
        default=None,
        help='JSON file of quality scores (an object, e.g. {"fid": {"value": 9.1, '
        '"features": "gan_zoo mnist classifier"}}) recorded as the metadata\'s scores',
    )
    parser.add_argument(
        "--out_dir",
        default=DEFAULT_OUT_DIR,
        help="where to write the two files (default: the package's gan_zoo/pretrained)",
    )
    parser.add_argument(
        "--command",
        default=None,
        help="training command to record when config.json records none (default: one rebuilt "
        "from config.json)",
    )
    parser.add_argument(
        "--allow_unfinished",
        action="store_true",
        help="ship a run whose newest checkpoint is before the preset's last epoch",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Runs `ship` with the command-line arguments; prints a summary and returns the record."""
    args = parse_args(argv)
    try:
        record = ship(**vars(args))
    except ValueError as error:  # gan_zoo's one-line errors (unknown preset, mismatch, ...)
        _fail(str(error))
    shown = {k: v for k, v in record.items() if k not in ("config", "network")}
    print(json.dumps(shown, indent=2))
    print(
        f"shipped {record['preset']}: {record['weights_path']} "
        f"({record['network']['num_params']:,} parameters of the {record['network']['which']}, "
        f"epoch {record['epochs']}, step {record['steps']})"
    )
    return record


if __name__ == "__main__":
    main()
