"""Sample-quality and mode-coverage metrics as plain NumPy functions.

Conventions shared by every function in this module:

* Inputs are array-likes converted to float64 (labels: int64) NumPy arrays; every computation
  runs in float64 and scalars come back as Python `float` / `int`.
* Feature matrices are `[N, D]`: one row per sample (e.g. Inception pool features, or the
  penultimate layer of a digits classifier). Real and fake sets may differ in N, never in D.
* Bad inputs raise a one-line `ValueError` naming the argument.
* Nothing here imports SciPy: the matrix square root in the Fréchet distance goes through
  symmetric eigendecompositions (`np.linalg.eigh`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

__all__ = [
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

# Rows of the first operand per block of the batched pairwise distances: a block is
# `_DISTANCE_BATCH x N` float64, i.e. 80 MB for N = 10,000.
_DISTANCE_BATCH = 1024


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _as_features(x: np.ndarray, name: str, min_rows: int = 2) -> np.ndarray:
    """Returns `x` as a finite float64 `[N, D]` array with at least `min_rows` rows."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D [num_samples, num_features] array, got {x.shape}")
    if x.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows, got {x.shape[0]}")
    if x.shape[1] < 1:
        raise ValueError(f"{name} needs at least 1 feature column, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _check_same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same feature width, "
            f"got {a.shape[1]} and {b.shape[1]}"
        )


def _check_k(k: int, n: int, name: str) -> None:
    if int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k >= n:
        raise ValueError(f"k={k} needs more than k rows in {name}, got {n}")


# --------------------------------------------------------------------------------------------
# Fréchet distance (FID)
# --------------------------------------------------------------------------------------------


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of a feature set, the sufficient statistics of the FID.

    Args:
        features: `[N, D]` array, N >= 2.

    Returns:
        `(mu, sigma)`: float64 `[D]` mean and `[D, D]` unbiased covariance (ddof=1).

    Raises:
        ValueError: if `features` is not 2-D, has fewer than 2 rows or non-finite values.
    """
    x = _as_features(features, "features")
    mu = x.mean(axis=0)
    centred = x - mu
    sigma = centred.T @ centred / (x.shape[0] - 1)
    return mu, sigma


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    """Symmetric PSD square root by eigendecomposition; negative eigenvalues clipped to 0."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    root = np.sqrt(np.clip(eigenvalues, 0.0, None))
    return (eigenvectors * root) @ eigenvectors.T


def _trace_sqrt_product(sigma_a: np.ndarray, sigma_b: np.ndarray) -> float:
    """`Tr((Σa Σb)^{1/2})` as `Σ sqrt(eig(Σa^{1/2} Σb Σa^{1/2}))`, a symmetric PSD matrix.

    `Σa Σb` is similar to `Σa^{1/2} Σb Σa^{1/2}` (same eigenvalues), but the latter is
    symmetric, so `eigvalsh` applies and stays stable even for singular covariances.
    """
    root_a = _sqrt_psd(sigma_a)
    inner = root_a @ sigma_b @ root_a
    inner = 0.5 * (inner + inner.T)
    eigenvalues = np.linalg.eigvalsh(inner)
    return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))


