"""Streaming Fréchet distance and Inception Score (`keras.metrics.Metric`), and shared checks.

See `gan_zoo.metrics.streaming` for what the streaming metrics share: float64 sufficient
statistics in sum-aggregated, on-read synchronised variables, exact under `tf.distribute`.
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = ["FrechetDistance", "InceptionScore"]


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
