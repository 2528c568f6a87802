"""Classification Accuracy Score (CAS): train a classifier on generated data, test it on real.

Ravuri & Vinyals 2019 (arXiv:1905.10887), for conditional generators: see
`classification_accuracy_score`. The classifier is the gan_zoo digits recipe
(`gan_zoo.metrics.digits_classifier.build_digits_classifier` at 32 px).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import tensorflow as tf

from gan_zoo.metrics.validation import as_image_array, check_positive_int

__all__ = ["CAS_MIN_STEPS", "classification_accuracy_score"]

# CAS classifier training runs at least this many steps (repeating the data), so its batch
# norm moving statistics (momentum 0.9: 0.9**50 < 1%) forget their initial values.
CAS_MIN_STEPS = 50


def classification_accuracy_score(
    conditional_sample_fn: Callable[[np.ndarray, int], np.ndarray],
    num_classes: int,
    real_test_images,
    real_test_labels,
    samples_per_class: int = 100,
    epochs: int = 10,
    seed: int = 0,
    batch_size: int = 64,
    reference: str = "shipped",
    real_train_images=None,
    real_train_labels=None,
) -> dict:
    """Classification Accuracy Score: train on generated data only, test on real held-out data.

    Ravuri & Vinyals 2019, "Classification Accuracy Score for Conditional Generative Models"
    (arXiv:1905.10887). A fresh classifier of the gan_zoo digits recipe
    (`build_digits_classifier` at 32 px: Adam 3e-3 cosine-decayed to 0, batch 64, no
    augmentation, `epochs` passes but at least `CAS_MIN_STEPS` steps) is trained ONLY on
    `samples_per_class` generated images per class, labelled
    with the class they were conditioned on, then tested on the real held-out images. A
    generator whose samples are realistic and faithful to their labels and diverse within a
    class gets close to the accuracy of the same recipe trained on real data.

    The reference (`real_data_accuracy`; for CAS the real-data number is a ceiling, not a
    floor: the accuracy a generator matching the data perfectly would reach):

    - `reference="shipped"`: `HELD_OUT_ACCURACY` of the shipped digits classifier (the same
      network, 15 epochs with shift augmentation on the 1,433 real `gan_zoo_digits` train
      images). Valid only when the test data is the `gan_zoo_digits` test split; free.
    - `reference="retrain"`: this function's own recipe trained on
      `min(len(real_train_images), num_classes * samples_per_class)` real training images
      (same epochs, same seed) and tested on the same real test images. Costs a second
      training run.

    The classifier weights are initialised from `keras.utils.set_random_seed(seed)`, which
    re-seeds Python's, NumPy's and Keras' global random state of this process.

    Args:
        conditional_sample_fn: `(labels int [N], seed) -> images [N, H, W, C]` (float32 in
            [-1, 1] or uint8) conditioned on `labels`.
        num_classes: number of classes C; labels are 0..C-1.
        real_test_images: real held-out images `[M, H, W, C]`.
        real_test_labels: their int labels `[M]` in 0..C-1.
        samples_per_class: generated training images per class. Defaults to 100.
        epochs: training epochs over the generated set. Defaults to 10 (about 45 s on 2
            busy CPU cores for 1,000 images: 160 steps; "retrain" doubles it).
        seed: seeds the samples, the classifier's initialisation and shuffling. Defaults to 0.
        batch_size: training batch size. Defaults to 64.
        reference: `"shipped"` or `"retrain"` (needs `real_train_images` and
            `real_train_labels`). Defaults to `"shipped"`.
        real_train_images: real training images, for `reference="retrain"`.
        real_train_labels: their int labels.

    Returns:
        A dict: `cas` (accuracy on the real test images, HIGHER is better),
        `per_class_accuracy` (list of C floats), `real_data_accuracy` (the reference
        accuracy), `real_data_reference` (which reference, in words), `num_generated`,
        `num_test`, `samples_per_class`, `epochs`, `train_steps`, `classifier`.

    Raises:
        ValueError: bad counts, labels out of range, image shapes that differ, or an unknown
            `reference`.
    """
    import keras

    from gan_zoo.metrics.digits_classifier import HELD_OUT_ACCURACY, IMAGE_SIZE

    num_classes = check_positive_int("num_classes", num_classes)
    samples_per_class = check_positive_int("samples_per_class", samples_per_class)
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    if reference not in ("shipped", "retrain"):
        raise ValueError(f"reference must be 'shipped' or 'retrain', got {reference!r}")
    if reference == "retrain" and (real_train_images is None or real_train_labels is None):
        raise ValueError("reference='retrain' needs real_train_images and real_train_labels")
    test_x = _classifier_input(real_test_images, "real_test_images", IMAGE_SIZE)
    test_y = _check_labels(real_test_labels, len(test_x), num_classes, "real_test_labels")

    labels = np.repeat(np.arange(num_classes), samples_per_class)
    generated = _classifier_input(
        conditional_sample_fn(labels, seed), "conditional_sample_fn's output", IMAGE_SIZE
    )
    if len(generated) != len(labels):
        raise ValueError(
            f"conditional_sample_fn returned {len(generated)} images for {len(labels)} labels"
        )
    if generated.shape[1:] != test_x.shape[1:]:
        raise ValueError(
            f"generated images {generated.shape[1:]} and real test images {test_x.shape[1:]} "
            "differ in channels"
        )

    def train_and_test(x, y):
        keras.utils.set_random_seed(seed)
        steps = _cas_train_steps(len(x), epochs, batch_size)
        classifier = _train_classifier(x, y, steps=steps, batch_size=batch_size, seed=seed)
        # Eager calls in inference mode: no predict function to trace for one pass.
        predicted = np.concatenate(
            [
                np.argmax(classifier(test_x[i : i + 512], training=False).numpy(), axis=-1)
                for i in range(0, len(test_x), 512)
            ]
        )
        correct = predicted == test_y
        per_class = [
            float(np.mean(correct[test_y == c])) if np.any(test_y == c) else float("nan")
            for c in range(num_classes)
        ]
        return float(np.mean(correct)), per_class

    cas, per_class = train_and_test(generated, labels)
    if reference == "shipped":
        real_accuracy = float(HELD_OUT_ACCURACY)
        reference_text = (
            "shipped digits classifier's held-out accuracy (HELD_OUT_ACCURACY: same network, "
            "15 epochs with shift augmentation on the 1,433 real gan_zoo_digits train images); "
            "valid for the gan_zoo_digits test split only"
        )
    else:
        train_x = _classifier_input(real_train_images, "real_train_images", IMAGE_SIZE)
        train_y = _check_labels(real_train_labels, len(train_x), num_classes, "real_train_labels")
        count = min(len(train_x), num_classes * samples_per_class)
        real_accuracy, _ = train_and_test(train_x[:count], train_y[:count])
        reference_text = (
            f"the same recipe ({epochs} epochs, seed {seed}) trained on {count} real train "
            "images, tested on the same real test images"
        )
    return {
        "cas": cas,
        "per_class_accuracy": per_class,
        "real_data_accuracy": real_accuracy,
        "real_data_reference": reference_text,
        "num_generated": int(len(labels)),
        "num_test": int(len(test_x)),
        "samples_per_class": samples_per_class,
        "epochs": epochs,
        "train_steps": _cas_train_steps(len(labels), epochs, batch_size),
        "classifier": "gan_zoo digits classifier recipe (build_digits_classifier, 32 px)",
    }


def _cas_train_steps(num: int, epochs: int, batch_size: int) -> int:
    """Optimizer steps of a CAS training run: `epochs` passes, at least `CAS_MIN_STEPS`."""
    return max(epochs * math.ceil(num / batch_size), CAS_MIN_STEPS)


def _train_classifier(x: np.ndarray, y: np.ndarray, *, steps: int, batch_size: int, seed: int):
    """Trains a fresh `build_digits_classifier` on `(x, y)` for `steps` steps; returns it."""
    import keras

    from gan_zoo.metrics.digits_classifier import build_digits_classifier

    model = build_digits_classifier(x.shape[1], x.shape[-1])
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    ds = tf.data.Dataset.from_tensor_slices((x, y.astype(np.int32)))
    ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).repeat()
    model.fit(ds.batch(batch_size), epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    return model


def _classifier_input(images, name: str, image_size: int) -> np.ndarray:
    """Images → float32 [N, image_size, image_size, C] in [-1, 1] (resized as the classifier)."""
    images = as_image_array(images, name)
    is_uint8 = images.dtype == np.uint8
    x = images.astype(np.float32)
    if is_uint8:
        x = x / 127.5 - 1.0
    if x.shape[1:3] != (image_size, image_size):
        x = tf.image.resize(x, [image_size, image_size], method="bilinear", antialias=True)
        x = x.numpy()
    return np.clip(x, -1.0, 1.0)


def _check_labels(labels, num: int, num_classes: int, name: str) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (num,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must be {num} integer labels, got {labels.dtype} {labels.shape}")
    if num and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"{name} must lie in [0, {num_classes}), got {labels.min()}..{labels.max()}"
        )
    return labels.astype(np.int64)
