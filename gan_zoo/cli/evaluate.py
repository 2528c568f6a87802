r"""Evaluates an exported gan_zoo generator: chosen metrics over N samples, beside the real floor.

Needs only the SavedModel directory (or a run directory that holds saved_model/) and the
dataset's real data. Every model score is printed and saved beside the same score of held-out
real data against the training data (the real-vs-real baseline):

  gan-zoo evaluate --model_dir=runs/demo --num_samples=2000
  gan-zoo evaluate --model_dir=runs/demo/saved_model --metrics=frechet_distance,kid \
      --output=fid.json
  gan-zoo evaluate --model_dir=runs/cgan --metrics=frechet_distance,cas
  gan-zoo evaluate --model_dir=runs/ring --dataset=gaussian_mixture/ring8

The dataset defaults to the run's (config.json) or the preset's named in gan_zoo.json, else
gan_zoo_digits. The feature extractor defaults to the shipped MNIST classifier for 1-channel
gan_zoo_mnist or mnist (the 8x8 one for gan_zoo_digits), to the same classifier per channel for
3-channel stacked_mnist or stacked_digits (1,000 class
modes), and to Keras' InceptionV3 otherwise, which needs --inception_weights (a local .h5
file), $GAN_ZOO_INCEPTION_WEIGHTS or --allow_download. Numbers from any extractor are
comparable between gan_zoo runs, not with published FID/IS tables (see
gan_zoo/metrics/features.py). Writes JSON to --output (default <model_dir>/evaluation.json).
"""

import json
import os
import sys

from absl import flags, logging

from gan_zoo.cli import common

FLAGS = flags.FLAGS
# The flags --help shows (--helpfull shows all).
COMMON_FLAGS = ["model_dir", "metrics", "num_samples", "seed", "dataset", "output"]


def define_flags() -> None:
    """Defines evaluate's flags in absl's FLAGS (once per process)."""
    if "model_dir" in FLAGS:
        return
    flags.DEFINE_string(
        "model_dir",
        None,
        "SavedModel directory, or a run directory holding saved_model/.",
        required=True,
    )
    flags.DEFINE_string(
        "dataset",
        None,
        "make_dataset name of the real data. Default: the run's or preset's dataset, else "
        "gan_zoo_digits.",
    )
    flags.DEFINE_list(
        "metrics",
        None,
        "Metrics. Images: frechet_distance, kid, precision_recall, density_coverage, class_modes, "
        "inception_score, and cas (conditional models). 2-D points: mode_coverage. Default: all "
        "image metrics but cas, or mode_coverage.",
    )
    flags.DEFINE_integer(
        "num_samples", 2000, "Generated samples (and the cap on real ones).", lower_bound=2
    )
    flags.DEFINE_integer("seed", 0, "Noise seed of the samples.")
    flags.DEFINE_string(
        "extractor",
        None,
        "Feature extractor: mnist, stacked_mnist, digits, stacked_digits or inception_v3. "
        "Default: mnist for 1-channel gan_zoo_mnist or mnist, stacked_mnist for 3-channel "
        "stacked_mnist, digits / stacked_digits for the 8x8 ones, else inception_v3.",
    )
    flags.DEFINE_string("inception_weights", None, "Local InceptionV3 weights file (.h5).")
    flags.DEFINE_bool(
        "allow_download", False, "Let Keras download the InceptionV3 ImageNet weights if needed."
    )
    flags.DEFINE_integer("kid_subsets", 100, "KID subsets averaged over.", lower_bound=1)
    flags.DEFINE_string("data_dir", None, "TFDS data directory (default: TFDS's).")
    flags.DEFINE_string("output", None, "JSON output path. Default: <model_dir>/evaluation.json.")


# The seeds evaluation takes: it seeds NumPy's generators (KID's subsets) and, for cas,
# `keras.utils.set_random_seed`, which refuses seeds outside [0, 2**32 - 1].
SEED_RANGE = (0, 2**32 - 1)


def evaluate_translator() -> int:
    """Translation metrics of a CycleGAN trained on digits_thickness (test split)."""
    from gan_zoo import evaluation

    try:
        report = evaluation.evaluate_saved_translator(FLAGS.model_dir, data_dir=FLAGS.data_dir)
    except ValueError as error:
        print(f"error: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    output = FLAGS.output or os.path.join(FLAGS.model_dir, "evaluation.json")
    with open(output, "w") as f:
        json.dump({"kind": "translation", "split": "test", "metrics": report}, f, indent=2)
    for key, value in report.items():
        print(f"{key:32s} {value:.4f}")
    print(f"wrote {output}")
    return 0


def main(argv):
    """Evaluates, prints the table, writes the JSON."""
    del argv
    if common.requested_verbosity() is None:  # TFDS logs every dataset it opens at INFO
        logging.set_verbosity(logging.WARNING)
    # Checked before any model or data loads, so a typo fails at once.
    if not os.path.isdir(FLAGS.model_dir):
        print(f"error: --model_dir {FLAGS.model_dir!r} is not a directory", file=sys.stderr)
        return 2
    low, high = SEED_RANGE
    if not low <= FLAGS.seed <= high:
        print(
            f"error: --seed must be in [{low}, {high}] (0 to 2**32 - 1, what NumPy's and Keras' "
            f"seeding take); got {FLAGS.seed}",
            file=sys.stderr,
        )
        return 2
    from gan_zoo import evaluation, export, metrics

    try:  # one line naming a missing or damaged file, before any work
        _, metadata = export.check_saved_model(FLAGS.model_dir)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if metadata["output"] == "translation":
        return evaluate_translator()
    try:
        report = evaluation.evaluate_model(
            FLAGS.model_dir,
            dataset=FLAGS.dataset,
            metrics=FLAGS.metrics or None,
            num_samples=FLAGS.num_samples,
            seed=FLAGS.seed,
            extractor=FLAGS.extractor,
            inception_weights=FLAGS.inception_weights,
            allow_download=FLAGS.allow_download,
            data_dir=FLAGS.data_dir,
            kid_subsets=FLAGS.kid_subsets,
        )
    except ValueError as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        print(f"error: {message}", file=sys.stderr)
        return 2
    output = metrics.save_report(
        report, FLAGS.output or os.path.join(FLAGS.model_dir, "evaluation.json")
    )
    print(f"model: {report['source']['source']}  dataset: {report['dataset']}")
    print(metrics.format_table(report))
    print(f"wrote {output}")
    return 0


def run(argv: list[str] | None = None) -> None:
    """`gan-zoo evaluate`: `argv` is the program name, then the flags; exits with its status."""
    common.run_subcommand(define_flags, main, __doc__, FLAGS, __name__, COMMON_FLAGS, argv)
