r"""Trains a digits classifier shipped in gan_zoo/metrics/weights/, reproducibly.

`--classifier=mnist` (the default) trains on the `train` split (4,000 real digits) of the
embedded `gan_zoo_mnist` at 28 px; `--classifier=digits` on the `train` split (1,433 images) of
`gan_zoo_digits` (8×8 digits) at 32 px. The network is
`gan_zoo.metrics.digits_classifier.build_digits_classifier()` as `CLASSIFIERS` configures it;
images are in [-1, 1], augmented as the spec says (`AUGMENTATIONS`: `digits` random shifts of
up to ±2 px; `mnist` a random rotation, zoom and shift per example; background -1; seeded,
stateless). Adam with a cosine-decayed learning rate, fixed seeds
(`keras.utils.set_random_seed`) and deterministic TensorFlow ops
(`tf.config.experimental.enable_op_determinism`). The held-out accuracy is measured on the
`test` split (364 images), never used for training or model selection.

Writes `<output_dir>/<classifier>_classifier.weights.h5` and
`<output_dir>/<classifier>_classifier.json` (test and train accuracy, settings, versions, date,
training time).

Examples:
  python scripts/train_digits_classifier.py                       # mnist, 40 epochs
  python scripts/train_digits_classifier.py --classifier=digits --epochs=15
  python scripts/train_digits_classifier.py --epochs=5 --output_dir=/tmp/clf
  python scripts/train_digits_classifier.py --help
"""

import argparse
import datetime
import hashlib
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

DEFAULT_OUTPUT_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "gan_zoo", "metrics", "weights"
)
MAX_SHIFT = 2
# `affine` augmentation: rotation, zoom and shift drawn uniformly per example.
MAX_ROTATION_DEGREES = 12.0
MAX_ZOOM = 0.1
AUGMENTATIONS = {
    "shift": f"random shifts of up to +-{MAX_SHIFT} px (pad -1, random crop)",
    "affine": (
        f"random affine per example: rotation +-{MAX_ROTATION_DEGREES:g} deg, zoom "
        f"1+-{MAX_ZOOM:g}, shift +-{MAX_SHIFT} px (bilinear, background -1)"
    ),
}


