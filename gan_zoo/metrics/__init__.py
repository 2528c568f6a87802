"""Metrics: FID, KID, IS, precision/recall, density/coverage and mode coverage.

`gan_zoo.metrics.functional` holds plain NumPy functions; `gan_zoo.metrics.streaming` holds
distribution-safe `keras.metrics.Metric` versions.
"""

from gan_zoo.metrics.digits_classifier import (
    HELD_OUT_ACCURACY,
    DigitsClassifier,
    build_digits_classifier,
    load_digits_classifier,
)
from gan_zoo.metrics.functional import (
    class_mode_coverage,
    density_coverage,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
    inception_score,
    kernel_inception_distance,
    mixture_mode_coverage,
    mode_coverage,
    precision_recall,
)
from gan_zoo.metrics.streaming import FrechetDistance

__all__ = [
    "HELD_OUT_ACCURACY",
    "DigitsClassifier",
    "FrechetDistance",
    "build_digits_classifier",
    "load_digits_classifier",
    "class_mode_coverage",
    "density_coverage",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "inception_score",
    "kernel_inception_distance",
    "mixture_mode_coverage",
    "mode_coverage",
    "precision_recall",
]
