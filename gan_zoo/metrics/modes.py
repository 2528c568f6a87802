"""Mode coverage as plain NumPy functions: 2-D Gaussian mixtures and labelled samples.

The conventions of `gan_zoo.metrics.functional` apply. The mixtures' centres and std are
arguments: the benchmark mixtures themselves (`ring8`, `grid25`) are data, looked up by
`gan_zoo.evaluation.mixture_mode_coverage`.
"""

from __future__ import annotations

import math

import numpy as np

from gan_zoo.metrics.validation import as_features, check_same_width

__all__ = ["class_mode_coverage", "mode_coverage"]


def _kl_to_uniform(counts: np.ndarray) -> float:
    """KL(q || uniform) of the normalised histogram `q = counts / sum`, with 0 · log 0 = 0."""
    total = counts.sum()
    if total == 0:
        return float("nan")
    q = counts[counts > 0] / total
    return float(np.sum(q * np.log(q * counts.shape[0])))


def mode_coverage(
    points: np.ndarray,
    centers: np.ndarray,
    std: float,
    threshold: float = 3.0,
    min_samples_per_mode: int = 1,
) -> dict:
    """Mode coverage of samples from a mixture of isotropic Gaussians with known centres.

    The protocol of the 2-D ring / grid benchmarks in VEEGAN (Srivastava et al. 2017,
    arXiv:1705.07761) and PacGAN (Lin et al. 2018, arXiv:1712.04086, Table 1), following
    the PacGAN authors' metric code:

    * every sample is assigned to its nearest centre (Euclidean distance);
    * a sample is HIGH QUALITY when that distance is below `threshold · std` (the
      "within three standard deviations" rule; with an isotropic std this is the
      Mahalanobis distance `||x − c|| / std < threshold`);
    * `counts[k]` = number of high-quality samples assigned to mode k;
    * a mode is COVERED when `counts[k] >= min_samples_per_mode` (default 1: at least one
      high-quality sample, as in the PacGAN code; raise it for a stricter "mode is lost if
      fewer than n samples" rule);
    * `reverse_kl = KL(q || p) = Σ_k q_k log(q_k K)`, with `q = counts / counts.sum()` the
      histogram of the high-quality samples over the K modes and `p` uniform. Empty modes
      contribute `0 · log 0 = 0`, so no epsilon is needed in this direction and the value is
      exact: 0 for perfectly even coverage, `log(K / n)` for even coverage of n modes,
      `log K` at most. It is NaN when there is no high-quality sample (q undefined).

    Args:
        points: `[N, D]` generated points (D = 2 for the benchmarks), N >= 1.
        centers: `[K, D]` mixture centres.
        std: per-coordinate standard deviation of every component, > 0.
        threshold: high-quality radius in units of `std`, > 0.
        min_samples_per_mode: high-quality samples needed for a mode to count as covered.

    Returns:
        A dict with `modes` and its alias `modes_covered` (int, HIGHER is better, at most
        `num_modes`), `high_quality` and its alias `high_quality_fraction`,
        `num_modes` (int K), the high-quality fraction (float in [0, 1], HIGHER is better;
        tables report it as a percentage), `reverse_kl` (float, LOWER is better) and
        `counts` (list of K ints).

    Raises:
        ValueError: on malformed shapes or non-positive `std` / `threshold` /
            `min_samples_per_mode`.
    """
    x = as_features(points, "points", min_rows=1)
    c = as_features(centers, "centers", min_rows=1)
    check_same_width(x, c, "points", "centers")
    if not std > 0 or not math.isfinite(std):
        raise ValueError(f"std must be a positive finite number, got {std!r}")
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, got {threshold!r}")
    if int(min_samples_per_mode) != min_samples_per_mode or min_samples_per_mode < 1:
        raise ValueError(
            f"min_samples_per_mode must be a positive integer, got {min_samples_per_mode!r}"
        )
    num_modes = c.shape[0]
    # [N, K] exact differences: K is small (8 or 25) for the benchmarks.
    sq_dist = np.sum((x[:, None, :] - c[None, :, :]) ** 2, axis=-1)
    nearest = np.argmin(sq_dist, axis=1)
    nearest_dist = np.sqrt(sq_dist[np.arange(x.shape[0]), nearest])
    high_quality = nearest_dist < threshold * std
    counts = np.bincount(nearest[high_quality], minlength=num_modes)
    modes_covered = int(np.count_nonzero(counts >= min_samples_per_mode))
    high_quality_fraction = float(np.mean(high_quality))
    return {
        "modes": modes_covered,  # the evaluation issue's interface names ...
        "high_quality": high_quality_fraction,
        "modes_covered": modes_covered,  # ... and the descriptive ones the tables use
        "num_modes": int(num_modes),
        "high_quality_fraction": high_quality_fraction,
        "reverse_kl": _kl_to_uniform(counts),
        "counts": [int(n) for n in counts],
    }


def class_mode_coverage(predicted_labels: np.ndarray, num_classes: int) -> dict:
    """Mode coverage of labelled samples, e.g. the 1,000 modes of stacked digits.

    As in Unrolled GAN (Metz et al. 2017, arXiv:1611.02163), VEEGAN (arXiv:1705.07761) and
    PacGAN (arXiv:1712.04086) on stacked MNIST: a pretrained classifier labels every
    generated sample; a mode (class) is covered when it is predicted at least once, and
    `kl_to_uniform = KL(q || uniform) = Σ_c q_c log(q_c C)` with `q` the normalised label
    histogram (`0 · log 0 = 0`, as in the PacGAN code).

    Args:
        predicted_labels: `[N]` integer labels in `[0, num_classes)`, N >= 1.
        num_classes: number of modes C (1000 for 3-digit stacks).

    Returns:
        `{"modes_covered": int, "kl_to_uniform": float, "histogram": list of C ints}`.
        HIGHER `modes_covered` and LOWER `kl_to_uniform` (0 for a perfectly even histogram,
        at most log C) are better.

    Raises:
        ValueError: on non-integer or out-of-range labels, or an empty input.
    """
    if int(num_classes) != num_classes or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    labels = np.asarray(predicted_labels)
    if labels.ndim != 1 or labels.shape[0] < 1:
        raise ValueError(
            f"predicted_labels must be a non-empty 1-D array, got shape {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"predicted_labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"predicted_labels must lie in [0, {num_classes}), got {labels.min()}..{labels.max()}"
        )
    counts = np.bincount(labels.astype(np.int64), minlength=int(num_classes))
    return {
        "modes_covered": int(np.count_nonzero(counts)),
        "kl_to_uniform": _kl_to_uniform(counts),
        "histogram": [int(n) for n in counts],
    }
