"""Closed-form and hand-computed checks of gan_zoo.metrics.functional."""

import math

import numpy as np
import pytest
from harness import assert_close

from gan_zoo.data import mixture_centres, mixture_std
from gan_zoo.evaluation import mixture_mode_coverage
from gan_zoo.metrics import (
    class_mode_coverage,
    density_coverage,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_statistics,
    inception_score,
    kernel_inception_distance,
    mode_coverage,
    precision_recall,
)

# Every metric here is float64 NumPy, checked against values by hand (float64 too):
# `assert_close(dtype="float64")`. The Fréchet distance's Tr √(Σa Σb) comes from an eigen
# decomposition of a d x d matrix, accurate to ~d roundings of its largest entries: terms d²,
# at the scale of the formula's terms (‖Δμ‖², Tr Σa, Tr Σb), which cancel.
# --------------------------------------------------------------------------------------------
# Fréchet distance
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 3, 16])
def test_fid_statistics_isotropic_exact(d):
    # Σa = I, Σb = 4I: Tr = d + 4d - 2 Tr((4I)^{1/2}) = d + 4d - 4d = d.
    zeros = np.zeros(d)
    value = frechet_distance_from_statistics(zeros, np.eye(d), zeros, 4.0 * np.eye(d))
    assert_close(value, d, dtype="float64", terms=d * d, scale=5.0 * d, err_msg="FID(I, 4I)")
    # A mean shift of 2 in every coordinate adds ||Δμ||² = 4d.
    shifted = frechet_distance_from_statistics(zeros, np.eye(d), np.full(d, 2.0), 4.0 * np.eye(d))
    assert_close(shifted, 5.0 * d, dtype="float64", terms=d * d, scale=9.0 * d, err_msg="shifted")


def test_fid_statistics_commuting_2x2_by_hand():
    # Σa = [[2, 1], [1, 2]] (eigenvalues 3, 1), Σb = I: Tr sqrt(Σa) = √3 + 1.
    sigma_a = np.array([[2.0, 1.0], [1.0, 2.0]])
    expected = 4.0 + 2.0 - 2.0 * (math.sqrt(3.0) + 1.0)
    value = frechet_distance_from_statistics(np.zeros(2), sigma_a, np.zeros(2), np.eye(2))
    assert_close(value, expected, dtype="float64", terms=4, scale=6.0, err_msg="commuting 2x2")


def test_fid_statistics_non_commuting_2x2_by_hand():
    # Σa = diag(4, 1), Σb = [[2, 1], [1, 2]]: Σa Σb = [[8, 4], [1, 2]], trace 10, det 12. For a
    # 2x2 matrix with positive eigenvalues, Tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)).
    sigma_a = np.diag([4.0, 1.0])
    sigma_b = np.array([[2.0, 1.0], [1.0, 2.0]])
    mu_a, mu_b = np.array([0.0, 0.0]), np.array([1.0, -2.0])
    trace_sqrt = math.sqrt(10.0 + 2.0 * math.sqrt(12.0))
    expected = 5.0 + 5.0 + 4.0 - 2.0 * trace_sqrt  # ||Δμ||² + Tr Σa + Tr Σb - 2 Tr sqrt
    for first, second in (((mu_a, sigma_a), (mu_b, sigma_b)), ((mu_b, sigma_b), (mu_a, sigma_a))):
        # Symmetric even though Σa Σb != Σb Σa.
        value = frechet_distance_from_statistics(*first, *second)
        assert_close(value, expected, dtype="float64", terms=4, scale=14.0, err_msg="2x2")


def test_fid_samples_match_analytic_diagonal_gaussians():
    # For diagonal covariances FID = ||Δμ||² + Σ_i (σa_i - σb_i)².
    rng = np.random.default_rng(0)
    std_a, std_b = np.array([1.0, 2.0, 0.5, 1.0]), np.array([2.0, 2.0, 1.0, 1.0])
    mu_b = np.array([1.0, 0.0, 0.0, -1.0])
    a = rng.normal(size=(20_000, 4)) * std_a
    b = rng.normal(size=(20_000, 4)) * std_b + mu_b
    expected = mu_b @ mu_b + np.sum((std_a - std_b) ** 2)  # 2 + 1.25
    # A statistic of 20,000 draws against its population value: sampling error, not rounding.
    assert frechet_distance(a, b) == pytest.approx(expected, abs=0.1)


