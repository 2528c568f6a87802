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

Each equals its `gan_zoo.metrics.functional` counterpart on the concatenated batches.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

__all__ = ["ClassModeCoverage", "FrechetDistance", "InceptionScore", "MixtureModeCoverage"]


def _check_values(condition: tf.Tensor, message: str) -> None:
    """Checks a data-dependent condition: ValueError eagerly, an `Assert` op in a graph.

    Inside a `tf.function` the `Assert` op runs through automatic control dependencies and
    fails with `tf.errors.InvalidArgumentError` carrying `message`.
    """
    if tf.executing_eagerly():
        if not bool(condition):
            raise ValueError(message)
    else:
        tf.debugging.Assert(condition, [message])


def _check_num_classes(num_classes: int) -> int:
    if isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    return int(num_classes)


def _kl_to_uniform(counts: tf.Tensor) -> tf.Tensor:
    """KL(q || uniform) of `q = counts / sum` (float64, 0 · log 0 = 0); NaN for no counts."""
    total = tf.reduce_sum(counts)
    q = counts / tf.maximum(total, 1.0)
    size = tf.cast(tf.shape(counts)[0], tf.float64)
    kl = tf.reduce_sum(tf.math.xlogy(q, q * size))
    return tf.where(total > 0.0, kl, tf.constant(float("nan"), tf.float64))


