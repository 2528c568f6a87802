"""Sample-quality and mode-coverage metrics as plain NumPy functions.

One namespace over the modules that define them: `gan_zoo.metrics.distances` (Fréchet
distance, KID, Inception Score), `gan_zoo.metrics.manifold` (precision / recall, density /
coverage) and `gan_zoo.metrics.modes` (mode coverage of mixtures and of labelled samples).

Conventions shared by every function here:

* Inputs are array-likes converted to float64 (labels: int64) NumPy arrays; every computation
  runs in float64 and scalars come back as Python `float` / `int`.
* Feature matrices are `[N, D]`: one row per sample (e.g. Inception pool features, or the
  penultimate layer of a digits classifier). Real and fake sets may differ in N, never in D.
* Bad inputs raise a one-line `ValueError` naming the argument.
* Nothing here imports SciPy: the matrix square root in the Fréchet distance goes through
  symmetric eigendecompositions (`np.linalg.eigh`).
* Nothing here knows a dataset: mode coverage takes the mixture's centres and std
  (`gan_zoo.evaluation.mixture_mode_coverage` looks up the benchmark mixtures by name).
"""

from gan_zoo.metrics.distances import (
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
    inception_score,
    kernel_distance,
    kernel_inception_distance,
)
from gan_zoo.metrics.manifold import density_coverage, precision_recall
from gan_zoo.metrics.modes import class_mode_coverage, mode_coverage

__all__ = [
    "class_mode_coverage",
    "density_coverage",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "inception_score",
    "kernel_distance",
    "kernel_inception_distance",
    "mode_coverage",
    "precision_recall",
]