def _augmented_batches(images, labels, *, batch_size: int, seed: int, augmentation: str):
    """Endless batches of training examples, augmented per `AUGMENTATIONS` (seeded)."""
    import math

    import tensorflow as tf

    padding = [[MAX_SHIFT, MAX_SHIFT], [MAX_SHIFT, MAX_SHIFT], [0, 0]]

    def shift(example, index):
        image, label = example
        padded = tf.pad(image, padding, constant_values=-1.0)  # -1 is the background.
        crop_seed = tf.stack([tf.constant(seed, tf.int64), index])
        image = tf.image.stateless_random_crop(padded, tf.shape(image), seed=crop_seed)
        return image, label

    def affine(example, index):
        image, label = example
        draw_seed = tf.stack([tf.constant(seed, tf.int64), index])
        u = tf.random.stateless_uniform([4], draw_seed, minval=-1.0, maxval=1.0)
        angle = u[0] * MAX_ROTATION_DEGREES * math.pi / 180.0
        zoom = 1.0 + u[1] * MAX_ZOOM
        shift_x, shift_y = u[2] * MAX_SHIFT, u[3] * MAX_SHIFT
        centre = (tf.cast(tf.shape(image)[1], tf.float32) - 1.0) / 2.0
        # Output pixel p reads input R(-angle) (p - c - t) / zoom + c.
        cos, sin = tf.cos(angle) / zoom, tf.sin(angle) / zoom
        a2 = centre - cos * (centre + shift_x) - sin * (centre + shift_y)
        b2 = centre + sin * (centre + shift_x) - cos * (centre + shift_y)
        transform = tf.stack([cos, sin, a2, -sin, cos, b2, 0.0, 0.0])[tf.newaxis]
        warped = tf.raw_ops.ImageProjectiveTransformV3(
            images=image[tf.newaxis],
            transforms=transform,
            output_shape=tf.shape(image)[:2],
            fill_value=-1.0,
            interpolation="BILINEAR",
            fill_mode="CONSTANT",
        )
        return warped[0], label

    ds = tf.data.Dataset.from_tensor_slices((images, labels))
    ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True).repeat()
    ds = tf.data.Dataset.zip(ds, tf.data.Dataset.counter(dtype=tf.int64))
    augment = {"shift": shift, "affine": affine}[augmentation]
    ds = ds.map(augment, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def train(
    *,
    classifier: str = "mnist",
    epochs: int | None = None,
    batch_size: int = 64,
    learning_rate: float = 3e-3,
    seed: int = 0,
    data_dir: str | None = None,
    output_dir: str = DEFAULT_OUTPUT_DIR,
    verbose: int = 2,
    deterministic: bool = True,
) -> dict:
    """Trains the classifier, evaluates it on the test split and writes weights and record.

    Args:
        classifier: `mnist` or `digits` (`gan_zoo.metrics.digits_classifier.CLASSIFIERS`).
        epochs: passes over the training split (each `N_train // batch_size` steps); None for
            the spec's (`mnist` 40, `digits` 15: the shipped weights).
        batch_size: examples per training step.
        learning_rate: initial Adam learning rate, cosine-decayed to 0 over training.
        seed: seeds weights, shuffling, dropout and augmentation.
        data_dir: TFDS data directory; None uses TFDS's default.
        output_dir: directory for `<classifier>_classifier.weights.h5` and its `.json` record.
        verbose: Keras fit verbosity.
        deterministic: enable TensorFlow's deterministic ops (process-wide, for the rest of
            the process) so the same seed gives bit-identical weights on the same machine.

    Returns:
        The record written to `<classifier>_classifier.json`.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from gan_zoo.data.stacked_digits import load_digits_arrays
    from gan_zoo.metrics.digits_classifier import build_digits_classifier, classifier_spec

    spec = classifier_spec(classifier)
    epochs = spec.epochs if epochs is None else epochs

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()

    train_x, train_y = load_digits_arrays("train", spec.image_size, data_dir, spec.dataset)
    test_x, test_y = load_digits_arrays("test", spec.image_size, data_dir, spec.dataset)
    steps_per_epoch = len(train_x) // batch_size

    model = build_digits_classifier(spec.image_size, 1, spec.stem_strides, spec.width)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps_per_epoch)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    batches = _augmented_batches(
        train_x, train_y, batch_size=batch_size, seed=seed, augmentation=spec.augmentation
    )
    start = time.perf_counter()
    model.fit(
        batches, epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=verbose, shuffle=False
    )
    training_seconds = time.perf_counter() - start

    def accuracy(x, y):
        logits = model.predict(x, batch_size=256, verbose=0)
        return float(np.mean(np.argmax(logits, axis=-1) == y))

    record = {
        "test_accuracy": accuracy(test_x, test_y),
        "train_accuracy": accuracy(train_x, train_y),
        "test_examples": len(test_x),
        "train_examples": len(train_x),
        "classifier": classifier,
        "dataset": spec.dataset,
        "split": "train for training, test for test_accuracy (never used to select)",
        "image_size": spec.image_size,
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "augmentation": AUGMENTATIONS[spec.augmentation],
        "width": spec.width,
        "seed": seed,
        "deterministic_ops": deterministic,
        "num_params": int(model.count_params()),
        "training_seconds": round(training_seconds, 1),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    os.makedirs(output_dir, exist_ok=True)
    weights_path = os.path.join(output_dir, spec.weights_path.name)
    # Save from an uncompiled copy: the model's own file would also hold Adam's state (3x size).
    shipped = build_digits_classifier(spec.image_size, 1, spec.stem_strides, spec.width)
    shipped.set_weights(model.get_weights())
    shipped.save_weights(weights_path)
    with open(weights_path, "rb") as f:
        record["weights_sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(output_dir, spec.record_path.name), "w") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
    return record


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parses the command line (`argv` without the program name; None reads sys.argv)."""
    parser = argparse.ArgumentParser(
        description="Trains a digits classifier shipped in gan_zoo/metrics/weights/."
    )
    parser.add_argument(
        "--classifier",
        default="mnist",
        choices=("mnist", "digits"),
        help="mnist: 4,000 real 28 px digits; digits: scikit-learn's 8x8 digits at 32 px",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="passes over the train split (default: the shipped weights', mnist 40, digits 15)",
    )
    parser.add_argument("--batch_size", type=int, default=64, help="examples per step")
    parser.add_argument(
        "--learning_rate", type=float, default=3e-3, help="initial Adam rate (cosine to 0)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seeds weights, shuffling, dropout, augmentation"
    )
    parser.add_argument("--data_dir", default=None, help="TFDS data directory (default: TFDS's)")
    parser.add_argument(
        "--output_dir", default=DEFAULT_OUTPUT_DIR, help="where to write weights and record"
    )
    parser.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2), help="fit verbosity")
    parser.add_argument(
        "--no_deterministic",
        dest="deterministic",
        action="store_false",
        help="skip TensorFlow's deterministic ops (faster, not bit-reproducible)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    """Runs `train` with the command-line arguments, prints and returns the record."""
    args = parse_args(argv)
    record = train(**vars(args))
    print(json.dumps(record, indent=2))
    print(
        f"test accuracy {record['test_accuracy']:.4f} "
        f"({round(record['test_accuracy'] * record['test_examples'])}/{record['test_examples']}), "
        f"trained in {record['training_seconds']:.1f} s"
    )
    return record


if __name__ == "__main__":
    main()
