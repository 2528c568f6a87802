"""Streaming mode coverage (`keras.metrics.Metric`): class modes and Gaussian-mixture modes.

See `gan_zoo.metrics.streaming` for what the streaming metrics share. `MixtureModeCoverage`
takes the mixture's centres and std; `gan_zoo.evaluation.mixture_coverage_metric` builds it for
the benchmark mixtures by name.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from gan_zoo.metrics.streaming_scores import _check_num_classes, _check_values

__all__ = ["ClassModeCoverage", "MixtureModeCoverage"]


def _kl_to_uniform(counts: tf.Tensor) -> tf.Tensor:
    """KL(q || uniform) of `q = counts / sum` (float64, 0 · log 0 = 0); NaN for no counts."""
    total = tf.reduce_sum(counts)
    q = counts / tf.maximum(total, 1.0)
    size = tf.cast(tf.shape(counts)[0], tf.float64)
    kl = tf.reduce_sum(tf.math.xlogy(q, q * size))
    return tf.where(total > 0.0, kl, tf.constant(float("nan"), tf.float64))


@keras.saving.register_keras_serializable(package="gan_zoo")
class ClassModeCoverage(keras.metrics.Metric):
    """Streaming mode coverage of labelled samples (e.g. the 1,000 modes of stacked digits).

    As in Unrolled GAN (Metz et al. 2017, arXiv:1611.02163), VEEGAN (Srivastava et al. 2017,
    arXiv:1705.07761) and PacGAN (Lin et al. 2018, arXiv:1712.04086) on stacked MNIST: a
    pretrained classifier labels every generated sample and the metric keeps the label
    histogram `counts [C]` (float64, exact for counts below 2⁵³). A mode is covered when it
    was predicted at least once, and `kl_to_uniform = KL(q || uniform) = Σ_c q_c log(q_c C)`
    with `q = counts / Σ counts` (`0 · log 0 = 0`). The same numbers as
    `gan_zoo.metrics.class_mode_coverage` on the concatenated labels.

    `update_state(predictions)` takes either integer labels `[B]` or class scores /
    probabilities `[B, C]` (reduced to labels by `argmax`), told apart by rank. `result()`
    returns a dict (pure TensorFlow, eager or inside `tf.function`). Distribution:
    sum-aggregated `ON_READ` histogram, so the per-replica histograms add up under
    `tf.distribute.MirroredStrategy`; create the metric inside `strategy.scope()`.

    Args:
        num_classes: number of modes C, >= 1 (1000 for 3-digit stacks).
        name: metric name.
        dtype: dtype of the returned `kl_to_uniform` (the histogram is always float64).

    Raises:
        ValueError: if `num_classes` is not a positive integer.

    Example:
    >>> coverage = ClassModeCoverage(num_classes=1000)
    >>> for images in batches:
    ...     coverage.update_state(stacked_classifier(images))  # [B, 1000] or labels [B]
    >>> coverage.result()  # {"modes_covered": ..., "kl_to_uniform": ...}
    """

    def __init__(self, num_classes: int, name: str = "class_mode_coverage", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.num_classes = _check_num_classes(num_classes)
        self.histogram = self.add_variable(
            (self.num_classes,), "zeros", "float64", "sum", "histogram"
        )

    def update_state(self, predictions: tf.Tensor) -> None:
        """Adds a batch of predictions to the label histogram.

        Args:
            predictions: integer labels `[B]` in `[0, num_classes)`, or class scores /
                probabilities `[B, num_classes]` whose row-wise argmax is the label.

        Raises:
            ValueError: on another rank or width, float labels, or (eagerly) labels out of
                range; inside a `tf.function` the range check fails with
                `tf.errors.InvalidArgumentError` instead.
        """
        x = tf.convert_to_tensor(predictions)
        c = self.num_classes
        if x.shape.rank == 2:
            if x.shape[-1] is not None and x.shape[-1] != c:
                raise ValueError(
                    f"predictions must have shape [batch] or [batch, {c}], got {x.shape}"
                )
            labels = tf.argmax(x, axis=1, output_type=tf.int64)
        elif x.shape.rank == 1:
            if not x.dtype.is_integer:
                raise ValueError(
                    f"1-D predictions must be integer labels, got dtype {x.dtype.name}"
                )
            labels = tf.cast(x, tf.int64)
            in_range = tf.reduce_all(tf.logical_and(labels >= 0, labels < c))
            _check_values(in_range, f"predicted labels must lie in [0, {c})")
        else:
            raise ValueError(f"predictions must have shape [batch] or [batch, {c}], got {x.shape}")
        self.histogram.assign_add(
            tf.math.bincount(labels, minlength=c, maxlength=c, dtype=tf.float64)
        )

    def reset_state(self) -> None:
        """Zeroes the histogram."""
        self.histogram.assign(tf.zeros(self.histogram.shape, dtype=tf.float64))

    def result(self) -> dict[str, tf.Tensor]:
        """Returns the coverage of the labels so far.

        Returns:
            `{"modes_covered": int32 scalar, "kl_to_uniform": scalar of the metric's dtype}`:
            HIGHER `modes_covered` (at most `num_classes`) and LOWER `kl_to_uniform` (0 for a
            perfectly even histogram, at most log C; NaN before any label) are better.
        """
        counts = tf.convert_to_tensor(self.histogram)
        return {
            "modes_covered": tf.math.count_nonzero(counts > 0.0, dtype=tf.int32),
            "kl_to_uniform": tf.cast(_kl_to_uniform(counts), self.dtype),
        }

    def get_config(self) -> dict:
        """Returns the constructor arguments (`name`, `dtype`, `num_classes`)."""
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="gan_zoo")
class MixtureModeCoverage(keras.metrics.Metric):
    """Streaming mode coverage of samples from a mixture of isotropic Gaussians.

    The protocol of the 2-D ring / grid benchmarks in VEEGAN (Srivastava et al. 2017,
    arXiv:1705.07761) and PacGAN (Lin et al. 2018, arXiv:1712.04086, Table 1), exactly as
    `gan_zoo.metrics.mode_coverage`: every sample is assigned to its nearest centre; it is
    HIGH QUALITY when that distance is below `threshold · std`; `counts[k]` is the number of
    high-quality samples assigned to mode k; a mode is covered when
    `counts[k] >= min_samples_per_mode`; `high_quality_fraction = Σ counts / n` over ALL n
    samples; `reverse_kl = KL(q || uniform) = Σ_k q_k log(q_k K)` with `q = counts / Σ counts`
    (high-quality samples only, `0 · log 0 = 0`, NaN when there is none).

    The metric keeps the per-mode counts `[K]` and the total count in float64 variables
    (exact for counts below 2⁵³), so the result equals `mode_coverage` on the concatenated
    batches. `result()` returns a dict (pure TensorFlow, eager or inside `tf.function`).
    Distribution: sum-aggregated `ON_READ` variables, so the per-replica counts add up under
    `tf.distribute.MirroredStrategy`; create the metric inside `strategy.scope()`.

    Args:
        centres: `[K, D]` array-like of finite mixture centres (D = 2 for the benchmarks).
        std: per-coordinate standard deviation of every component, > 0.
        threshold: high-quality radius in units of `std`, > 0.
        min_samples_per_mode: high-quality samples needed for a mode to count as covered, >= 1.
        name: metric name.
        dtype: dtype of the returned `high_quality_fraction` and `reverse_kl`.

    Raises:
        ValueError: on malformed `centres` or a non-positive `std` / `threshold` /
            `min_samples_per_mode`.

    Example (`gan_zoo.evaluation.mixture_coverage_metric("ring8")` builds the same):
    >>> from gan_zoo.data import mixture_centres, mixture_std
    >>> coverage = MixtureModeCoverage(mixture_centres("ring8"), mixture_std("ring8"))
    >>> for noise in batches:
    ...     coverage.update_state(generator(noise))  # [B, 2] raw data coordinates
    >>> coverage.result()  # {"modes_covered", "high_quality_fraction", "reverse_kl"}
    """

    def __init__(
        self,
        centres,
        std: float,
        threshold: float = 3.0,
        min_samples_per_mode: int = 1,
        name: str = "mode_coverage",
        dtype=None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        c = np.asarray(centres, dtype=np.float64)
        if c.ndim != 2 or c.shape[0] < 1 or c.shape[1] < 1:
            raise ValueError(
                f"centres must be a non-empty 2-D [num_modes, dim] array, got {c.shape}"
            )
        if not np.all(np.isfinite(c)):
            raise ValueError("centres contains NaN or infinite values")
        if not float(std) > 0 or not math.isfinite(float(std)):
            raise ValueError(f"std must be a positive finite number, got {std!r}")
        if not float(threshold) > 0 or not math.isfinite(float(threshold)):
            raise ValueError(f"threshold must be a positive finite number, got {threshold!r}")
        if (
            isinstance(min_samples_per_mode, bool)
            or int(min_samples_per_mode) != min_samples_per_mode
            or min_samples_per_mode < 1
        ):
            raise ValueError(
                f"min_samples_per_mode must be a positive integer, got {min_samples_per_mode!r}"
            )
        self.centres = c
        self.std = float(std)
        self.threshold = float(threshold)
        self.min_samples_per_mode = int(min_samples_per_mode)
        self.count = self.add_variable((), "zeros", "float64", "sum", "count")
        self.mode_counts = self.add_variable(
            (c.shape[0],), "zeros", "float64", "sum", "mode_counts"
        )

    @property
    def num_modes(self) -> int:
        """Number of mixture components K."""
        return int(self.centres.shape[0])

    def update_state(self, samples: tf.Tensor) -> None:
        """Adds a batch of generated samples.

        Args:
            samples: `[B, D]` points in the raw (unnormalised) data coordinates of `centres`.

        Raises:
            ValueError: if the batch is not `[batch, D]`.
        """
        x = tf.cast(tf.convert_to_tensor(samples), tf.float64)
        dim = self.centres.shape[1]
        if x.shape.rank != 2 or (x.shape[-1] is not None and x.shape[-1] != dim):
            raise ValueError(f"samples must have shape [batch, {dim}], got {x.shape}")
        centres = tf.constant(self.centres, tf.float64)
        # [B, K] exact differences, as in the functional version (K is 8 or 25).
        sq_dist = tf.reduce_sum(tf.square(x[:, None, :] - centres[None, :, :]), axis=-1)
        nearest = tf.argmin(sq_dist, axis=1, output_type=tf.int32)
        nearest_dist = tf.sqrt(tf.reduce_min(sq_dist, axis=1))
        high_quality = nearest_dist < self.threshold * self.std
        self.count.assign_add(tf.cast(tf.shape(x)[0], tf.float64))
        self.mode_counts.assign_add(
            tf.math.bincount(
                tf.boolean_mask(nearest, high_quality),
                minlength=self.num_modes,
                maxlength=self.num_modes,
                dtype=tf.float64,
            )
        )

    def reset_state(self) -> None:
        """Zeroes the per-mode and total counts."""
        for variable in (self.count, self.mode_counts):
            variable.assign(tf.zeros(variable.shape, dtype=tf.float64))

    def result(self) -> dict[str, tf.Tensor]:
        """Returns the mode coverage of the samples so far.

        Returns:
            `{"modes_covered": int32 scalar (HIGHER is better, at most K),
            "high_quality_fraction": scalar in [0, 1] (HIGHER is better; NaN before any
            sample), "reverse_kl": scalar in [0, log K] (LOWER is better; NaN without a
            high-quality sample)}`, the floats in the metric's dtype.
        """
        count = tf.convert_to_tensor(self.count)
        counts = tf.convert_to_tensor(self.mode_counts)
        fraction = tf.where(
            count > 0.0,
            tf.reduce_sum(counts) / tf.maximum(count, 1.0),
            tf.constant(float("nan"), tf.float64),
        )
        return {
            "modes_covered": tf.math.count_nonzero(
                counts >= float(self.min_samples_per_mode), dtype=tf.int32
            ),
            "high_quality_fraction": tf.cast(fraction, self.dtype),
            "reverse_kl": tf.cast(_kl_to_uniform(counts), self.dtype),
        }

    def get_config(self) -> dict:
        """Returns the constructor arguments; `centres` as nested lists."""
        return {
            **super().get_config(),
            "centres": self.centres.tolist(),
            "std": self.std,
            "threshold": self.threshold,
            "min_samples_per_mode": self.min_samples_per_mode,
        }