def test_fid_identical_sets_zero_and_symmetric():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 8)) * 3.0 + 1.0
    y = rng.normal(size=(400, 8)) * 2.0
    scale = np.trace(feature_statistics(x)[1])
    # FID(x, x) = 0: 500 rows summed into Σ (the same on both sides), then Tr(2Σ - 2√(Σ²)).
    assert_close(frechet_distance(x, x), 0.0, dtype="float64", terms=8 * 8, scale=2 * scale)
    # Tr √(Σx Σy) vs Tr √(Σy Σx): two eigen decompositions of two 8 x 8 products.
    fid_xy, fid_yx = frechet_distance(x, y), frechet_distance(y, x)
    terms, both = 8 * 8 + 500, np.trace(feature_statistics(y)[1]) + scale
    assert_close(fid_xy, fid_yx, dtype="float64", terms=terms, scale=both, err_msg="symmetry")
    assert frechet_distance(x, y) > 1.0


def test_fid_singular_covariance_stays_finite():
    # Fewer rows than features: rank-deficient covariance, eigenvalues clipped at 0.
    x = np.random.default_rng(2).normal(size=(10, 32)) * 3.0
    scale = np.trace(feature_statistics(x)[1])
    # Not a rounding bound: the 23 eigenvalues of Σ² that are 0 come out as ±u · λ_max², and
    # their square roots (clipped at 0) as up to √u · λ_max each: float64's √u is 1.5e-8.
    assert abs(frechet_distance(x, x)) < 1e-6 * scale


def test_feature_statistics_and_consistency():
    x = np.random.default_rng(3).normal(size=(50, 3))
    mu, sigma = feature_statistics(x)
    # Sums of 50 rows (of 50 products) against NumPy's own mean and covariance.
    assert_close(mu, x.mean(axis=0), dtype="float64", terms=50, err_msg="mean")
    sigma_numpy = np.cov(x, rowvar=False, ddof=1)
    assert_close(sigma, sigma_numpy, dtype="float64", terms=2 * 50, err_msg="covariance")
    y = x[::-1] * 2.0
    scale = np.trace(sigma) * 5 + np.sum((mu - 2.0 * mu) ** 2)  # Tr Σx + Tr Σy (4 Tr Σx)
    assert_close(
        frechet_distance(x, y),
        frechet_distance_from_statistics(*feature_statistics(x), *feature_statistics(y)),
        dtype="float64",
        terms=2 * 50 + 3 * 3,
        scale=scale,
        err_msg="frechet_distance vs from_statistics",
    )


def test_fid_validation():
    x = np.zeros((5, 3))
    with pytest.raises(ValueError, match="2-D"):
        frechet_distance(np.zeros(5), x)
    with pytest.raises(ValueError, match="same feature width"):
        frechet_distance(x, np.zeros((5, 4)))
    with pytest.raises(ValueError, match="at least 2 rows"):
        frechet_distance(x, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(x, np.full((5, 3), np.nan))
    with pytest.raises(ValueError, match="sigma_b must have shape"):
        frechet_distance_from_statistics(np.zeros(2), np.eye(2), np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match="equal length"):
        frechet_distance_from_statistics(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))


# --------------------------------------------------------------------------------------------
# Kernel Inception distance
# --------------------------------------------------------------------------------------------


def _mmd2_by_loops(x, y):
    m, d = x.shape

    def k(u, v):
        return (u @ v / d + 1.0) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2.0 * xy


def test_kid_matches_hand_loops_on_full_subsets():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 3)) + 0.7
    # subset_size >= N: every subset is a permutation of the whole set, so the estimate is the
    # same every time and the std is 0.
    mean, std = kernel_inception_distance(x, y, num_subsets=3, subset_size=100)
    # Vectorised vs loops: sums of 36 kernel values of 3-term dot products, at the scale of
    # the kernel values (k(x, y) = (x·y / 3 + 1)³, up to ~10 here) the MMD² subtracts.
    kernel_scale = float(np.max((np.concatenate([x, y]) @ np.concatenate([x, y]).T / 3 + 1) ** 3))
    expected = _mmd2_by_loops(x, y)
    terms = 36 + 3 + 3
    assert_close(mean, expected, dtype="float64", terms=terms, scale=kernel_scale, err_msg="KID")
    assert_close(std, 0.0, dtype="float64", terms=terms, scale=kernel_scale, err_msg="KID std")


