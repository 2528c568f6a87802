"""The metric registry: every metric an evaluation can name, told once.

A `Metric` holds what the scoring code, the report table and the tests ask about a metric: the
function computing its scores, what it is computed from (`needs`), which way each of its
scores is better, and the short aliases of its score names. `evaluate` (image metrics),
`evaluate_points` (mode coverage), `classification_accuracy_score` (CAS) and
`gan_zoo.evaluation.ModelEvaluator` check the names they are given against this registry;
`format_table` and `scalar_metrics` read `better` and `aliases` from it.

Example:
>>> from gan_zoo.metrics import registry
>>> registry.get_metric("kid").better
{'kid': 'lower'}
>>> registry.list_metrics("features")
('frechet_distance', 'kid', 'precision_recall', 'density_coverage')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from gan_zoo.metrics import cas, distances, manifold, modes

__all__ = [
    "CONDITIONAL_METRICS",
    "DEFAULT_METRICS",
    "DIRECTIONS",
    "IMAGE_METRICS",
    "NEEDS",
    "POINT_METRICS",
    "Metric",
    "better_direction",
    "check_metrics",
    "get_metric",
    "list_metrics",
    "register_metric",
    "score_aliases",
]

# What a metric is computed from (see `Metric.needs`).
NEEDS = ("features", "classifier", "points", "labels")
# Which way a score is better: "~1" is best near 1 (density).
DIRECTIONS = ("lower", "higher", "~1")

# KID settings (Bińkowski et al. 2018): subsets of min(1000, N) rows, averaged over 100.
KID_NUM_SUBSETS = 100
KID_SUBSET_SIZE = 1000
# Inception Score splits (Salimans et al. 2016 use 10), capped at the sample count.
IS_SPLITS = 10
# Neighbour ranks of the k-NN metrics, as in their papers.
PRECISION_RECALL_K = 3
DENSITY_COVERAGE_K = 5


@dataclasses.dataclass(frozen=True)
class Metric:
    """One metric an evaluation can name.

    Attributes:
        name: str. The name `metrics=[...]` takes, e.g. `"precision_recall"`.
        fn: the function computing the metric's scores (a flat dict), called by `needs`:

            - `"features"`: `fn(real_features [N, D], features [M, D], *, seed, kid_subsets)`;
            - `"classifier"`: `fn(probabilities [M, C], *, num_classes)`;
            - `"points"`: `fn(points [M, D], centres [K, D], std)` (`mode_coverage`);
            - `"labels"`: `fn(conditional_sample_fn, num_classes, real_test_images,
              real_test_labels, **kwargs)` (`classification_accuracy_score`).
        needs: str. What it is computed from: `"features"` (a feature extractor's features
            of real and generated images), `"classifier"` (the extractor's class
            probabilities of generated images), `"points"` (raw 2-D points and the mixture's
            centres) or `"labels"` (a conditional generator sampled at chosen labels, and
            labelled real data).
        better: dict. Each scalar score the metric reports that has a direction → `"lower"`,
            `"higher"` or `"~1"` (best near 1); stds and counts have none.
        aliases: dict. Short score names the metric also reports → the descriptive name each
            duplicates (`scalar_metrics` leaves the short one out).
        description: str. One line.
    """

    name: str
    fn: Callable[..., dict]
    needs: str
    better: Mapping[str, str]
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)
    description: str = ""

    def __post_init__(self):
        if self.needs not in NEEDS:
            raise ValueError(
                f"metric {self.name!r} needs {self.needs!r}; expected one of: {', '.join(NEEDS)}"
            )
        wrong = {score: way for score, way in self.better.items() if way not in DIRECTIONS}
        if wrong:
            raise ValueError(
                f"metric {self.name!r} has better={wrong}; each must be one of: "
                f"{', '.join(DIRECTIONS)}"
            )


_METRICS: dict[str, Metric] = {}


def register_metric(metric: Metric) -> Metric:
    """Adds `metric` to the registry (after the others: lists keep registration order).

    Raises:
        ValueError: a metric of that name is already registered.
    """
    if metric.name in _METRICS:
        raise ValueError(f"metric {metric.name!r} is already registered")
    _METRICS[metric.name] = metric
    return metric


def get_metric(name: str) -> Metric:
    """Returns the metric called `name`.

    Raises:
        ValueError: an unknown name; the one-line message lists the valid ones.
    """
    if name not in _METRICS:
        raise ValueError(f"unknown metric {name!r}; valid: {', '.join(_METRICS)}")
    return _METRICS[name]


def list_metrics(*needs: str) -> tuple[str, ...]:
    """The registered metric names in registration order; only those of `needs` when given."""
    return tuple(name for name, m in _METRICS.items() if not needs or m.needs in needs)


def better_direction(score: str) -> str:
    """`"lower"`, `"higher"` or `"~1"` for a score name of any metric; `""` when it has none."""
    for metric in _METRICS.values():
        if score in metric.better:
            return metric.better[score]
    return ""


def score_aliases() -> dict[str, str]:
    """Every metric's short score names → the descriptive names they duplicate."""
    return {alias: name for m in _METRICS.values() for alias, name in m.aliases.items()}


