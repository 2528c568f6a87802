"""`gaussian_mixture`: the 2-D mode-collapse benchmarks as an offline TFDS dataset.

Two configs, as used by Unrolled GAN (Metz et al., 2017, arXiv:1611.02163) and VEEGAN
(Srivastava et al., 2017, arXiv:1705.07761):

- `ring8`: 8 isotropic Gaussians with centres (cos 2πk/8, sin 2πk/8), k = 0..7, std 0.01.
  The eight centres are distinct: some public code used `linspace(0, 2π, 8)`, which puts
  the first and last centre at the same angle and so has only 7 modes.
- `grid25`: 25 isotropic Gaussians with centres {-4, -2, 0, 2, 4}², std 0.05.

Importing this module registers the builder with TFDS. The ground truth is also available
as plain numpy through `mixture_centres(name)` and `mixture_std(name)`, for mode-coverage
metrics.
"""

import dataclasses

import numpy as np
import tensorflow_datasets as tfds

from gan_zoo.data._offline import OfflineBuilder

# Split sizes and the numpy seeds (`np.random.RandomState(seed)`) each split is drawn from.
SPLIT_SIZES = {"train": 20_000, "test": 2_500}
_SPLIT_SEEDS = {"train": 0, "test": 1}


def _ring8_centres() -> np.ndarray:
    angles = 2.0 * np.pi * np.arange(8) / 8.0  # k = 0..7; never linspace(0, 2π, 8).
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _grid25_centres() -> np.ndarray:
    values = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
    xs, ys = np.meshgrid(values, values, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


# name -> (centres float64 [K, 2], std).
_MIXTURES = {
    "ring8": (_ring8_centres(), 0.01),
    "grid25": (_grid25_centres(), 0.05),
}


def _check_name(name: str) -> None:
    if name not in _MIXTURES:
        raise ValueError(
            f"unknown gaussian mixture {name!r}; valid names: {', '.join(sorted(_MIXTURES))}"
        )


def mixture_centres(name: str) -> np.ndarray:
    """Returns the component centres of a benchmark mixture.

    Args:
        name: `"ring8"` or `"grid25"`.

    Returns:
        float32 [K, 2] array (a fresh copy), K = 8 or 25; row k is the centre of component
        (label) k. Ring: (cos 2πk/8, sin 2πk/8). Grid: row-major over {-4, -2, 0, 2, 4}²,
        component k at (values[k // 5], values[k % 5]).

    Raises:
        ValueError: if `name` is not a known mixture.
    """
    _check_name(name)
    return _MIXTURES[name][0].astype(np.float32)


def mixture_std(name: str) -> float:
    """Returns the standard deviation shared by every component of a benchmark mixture.

    Args:
        name: `"ring8"` or `"grid25"`.

    Returns:
        The isotropic per-coordinate std: 0.01 for `ring8`, 0.05 for `grid25`.

    Raises:
        ValueError: if `name` is not a known mixture.
    """
    _check_name(name)
    return float(_MIXTURES[name][1])


def sample_mixture(name: str, num: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Draws samples from a benchmark mixture with components chosen uniformly.

    Args:
        name: `"ring8"` or `"grid25"`.
        num: number of samples.
        seed: seed of the `np.random.RandomState` the samples come from.

    Returns:
        `(points, labels)`: float32 [num, 2] points in raw coordinates and int64 [num]
        component indices in 0..K-1.
    """
    _check_name(name)
    centres, std = _MIXTURES[name]
    rng = np.random.RandomState(seed)
    labels = rng.randint(len(centres), size=num).astype(np.int64)
    points = centres[labels] + std * rng.standard_normal((num, 2))
    return points.astype(np.float32), labels


@dataclasses.dataclass
class GaussianMixtureConfig(tfds.core.BuilderConfig):
    """A `gaussian_mixture` config; `name` is the mixture (`ring8` or `grid25`)."""


class GaussianMixture(OfflineBuilder):
    """TFDS builder for `gaussian_mixture/ring8` and `gaussian_mixture/grid25`, offline.

    Features: `point` float32 [2] in raw coordinates (not rescaled), `label` int64 scalar,
    the component index (`ClassLabel(num_classes=K)`, K = 8 or 25). Splits: `train`
    (20,000 samples, `RandomState(0)`) and `test` (2,500, `RandomState(1)`); components are
    chosen uniformly.

    Example:
    >>> import gan_zoo.data  # registers the builder
    >>> ds = tfds.load("gaussian_mixture/ring8", split="train")
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: ring8 (8 distinct centres, std 0.01) and grid25 (std 0.05).",
    }
    BUILDER_CONFIGS = [
        GaussianMixtureConfig(
            name="ring8",
            description="8 Gaussians, centres (cos 2πk/8, sin 2πk/8), k=0..7, std 0.01.",
        ),
        GaussianMixtureConfig(
            name="grid25",
            description="25 Gaussians, centres {-4, -2, 0, 2, 4}², std 0.05.",
        ),
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        num_classes = len(_MIXTURES[self.builder_config.name][0])
        return tfds.core.DatasetInfo(
            builder=self,
            description=__doc__,
            features=tfds.features.FeaturesDict(
                {
                    "point": tfds.features.Tensor(shape=(2,), dtype=np.float32),
                    "label": tfds.features.ClassLabel(num_classes=num_classes),
                }
            ),
            supervised_keys=("point", "label"),
            homepage="https://arxiv.org/abs/1611.02163",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        del dl_manager  # Nothing to download: the data is sampled from fixed seeds.
        return {
            split: self._generate_examples(num=num, seed=_SPLIT_SEEDS[split])
            for split, num in SPLIT_SIZES.items()
        }

    def _generate_examples(self, num: int, seed: int):
        points, labels = sample_mixture(self.builder_config.name, num, seed)
        for i in range(num):
            yield i, {"point": points[i], "label": int(labels[i])}
