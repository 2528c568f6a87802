"""Evaluating generators: chosen metrics over N samples, each beside its real-vs-real floor.

Every score of a model is reported next to the same score of held-out real data against the
training data (`real_baseline`: real `test` split vs real `train` split, same metric, same
feature extractor, same sample counts as far as the test split allows). The baseline is the
best a model can hope for at that sample count: FID and KID are biased upwards at small N,
precision/recall/coverage saturate below 1, and so on, so a model's number only means
something beside its floor.

- `evaluate(sample_fn, real_train, real_test, extractor, ...)`: image metrics (FID, KID,
  precision/recall, density/coverage, class modes, Inception Score) for any sampler.
- `evaluate_mixture(sample_fn, real_test, mixture, ...)`: mode coverage of 2-D point models on
  the `gaussian_mixture` benchmarks.
- `classification_accuracy_score(...)`: CAS (Ravuri & Vinyals 2019) for conditional models.
- `evaluate_model(model_or_saved_model_dir, ...)` / `ModelEvaluator`: all of the above from a
  gan_zoo model or an exported SavedModel, loading the real data itself (used by
  `examples/evaluate.py` and `gan_zoo.callbacks.EvaluationCallback`).

Reports are JSON-ready dicts. Their `model` and `real_baseline` sections are flat: scalar
entries (`frechet_distance`, `kid`, `kid_std`, `precision`, `recall`, `density`, `coverage`,
`class_modes_covered`, `class_kl_to_uniform`, `inception_score`, `inception_score_std`,
`cas`, `modes_covered`, `high_quality_fraction`, `reverse_kl`, ...) plus a few lists
(histograms); `scalar_metrics(section)` keeps the scalars. `format_table(report)` renders
`metric | model | real baseline`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence

import numpy as np
import tensorflow as tf

from gan_zoo.metrics import functional
from gan_zoo.metrics.features import EXTRACTORS, FeatureExtractor, get_extractor

__all__ = [
    "CONDITIONAL_METRICS",
    "DEFAULT_METRICS",
    "IMAGE_METRICS",
    "POINT_METRICS",
    "ModelEvaluator",
    "classification_accuracy_score",
    "default_dataset",
    "evaluate",
    "evaluate_mixture",
    "evaluate_model",
    "format_table",
    "load_real_data",
    "save_report",
    "scalar_metrics",
]

IMAGE_METRICS = (
    "frechet_distance",
    "kid",
    "precision_recall",
    "density_coverage",
    "class_modes",
    "inception_score",
)
DEFAULT_METRICS = IMAGE_METRICS
# Metrics `evaluate_model` adds: CAS for conditional image models, mode coverage for points.
CONDITIONAL_METRICS = ("cas",)
POINT_METRICS = ("mode_coverage",)

# KID settings (Bińkowski et al. 2018): subsets of min(1000, N) rows, averaged over 100.
KID_NUM_SUBSETS = 100
KID_SUBSET_SIZE = 1000
# Inception Score splits (Salimans et al. 2016 use 10), capped at the sample count.
IS_SPLITS = 10
# Neighbour ranks of the k-NN metrics, as in their papers.
PRECISION_RECALL_K = 3
DENSITY_COVERAGE_K = 5
# CAS classifier training runs at least this many steps (repeating the data), so its batch
# norm moving statistics (momentum 0.9: 0.9**50 < 1%) forget their initial values.
CAS_MIN_STEPS = 50
# Images per generator call when sampling a SavedModel.
_SAMPLE_BATCH = 256

# Which way is better, for `format_table`.
_BETTER = {
    "frechet_distance": "lower",
    "kid": "lower",
    "precision": "higher",
    "recall": "higher",
    "density": "~1",
    "coverage": "higher",
    "class_modes_covered": "higher",
    "class_kl_to_uniform": "lower",
    "inception_score": "higher",
    "cas": "higher",
    "modes_covered": "higher",
    "high_quality_fraction": "higher",
    "reverse_kl": "lower",
}

# Short names `functional.mode_coverage` also returns, and the descriptive names they alias.
_ALIASES = {"modes": "modes_covered", "high_quality": "high_quality_fraction"}

SampleFn = Callable[[int, int], np.ndarray]


# --------------------------------------------------------------------------------------------
# Image metrics for any sampler
# --------------------------------------------------------------------------------------------


def evaluate(
    sample_fn: SampleFn,
    real_train,
    real_test,
    extractor: FeatureExtractor | str,
    metrics: Sequence[str] = DEFAULT_METRICS,
    num_samples: int = 2000,
    seed: int = 0,
    num_classes: int | None = None,
    real_baseline: dict | None = None,
    kid_subsets: int = KID_NUM_SUBSETS,
) -> dict:
    """Scores generated images against real training images, beside the real-vs-real floor.

    The model side compares `num_samples` generated images with the first
    `min(num_samples, len(real_train))` real training images; the baseline compares the
    first `min(num_samples, len(real_test))` held-out real images with the same training
    images, through the same extractor and metric code. When the test split is smaller than
    `num_samples`, the baseline has fewer samples than the model side; since FID and KID are
    biased upwards at small N, and recall and coverage grow with the sample count, the report
    then also holds `model_at_baseline_count`: the model's scores from its first `n_test`
    samples, the like-for-like comparison with the floor (a note says so).

    Metrics (each chosen by name):

    - `frechet_distance`: FID in the extractor's feature space (lower is better).
    - `kid`: KID mean and std over `KID_NUM_SUBSETS` subsets (lower is better).
    - `precision_recall`: improved precision and recall, k = 3.
    - `density_coverage`: density and coverage, k = 5.
    - `class_modes`: classes predicted at least once and KL(histogram || uniform), from the
      extractor's probabilities (argmax).
    - `inception_score`: IS from the extractor's probabilities, min(10, N) splits.

    `class_modes` and `inception_score` need an extractor with probabilities; without one
    they are skipped with a note.

    Args:
        sample_fn: `(num, seed) -> images [num, H, W, C]`, float32 in [-1, 1] or uint8.
        real_train: real training images `[N_train, H, W, C]` (float in [-1, 1] or uint8).
        real_test: held-out real images `[N_test, H, W, C]`.
        extractor: a `FeatureExtractor`, or a name for `get_extractor`.
        metrics: names from `IMAGE_METRICS`. Defaults to all of them.
        num_samples: generated images, and the cap on real images per split. Defaults to 2000.
        seed: seeds the sampler and KID's subsets. Defaults to 0.
        num_classes: classes for `class_modes`; None uses the extractor's `num_classes`.
        real_baseline: a `real_baseline` section from an earlier report with the same real
            data, extractor, metrics and counts, to reuse instead of recomputing.
        kid_subsets: KID subsets averaged over. Defaults to `KID_NUM_SUBSETS` (100, as in
            the paper; each costs about 0.2 s on 2 CPU cores at 1,000 x 1,000 samples).

    Returns:
        A dict: `extractor` (name), `extractor_info`, `comparable_to_published` (bool),
        `num_samples`, `counts` (generated / real_train / real_test), `metrics`, `seed`,
        `model` and `real_baseline` (flat sections, see the module docstring), when the
        test split is smaller than `num_samples` also `model_at_baseline_count`, and `notes`.

    Raises:
        ValueError: unknown metric names (the message lists the valid ones), a bad
            `num_samples`, or samples / real images of the wrong shape.
    """
    metrics = _check_metrics(metrics, IMAGE_METRICS)
    num_samples = _check_positive_int("num_samples", num_samples)
    kid_subsets = _check_positive_int("kid_subsets", kid_subsets)
    if isinstance(extractor, str):
        extractor = get_extractor(extractor)
    real_train = _as_image_array(real_train, "real_train")
    real_test = _as_image_array(real_test, "real_test")
    n_train = min(num_samples, len(real_train))
    n_test = min(num_samples, len(real_test))
    real_train, real_test = real_train[:n_train], real_test[:n_test]
    if real_train.shape[1:] != real_test.shape[1:]:
        raise ValueError(
            f"real_train and real_test must have the same image shape, got "
            f"{real_train.shape[1:]} and {real_test.shape[1:]}"
        )

    generated = _as_image_array(sample_fn(num_samples, seed), "sample_fn's output")
    if len(generated) != num_samples:
        raise ValueError(f"sample_fn returned {len(generated)} samples, asked for {num_samples}")
    if generated.shape[1:] != real_train.shape[1:]:
        raise ValueError(
            f"generated images {generated.shape[1:]} and real images {real_train.shape[1:]} "
            "differ in shape; load the real data at the samples' size and channels"
        )

    notes = []
    needs_probabilities = any(m in metrics for m in ("class_modes", "inception_score"))
    if needs_probabilities and extractor.num_classes is None:
        skipped = [m for m in metrics if m in ("class_modes", "inception_score")]
        notes.append(
            f"{', '.join(skipped)} skipped: extractor {extractor.name!r} gives no class "
            "probabilities"
        )
        metrics = tuple(m for m in metrics if m not in skipped)
    if num_classes is None:
        num_classes = extractor.num_classes
    if n_test < num_samples:
        notes.append(
            f"the real baseline has {n_test} held-out real images (all of the test split) "
            f"against {num_samples} generated ones on the model side; FID/KID are biased "
            "upwards and recall/coverage shrink at small N, so compare the baseline with "
            f"model_at_baseline_count (the model's first {n_test} samples)"
        )

    def scores(real_features, other_features, other_probabilities):
        return _image_scores(
            real_features,
            other_features,
            other_probabilities,
            metrics,
            num_classes,
            seed,
            kid_subsets,
        )

    train_features, _ = extractor.compute(real_train)
    generated_features, generated_probs = extractor.compute(generated)
    model = scores(train_features, generated_features, generated_probs)
    if real_baseline is None:
        test_features, test_probs = extractor.compute(real_test)
        real_baseline = scores(train_features, test_features, test_probs)
    else:
        real_baseline = dict(real_baseline)
    matched = {}
    if n_test < num_samples:
        probs = None if generated_probs is None else generated_probs[:n_test]
        matched["model_at_baseline_count"] = scores(
            train_features, generated_features[:n_test], probs
        )
    return {
        "extractor": extractor.name,
        "extractor_info": extractor.info(),
        "comparable_to_published": bool(extractor.comparable_to_published),
        "num_samples": num_samples,
        "counts": {"generated": num_samples, "real_train": n_train, "real_test": n_test},
        "metrics": list(metrics),
        "seed": seed,
        "model": model,
        "real_baseline": real_baseline,
        **matched,
        "notes": notes,
    }


def _image_scores(
    real_features: np.ndarray,
    other_features: np.ndarray,
    other_probabilities: np.ndarray | None,
    metrics: Sequence[str],
    num_classes: int | None,
    seed: int,
    kid_subsets: int,
) -> dict:
    """One side of a report: `other` (generated or held-out real) against real train."""
    scores: dict = {}
    if "frechet_distance" in metrics:
        scores["frechet_distance"] = functional.frechet_distance(real_features, other_features)
    if "kid" in metrics:
        mean, std = functional.kernel_inception_distance(
            real_features,
            other_features,
            num_subsets=kid_subsets,
            subset_size=KID_SUBSET_SIZE,
            seed=seed,
        )
        scores["kid"], scores["kid_std"] = mean, std
    if "precision_recall" in metrics:
        result = functional.precision_recall(real_features, other_features, k=PRECISION_RECALL_K)
        # Only these two: density/coverage, which precision_recall may add, are their own metric.
        scores["precision"], scores["recall"] = result["precision"], result["recall"]
    if "density_coverage" in metrics:
        scores.update(
            functional.density_coverage(real_features, other_features, k=DENSITY_COVERAGE_K)
        )
    if "class_modes" in metrics:
        labels = np.argmax(other_probabilities, axis=-1).astype(np.int64)
        modes = functional.class_mode_coverage(labels, num_classes or other_probabilities.shape[1])
        scores["class_modes_covered"] = modes["modes_covered"]
        scores["class_kl_to_uniform"] = modes["kl_to_uniform"]
        scores["class_histogram"] = modes["histogram"]
    if "inception_score" in metrics:
        splits = min(IS_SPLITS, len(other_probabilities))
        mean, std = functional.inception_score(other_probabilities, splits=splits)
        scores["inception_score"], scores["inception_score_std"] = mean, std
    return scores


# --------------------------------------------------------------------------------------------
# 2-D points: mode coverage
# --------------------------------------------------------------------------------------------


def evaluate_mixture(
    sample_fn: SampleFn,
    real_test,
    mixture: str,
    num_samples: int = 2000,
    seed: int = 0,
) -> dict:
    """Mode coverage of a 2-D point generator on a `gaussian_mixture` benchmark.

    The model side is `functional.mixture_mode_coverage` of `num_samples` generated points;
    the real baseline the same metric of `min(num_samples, len(real_test))` held-out real
    points of the mixture (the `test` split).

    Args:
        sample_fn: `(num, seed) -> points [num, 2]` in the data's raw coordinates.
        real_test: real held-out points `[N, 2]`.
        mixture: `"ring8"` or `"grid25"`.
        num_samples: generated points (and the cap on real ones). Defaults to 2000.
        seed: seeds the sampler. Defaults to 0.

    Returns:
        A report as `evaluate` returns, with `extractor` None (raw points) and the sections
        holding `modes_covered`, `num_modes`, `high_quality_fraction`, `reverse_kl` and
        `counts` (samples per mode).

    Raises:
        ValueError: an unknown mixture or points of the wrong shape.
    """
    num_samples = _check_positive_int("num_samples", num_samples)
    real_test = np.asarray(real_test, np.float32)[:num_samples]
    points = np.asarray(sample_fn(num_samples, seed), np.float32)
    for name, x in (("sample_fn's output", points), ("real_test", real_test)):
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"{name} must be 2-D points [N, 2], got shape {x.shape}")
    notes = [
        "mode coverage follows the VEEGAN / PacGAN protocol (nearest centre, within 3 std); "
        "published tables use 2,500 samples and their own training runs"
    ]
    return {
        "extractor": None,
        "extractor_info": {"name": None, "description": "raw 2-D points (no feature network)"},
        "comparable_to_published": False,
        "num_samples": num_samples,
        "counts": {"generated": num_samples, "real_test": len(real_test)},
        "metrics": list(POINT_METRICS),
        "seed": seed,
        "model": functional.mixture_mode_coverage(points, mixture),
        "real_baseline": functional.mixture_mode_coverage(real_test, mixture),
        "notes": notes,
    }


# --------------------------------------------------------------------------------------------
# Classification Accuracy Score
# --------------------------------------------------------------------------------------------


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

    num_classes = _check_positive_int("num_classes", num_classes)
    samples_per_class = _check_positive_int("samples_per_class", samples_per_class)
    epochs = _check_positive_int("epochs", epochs)
    batch_size = _check_positive_int("batch_size", batch_size)
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
    images = _as_image_array(images, name)
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


# --------------------------------------------------------------------------------------------
# Models and SavedModels
# --------------------------------------------------------------------------------------------


class _Generator:
    """A uniform view of a gan_zoo model or an exported SavedModel directory."""

    def __init__(self, model_or_dir):
        self.metadata: dict = {}
        self.run_config: dict = {}
        if isinstance(model_or_dir, str | os.PathLike):
            self._load_saved_model(os.fspath(model_or_dir))
        else:
            model = model_or_dir
            if not hasattr(model, "generate") or not hasattr(model, "latent_dim"):
                raise ValueError(
                    f"expected a gan_zoo model or a SavedModel directory, got {type(model)!r}"
                )
            generator = getattr(model, "sampling_generator", None) or model.generator
            self.sample_shape = tuple(int(d) for d in generator.output_shape[1:])
            self.num_classes = getattr(model, "num_classes", None)
            self.latent_dim = int(model.latent_dim)
            self.source = getattr(model, "name", type(model).__name__)
            self._model = model

    def _load_saved_model(self, path: str) -> None:
        from gan_zoo.export import METADATA_FILE, load_saved_model

        # One line naming a missing or damaged file (saved_model.pb, variables/, gan_zoo.json).
        loaded, saved, self.metadata = load_saved_model(path)
        run_dir = path if os.path.abspath(saved) != os.path.abspath(path) else None
        path = saved
        config_dir = run_dir or os.path.dirname(os.path.abspath(path))
        config_path = os.path.join(config_dir, "config.json")
        if os.path.exists(config_path):
            try:
                with open(config_path) as f:
                    self.run_config = json.load(f)
            except (OSError, ValueError):
                self.run_config = {}
        if "serving_default" not in loaded.signatures:
            raise ValueError(f"{path!r} has no serving_default signature")
        serve = loaded.signatures["serving_default"]
        inputs = serve.structured_input_signature[1]
        if "noise" not in inputs:
            raise ValueError(f"{path!r} has no 'noise' input; is it a gan_zoo generator?")
        self._loaded, self._serve = loaded, serve
        self.latent_dim = int(inputs["noise"].shape[-1])
        self.num_classes = None
        if "labels" in inputs:
            self.num_classes = self.metadata.get("num_classes")
            if not self.num_classes:
                raise ValueError(f"{path!r} takes labels but its {METADATA_FILE} lacks num_classes")
        self.sample_shape = tuple(self.metadata["sample_shape"])  # checked by load_saved_model
        self.source = path
        self._model = None

    @property
    def is_points(self) -> bool:
        return len(self.sample_shape) == 1

    def _call(self, noise, labels=None) -> np.ndarray:
        inputs = {"noise": tf.convert_to_tensor(noise, tf.float32)}
        if "truncation_psi" in self._serve.structured_input_signature[1]:
            inputs["truncation_psi"] = tf.constant(1.0)  # StyleGAN: measured without truncation
        if self.num_classes:
            if labels is None:
                labels = np.arange(len(noise)) % self.num_classes
            inputs["labels"] = tf.convert_to_tensor(np.asarray(labels, np.int32))
        outputs = self._serve(**inputs)
        if "images" in outputs:
            return outputs["images"].numpy().astype(np.float32) / 127.5 - 1.0
        return outputs["points"].numpy().astype(np.float32)

    def sample(self, num: int, seed: int, labels=None) -> np.ndarray:
        """`num` samples from `sample_noise(num, latent_dim, seed)` (labels cycling 0..C-1)."""
        if self._model is not None:
            if self.num_classes:
                return np.asarray(self._model.generate(num, labels=labels, seed=seed), np.float32)
            return np.asarray(self._model.generate(num, seed=seed), np.float32)
        from gan_zoo.models.base import sample_noise

        noise = sample_noise(num, self.latent_dim, seed).numpy()
        if self.num_classes and labels is None:
            labels = np.arange(num) % self.num_classes
        parts = []
        for start in range(0, num, _SAMPLE_BATCH):
            batch_labels = None if labels is None else labels[start : start + _SAMPLE_BATCH]
            parts.append(self._call(noise[start : start + _SAMPLE_BATCH], batch_labels))
        return np.concatenate(parts) if parts else np.zeros((0, *self.sample_shape), np.float32)

    def info(self) -> dict:
        return {
            "source": str(self.source),
            "sample_shape": list(self.sample_shape),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "preset": self.metadata.get("preset"),
        }


def default_dataset(model_or_dir) -> str:
    """The dataset a model is evaluated against when none is named.

    For a run directory, the dataset in its `config.json` (the resolved preset); else, for a
    SavedModel whose `gan_zoo.json` names a `preset`, that preset's dataset; else
    `"gan_zoo_digits"`.

    Args:
        model_or_dir: a gan_zoo model, a SavedModel directory or a run directory.

    Returns:
        A `make_dataset` name.
    """
    if not isinstance(model_or_dir, str | os.PathLike):
        return "gan_zoo_digits"
    generator = _Generator(model_or_dir)
    return _dataset_of(generator)


def _dataset_of(generator: _Generator) -> str:
    preset = generator.run_config.get("preset")
    if isinstance(preset, dict) and preset.get("dataset"):
        return str(preset["dataset"])
    name = generator.metadata.get("preset")
    if isinstance(name, str):
        from gan_zoo import presets

        try:
            return presets.get_preset(name).dataset
        except ValueError:
            pass
    return "gan_zoo_digits"


def load_real_data(
    dataset: str,
    split: str,
    num: int,
    sample_shape: Sequence[int],
    data_dir: str | os.PathLike | None = None,
    with_labels: bool = False,
):
    """Loads up to `num` real examples of `split`, at the samples' size and channels.

    Uses `make_dataset(dataset, split, image_size=H, channels=C, shuffle=False,
    drop_remainder=False)` (no shuffling: the first `num` examples in the split's stored
    order; TFDS stores examples in the order of a hash of their keys, not sorted by class).

    Args:
        dataset: a `make_dataset` name.
        split: `"train"` or `"test"` (or any split the dataset has).
        num: the most examples to load.
        sample_shape: `(H, W, C)` of the generated images (H == W), or `(2,)` for points.
        data_dir: TFDS data directory; None uses TFDS's default.
        with_labels: also return the int labels.

    Returns:
        float32 array `[n, *sample_shape]` with n = min(num, split size), or `(array, labels)`
        with `with_labels`.

    Raises:
        ValueError: from `make_dataset` (unknown dataset, missing split, ...) or non-square
            samples.
    """
    from gan_zoo.data import make_dataset

    num = _check_positive_int("num", num)
    kwargs = {}
    if len(sample_shape) == 3:
        height, width, channels = (int(d) for d in sample_shape)
        if height != width:
            raise ValueError(f"expected square samples, got {tuple(sample_shape)}")
        kwargs = {"image_size": height, "channels": channels}
    ds = make_dataset(
        dataset,
        split=split,
        batch_size=min(num, 512),
        shuffle=False,
        drop_remainder=False,
        data_dir=data_dir,
        with_labels=with_labels,
        cache=False,
        **kwargs,
    )
    xs, ys, count = [], [], 0
    for element in ds:
        x, y = element if with_labels else (element, None)
        xs.append(x.numpy())
        if with_labels:
            ys.append(y.numpy())
        count += len(xs[-1])
        if count >= num:
            break
    x = np.concatenate(xs)[:num] if xs else np.zeros((0, *sample_shape), np.float32)
    if with_labels:
        y = np.concatenate(ys)[:num] if ys else np.zeros((0,), np.int32)
        return x, y
    return x


class ModelEvaluator:
    """Evaluates gan_zoo models or SavedModels repeatedly, caching real data and baselines.

    Holds the settings of `evaluate_model`; each call evaluates one model. The real images,
    the feature extractor and the real-vs-real baseline are computed once per sample shape
    and reused by later calls (as `gan_zoo.callbacks.EvaluationCallback` does every k epochs).

    Args:
        dataset: `make_dataset` name of the real data; None: the model's (see
            `default_dataset`). Defaults to None.
        metrics: metric names; None for the defaults of the model's kind (`DEFAULT_METRICS`
            for images, `POINT_METRICS` for points). Image models also accept `"cas"`
            (conditional models only). Defaults to None.
        num_samples: generated samples, and the cap on real examples per split. Defaults to
            2000.
        seed: seeds the samples and KID's subsets. Defaults to 0.
        extractor: `"digits"`, `"stacked_digits"`, `"inception_v3"`, a `FeatureExtractor`,
            or None: `"digits"` for 1-channel images of `gan_zoo_digits`, `"stacked_digits"`
            for 3-channel images of `stacked_digits` (its class modes then count the 1,000
            digit triples), else `"inception_v3"` (which needs weights). Defaults to None.
        inception_weights: local InceptionV3 weights file. Defaults to None.
        allow_download: let Keras download the InceptionV3 ImageNet weights. Defaults to False.
        data_dir: TFDS data directory. Defaults to None.
        cas_kwargs: extra arguments of `classification_accuracy_score` (`samples_per_class`,
            `epochs`, `reference`). Defaults to None.
        kid_subsets: KID subsets averaged over. Defaults to `KID_NUM_SUBSETS` (100).
    """

    def __init__(
        self,
        dataset: str | None = None,
        metrics: Sequence[str] | None = None,
        num_samples: int = 2000,
        seed: int = 0,
        extractor: str | FeatureExtractor | None = None,
        inception_weights: str | os.PathLike | None = None,
        allow_download: bool = False,
        data_dir: str | os.PathLike | None = None,
        cas_kwargs: dict | None = None,
        kid_subsets: int = KID_NUM_SUBSETS,
    ):
        self.dataset = dataset
        self.kid_subsets = _check_positive_int("kid_subsets", kid_subsets)
        self.metrics = (
            None
            if metrics is None
            else _check_metrics(metrics, IMAGE_METRICS + CONDITIONAL_METRICS + POINT_METRICS)
        )
        self.num_samples = _check_positive_int("num_samples", num_samples)
        self.seed = seed
        if isinstance(extractor, str) and extractor not in EXTRACTORS:
            raise ValueError(
                f"unknown feature extractor {extractor!r}; valid: {', '.join(sorted(EXTRACTORS))}"
            )
        self.extractor = extractor
        self.inception_weights = inception_weights
        self.allow_download = allow_download
        self.data_dir = data_dir
        self.cas_kwargs = dict(cas_kwargs or {})
        self._real: dict = {}
        self._extractors: dict = {}
        self._baselines: dict = {}

    def __call__(self, model_or_dir) -> dict:
        """Evaluates one model; returns the report (see `evaluate`, plus `dataset`, `source`)."""
        generator = _Generator(model_or_dir)
        dataset = self.dataset or _dataset_of(generator)
        if generator.is_points:
            report = self._evaluate_points(generator, dataset)
        else:
            report = self._evaluate_images(generator, dataset)
        return {"dataset": dataset, "source": generator.info(), **report}

    # ----------------------------------------------------------------------------- points
    def _evaluate_points(self, generator: _Generator, dataset: str) -> dict:
        metrics = self.metrics or POINT_METRICS
        _check_metrics(metrics, POINT_METRICS, kind="a model of 2-D points")
        base, _, mixture = dataset.partition("/")
        if base != "gaussian_mixture" or not mixture:
            raise ValueError(
                f"2-D point models are evaluated on gaussian_mixture/ring8 or "
                f"gaussian_mixture/grid25, got dataset {dataset!r}"
            )
        real_test = self._load(dataset, "test", generator.sample_shape)
        return evaluate_mixture(
            generator.sample, real_test, mixture, num_samples=self.num_samples, seed=self.seed
        )

    # ----------------------------------------------------------------------------- images
    def _evaluate_images(self, generator: _Generator, dataset: str) -> dict:
        metrics = self.metrics or DEFAULT_METRICS
        _check_metrics(metrics, IMAGE_METRICS + CONDITIONAL_METRICS, kind="an image model")
        image_metrics = tuple(m for m in metrics if m in IMAGE_METRICS)
        shape = generator.sample_shape
        report: dict = {
            "extractor": None,
            "comparable_to_published": False,
            "num_samples": self.num_samples,
            "metrics": list(metrics),
            "seed": self.seed,
            "model": {},
            "real_baseline": {},
            "notes": [],
        }
        if image_metrics:
            extractor = self._extractor(dataset, shape)
            real_train = self._load(dataset, "train", shape)
            real_test = self._load(dataset, "test", shape)
            key = (dataset, shape, extractor.name, image_metrics, self.seed)
            report = evaluate(
                generator.sample,
                real_train,
                real_test,
                extractor,
                metrics=image_metrics,
                num_samples=self.num_samples,
                seed=self.seed,
                real_baseline=self._baselines.get(key),
                kid_subsets=self.kid_subsets,
            )
            self._baselines[key] = report["real_baseline"]
            report["metrics"] = list(metrics)
        if "cas" in metrics:
            cas = self._cas(generator, dataset, shape)
            report["model"]["cas"] = cas["cas"]
            report["real_baseline"]["cas"] = cas["real_data_accuracy"]
            report["cas_details"] = cas
        return report

    def _cas(self, generator: _Generator, dataset: str, shape) -> dict:
        if not generator.num_classes:
            raise ValueError("metric 'cas' needs a conditional model (one that takes labels)")
        test_x, test_y = self._load(dataset, "test", shape, with_labels=True, cap=False)
        kwargs = dict(self.cas_kwargs)
        kwargs.setdefault("reference", "shipped" if dataset == "gan_zoo_digits" else "retrain")
        if kwargs["reference"] == "retrain":
            train_x, train_y = self._load(dataset, "train", shape, with_labels=True, cap=False)
            kwargs.update(real_train_images=train_x, real_train_labels=train_y)
        return classification_accuracy_score(
            lambda labels, seed: generator.sample(len(labels), seed, labels=labels),
            generator.num_classes,
            test_x,
            test_y,
            seed=self.seed,
            **kwargs,
        )

    def _extractor(self, dataset: str, shape) -> FeatureExtractor:
        extractor = self.extractor
        if isinstance(extractor, FeatureExtractor):
            return extractor
        if extractor is None:
            extractor = _default_extractor(dataset, shape)
        if extractor not in self._extractors:
            kwargs = {}
            if extractor == "inception_v3":
                kwargs = {
                    "weights_path": self.inception_weights,
                    "allow_download": self.allow_download,
                }
            self._extractors[extractor] = get_extractor(extractor, **kwargs)
        return self._extractors[extractor]

    def _load(self, dataset, split, shape, with_labels=False, cap=True):
        num = self.num_samples if cap else 10**9
        key = (dataset, split, tuple(shape), with_labels, num)
        if key not in self._real:
            self._real[key] = load_real_data(
                dataset, split, num, shape, data_dir=self.data_dir, with_labels=with_labels
            )
        return self._real[key]


def _default_extractor(dataset: str, shape) -> str:
    """The `EXTRACTORS` name used when none is given: the shipped classifiers where they apply."""
    if dataset == "gan_zoo_digits" and shape[-1] == 1:
        return "digits"
    if dataset == "stacked_digits" and shape[-1] == 3:
        return "stacked_digits"
    return "inception_v3"


def evaluate_model(
    model_or_saved_model_dir,
    dataset: str | None = "gan_zoo_digits",
    metrics: Sequence[str] | None = None,
    num_samples: int = 2000,
    seed: int = 0,
    extractor: str | FeatureExtractor | None = None,
    inception_weights: str | os.PathLike | None = None,
    allow_download: bool = False,
    data_dir: str | os.PathLike | None = None,
    cas_kwargs: dict | None = None,
    kid_subsets: int = KID_NUM_SUBSETS,
) -> dict:
    """Evaluates a gan_zoo model or an exported SavedModel against its dataset's real data.

    Samples come from `model.generate(num, seed=seed)` or, for a SavedModel (or a run
    directory holding `saved_model/`), from its `serving_default` with
    `noise = gan_zoo.models.sample_noise(num, latent_dim, seed)` (the same noise, so the same
    samples up to uint8 rounding) and labels cycling 0..C-1 for conditional models. Real
    images are the first `num_samples` of the `train` and `test` splits at the samples' size
    and channels (`load_real_data`).

    Image models get `evaluate`'s metrics (and `"cas"` on request, for conditional models;
    see `classification_accuracy_score`); models of 2-D points get `evaluate_mixture`'s mode
    coverage on `gaussian_mixture/ring8` or `/grid25`.

    Args:
        model_or_saved_model_dir: a gan_zoo model, a SavedModel directory or a run directory.
        dataset: `make_dataset` name of the real data; None: the run's or preset's dataset
            (`default_dataset`). Defaults to `"gan_zoo_digits"`.
        metrics: metric names, or None for the defaults of the model's kind.
        num_samples: generated samples and the cap on real examples per split.
            Defaults to 2000.
        seed: seeds the samples and KID's subsets. Defaults to 0.
        extractor: `"digits"`, `"stacked_digits"`, `"inception_v3"`, a `FeatureExtractor`
            or None (`"digits"` for 1-channel `gan_zoo_digits`, `"stacked_digits"` for
            3-channel `stacked_digits`, else `"inception_v3"`).
        inception_weights: local InceptionV3 weights file.
        allow_download: let Keras download the InceptionV3 ImageNet weights.
        data_dir: TFDS data directory.
        cas_kwargs: extra `classification_accuracy_score` arguments.
        kid_subsets: KID subsets averaged over. Defaults to `KID_NUM_SUBSETS` (100).

    Returns:
        The report of `evaluate` / `evaluate_mixture`, plus `dataset` and `source` (the
        model's path or name, sample shape, latent size, classes, preset), and `cas_details`
        when CAS was computed.

    Raises:
        ValueError: no SavedModel there, unknown metrics or extractor, metrics that do not
            apply to the model, InceptionV3 without weights, or a dataset that cannot be
            loaded.
    """
    evaluator = ModelEvaluator(
        dataset=dataset,
        metrics=metrics,
        num_samples=num_samples,
        seed=seed,
        extractor=extractor,
        inception_weights=inception_weights,
        allow_download=allow_download,
        data_dir=data_dir,
        cas_kwargs=cas_kwargs,
        kid_subsets=kid_subsets,
    )
    return evaluator(model_or_saved_model_dir)


# --------------------------------------------------------------------------------------------
# Reporting helpers
# --------------------------------------------------------------------------------------------


def scalar_metrics(section: dict) -> dict[str, float]:
    """The scalar (int / float / bool) entries of a report's `model` or `real_baseline`.

    Short aliases that `functional.mode_coverage` returns beside the descriptive names
    (`modes` for `modes_covered`, `high_quality` for `high_quality_fraction`) are left out
    when the descriptive name is there.

    Args:
        section: `report["model"]` or `report["real_baseline"]`.

    Returns:
        `{name: float}`, lists (histograms, counts) left out.
    """
    return {
        name: float(value)
        for name, value in section.items()
        if isinstance(value, int | float | np.integer | np.floating)
        and _ALIASES.get(name) not in section
    }


def format_table(report: dict) -> str:
    """Renders a report as a small text table: `metric | model | real baseline | better`.

    Reports with `model_at_baseline_count` get a `model @n` column before the baseline.

    Args:
        report: a dict from `evaluate`, `evaluate_mixture` or `evaluate_model`.

    Returns:
        The table, with the extractor's name and whether the numbers are comparable to
        published ones on the first lines, and the report's notes at the end.
    """
    model = scalar_metrics(report.get("model", {}))
    baseline = scalar_metrics(report.get("real_baseline", {}))
    columns = [("model", model)]
    if "model_at_baseline_count" in report:
        count = report.get("counts", {}).get("real_test", "n")
        columns.append((f"model @{count}", scalar_metrics(report["model_at_baseline_count"])))
    columns.append(("real baseline", baseline))
    names = list(model) + [n for n in baseline if n not in model]
    rows = [("metric", *(title for title, _ in columns), "better")]
    for name in names:
        values = tuple(_fmt(section.get(name)) for _, section in columns)
        rows.append((name, *values, _BETTER.get(name, "")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        f"extractor: {report.get('extractor') or 'none (raw points)'}"
        f" (comparable to published: {'yes' if report.get('comparable_to_published') else 'no'})",
    ]
    counts = report.get("counts")
    if counts:
        lines.append("samples: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for i, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if i == 0:
            lines.append("-+-".join("-" * width for width in widths))
    lines.extend(f"note: {note}" for note in report.get("notes", []))
    return "\n".join(line.rstrip() for line in lines)


def save_report(report: dict, path: str | os.PathLike) -> str:
    """Writes a report as strict JSON (NaN and infinities as null), atomically.

    Args:
        report: a dict from `evaluate`, `evaluate_mixture` or `evaluate_model`.
        path: output file; its directory is created.

    Returns:
        The path written.
    """
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = f"{path}.tmp"
    with open(temporary, "w") as f:
        json.dump(_json_ready(report), f, indent=2, allow_nan=False)
        f.write("\n")
    os.replace(temporary, path)
    return path


def _json_ready(value):
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.4g}"


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _check_metrics(metrics, valid: Sequence[str], kind: str | None = None) -> tuple[str, ...]:
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = tuple(metrics)
    if not metrics:
        raise ValueError(f"metrics must name at least one of: {', '.join(valid)}")
    unknown = [m for m in metrics if m not in valid]
    if unknown:
        names = ", ".join(map(str, unknown))
        if kind:
            raise ValueError(f"metric(s) {names} do not apply to {kind}; valid: {', '.join(valid)}")
        raise ValueError(f"unknown metric(s) {names}; valid: {', '.join(valid)}")
    return tuple(dict.fromkeys(metrics))  # de-duplicated, order kept


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _as_image_array(images, name: str) -> np.ndarray:
    if isinstance(images, tf.Tensor):
        images = images.numpy()
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"{name} must be images [N, H, W, C], got shape {images.shape}")
    return images
