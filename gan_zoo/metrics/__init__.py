"""Metrics: FID, KID, IS, precision/recall, density/coverage and mode coverage.

`gan_zoo.metrics.functional` holds plain NumPy functions; `gan_zoo.metrics.streaming` holds
distribution-safe `keras.metrics.Metric` versions (`FrechetDistance`, `InceptionScore`,
`ClassModeCoverage`, `MixtureModeCoverage`); `gan_zoo.metrics.features` the feature
extractors (digits classifier, Keras InceptionV3); `gan_zoo.metrics.evaluation` whole
evaluations of models beside their real-vs-real baselines, and the Classification Accuracy Score;
`gan_zoo.metrics.translation` measured image-to-image translation (stroke thickness, labels
kept, cycle error) on the `digits_thickness` pair.
"""

from gan_zoo.metrics.digits_classifier import (
    HELD_OUT_ACCURACY,
    DigitsClassifier,
    build_digits_classifier,
    load_digits_classifier,
)
from gan_zoo.metrics.evaluation import (
    ModelEvaluator,
    classification_accuracy_score,
    evaluate,
    evaluate_mixture,
    evaluate_model,
    format_table,
    save_report,
    scalar_metrics,
)
from gan_zoo.metrics.features import (
    DigitsFeatures,
    FeatureExtractor,
    InceptionV3Features,
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
    mixture_mode_coverage,
    mode_coverage,
    precision_recall,
)
from gan_zoo.metrics.streaming import (
    ClassModeCoverage,
    FrechetDistance,
    InceptionScore,
    MixtureModeCoverage,
)
from gan_zoo.metrics.translation import evaluate_translation, stroke_thickness, thickness_range

__all__ = [
    "HELD_OUT_ACCURACY",
    "ClassModeCoverage",
    "DigitsClassifier",
    "DigitsFeatures",
    "FeatureExtractor",
    "FrechetDistance",
    "InceptionScore",
    "InceptionV3Features",
    "MixtureModeCoverage",
    "ModelEvaluator",
    "build_digits_classifier",
    "load_digits_classifier",
    "class_mode_coverage",
    "classification_accuracy_score",
    "density_coverage",
    "evaluate",
    "evaluate_mixture",
    "evaluate_model",
    "evaluate_translation",
    "feature_statistics",
    "frechet_distance",
    "format_table",
    "frechet_distance_from_statistics",
    "get_extractor",
    "inception_score",
    "kernel_distance",
    "kernel_inception_distance",
    "mixture_mode_coverage",
    "mode_coverage",
    "precision_recall",
    "save_report",
    "scalar_metrics",
    "stroke_thickness",
    "thickness_range",
]