def test_kid_same_distribution_near_zero_and_shift_positive():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(600, 16)), rng.normal(size=(600, 16))
    mean, std = kernel_inception_distance(a, b, num_subsets=10, subset_size=300)
    assert abs(mean) < 3.0 * std
    assert abs(mean) < 0.02
    shifted_mean, shifted_std = kernel_inception_distance(
        a, b + 0.5, num_subsets=10, subset_size=300
    )
    assert shifted_mean > 0.5
    assert shifted_mean > 5.0 * shifted_std


def test_kid_is_seeded_and_validates():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(100, 4)), rng.normal(size=(80, 4))
    assert kernel_inception_distance(a, b, 5, 50, seed=1) == kernel_inception_distance(
        a, b, 5, 50, seed=1
    )
    with pytest.raises(ValueError, match="num_subsets"):
        kernel_inception_distance(a, b, num_subsets=0)
    with pytest.raises(ValueError, match="subset_size"):
        kernel_inception_distance(a, b, subset_size=1)
    with pytest.raises(ValueError, match="same feature width"):
        kernel_inception_distance(a, b[:, :3])


# --------------------------------------------------------------------------------------------
# Inception score
# --------------------------------------------------------------------------------------------


def test_inception_score_uniform_one_hot_is_num_classes():
    classes = 10
    probs = np.tile(np.eye(classes), (10, 1))  # every split of 10 rows holds each class once
    mean, std = inception_score(probs, splits=10)
    # Per split: a marginal of 10 rows, KLs over 10 classes, a mean, an exp.
    assert_close(mean, classes, dtype="float64", terms=10 + 10 + 10 + 2, err_msg="IS")
    assert_close(std, 0.0, dtype="float64", terms=32, scale=classes, err_msg="IS std")


def test_inception_score_identical_predictions_is_one():
    probs = np.tile([0.2, 0.5, 0.3], (40, 1))
    mean, std = inception_score(probs, splits=4)
    assert_close(mean, 1.0, dtype="float64", terms=10 + 3 + 10 + 2, err_msg="IS")
    assert_close(std, 0.0, dtype="float64", terms=25, scale=1.0, err_msg="IS std")


def test_inception_score_by_hand():
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])
    marginal = np.array([0.75, 0.25])
    kl_1 = math.log(1.0 / marginal[0])
    kl_2 = 0.5 * math.log(0.5 / marginal[0]) + 0.5 * math.log(0.5 / marginal[1])
    mean, _ = inception_score(probs, splits=1)
    expected = math.exp(0.5 * (kl_1 + kl_2))
    assert_close(mean, expected, dtype="float64", terms=2 + 2 + 2 + 2, err_msg="IS by hand")


def test_inception_score_validation():
    with pytest.raises(ValueError, match="sum to 1"):
        inception_score(np.full((4, 2), 0.4), splits=1)
    with pytest.raises(ValueError, match="non-negative"):
        inception_score(np.array([[1.5, -0.5], [0.5, 0.5]]), splits=1)
    with pytest.raises(ValueError, match="splits"):
        inception_score(np.eye(3), splits=4)
    with pytest.raises(ValueError, match="2-D"):
        inception_score(np.array([0.5, 0.5]))


# --------------------------------------------------------------------------------------------
# Precision / recall and density / coverage
# --------------------------------------------------------------------------------------------


def _assert_fractions(result: dict, expected: dict) -> None:
    """Counting metrics: each value is a count over a count (density: over k · N), one float64
    division, against the fraction by hand."""
    assert set(result) == set(expected), result
    for key, value in expected.items():
        assert_close(result[key], value, dtype="float64", terms=2, err_msg=key)


def _two_clusters(rng, n=300):
    cluster_a = rng.normal(size=(n, 2))
    cluster_b = rng.normal(size=(n, 2)) + 100.0
    return cluster_a, cluster_b


