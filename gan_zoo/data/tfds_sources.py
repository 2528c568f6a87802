"""TFDS datasets as sources: the embedded builders (offline) and any TFDS image dataset.

The embedded builders (`gan_zoo_digits`, `gaussian_mixture/*`) are prepared offline in
seconds; any other TFDS dataset is downloaded and prepared by TFDS on first use, as
`tfds.load` does. Imports `_offline`, `gaussian_mixture`, `names` and `batching` (for
`Source`); `pipeline`, `stacked_digits` and `unpaired` build on it.
"""

import os

import tensorflow_datasets as tfds

from gan_zoo.data import _offline
from gan_zoo.data.batching import Source
from gan_zoo.data.gaussian_mixture import GaussianMixture
from gan_zoo.data.names import GAUSSIAN_MIXTURE, MIXTURE_CONFIGS, NAMES_HELP


def data_dir_key(data_dir: str | os.PathLike | None) -> str | None:
    """`data_dir` as a cache key: its absolute path, or None for TFDS's default.

    Args:
        data_dir: a TFDS data directory or None.

    Returns:
        The absolute path as a string, or None.
    """
    return None if data_dir is None else os.path.abspath(os.fspath(data_dir))


def tfds_builder(name: str, data_dir: str | os.PathLike | None) -> tfds.core.DatasetBuilder:
    """The TFDS builder of `name` (nothing is prepared or downloaded).

    Args:
        name: a TFDS dataset name, with optional `/config` and `:version`.
        data_dir: TFDS data directory; None uses TFDS's default.

    Returns:
        The builder.

    Raises:
        ValueError: on an unknown dataset, gaussian mixture or config, naming the valid ones.
    """
    base, _, config = name.partition("/")
    if base.split(":")[0] == GAUSSIAN_MIXTURE and config.split(":")[0] not in MIXTURE_CONFIGS:
        valid = ", ".join(f"{GAUSSIAN_MIXTURE}/{c}" for c in MIXTURE_CONFIGS)
        raise ValueError(f"unknown gaussian mixture {name!r}; valid names: {valid}")
    try:
        return tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise ValueError(f"unknown dataset {name!r}; {NAMES_HELP}") from None
    except ValueError as e:  # E.g. an unknown BuilderConfig of a known dataset.
        first_line = str(e).strip().splitlines()[0]
        raise ValueError(f"cannot open dataset {name!r} ({first_line}); {NAMES_HELP}") from None


def download_and_prepare(builder: tfds.core.DatasetBuilder) -> None:
    """`builder.download_and_prepare()`, as `tfds.load` does (downloads on first use).

    Args:
        builder: a TFDS builder.

    Raises:
        ModuleNotFoundError: TFDS needs the undeclared `importlib_resources` package to
            download; the message says how to install it.
    """
    try:
        builder.download_and_prepare()
    except ModuleNotFoundError as e:
        if e.name != "importlib_resources":
            raise
        # TFDS 4.9.x imports this backport when it downloads but does not declare it as a
        # dependency (tensorflow/datasets#11212); already prepared datasets are unaffected.
        raise ModuleNotFoundError(
            f"downloading {builder.name!r} with TFDS {tfds.__version__} needs the "
            "'importlib_resources' package, which TFDS does not install "
            "(tensorflow/datasets#11212): pip install importlib_resources",
            name=e.name,
        ) from None


def _image_feature_key(features) -> str | None:
    for key, feature in features.items():
        if isinstance(feature, tfds.features.Image):
            return key
    return None


def open_tfds(name: str, split: str, data_dir: str | os.PathLike | None) -> Source:
    """Opens `split` of a TFDS dataset, preparing it first (offline for the embedded ones).

    Args:
        name: a TFDS dataset name (`gan_zoo_digits`, `gaussian_mixture/ring8`, `mnist`, ...).
        split: a TFDS split (slicing such as `"train[:90%]"` works).
        data_dir: TFDS data directory; None uses TFDS's default.

    Returns:
        The `Source`: images (the first `tfds.features.Image` feature) or, for gaussian
        mixtures, points; labels from the `label` feature if any.

    Raises:
        ValueError: on an unknown name, a split the dataset lacks, or a dataset without an
            image feature.
    """
    builder = tfds_builder(name, data_dir)
    if isinstance(builder, _offline.OfflineBuilder):
        _offline.prepare(builder)  # Embedded: offline, seconds, a no-op once prepared.
    else:
        download_and_prepare(builder)  # As `tfds.load` does: downloads on first use.

    num_examples = None
    splits = builder.info.splits
    if splits:  # Empty only when TFDS knows no metadata (e.g. under tfds.testing.mock_data).
        try:
            num_examples = int(splits[split].num_examples)
        except (KeyError, ValueError, TypeError, AssertionError):
            raise ValueError(
                f"dataset {name!r} has no split {split!r}; available splits: "
                f"{', '.join(sorted(splits))} (slicing such as 'train[:90%]' also works)"
            ) from None

    features = builder.info.features
    feature_dict = dict(features.items())
    has_labels = "label" in feature_dict
    if isinstance(builder, GaussianMixture):
        kind, x_key = "points", "point"
    else:
        kind, x_key = "image", _image_feature_key(features)
        if x_key is None:
            raise ValueError(
                f"dataset {name!r} has no image feature (features: {', '.join(feature_dict)}); "
                f"make_dataset serves image datasets and {GAUSSIAN_MIXTURE}/..."
            )

    def read(example):
        return example[x_key], (example["label"] if has_labels else None)

    return Source(
        dataset=builder.as_dataset(split=split, shuffle_files=False),
        read=read,
        kind=kind,
        has_labels=has_labels,
        num_examples=num_examples,
        no_labels_hint=f" (its features: {', '.join(feature_dict)})",
        batchable=True,
    )


def tfds_info(name: str, data_dir: str | os.PathLike | None) -> dict:
    """`dataset_info` of a TFDS dataset; embedded ones are prepared (offline), nothing downloads.

    Args:
        name: a TFDS dataset name.
        data_dir: TFDS data directory; None uses TFDS's default.

    Returns:
        The dict `gan_zoo.data.dataset_info` describes (counts `{}` when TFDS knows no
        metadata before the download).

    Raises:
        ValueError: on an unknown name.
    """
    builder = tfds_builder(name, data_dir)
    if isinstance(builder, _offline.OfflineBuilder):
        _offline.prepare(builder)
    features = builder.info.features
    image_key = _image_feature_key(features)
    label = dict(features.items()).get("label")
    is_class_label = isinstance(label, tfds.features.ClassLabel)
    is_points = isinstance(builder, GaussianMixture)
    return {
        "name": name,
        "kind": "points" if is_points else "image",
        "num_examples": {s: int(info.num_examples) for s, info in builder.info.splits.items()},
        "num_classes": int(label.num_classes) if is_class_label else None,
        "class_names": list(label.names) if is_class_label else None,
        "image_shape": tuple(features[image_key].shape) if image_key else None,
        "point_shape": tuple(features["point"].shape) if is_points else None,
    }
