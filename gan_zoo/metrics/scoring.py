"""Scoring samples: chosen metrics over N samples, each beside its real-vs-real floor.

Every score of a generator is reported next to the same score of held-out real data against the
training data (`real_baseline`: real `test` split vs real `train` split, same metric, same
feature extractor, same sample counts as far as the test split allows). The baseline is the
best a model can hope for at that sample count: FID and KID are biased upwards at small N,
precision/recall/coverage saturate below 1, and so on, so a model's number only means
something beside its floor.

- `evaluate(sample_fn, real_train, real_test, extractor, ...)`: image metrics (FID, KID,
  precision/recall, density/coverage, class modes, Inception Score) for any sampler.
- `evaluate_points(sample_fn, real_test, centres, std, ...)`: mode coverage of 2-D point
  samplers on a Gaussian mixture (`gan_zoo.evaluation.evaluate_mixture` looks up the
  `gaussian_mixture` benchmarks by name).

Both work on arrays and samplers `(num, seed) -> samples`; reading models, SavedModels and
datasets is `gan_zoo.evaluation`'s. The metrics are those of `gan_zoo.metrics.registry`.

Reports are JSON-ready dicts. Their `model` and `real_baseline` sections are flat: scalar
entries (`frechet_distance`, `kid`, `kid_std`, `precision`, `recall`, `density`, `coverage`,
`class_modes_covered`, `class_kl_to_uniform`, `inception_score`, `inception_score_std`,
`cas`, `modes_covered`, `high_quality_fraction`, `reverse_kl`, ...) plus a few lists
(histograms); `gan_zoo.metrics.report.scalar_metrics(section)` keeps the scalars and
`format_table(report)` renders `metric | model | real baseline`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from gan_zoo.metrics import registry
from gan_zoo.metrics.features import FeatureExtractor, get_extractor
from gan_zoo.metrics.registry import DEFAULT_METRICS, KID_NUM_SUBSETS
from gan_zoo.metrics.validation import as_image_array, check_positive_int

__all__ = ["SampleFn", "evaluate", "evaluate_points"]

SampleFn = Callable[[int, int], np.ndarray]


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
        metrics: names from `IMAGE_METRICS` (the registry's metrics that need
            "features" or "classifier"). Defaults to all of them.
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
    metrics = registry.check_metrics(metrics, registry.list_metrics("features", "classifier"))
    num_samples = check_positive_int("num_samples", num_samples)
    kid_subsets = check_positive_int("kid_subsets", kid_subsets)
    if isinstance(extractor, str):
        extractor = get_extractor(extractor)
    real_train = as_image_array(real_train, "real_train")
    real_test = as_image_array(real_test, "real_test")
    n_train = min(num_samples, len(real_train))
    n_test = min(num_samples, len(real_test))
    real_train, real_test = real_train[:n_train], real_test[:n_test]
    if real_train.shape[1:] != real_test.shape[1:]:
        raise ValueError(
            f"real_train and real_test must have the same image shape, got "
            f"{real_train.shape[1:]} and {real_test.shape[1:]}"
        )

    generated = as_image_array(sample_fn(num_samples, seed), "sample_fn's output")
    if len(generated) != num_samples:
        raise ValueError(f"sample_fn returned {len(generated)} samples, asked for {num_samples}")
    if generated.shape[1:] != real_train.shape[1:]:
        raise ValueError(
            f"generated images {generated.shape[1:]} and real images {real_train.shape[1:]} "
            "differ in shape; load the real data at the samples' size and channels"
        )

    notes = []
    skipped = [m for m in metrics if registry.get_metric(m).needs == "classifier"]
    if skipped and extractor.num_classes is None:
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
    """One side of a report: `other` (generated or held-out real) against real train.

    Scores come in registration order (`registry.list_metrics`), whatever the order of
    `metrics`.
    """
    scores: dict = {}
    for name in registry.list_metrics("features", "classifier"):
        if name not in metrics:
            continue
        metric = registry.get_metric(name)
        if metric.needs == "features":
            scores.update(
                metric.fn(real_features, other_features, seed=seed, kid_subsets=kid_subsets)
            )
        else:
            scores.update(metric.fn(other_probabilities, num_classes=num_classes))
    return scores


# --------------------------------------------------------------------------------------------
# 2-D points: mode coverage
# --------------------------------------------------------------------------------------------


def evaluate_points(
    sample_fn: SampleFn,
    real_test,
    centres,
    std: float,
    num_samples: int = 2000,
    seed: int = 0,
) -> dict:
    """Mode coverage of a 2-D point generator on a mixture of isotropic Gaussians.

    The model side is `mode_coverage` (`gan_zoo.metrics.modes`) of `num_samples` generated
    points; the real baseline the same metric of `min(num_samples, len(real_test))` held-out
    real points of the mixture. `gan_zoo.evaluation.evaluate_mixture` calls it with the
    centres and std of a `gaussian_mixture` benchmark (`"ring8"`, `"grid25"`).

    Args:
        sample_fn: `(num, seed) -> points [num, 2]` in the data's raw coordinates.
        real_test: real held-out points `[N, 2]`.
        centres: `[K, 2]` mixture centres.
        std: per-coordinate standard deviation of every component, > 0.
        num_samples: generated points (and the cap on real ones). Defaults to 2000.
        seed: seeds the sampler. Defaults to 0.

    Returns:
        A report as `evaluate` returns, with `extractor` None (raw points) and the sections
        holding `modes_covered`, `num_modes`, `high_quality_fraction`, `reverse_kl` and
        `counts` (samples per mode).

    Raises:
        ValueError: points of the wrong shape, malformed centres or a bad std.
    """
    num_samples = check_positive_int("num_samples", num_samples)
    real_test = np.asarray(real_test, np.float32)[:num_samples]
    points = np.asarray(sample_fn(num_samples, seed), np.float32)
    for name, x in (("sample_fn's output", points), ("real_test", real_test)):
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"{name} must be 2-D points [N, 2], got shape {x.shape}")
    notes = [
        "mode coverage follows the VEEGAN / PacGAN protocol (nearest centre, within 3 std); "
        "published tables use 2,500 samples and their own training runs"
    ]
    metrics = registry.list_metrics("points")

    def scores(x: np.ndarray) -> dict:
        result: dict = {}
        for name in metrics:
            result.update(registry.get_metric(name).fn(x, centres, std))
        return result

    return {
        "extractor": None,
        "extractor_info": {"name": None, "description": "raw 2-D points (no feature network)"},
        "comparable_to_published": False,
        "num_samples": num_samples,
        "counts": {"generated": num_samples, "real_test": len(real_test)},
        "metrics": list(metrics),
        "seed": seed,
        "model": scores(points),
        "real_baseline": scores(real_test),
        "notes": notes,
    }
