"""k-NN manifold metrics as plain NumPy functions: precision / recall, density / coverage.

The conventions of `gan_zoo.metrics.functional` apply. Pairwise distances are computed in row
blocks of `_DISTANCE_BATCH` rows, so 10,000 x 10,000 samples need ~80 MB at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from gan_zoo.metrics.validation import as_features, check_k, check_same_width

__all__ = ["density_coverage", "precision_recall"]

# Rows of the first operand per block of the batched pairwise distances: a block is
# `_DISTANCE_BATCH x N` float64, i.e. 80 MB for N = 10,000.
_DISTANCE_BATCH = 1024


def _squared_distance_blocks(
    x: np.ndarray, y: np.ndarray, batch_size: int | None = None
) -> Iterator[tuple[int, np.ndarray]]:
    """Yields `(start, block)`: squared distances from rows `x[start:start+B]` to all of `y`.

    `B` is `batch_size`, or `_DISTANCE_BATCH` read at call time when None.
    """
    batch_size = batch_size or _DISTANCE_BATCH
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
    real = as_features(real_features, "real_features")
    fake = as_features(fake_features, "fake_features")
    check_same_width(real, fake, "real_features", "fake_features")
    check_k(k, real.shape[0], "real_features")
    check_k(k, fake.shape[0], "fake_features")
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
    real = as_features(real_features, "real_features")
    fake = as_features(fake_features, "fake_features")
    check_same_width(real, fake, "real_features", "fake_features")
    check_k(k, real.shape[0], "real_features")
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
