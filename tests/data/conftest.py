"""Fixtures for the gan_zoo.data tests: a private TFDS data dir and a network guard.

Nothing here may download: the embedded datasets are prepared offline into a temporary data
dir (once per session), and the guard turns any attempt to reach the network into an error.
"""

import socket

import pytest
import tensorflow_datasets as tfds
from tensorflow_datasets.core.utils import gcs_utils

import gan_zoo.data  # noqa: F401  (registers the embedded builders)
from gan_zoo.data import _offline

# The mixtures are prepared with this many examples per split to keep the session fast
# (a full prepare writes 22,500 examples, ~2 s); tests that need the full sizes say so.
MIXTURE_EXAMPLES_PER_SPLIT = 4000


def install_network_guard(mp: pytest.MonkeyPatch) -> list[str]:
    """Makes every way TFDS could reach the network raise; returns the list of attempts."""
    attempts: list[str] = []

    def refuse(what):
        def _refuse(*args, **kwargs):
            attempts.append(what)
            raise RuntimeError(f"test tried to reach the network: {what}")

        return _refuse

    mp.setattr(socket.socket, "connect", refuse("socket.connect"))
    mp.setattr(socket, "create_connection", refuse("socket.create_connection"))
    mp.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    # GCS goes through TensorFlow's C++ filesystem, not Python sockets: guard TFDS's entry points.
    for fn in ("exists", "is_dataset_on_gcs", "download_gcs_dataset", "download_gcs_folder"):
        mp.setattr(gcs_utils, fn, refuse(f"gcs_utils.{fn}"))
    for fn in ("download", "download_and_extract", "download_kaggle_data", "extract"):
        if hasattr(tfds.download.DownloadManager, fn):
            mp.setattr(tfds.download.DownloadManager, fn, refuse(f"DownloadManager.{fn}"))
    return attempts


@pytest.fixture
def network_guard(monkeypatch) -> list[str]:
    return install_network_guard(monkeypatch)


@pytest.fixture(scope="session")
def tfds_dir(tmp_path_factory) -> str:
    """A TFDS data dir holding the embedded datasets, prepared offline under the guard."""
    data_dir = str(tmp_path_factory.mktemp("tensorflow_datasets"))
    truncated = tfds.download.DownloadConfig(
        try_download_gcs=False, max_examples_per_split=MIXTURE_EXAMPLES_PER_SPLIT
    )
    with pytest.MonkeyPatch.context() as mp:
        attempts = install_network_guard(mp)
        _offline.prepare(tfds.builder("gan_zoo_digits", data_dir=data_dir))
        _offline.prepare(tfds.builder("gan_zoo_mnist", data_dir=data_dir))
        for config in ("ring8", "grid25"):
            builder = tfds.builder(f"gaussian_mixture/{config}", data_dir=data_dir)
            builder.download_and_prepare(download_config=truncated)
    assert not attempts
    return data_dir