def check_metrics(metrics, valid: Sequence[str], kind: str | None = None) -> tuple[str, ...]:
    """Checks metric names against `valid`; returns them de-duplicated, in their order.

    Args:
        metrics: a name or a sequence of names.
        valid: the names allowed here (e.g. `list_metrics("features", "classifier")`).
        kind: what is evaluated (`"a model of 2-D points"`), for the message about names that
            exist but do not apply to it; None: every name outside `valid` is unknown.

    Raises:
        ValueError: no name, or names outside `valid` (one line, listing the valid ones).
    """
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


# --------------------------------------------------------------------------------------------
# The metrics gan_zoo ships, in the order reports list them
# --------------------------------------------------------------------------------------------


def _frechet_distance(real, other, **_) -> dict:
    return {"frechet_distance": distances.frechet_distance(real, other)}


def _kid(real, other, *, seed: int = 0, kid_subsets: int = KID_NUM_SUBSETS, **_) -> dict:
    mean, std = distances.kernel_inception_distance(
        real, other, num_subsets=kid_subsets, subset_size=KID_SUBSET_SIZE, seed=seed
    )
    return {"kid": mean, "kid_std": std}


def _precision_recall(real, other, **_) -> dict:
    # Only these two: density/coverage, which precision_recall can add, are their own metric.
    result = manifold.precision_recall(real, other, k=PRECISION_RECALL_K, density_coverage_k=None)
    return {"precision": result["precision"], "recall": result["recall"]}


def _density_coverage(real, other, **_) -> dict:
    return manifold.density_coverage(real, other, k=DENSITY_COVERAGE_K)


def _class_modes(probabilities, *, num_classes: int | None = None, **_) -> dict:
    labels = np.argmax(probabilities, axis=-1).astype(np.int64)
    result = modes.class_mode_coverage(labels, num_classes or probabilities.shape[1])
    return {
        "class_modes_covered": result["modes_covered"],
        "class_kl_to_uniform": result["kl_to_uniform"],
        "class_histogram": result["histogram"],
    }


def _inception_score(probabilities, **_) -> dict:
    splits = min(IS_SPLITS, len(probabilities))
    mean, std = distances.inception_score(probabilities, splits=splits)
    return {"inception_score": mean, "inception_score_std": std}


for _metric in (
    Metric(
        "frechet_distance",
        _frechet_distance,
        "features",
        {"frechet_distance": "lower"},
        description="Fréchet distance (FID) in the extractor's feature space",
    ),
    Metric(
        "kid",
        _kid,
        "features",
        {"kid": "lower"},
        description=f"kernel distance (KID), mean and std over subsets of {KID_SUBSET_SIZE}",
    ),
    Metric(
        "precision_recall",
        _precision_recall,
        "features",
        {"precision": "higher", "recall": "higher"},
        description=f"improved precision and recall, k = {PRECISION_RECALL_K}",
    ),
    Metric(
        "density_coverage",
        _density_coverage,
        "features",
        {"density": "~1", "coverage": "higher"},
        description=f"density and coverage, k = {DENSITY_COVERAGE_K}",
    ),
    Metric(
        "class_modes",
        _class_modes,
        "classifier",
        {"class_modes_covered": "higher", "class_kl_to_uniform": "lower"},
        description="classes predicted at least once, KL(histogram || uniform)",
    ),
    Metric(
        "inception_score",
        _inception_score,
        "classifier",
        {"inception_score": "higher"},
        description=f"Inception Score from the extractor's probabilities, min({IS_SPLITS}, N) "
        "splits",
    ),
    Metric(
        "cas",
        cas.classification_accuracy_score,
        "labels",
        {"cas": "higher"},
        description="Classification Accuracy Score of a conditional generator",
    ),
    Metric(
        "mode_coverage",
        modes.mode_coverage,
        "points",
        {"modes_covered": "higher", "high_quality_fraction": "higher", "reverse_kl": "lower"},
        aliases={"modes": "modes_covered", "high_quality": "high_quality_fraction"},
        description="modes of a Gaussian mixture covered, high-quality fraction, reverse KL",
    ),
):
    register_metric(_metric)
del _metric

# The metrics of each kind of evaluation, as registered above.
IMAGE_METRICS = list_metrics("features", "classifier")
DEFAULT_METRICS = IMAGE_METRICS
# Metrics `evaluate_model` adds: CAS for conditional image models, mode coverage for points.
CONDITIONAL_METRICS = list_metrics("labels")
POINT_METRICS = list_metrics("points")