def frechet_distance_from_statistics(
    mu_a: np.ndarray, sigma_a: np.ndarray, mu_b: np.ndarray, sigma_b: np.ndarray
) -> float:
    """Fréchet distance between the Gaussians N(mu_a, sigma_a) and N(mu_b, sigma_b).

    Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
    Equilibrium" (arXiv:1706.08500):
    `||mu_a - mu_b||² + Tr(sigma_a + sigma_b - 2 (sigma_a sigma_b)^{1/2})`. The trace of the
    matrix square root is computed as the sum of the square roots of the eigenvalues of
    `sigma_a^{1/2} sigma_b sigma_a^{1/2}` (eigenvalues clipped at 0), without SciPy.

    Args:
        mu_a: `[D]` mean of the first set.
        sigma_a: `[D, D]` symmetric PSD covariance of the first set.
        mu_b: `[D]` mean of the second set.
        sigma_b: `[D, D]` symmetric PSD covariance of the second set.

    Returns:
        The squared Fréchet (2-Wasserstein) distance, >= 0 up to rounding; LOWER is better
        (0 for identical statistics). Symmetric in its two arguments.

    Raises:
        ValueError: if the shapes do not match or a value is not finite.
    """
    mu_a = np.asarray(mu_a, dtype=np.float64)
    mu_b = np.asarray(mu_b, dtype=np.float64)
    sigma_a = np.asarray(sigma_a, dtype=np.float64)
    sigma_b = np.asarray(sigma_b, dtype=np.float64)
    if mu_a.ndim != 1 or mu_a.shape != mu_b.shape:
        raise ValueError(
            f"mu_a and mu_b must be 1-D of equal length, got {mu_a.shape}, {mu_b.shape}"
        )
    d = mu_a.shape[0]
    for name, sigma in (("sigma_a", sigma_a), ("sigma_b", sigma_b)):
        if sigma.shape != (d, d):
            raise ValueError(
                f"{name} must have shape {(d, d)} to match the means, got {sigma.shape}"
            )
    for name, value in (("mu_a", mu_a), ("mu_b", mu_b), ("sigma_a", sigma_a), ("sigma_b", sigma_b)):
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} contains NaN or infinite values")
    diff = mu_a - mu_b
    trace_term = np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * _trace_sqrt_product(sigma_a, sigma_b)
    return float(diff @ diff + trace_term)


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (the FID recipe).

    Heusel et al. 2017 (arXiv:1706.08500): fit mean and covariance (ddof=1) to each set and
    return `||μa − μb||² + Tr(Σa + Σb − 2 (Σa Σb)^{1/2})`; see
    `frechet_distance_from_statistics`. With Inception-v3 pool3 features this is the FID;
    gan_zoo also uses it on digits-classifier features ("FID" in that feature space).

    Args:
        features_a: `[N_a, D]` features, N_a >= 2.
        features_b: `[N_b, D]` features, N_b >= 2.

    Returns:
        The distance, >= 0 up to rounding; LOWER is better. It is biased upwards for small N
        (compare values only at equal sample counts).

    Raises:
        ValueError: if an input is not 2-D, has fewer than 2 rows, or the widths differ.
    """
    a = _as_features(features_a, "features_a")
    b = _as_features(features_b, "features_b")
    _check_same_width(a, b, "features_a", "features_b")
    return frechet_distance_from_statistics(*feature_statistics(a), *feature_statistics(b))


# --------------------------------------------------------------------------------------------
# Kernel Inception distance (KID)
# --------------------------------------------------------------------------------------------


def _unbiased_mmd2_cubic(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² of equal-size sets under k(x, y) = (xᵀy / d + 1)³."""
    m = x.shape[0]
    d = x.shape[1]

    def cubic(gram: np.ndarray) -> np.ndarray:
        base = gram / d + 1.0
        return base * base * base  # ~8x faster than `** 3` on float64 arrays

    k_xx, k_yy, k_xy = cubic(x @ x.T), cubic(y @ y.T), cubic(x @ y.T)
    sum_xx = k_xx.sum() - np.trace(k_xx)
    sum_yy = k_yy.sum() - np.trace(k_yy)
    return float((sum_xx + sum_yy) / (m * (m - 1)) - 2.0 * k_xy.mean())


