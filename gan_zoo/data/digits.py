"""`gan_zoo_digits`: scikit-learn's bundled 8×8 handwritten digits as an offline TFDS dataset.

Importing this module registers the builder with TFDS, so afterwards
`tfds.builder("gan_zoo_digits")` works. The data is read from the installed scikit-learn package
(`sklearn.datasets.load_digits()`), never downloaded; preparing it takes about a second.
"""

import numpy as np
import tensorflow_datasets as tfds

from gan_zoo.data import _offline
from gan_zoo.data._offline import OfflineBuilder

# Fixed, documented split: per class, a permutation drawn from one RandomState(_SPLIT_SEED)
# (classes visited in order 0..9); the first floor(4/5 * n_class) indices go to `train`.
_SPLIT_SEED = 0
_TRAIN_NUMERATOR, _TRAIN_DENOMINATOR = 4, 5

NUM_EXAMPLES = 1797
SPLIT_SIZES = {"train": 1433, "test": 364}

_DESCRIPTION = """\
The 1,797 handwritten digits (0-9) of the UCI "Optical Recognition of Handwritten Digits"
test set, as shipped inside scikit-learn (`sklearn.datasets.load_digits`). Each image is 8x8
pixels with 17 grey levels (0..16), stored here scaled to uint8 0..255
(`round(v * 255 / 16)`). No download: the data comes from the installed scikit-learn package.

Splits are a fixed stratified 80/20 split: for each class c = 0..9 in order, the indices of
that class are permuted with one shared `np.random.RandomState(0)`, and the first
floor(4 n_c / 5) go to `train`, the rest to `test`. train: 1,433 examples, test: 364.
"""

_CITATION = """\
@misc{alpaydin1998optical,
  author = {Alpaydin, E. and Kaynak, C.},
  title = {Optical Recognition of Handwritten Digits},
  year = {1998},
  howpublished = {UCI Machine Learning Repository},
  doi = {10.24432/C50P49}
}
"""


def load_digits_uint8() -> tuple[np.ndarray, np.ndarray]:
    """Loads scikit-learn's bundled digits as uint8 images.

    Returns:
        A tuple `(images, labels)`: `images` uint8 [1797, 8, 8, 1] in 0..255 (the original
        0..16 grey levels times 255/16, rounded) and `labels` int64 [1797] in 0..9, in
        scikit-learn's order.
    """
    from sklearn.datasets import load_digits  # Imported lazily: sklearn is slow to import.

    digits = load_digits()
    images = np.rint(digits.images * (255.0 / 16.0)).astype(np.uint8)[..., np.newaxis]
    return images, digits.target.astype(np.int64)


def split_indices(labels: np.ndarray) -> dict[str, np.ndarray]:
    """Returns the deterministic stratified 80/20 split of `labels`.

    Args:
        labels: int [N] class labels.

    Returns:
        `{"train": idx, "test": idx}`, each a sorted int64 array of indices into `labels`;
        disjoint and together covering 0..N-1.
    """
    return _offline.stratified_split(
        labels, _SPLIT_SEED, lambda n: (_TRAIN_NUMERATOR * n) // _TRAIN_DENOMINATOR
    )


class GanZooDigits(OfflineBuilder):
    """TFDS builder for `gan_zoo_digits`: 1,797 8×8 digits read from scikit-learn, offline.

    Features: `image` uint8 [8, 8, 1] in 0..255, `label` int64 scalar in 0..9
    (`ClassLabel(num_classes=10)`). Splits: `train` (1,433) and `test` (364), a fixed
    stratified 80/20 split (see the module constants and `split_indices`).

    Example:
    >>> import gan_zoo.data  # registers the builder
    >>> ds = tfds.load("gan_zoo_digits", split="train")  # prepares offline on first use
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: scikit-learn's 1,797 digits, stratified 80/20 train/test.",
    }

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description=_DESCRIPTION,
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Image(shape=(8, 8, 1)),
                    "label": tfds.features.ClassLabel(num_classes=10),
                }
            ),
            supervised_keys=("image", "label"),
            homepage="https://scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html",
            citation=_CITATION,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        del dl_manager  # Nothing to download: the data ships with scikit-learn.
        images, labels = load_digits_uint8()
        splits = split_indices(labels)
        return {name: self._generate_examples(images, labels, idx) for name, idx in splits.items()}

    def _generate_examples(self, images: np.ndarray, labels: np.ndarray, indices: np.ndarray):
        for i in indices:
            # Key: the index in scikit-learn's order, so examples are traceable to the source.
            yield int(i), {"image": images[i], "label": int(labels[i])}
