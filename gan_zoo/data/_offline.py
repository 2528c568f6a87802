"""What the embedded builders share so that preparing them never touches the network.

Preparing one is quiet: TFDS prints "Downloading and preparing dataset ..." to stdout and draws
progress bars for every dataset it builds, which for these (seconds, nothing downloaded) is
noise. `prepare` turns the bars off while it runs and the builders log their one line to the
`gan_zoo.data` logger at INFO instead (`--verbosity=0` on the command line shows it).
"""

import contextlib
import inspect
import logging
from collections.abc import Callable

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

# GCS is already off by default in TFDS 4.9.10 (`gcs_utils._is_gcs_disabled`), but
# `download_and_prepare` would otherwise ask the public bucket whether a prepared copy of the
# dataset exists; say explicitly that it must not, whatever the TFDS version.
OFFLINE_DOWNLOAD_CONFIG = tfds.download.DownloadConfig(try_download_gcs=False)
_logger = logging.getLogger("gan_zoo.data")


class OfflineBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """A `GeneratorBasedBuilder` whose data ships with installed packages: nothing downloads.

    Subclasses are registered with TFDS as usual (this base is not).
    """

    @tfds.core.utils.classproperty
    @classmethod
    def code_path(cls) -> epath.Path:
        """Returns the path of the file that defines the builder class.

        TFDS 4.9.10's default implementation reaches `importlib_resources.abc`, the backport
        package that TFDS does not declare as a dependency (tensorflow/datasets#11212), so
        `download_and_prepare` fails with `ModuleNotFoundError` where it is not installed.
        The builder's own source file is what that lookup returns anyway.
        """
        return epath.Path(inspect.getfile(cls))

    def _log_download_bytes(self) -> None:
        """TFDS prints "Downloading and preparing dataset"; nothing downloads here: INFO."""
        _logger.info("preparing the embedded dataset %s in %s (offline)", self.name, self.data_dir)

    def _log_download_done(self) -> None:
        _logger.info("prepared the embedded dataset %s in %s", self.name, self.data_dir)


@contextlib.contextmanager
def _no_progress_bars():
    """TFDS' progress bars off inside, then back as they were (the user may have chosen)."""
    from tensorflow_datasets.core.utils import tqdm_utils

    shown = getattr(tqdm_utils, "_active", True)  # TFDS keeps the switch in this module global
    tfds.display_progress_bar(False)
    try:
        yield
    finally:
        tfds.display_progress_bar(shown)


def prepare(builder: tfds.core.DatasetBuilder) -> None:
    """Prepares `builder` on disk if needed (a no-op once prepared), without any network use.

    Quietly: no progress bars, no TFDS "Downloading and preparing" lines (INFO logs instead).
    """
    with _no_progress_bars():
        builder.download_and_prepare(download_config=OFFLINE_DOWNLOAD_CONFIG)


def stratified_split(
    labels: np.ndarray, seed: int, train_count: Callable[[int], int]
) -> dict[str, np.ndarray]:
    """A fixed stratified train/test split, as the embedded builders document theirs.

    For each class c in ascending order, the indices of class c are permuted with one shared
    `np.random.RandomState(seed)`; the first `train_count(n_c)` go to `train`, the rest to
    `test`.

    Args:
        labels: int [N] class labels.
        seed: the RandomState seed.
        train_count: number of a class's n_c examples that go to `train`.

    Returns:
        `{"train": idx, "test": idx}`, each a sorted int64 array of indices into `labels`;
        disjoint and together covering 0..N-1.
    """
    rng = np.random.RandomState(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        idx = idx[rng.permutation(len(idx))]
        n_train = train_count(len(idx))
        train.append(idx[:n_train])
        test.append(idx[n_train:])
    return {"train": np.sort(np.concatenate(train)), "test": np.sort(np.concatenate(test))}