def kernel_inception_distance(
    features_a: np.ndarray,
    features_b: np.ndarray,
    num_subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 0,
) -> tuple[float, float]:
    """Kernel Inception Distance: unbiased MMD² with a cubic polynomial kernel.

    Bińkowski et al. 2018, "Demystifying MMD GANs" (arXiv:1801.01401). For each of
    `num_subsets` rounds, `m = min(subset_size, N_a, N_b)` rows are drawn without replacement
    from each set (`np.random.default_rng(seed)`), and the unbiased estimator

        MMD²_u = Σ_{i≠j} k(a_i, a_j) / (m(m−1)) + Σ_{i≠j} k(b_i, b_j) / (m(m−1))
                 − 2 Σ_{i,j} k(a_i, b_j) / m²,    k(x, y) = (xᵀy / D + 1)³

    is evaluated. Being unbiased, it can be slightly negative when both sets come from the
    same distribution.

    Args:
        features_a: `[N_a, D]` features, N_a >= 2.
        features_b: `[N_b, D]` features, N_b >= 2.
        num_subsets: number of random subsets averaged over, >= 1.
        subset_size: rows per subset before capping at `min(N_a, N_b)`; >= 2.
        seed: seed of the subset sampling.

    Returns:
        `(mean, std)` of MMD² over the subsets (std with ddof=0); LOWER mean is better, 0 in
        expectation for identical distributions.

    Raises:
        ValueError: on malformed features or non-positive `num_subsets` / `subset_size < 2`.
    """
    a = _as_features(features_a, "features_a")
    b = _as_features(features_b, "features_b")
    _check_same_width(a, b, "features_a", "features_b")
    if num_subsets < 1:
        raise ValueError(f"num_subsets must be >= 1, got {num_subsets}")
    if subset_size < 2:
        raise ValueError(f"subset_size must be >= 2, got {subset_size}")
    m = min(subset_size, a.shape[0], b.shape[0])
    rng = np.random.default_rng(seed)
    values = np.empty(num_subsets)
    for i in range(num_subsets):
        x = a[rng.choice(a.shape[0], m, replace=False)]
        y = b[rng.choice(b.shape[0], m, replace=False)]
        values[i] = _unbiased_mmd2_cubic(x, y)
    return float(values.mean()), float(values.std())


# --------------------------------------------------------------------------------------------
# Inception score
# --------------------------------------------------------------------------------------------


def kernel_distance(
    features_a: np.ndarray,
    features_b: np.ndarray,
    num_subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 0,
) -> tuple[float, float]:
    """Kernel distance (KID's estimator) on any features; see `kernel_inception_distance`.

    The evaluation issue's interface name: the estimator is the same whatever network made
    the features (Inception or the shipped digits classifier).

    Returns:
        `(mean, std)` of the unbiased MMD² over subsets; LOWER is better.
    """
    return kernel_inception_distance(
        features_a, features_b, num_subsets=num_subsets, subset_size=subset_size, seed=seed
    )