def test_precision_recall_by_hand_1d():
    # Real radii (k=1, self excluded): 0->1, 1->1, 3->2, 7->4.
    real = np.array([[0.0], [1.0], [3.0], [7.0]])
    # Fake radii (k=1): 0.5->0.7, 1.2->0.7, 10.5->1.5, 12->1.5.
    fake = np.array([[0.5], [1.2], [10.5], [12.0]])
    # Precision: 0.5 (in B(0,1)), 1.2 (B(1,1)), 10.5 (B(7,4)) in; 12 is 5 from 7 -> 3/4.
    # Recall: 0 and 1 lie in fake balls; 3 (1.8 from 1.2) and 7 (3.5 from 10.5) do not -> 1/2.
    result = precision_recall(real, fake, k=1, density_coverage_k=None)
    _assert_fractions(result, {"precision": 0.75, "recall": 0.5})
    # Closed balls, as in the authors' code: -1 lies exactly on the edge of B(0, 1).
    assert (
        precision_recall(real, np.array([[-1.0], [-1.0]]), k=1, density_coverage_k=None)[
            "precision"
        ]
        == 1.0
    )


def test_precision_recall_identical_disjoint_and_half_modes():
    rng = np.random.default_rng(7)
    cluster_a, cluster_b = _two_clusters(rng)
    real = np.concatenate([cluster_a, cluster_b])
    assert precision_recall(real, real, density_coverage_k=None) == {
        "precision": 1.0,
        "recall": 1.0,
    }
    assert precision_recall(real, real + 1000.0, density_coverage_k=None) == {
        "precision": 0.0,
        "recall": 0.0,
    }
    # Fake = exactly the points of one of the two real modes.
    result = precision_recall(real, cluster_a, density_coverage_k=None)
    _assert_fractions(result, {"precision": 1.0, "recall": 0.5})
    # Fresh samples of that mode: high precision, recall just under 0.5.
    result = precision_recall(real, rng.normal(size=(300, 2)), density_coverage_k=None)
    assert result["precision"] > 0.85
    assert 0.4 < result["recall"] <= 0.5


def test_precision_recall_batches_agree(monkeypatch):
    from gan_zoo.metrics import functional, manifold

    rng = np.random.default_rng(8)
    real, fake = rng.normal(size=(257, 5)), rng.normal(size=(190, 5)) + 0.3
    expected = precision_recall(real, fake, k=3, density_coverage_k=None)
    blocks = []
    original = manifold._squared_distance_blocks

    def counted(*args, **kwargs):
        for start, block in original(*args, **kwargs):
            blocks.append(block.shape[0])
            yield start, block

    monkeypatch.setattr(manifold, "_DISTANCE_BATCH", 16)
    monkeypatch.setattr(manifold, "_squared_distance_blocks", counted)
    assert functional.precision_recall(real, fake, k=3, density_coverage_k=None) == expected
    assert max(blocks) == 16  # the distances really came in blocks of 16 rows
    assert 0.3 < expected["precision"] < 1.0


@pytest.mark.parametrize(("k", "density"), [(1, 5 / 4), (2, 9 / 8)])
def test_density_coverage_by_hand_1d(k, density):
    # Open balls. k=1 radii 1,1,2,4: fakes in 2,2,1,0 balls -> 5/(1*4).
    # k=2 radii 3,2,3,6: fakes in 3,4,1,1 balls -> 9/(2*4). Every real ball holds a fake.
    real = np.array([[0.0], [1.0], [3.0], [7.0]])
    fake = np.array([[0.5], [1.2], [10.5], [12.0]])
    _assert_fractions(density_coverage(real, fake, k=k), {"density": density, "coverage": 1.0})


def test_density_coverage_open_balls():
    # Radii (k=1) 1, 1, 2, 4. 2 lies on the edge of B(1, 1) (open: outside) and inside B(3, 2).
    real = np.array([[0.0], [1.0], [3.0], [7.0]])
    result = density_coverage(real, np.array([[2.0], [2.0]]), k=1)
    _assert_fractions(result, {"density": 1.0, "coverage": 0.25})