@keras.saving.register_keras_serializable(package="gan_zoo")
class FrechetDistance(keras.metrics.Metric):
    """Streaming Fréchet distance (FID) between real and generated features.

    Heusel et al. 2017 (arXiv:1706.08500); the same number as
    `gan_zoo.metrics.frechet_distance` on the concatenated batches. For each of the real and
    fake streams it keeps, in float64 variables, the sufficient statistics

        count n,  sum s = Σ x  [D],  sum of outer products S = Σ x xᵀ  [D, D],

    and `result()` forms `μ = s / n` and the unbiased covariance `Σ = (S − n μ μᵀ) / (n − 1)`,
    then `||μr − μf||² + Tr(Σr + Σf − 2 (Σr Σf)^{1/2})` with the trace of the square root taken
    as `Σ sqrt(eig(Σr^{1/2} Σf Σr^{1/2}))` via `tf.linalg.eigh` (float64, eigenvalues
    clipped at 0). Accumulating in float64 keeps the `S − n μ μᵀ` cancellation harmless unless
    the feature means exceed the feature spreads by ~10⁶ or more.

    `result()` is pure TensorFlow, so it works both eagerly and inside a compiled
    `tf.function` graph; it is NaN while either stream has fewer than 2 samples.

    Distribution: variables are created with `add_variable(..., aggregation="sum")` (Keras
    makes them `ON_READ` synchronised), so under `tf.distribute.MirroredStrategy` each
    replica's `update_state` adds to its local copy and reading the variables (in
    `result()`, from the cross-replica context) sums the copies. Create the metric inside
    `strategy.scope()`.

    Args:
        feature_dim: width D of the feature vectors.
        name: metric name.
        dtype: dtype of the returned result (the statistics are always float64).

    Example:
    >>> fid = FrechetDistance(feature_dim=64)
    >>> for real, fake in batches:
    ...     fid.update_state(real, fake)
    >>> float(fid.result())
    """

    def __init__(self, feature_dim: int, name: str = "frechet_distance", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        if int(feature_dim) != feature_dim or feature_dim < 1:
            raise ValueError(f"feature_dim must be a positive integer, got {feature_dim!r}")
        self.feature_dim = int(feature_dim)
        d = self.feature_dim
        self._stats = {}
        for stream in ("real", "fake"):
            self._stats[stream] = (
                self.add_variable((), "zeros", "float64", "sum", f"{stream}_count"),
                self.add_variable((d,), "zeros", "float64", "sum", f"{stream}_sum"),
                self.add_variable((d, d), "zeros", "float64", "sum", f"{stream}_outer_sum"),
            )

    def _accumulate(self, stream: str, features: tf.Tensor) -> None:
        x = tf.cast(tf.convert_to_tensor(features), tf.float64)
        if x.shape.rank != 2 or (x.shape[-1] is not None and x.shape[-1] != self.feature_dim):
            raise ValueError(
                f"{stream}_features must have shape [batch, {self.feature_dim}], got {x.shape}"
            )
        count, total, outer = self._stats[stream]
        count.assign_add(tf.cast(tf.shape(x)[0], tf.float64))
        total.assign_add(tf.reduce_sum(x, axis=0))
        outer.assign_add(tf.matmul(x, x, transpose_a=True))

    def update_state(
        self, real_features: tf.Tensor | None = None, fake_features: tf.Tensor | None = None
    ) -> None:
        """Adds a batch of real and/or generated features to the running statistics.

        Args:
            real_features: `[B_r, feature_dim]` real features, or None to leave the real
                statistics unchanged (e.g. when they were accumulated once up front).
            fake_features: `[B_f, feature_dim]` generated features, or None.

        Raises:
            ValueError: if a batch is not `[batch, feature_dim]`.
        """
        if real_features is not None:
            self._accumulate("real", real_features)
        if fake_features is not None:
            self._accumulate("fake", fake_features)

    def reset_state(self) -> None:
        """Zeroes all the accumulated statistics (both streams)."""
        for variables in self._stats.values():
            for variable in variables:
                variable.assign(tf.zeros(variable.shape, dtype=tf.float64))

    def reset_fake_state(self) -> None:
        """Zeroes only the generated-feature statistics, keeping the real ones."""
        for variable in self._stats["fake"]:
            variable.assign(tf.zeros(variable.shape, dtype=tf.float64))

    def _moments(self, stream: str) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        count, total, outer = (tf.convert_to_tensor(v) for v in self._stats[stream])
        mu = total / tf.maximum(count, 1.0)
        sigma = (outer - count * tf.tensordot(mu, mu, axes=0)) / tf.maximum(count - 1.0, 1.0)
        return count, mu, 0.5 * (sigma + tf.transpose(sigma))

    def result(self) -> tf.Tensor:
        """Returns the Fréchet distance of the statistics so far (NaN if a stream has n < 2).

        Returns:
            Scalar tensor of the metric's dtype; LOWER is better.
        """
        n_real, mu_r, sigma_r = self._moments("real")
        n_fake, mu_f, sigma_f = self._moments("fake")
        eigenvalues, eigenvectors = tf.linalg.eigh(sigma_r)
        root_r = tf.matmul(
            eigenvectors * tf.sqrt(tf.maximum(eigenvalues, 0.0)), eigenvectors, transpose_b=True
        )
        inner = tf.matmul(tf.matmul(root_r, sigma_f), root_r)
        inner = 0.5 * (inner + tf.transpose(inner))
        trace_sqrt = tf.reduce_sum(tf.sqrt(tf.maximum(tf.linalg.eigvalsh(inner), 0.0)))
        diff = mu_r - mu_f
        fid = (
            tf.reduce_sum(diff * diff)
            + tf.linalg.trace(sigma_r)
            + tf.linalg.trace(sigma_f)
            - 2.0 * trace_sqrt
        )
        valid = tf.logical_and(n_real >= 2.0, n_fake >= 2.0)
        fid = tf.where(valid, fid, tf.constant(float("nan"), tf.float64))
        return tf.cast(fid, self.dtype)

    def get_config(self) -> dict:
        """Returns the constructor arguments (`name`, `dtype`, `feature_dim`)."""
        return {**super().get_config(), "feature_dim": self.feature_dim}


@keras.saving.register_keras_serializable(package="gan_zoo")
class InceptionScore(keras.metrics.Metric):
    """Streaming, single-split Inception Score from classifier class probabilities.

    Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498):
    `IS = exp(E_x KL(p(y|x) || p(y)))` with `p(y)` the mean prediction. Since

        E_x KL(p(y|x) || p̄) = (1/n) Σ_x Σ_y p log p − Σ_y p̄_y log p̄_y,   p̄ = (1/n) Σ_x p(y|x),

    the metric keeps, in float64 variables, the count n, the class sums `Σ_x p(y|x)` `[C]` and
    the scalar `Σ_x Σ_y p log p` (with `0 · log 0 = 0`, via `tf.math.xlogy`), and the result
    is exact: the same number as `gan_zoo.metrics.inception_score(p, splits=1)[0]` on the
    concatenated batches. (The usual 10-split mean/std needs the split boundaries up front;
    use the functional version for that.)

    `result()` is pure TensorFlow (eager or inside `tf.function`) and NaN while no sample has
    been seen. Distribution: sum-aggregated `ON_READ` variables, so under
    `tf.distribute.MirroredStrategy` the per-replica sums add up when the result is read;
    create the metric inside `strategy.scope()`.

    Args:
        num_classes: number of classes C (width of the probability rows), >= 1.
        name: metric name.
        dtype: dtype of the returned result (the statistics are always float64).

    Raises:
        ValueError: if `num_classes` is not a positive integer.

    Example:
    >>> inception = InceptionScore(num_classes=10)
    >>> for images in batches:
    ...     inception.update_state(classifier(images))  # softmax probabilities [B, 10]
    >>> float(inception.result())  # in [1, 10]; HIGHER is better
    """

    def __init__(self, num_classes: int, name: str = "inception_score", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.num_classes = _check_num_classes(num_classes)
        self.count = self.add_variable((), "zeros", "float64", "sum", "count")
        self.probability_sum = self.add_variable(
            (self.num_classes,), "zeros", "float64", "sum", "probability_sum"
        )
        self.negentropy_sum = self.add_variable((), "zeros", "float64", "sum", "negentropy_sum")

    def update_state(self, probabilities: tf.Tensor) -> None:
        """Adds a batch of predicted class probabilities.

        Args:
            probabilities: `[B, num_classes]` rows of p(y|x): finite, non-negative, each
                summing to 1 (within 1e-3), e.g. a classifier's softmax output.

        Raises:
            ValueError: if the batch is not `[batch, num_classes]`, or (eagerly) if a row is
                not a probability vector; inside a `tf.function` the value check fails with
                `tf.errors.InvalidArgumentError` instead.
        """
        p = tf.cast(tf.convert_to_tensor(probabilities), tf.float64)
        if p.shape.rank != 2 or (p.shape[-1] is not None and p.shape[-1] != self.num_classes):
            raise ValueError(
                f"probabilities must have shape [batch, {self.num_classes}], got {p.shape}"
            )
        valid = tf.logical_and(
            tf.reduce_all(tf.logical_and(tf.math.is_finite(p), p >= 0.0)),
            tf.reduce_all(tf.abs(tf.reduce_sum(p, axis=1) - 1.0) <= 1e-3),
        )
        _check_values(valid, "probabilities must be finite, non-negative rows summing to 1")
        self.count.assign_add(tf.cast(tf.shape(p)[0], tf.float64))
        self.probability_sum.assign_add(tf.reduce_sum(p, axis=0))
        self.negentropy_sum.assign_add(tf.reduce_sum(tf.math.xlogy(p, p)))

    def reset_state(self) -> None:
        """Zeroes the count and the sums."""
        for variable in (self.count, self.probability_sum, self.negentropy_sum):
            variable.assign(tf.zeros(variable.shape, dtype=tf.float64))

    def result(self) -> tf.Tensor:
        """Returns the Inception Score of all the probabilities so far (NaN if none).

        Returns:
            Scalar tensor of the metric's dtype in `[1, num_classes]`; HIGHER is better.
        """
        count = tf.convert_to_tensor(self.count)
        marginal = tf.convert_to_tensor(self.probability_sum) / tf.maximum(count, 1.0)
        mean_kl = tf.convert_to_tensor(self.negentropy_sum) / tf.maximum(
            count, 1.0
        ) - tf.reduce_sum(tf.math.xlogy(marginal, marginal))
        score = tf.where(count > 0.0, tf.exp(mean_kl), tf.constant(float("nan"), tf.float64))
        return tf.cast(score, self.dtype)

    def get_config(self) -> dict:
        """Returns the constructor arguments (`name`, `dtype`, `num_classes`)."""
        return {**super().get_config(), "num_classes": self.num_classes}


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

    Example:
    >>> coverage = MixtureModeCoverage.for_mixture("ring8")
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

    @classmethod
    def for_mixture(
        cls,
        mixture: str,
        threshold: float = 3.0,
        min_samples_per_mode: int = 1,
        name: str = "mode_coverage",
        dtype=None,
    ) -> MixtureModeCoverage:
        """Builds the metric for one of gan_zoo's benchmark mixtures.

        Uses `gan_zoo.data.gaussian_mixture.mixture_centres(mixture)` and `mixture_std`,
        as `gan_zoo.metrics.mixture_mode_coverage` does.

        Args:
            mixture: `"ring8"` (8 modes, std 0.01) or `"grid25"` (25 modes, std 0.05).
            threshold: high-quality radius in units of the mixture std.
            min_samples_per_mode: high-quality samples needed for a mode to count as covered.
            name: metric name.
            dtype: dtype of the returned floats.

        Returns:
            A `MixtureModeCoverage` over the mixture's centres and std.

        Raises:
            ValueError: if `mixture` is not a known mixture.
        """
        from gan_zoo.data.gaussian_mixture import mixture_centres, mixture_std

        return cls(
            mixture_centres(mixture),
            mixture_std(mixture),
            threshold=threshold,
            min_samples_per_mode=min_samples_per_mode,
            name=name,
            dtype=dtype,
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