def inception_score(probabilities: np.ndarray, splits: int = 10) -> tuple[float, float]:
    """Inception Score from classifier class probabilities.

    Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498):
    `IS = exp(E_x KL(p(y|x) || p(y)))`, with `p(y)` the mean prediction over the split. The
    rows are cut into `splits` contiguous, near-equal parts (`np.array_split`) and the score
    is computed per part. `0 · log 0` is taken as 0.

    Args:
        probabilities: `[N, C]` non-negative rows summing to 1 (within 1e-3), N >= splits.
        splits: number of parts, >= 1.

    Returns:
        `(mean, std)` of the per-split scores (std with ddof=0). HIGHER is better; the score
        lies in `[1, C]`: C when predictions are confident and all classes equally frequent,
        1 when every sample gets the same prediction.

    Raises:
        ValueError: on a non-2-D input, negative entries, rows not summing to 1, or a bad
            `splits`.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] < 1:
        raise ValueError(
            f"probabilities must be a 2-D [num_samples, num_classes] array, got {p.shape}"
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("probabilities must be finite and non-negative")
    if np.any(np.abs(p.sum(axis=1) - 1.0) > 1e-3):
        raise ValueError("probabilities rows must sum to 1 (within 1e-3)")
    if int(splits) != splits or splits < 1 or splits > p.shape[0]:
        raise ValueError(f"splits must be an integer in [1, {p.shape[0]}], got {splits!r}")
    scores = []
    for part in np.array_split(p, int(splits)):
        marginal = part.mean(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(part > 0, part * (np.log(part) - np.log(marginal)), 0.0)
        scores.append(math.exp(terms.sum(axis=1).mean()))
    scores_arr = np.asarray(scores)
    return float(scores_arr.mean()), float(scores_arr.std())


# --------------------------------------------------------------------------------------------
# k-NN manifold metrics: precision / recall, density / coverage
# --------------------------------------------------------------------------------------------


def _squared_distance_blocks(
    x: np.ndarray, y: np.ndarray, batch_size: int = _DISTANCE_BATCH
) -> Iterator[tuple[int, np.ndarray]]:
    """Yields `(start, block)`: squared distances from rows `x[start:start+B]` to all of `y`."""
    y_sq = np.einsum("ij,ij->i", y, y)
    for start in range(0, x.shape[0], batch_size):
        xb = x[start : start + batch_size]
        x_sq = np.einsum("ij,ij->i", xb, xb)
        block = xb @ y.T  # in place from here on: one [B, N] buffer per block.
        block *= -2.0
        block += x_sq[:, None]
        block += y_sq[None, :]
        yield start, np.maximum(block, 0.0, out=block)


def _knn_squared_radii(x: np.ndarray, k: int) -> np.ndarray:
    """Squared distance from each row of `x` to its k-th nearest OTHER row of `x`."""
    radii = np.empty(x.shape[0])
    for start, block in _squared_distance_blocks(x, x):
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = 0.0  # the point itself: exactly 0, sorted first.
        # Index 0 of the sorted row is the point itself, so index k is its k-th neighbour.
        radii[start : start + block.shape[0]] = np.partition(block, k, axis=1)[:, k]
    return radii


def precision_recall(
    real_features: np.ndarray,
    fake_features: np.ndarray,
    k: int = 3,
    density_coverage_k: int | None = 5,
) -> dict[str, float]:
    """Improved precision and recall of a generated feature set.

    Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric for Assessing Generative
    Models" (arXiv:1904.06991). Each set's manifold is the union of balls around its samples
    whose radius is the distance to the sample's k-th nearest neighbour in the same set (the
    sample itself excluded). Precision is the fraction of fake samples inside the real
    manifold (`distance <= radius`), recall the fraction of real samples inside the fake
    manifold. Distances are computed in row blocks, so 10,000 x 10,000 needs ~80 MB at once.

    Args:
        real_features: `[N_r, D]` features of real samples, N_r > k.
        fake_features: `[N_f, D]` features of generated samples, N_f > k.
        k: neighbour rank defining the radii (the paper uses 3).
        density_coverage_k: neighbour rank of `density_coverage`, whose results are added
            (Naeem et al. use 5); None leaves them out.

    Returns:
        `{"precision": p, "recall": r, "density": d, "coverage": c}`; precision, recall and
        coverage in [0, 1], density ≥ 0 (≈ 1 for matching distributions); HIGHER is better.
        Precision measures fidelity (fakes look real), recall diversity (the reals are
        covered).

    Raises:
        ValueError: on malformed features, differing widths or `k` not in `[1, N)`.
    """
    real = _as_features(real_features, "real_features")
    fake = _as_features(fake_features, "fake_features")
    _check_same_width(real, fake, "real_features", "fake_features")
    _check_k(k, real.shape[0], "real_features")
    _check_k(k, fake.shape[0], "fake_features")
    real_radii_sq = _knn_squared_radii(real, k)
    fake_radii_sq = _knn_squared_radii(fake, k)
    # One pass over the fake x real distances serves both directions: a fake row is inside
    # the real manifold if any real ball contains it; a real column is inside the fake
    # manifold if any fake ball (a row's radius) contains it.
    fakes_inside = 0
    reals_inside = np.zeros(real.shape[0], dtype=bool)
    for start, block in _squared_distance_blocks(fake, real):
        fakes_inside += int(np.count_nonzero(np.any(block <= real_radii_sq[None, :], axis=1)))
        in_fake_balls = block <= fake_radii_sq[start : start + block.shape[0], None]
        reals_inside |= np.any(in_fake_balls, axis=0)
    precision = fakes_inside / fake.shape[0]
    recall = np.count_nonzero(reals_inside) / real.shape[0]
    result = {"precision": float(precision), "recall": float(recall)}
    if density_coverage_k is not None:
        result.update(density_coverage(real, fake, k=density_coverage_k))
    return result


def density_coverage(
    real_features: np.ndarray, fake_features: np.ndarray, k: int = 5
) -> dict[str, float]:
    """Density and coverage of a generated feature set.

    Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative Models"
    (arXiv:2002.09797). With `r_i` the distance from real sample `X_i` to its k-th nearest
    other real sample, `B_i` the open ball `{y : ||y − X_i|| < r_i}`, N real and M fake
    samples:

        density  = (1 / (k M)) Σ_j Σ_i 1[Y_j ∈ B_i]
        coverage = (1 / N) Σ_i 1[∃ j : Y_j ∈ B_i]

    Args:
        real_features: `[N, D]` features of real samples, N > k.
        fake_features: `[M, D]` features of generated samples, M >= 2.
        k: neighbour rank defining the radii (the paper uses 5).

    Returns:
        `{"density": d, "coverage": c}`. Density (fidelity) is >= 0, about 1 when the fakes
        follow the real distribution, above 1 when they crowd dense real regions; coverage
        (diversity) is in [0, 1]. HIGHER coverage is better; density is best near 1.

    Raises:
        ValueError: on malformed features, differing widths or `k` not in `[1, N)`.
    """
    real = _as_features(real_features, "real_features")
    fake = _as_features(fake_features, "fake_features")
    _check_same_width(real, fake, "real_features", "fake_features")
    _check_k(k, real.shape[0], "real_features")
    radii_sq = _knn_squared_radii(real, k)
    # Blocks over the real rows: real i against every fake j.
    hits = 0
    covered = 0
    for start, block in _squared_distance_blocks(real, fake):
        inside = block < radii_sq[start : start + block.shape[0], None]
        hits += int(np.count_nonzero(inside))
        covered += int(np.count_nonzero(np.any(inside, axis=1)))
    density = hits / (k * fake.shape[0])
    coverage = covered / real.shape[0]
    return {"density": float(density), "coverage": float(coverage)}


# --------------------------------------------------------------------------------------------
# Mode coverage: 2-D Gaussian mixtures and labelled images
# --------------------------------------------------------------------------------------------


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
    x = _as_features(points, "points", min_rows=1)
    c = _as_features(centers, "centers", min_rows=1)
    _check_same_width(x, c, "points", "centers")
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


def mixture_mode_coverage(samples: np.ndarray, name: str, threshold: float = 3.0) -> dict:
    """`mode_coverage` against one of gan_zoo's benchmark mixtures.

    Uses the centres and std from `gan_zoo.data.mixture_centres(name)` and
    `gan_zoo.data.mixture_std(name)`; see `mode_coverage` for the exact definitions
    (VEEGAN, arXiv:1705.07761; PacGAN, arXiv:1712.04086).

    Args:
        samples: `[N, 2]` generated points in the raw (unnormalised) data coordinates.
        name: `"ring8"` or `"grid25"`.
        threshold: high-quality radius in units of the mixture std.

    Returns:
        The dict of `mode_coverage`.

    Raises:
        ValueError: if `name` is unknown or `samples` is malformed.
    """
    from gan_zoo.data.gaussian_mixture import mixture_centres, mixture_std

    return mode_coverage(samples, mixture_centres(name), mixture_std(name), threshold=threshold)


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