def test_density_coverage_identical_disjoint_half_modes_same_distribution():
    rng = np.random.default_rng(9)
    cluster_a, cluster_b = _two_clusters(rng)
    real = np.concatenate([cluster_a, cluster_b])
    same = density_coverage(real, real)
    assert same["coverage"] == 1.0
    assert 1.0 <= same["density"] <= 1.2 + 1e-9  # itself + k-1 neighbours; the k-th on the edge
    assert density_coverage(real, real + 1000.0) == {"density": 0.0, "coverage": 0.0}
    half = density_coverage(real, cluster_a)
    assert half["coverage"] == 0.5
    assert 1.0 <= half["density"] <= 1.2 + 1e-9
    x, y = rng.normal(size=(2000, 2)), rng.normal(size=(2000, 2))
    result = density_coverage(x, y, k=5)
    assert result["density"] == pytest.approx(1.0, abs=0.1)
    assert result["coverage"] == pytest.approx(1.0 - 0.5**5, abs=0.03)


def test_knn_metrics_validation():
    x = np.zeros((4, 2))
    with pytest.raises(ValueError, match="k=4 needs more than k rows"):
        precision_recall(x, x, k=4)
    with pytest.raises(ValueError, match="positive integer"):
        density_coverage(x, x, k=0)
    with pytest.raises(ValueError, match="same feature width"):
        precision_recall(x, np.zeros((4, 3)), k=1)


# --------------------------------------------------------------------------------------------
# Mode coverage
# --------------------------------------------------------------------------------------------


def _at_centres(centres, modes, per_mode, noise, rng):
    points = np.repeat(centres[modes], per_mode, axis=0)
    return points + noise * rng.normal(size=points.shape)


def test_mode_coverage_five_of_eight_ring_modes():
    rng = np.random.default_rng(10)
    centres, std = mixture_centres("ring8"), mixture_std("ring8")
    samples = _at_centres(centres, [0, 1, 2, 4, 6], 100, 0.1 * std, rng)
    result = mixture_mode_coverage(samples, "ring8")
    assert result["modes_covered"] == 5
    assert result["num_modes"] == 8
    assert result["high_quality_fraction"] == 1.0
    assert result["counts"] == [100, 100, 100, 0, 100, 0, 100, 0]
    # Exact counts, 100 in each of 5 modes: KL(q ‖ uniform over 8) = log(8/5), by hand.
    assert_close(result["reverse_kl"], math.log(8 / 5), dtype="float64", terms=8 + 2)


def test_mode_coverage_uniform_over_all_modes_has_zero_reverse_kl():
    rng = np.random.default_rng(11)
    centres, std = mixture_centres("grid25"), mixture_std("grid25")
    samples = _at_centres(centres, np.arange(25), 20, 0.1 * std, rng)
    result = mode_coverage(samples, centres, std)
    assert result["modes_covered"] == 25
    assert_close(result["reverse_kl"], 0.0, dtype="float64", terms=25 + 2, scale=1.0)


def test_mode_coverage_far_samples_cover_nothing():
    result = mixture_mode_coverage(np.full((50, 2), 10.0), "ring8")
    assert result["modes_covered"] == 0
    assert result["high_quality_fraction"] == 0.0
    assert result["counts"] == [0] * 8
    assert math.isnan(result["reverse_kl"])


def test_mode_coverage_hand_example():
    centres = np.array([[0.0, 0.0], [10.0, 0.0]])
    # Nearest centres 0, 0, 0, 1, 1 at distances 0.5, 2.9, 3.1, 1, 4.9 (std 1, threshold 3).
    samples = np.array([[0.5, 0.0], [0.0, 2.9], [3.1, 0.0], [9.0, 0.0], [5.1, 0.0]])
    result = mode_coverage(samples, centres, std=1.0)
    assert result["counts"] == [2, 1]
    assert result["modes_covered"] == 2
    assert_close(result["high_quality_fraction"], 3 / 5, dtype="float64", err_msg="3 of 5")
    expected_kl = (2 / 3) * math.log(4 / 3) + (1 / 3) * math.log(2 / 3)
    # At the scale of the KL's terms (|q log(q K)| ≤ 0.2), which partly cancel.
    kl = result["reverse_kl"]
    assert_close(kl, expected_kl, dtype="float64", terms=2 * 3, scale=0.2, err_msg="reverse KL")
    assert mode_coverage(samples, centres, std=1.0, min_samples_per_mode=2)["modes_covered"] == 1
    # std scales the threshold: with std 0.2 only the 0.5 sample is within 3 std.
    assert mode_coverage(samples, centres, std=0.2)["counts"] == [1, 0]


