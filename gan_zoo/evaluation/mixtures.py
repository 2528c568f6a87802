"""Mode coverage on gan_zoo's 2-D benchmark mixtures, looked up by name (`ring8`, `grid25`).

The metrics take a mixture's centres and std (`gan_zoo.metrics.mode_coverage`,
`evaluate_points`, `MixtureModeCoverage`); the benchmark mixtures are data
(`gan_zoo.data.gaussian_mixture`). These functions join the two.
"""

from __future__ import annotations

from gan_zoo.metrics.modes import mode_coverage
from gan_zoo.metrics.scoring import SampleFn, evaluate_points
from gan_zoo.metrics.streaming_modes import MixtureModeCoverage

__all__ = ["evaluate_mixture", "mixture_coverage_metric", "mixture_mode_coverage"]


def _mixture(name: str):
    """`(centres, std)` of a benchmark mixture; ValueError naming the valid ones otherwise."""
    from gan_zoo.data.gaussian_mixture import mixture_centres, mixture_std

    return mixture_centres(name), mixture_std(name)


def mixture_mode_coverage(samples, name: str, threshold: float = 3.0) -> dict:
    """`mode_coverage` against one of gan_zoo's benchmark mixtures.

    Uses the centres and std from `gan_zoo.data.mixture_centres(name)` and
    `gan_zoo.data.mixture_std(name)`; see `gan_zoo.metrics.mode_coverage` for the exact
    definitions (VEEGAN, arXiv:1705.07761; PacGAN, arXiv:1712.04086).

    Args:
        samples: `[N, 2]` generated points in the raw (unnormalised) data coordinates.
        name: `"ring8"` or `"grid25"`.
        threshold: high-quality radius in units of the mixture std.

    Returns:
        The dict of `mode_coverage`.

    Raises:
        ValueError: if `name` is unknown or `samples` is malformed.
    """
    centres, std = _mixture(name)
    return mode_coverage(samples, centres, std, threshold=threshold)


def evaluate_mixture(
    sample_fn: SampleFn,
    real_test,
    mixture: str,
    num_samples: int = 2000,
    seed: int = 0,
) -> dict:
    """Mode coverage of a 2-D point generator on a `gaussian_mixture` benchmark.

    `gan_zoo.metrics.evaluate_points` with the mixture's centres and std: the model side is
    `mixture_mode_coverage` of `num_samples` generated points; the real baseline the same
    metric of `min(num_samples, len(real_test))` held-out real points of the mixture (the
    `test` split).

    Args:
        sample_fn: `(num, seed) -> points [num, 2]` in the data's raw coordinates.
        real_test: real held-out points `[N, 2]`.
        mixture: `"ring8"` or `"grid25"`.
        num_samples: generated points (and the cap on real ones). Defaults to 2000.
        seed: seeds the sampler. Defaults to 0.

    Returns:
        A report as `gan_zoo.metrics.evaluate` returns, with `extractor` None (raw points)
        and the sections holding `modes_covered`, `num_modes`, `high_quality_fraction`,
        `reverse_kl` and `counts` (samples per mode).

    Raises:
        ValueError: an unknown mixture or points of the wrong shape.
    """
    centres, std = _mixture(mixture)
    return evaluate_points(sample_fn, real_test, centres, std, num_samples=num_samples, seed=seed)


def mixture_coverage_metric(
    mixture: str,
    threshold: float = 3.0,
    min_samples_per_mode: int = 1,
    name: str = "mode_coverage",
    dtype=None,
) -> MixtureModeCoverage:
    """The streaming `MixtureModeCoverage` of one of gan_zoo's benchmark mixtures.

    Uses `gan_zoo.data.gaussian_mixture.mixture_centres(mixture)` and `mixture_std`, as
    `mixture_mode_coverage` does.

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
    centres, std = _mixture(mixture)
    return MixtureModeCoverage(
        centres,
        std,
        threshold=threshold,
        min_samples_per_mode=min_samples_per_mode,
        name=name,
        dtype=dtype,
    )
