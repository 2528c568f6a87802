"""What the embedded builders share so that preparing them never touches the network."""

import inspect

import tensorflow_datasets as tfds
from etils import epath

# GCS is already off by default in TFDS 4.9.10 (`gcs_utils._is_gcs_disabled`), but
# `download_and_prepare` would otherwise ask the public bucket whether a prepared copy of the
# dataset exists; say explicitly that it must not, whatever the TFDS version.
OFFLINE_DOWNLOAD_CONFIG = tfds.download.DownloadConfig(try_download_gcs=False)


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


def prepare(builder: tfds.core.DatasetBuilder) -> None:
    """Prepares `builder` on disk if needed (a no-op once prepared), without any network use."""
    builder.download_and_prepare(download_config=OFFLINE_DOWNLOAD_CONFIG)
