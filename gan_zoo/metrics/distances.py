"""Distribution-level scores as plain NumPy functions: Fréchet distance, KID, Inception Score.

The conventions of `gan_zoo.metrics.functional` apply: float64 computations, `[N, D]` feature
matrices, Python scalars out, a one-line `ValueError` naming the bad argument. The matrix
square root in the Fréchet distance goes through symmetric eigendecompositions
(`np.linalg.eigh`), without SciPy.
"""

from __future__ import annotations

import math

import numpy as np

from gan_zoo.metrics.validation import as_features, check_same_width

__all__ = [
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "inception_score",
    "kernel_distance",
    "kernel_inception_distance",
]


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
    x = as_features(features, "features")
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
    a = as_features(features_a, "features_a")
    b = as_features(features_b, "features_b")
    check_same_width(a, b, "features_a", "features_b")
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
    a = as_features(features_a, "features_a")
    b = as_features(features_b, "features_b")
    check_same_width(a, b, "features_a", "features_b")
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


# --------------------------------------------------------------------------------------------
# Inception score
# --------------------------------------------------------------------------------------------


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
