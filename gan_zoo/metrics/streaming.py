"""Streaming (`keras.metrics.Metric`) versions of the sample-quality metrics.

Each metric accumulates sums (sufficient statistics) batch by batch, so a whole evaluation
set never needs to be in memory at once, and each is exact under `tf.distribute`: the
variables are sum-aggregated, on-read synchronised metric variables, so the per-replica
partial sums add up when the result is read.

* `FrechetDistance`: FID from per-stream count, sum and sum of outer products.
* `InceptionScore`: single-split Inception Score from count, `Σ p(y|x)` and `Σ p log p`.
* `ClassModeCoverage`: modes covered and KL to uniform from a histogram of predicted labels.
* `MixtureModeCoverage`: 2-D Gaussian-mixture mode coverage from per-mode high-quality
  counts and the total sample count.

Each equals its `gan_zoo.metrics.functional` counterpart on the concatenated batches. They are
defined in `gan_zoo.metrics.streaming_scores` and `gan_zoo.metrics.streaming_modes`; importing
this module registers all four with Keras (`"gan_zoo>FrechetDistance"`, ...), which
`import gan_zoo` does so that `keras.saving.load_model` finds them.
"""

from gan_zoo.metrics.streaming_modes import ClassModeCoverage, MixtureModeCoverage
from gan_zoo.metrics.streaming_scores import FrechetDistance, InceptionScore

__all__ = ["ClassModeCoverage", "FrechetDistance", "InceptionScore", "MixtureModeCoverage"]
