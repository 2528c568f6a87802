"""Metrics: FID, KID, IS, precision/recall, density/coverage, mode coverage, CAS, translation.

The lower layer of gan_zoo's evaluation: functions of arrays and samplers, which never read a
model, a preset, a SavedModel or a dataset (`gan_zoo.evaluation` does, on top of these).

- `gan_zoo.metrics.functional`: plain NumPy functions (`distances`, `manifold`, `modes`);
- `gan_zoo.metrics.streaming`: distribution-safe `keras.metrics.Metric` versions
  (`FrechetDistance`, `InceptionScore`, `ClassModeCoverage`, `MixtureModeCoverage`);
- `gan_zoo.metrics.features`: the feature extractors (digits classifiers, Keras InceptionV3);
- `gan_zoo.metrics.registry`: every metric an evaluation can name (`Metric`: its function,
  what it needs, which way is better, its aliases);
- `gan_zoo.metrics.scoring`: `evaluate` (image metrics of a sampler beside the real-vs-real
  floor) and `evaluate_points` (mode coverage of 2-D points);
- `gan_zoo.metrics.cas`: the Classification Accuracy Score of conditional samplers;
- `gan_zoo.metrics.report`: `scalar_metrics`, `format_table`, `save_report`;
- `gan_zoo.metrics.translation`: stroke thickness and the scores of image-to-image
  translations on the `digits_thickness` pair.
"""

from gan_zoo.metrics.cas import classification_accuracy_score
from gan_zoo.metrics.digits_classifier import (
    HELD_OUT_ACCURACY,
    DigitsClassifier,
    build_digits_classifier,
    classifier_record,
    load_classifier,
    load_digits_classifier,
    load_mnist_classifier,
)
from gan_zoo.metrics.features import (
    DigitsFeatures,
    FeatureExtractor,
    InceptionV3Features,
    MnistFeatures,
    StackedMnistFeatures,
    get_extractor,
)
from gan_zoo.metrics.functional import (
    class_mode_coverage,
    density_coverage,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
    inception_score,
    kernel_distance,
    kernel_inception_distance,
    mode_coverage,
    precision_recall,
)
from gan_zoo.metrics.registry import Metric, get_metric, list_metrics, register_metric
from gan_zoo.metrics.report import format_table, save_report, scalar_metrics
from gan_zoo.metrics.scoring import evaluate, evaluate_points
from gan_zoo.metrics.streaming import (
    ClassModeCoverage,
    FrechetDistance,
    InceptionScore,
    MixtureModeCoverage,
)
from gan_zoo.metrics.translation import stroke_thickness, thickness_range, translation_scores

__all__ = [
    "HELD_OUT_ACCURACY",
    "ClassModeCoverage",
    "DigitsClassifier",
    "DigitsFeatures",
    "MnistFeatures",
    "StackedMnistFeatures",
    "FeatureExtractor",
    "FrechetDistance",
    "InceptionScore",
    "InceptionV3Features",
    "Metric",
    "MixtureModeCoverage",
    "build_digits_classifier",
    "class_mode_coverage",
    "classification_accuracy_score",
    "density_coverage",
    "evaluate",
    "evaluate_points",
    "feature_statistics",
    "format_table",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "get_extractor",
    "get_metric",
    "inception_score",
    "kernel_distance",
    "kernel_inception_distance",
    "list_metrics",
    "classifier_record",
    "load_classifier",
    "load_digits_classifier",
    "load_mnist_classifier",
    "mode_coverage",
    "precision_recall",
    "register_metric",
    "save_report",
    "scalar_metrics",
    "stroke_thickness",
    "thickness_range",
    "translation_scores",
]