def test_mode_coverage_threshold_is_radial_in_std_units():
    # Isotropic 2-D noise with the mixture std: ||e|| / std is Rayleigh, so the fraction
    # within 3 std is 1 - exp(-9/2) = 0.98889 (a per-coordinate test would give 0.99461).
    rng = np.random.default_rng(12)
    centres, std = mixture_centres("ring8"), mixture_std("ring8")
    samples = _at_centres(centres, np.arange(8), 10_000, std, rng)
    fraction = mixture_mode_coverage(samples, "ring8")["high_quality_fraction"]
    assert fraction == pytest.approx(1.0 - math.exp(-4.5), abs=2e-3)


def test_mode_coverage_validation():
    centres = np.zeros((3, 2))
    with pytest.raises(ValueError, match="std must be"):
        mode_coverage(np.zeros((4, 2)), centres, std=0.0)
    with pytest.raises(ValueError, match="same feature width"):
        mode_coverage(np.zeros((4, 3)), centres, std=1.0)
    with pytest.raises(ValueError, match="min_samples_per_mode"):
        mode_coverage(np.zeros((4, 2)), centres, std=1.0, min_samples_per_mode=0)
    with pytest.raises(ValueError, match="unknown gaussian mixture"):
        mixture_mode_coverage(np.zeros((4, 2)), "ring9")


def test_class_mode_coverage_by_hand():
    result = class_mode_coverage(np.array([0, 0, 1, 3]), num_classes=5)
    assert result["modes_covered"] == 3
    assert result["histogram"] == [2, 1, 0, 1, 0]
    expected = 0.5 * math.log(0.5 * 5) + 2 * 0.25 * math.log(0.25 * 5)
    assert_close(result["kl_to_uniform"], expected, dtype="float64", terms=3 * 3, err_msg="KL")


def test_class_mode_coverage_thousand_modes():
    every = class_mode_coverage(np.tile(np.arange(1000), 3), num_classes=1000)
    assert every["modes_covered"] == 1000
    # A sum of 1000 terms q log(q C), each 0 up to rounding: at the scale of 1 (log(qC) = 0).
    kl = every["kl_to_uniform"]
    assert_close(kl, 0.0, dtype="float64", terms=3 * 1000, scale=1.0, err_msg="even")
    collapsed = class_mode_coverage(np.full(500, 7), num_classes=1000)
    assert collapsed["modes_covered"] == 1
    kl = collapsed["kl_to_uniform"]
    assert_close(kl, math.log(1000), dtype="float64", terms=3 * 1000, err_msg="one mode")


def test_class_mode_coverage_validation():
    with pytest.raises(ValueError, match="must lie in"):
        class_mode_coverage(np.array([0, 5]), num_classes=5)
    with pytest.raises(ValueError, match="integers"):
        class_mode_coverage(np.array([0.0, 1.0]), num_classes=5)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        class_mode_coverage(np.zeros((2, 2), dtype=int), num_classes=5)


def test_interface_names_of_the_evaluation_issue():
    """`kernel_distance`, `precision_recall` with density/coverage, `mode_coverage` keys."""
    from gan_zoo import metrics

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(60, 4)), rng.normal(size=(60, 4)) + 0.5
    assert metrics.kernel_distance(a, b, num_subsets=5, subset_size=30) == (
        metrics.kernel_inception_distance(a, b, num_subsets=5, subset_size=30)
    )
    combined = metrics.precision_recall(a, b, k=3)
    assert combined == {
        **metrics.precision_recall(a, b, k=3, density_coverage_k=None),
        **metrics.density_coverage(a, b, k=5),
    }
    assert set(combined) == {"precision", "recall", "density", "coverage"}
    centres = np.array([[0.0, 0.0], [10.0, 0.0]])
    points = np.array([[0.0, 0.01], [0.0, -0.01], [5.0, 5.0]])
    result = metrics.mode_coverage(points, centres, 0.1)
    assert result["modes"] == 1
    assert_close(result["high_quality"], 2 / 3, dtype="float64", err_msg="2 of 3 samples")
    assert result["modes"] == result["modes_covered"]
    assert result["high_quality"] == result["high_quality_fraction"]
