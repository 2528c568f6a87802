"""Evaluating models: gan_zoo models, SavedModels and run directories against real data.

The layer above `gan_zoo.metrics`: it reads what `gan_zoo.metrics` never does (models through
the family registry, exported SavedModels through `gan_zoo.export`, real data through
`gan_zoo.data`) and scores the samples with the metrics.

- `evaluate_model(model_or_dir, ...)` / `ModelEvaluator`: every metric of a model's kind
  beside its real-vs-real floor (`gan_zoo.evaluation.evaluator`);
- `ModelSource`, `default_dataset`: a model, SavedModel or run directory as samples, and the
  dataset it is measured against (`gan_zoo.evaluation.sources`);
- `load_real_data`: the real examples of a split at the samples' size;
- `evaluate_mixture`, `mixture_mode_coverage`, `mixture_coverage_metric`: mode coverage on
  the `gaussian_mixture` benchmarks by name (`ring8`, `grid25`);
- `evaluate_translation`, `evaluate_saved_translator`: translators (a CycleGAN's, or an
  exported one's) measured on `digits_thickness`.

Example:
>>> from gan_zoo import evaluation, metrics
>>> report = evaluation.evaluate_model("runs/demo", dataset=None, num_samples=1000)
>>> print(metrics.format_table(report))
"""

from gan_zoo.evaluation.evaluator import ModelEvaluator, evaluate_model
from gan_zoo.evaluation.mixtures import (
    evaluate_mixture,
    mixture_coverage_metric,
    mixture_mode_coverage,
)
from gan_zoo.evaluation.real_data import load_real_data
from gan_zoo.evaluation.sources import ModelSource, default_dataset
from gan_zoo.evaluation.translation import evaluate_saved_translator, evaluate_translation

__all__ = [
    "ModelEvaluator",
    "ModelSource",
    "default_dataset",
    "evaluate_mixture",
    "evaluate_model",
    "evaluate_saved_translator",
    "evaluate_translation",
    "load_real_data",
    "mixture_coverage_metric",
    "mixture_mode_coverage",
]
