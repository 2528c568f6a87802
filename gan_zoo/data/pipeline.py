"""Input pipelines: one call from a dataset name to batches ready for `model.fit`.

Names `make_dataset` and `dataset_info` understand:

- `gan_zoo_digits`: scikit-learn's 8×8 digits, embedded (offline).
- `stacked_digits`: three random embedded digits stacked as the channels of one 32 px image,
  1,000 modes (the Stacked-MNIST benchmark; `gan_zoo.data.stacked_digits`), offline.
- `gaussian_mixture/ring8`, `gaussian_mixture/grid25`: the 2-D mode-collapse benchmarks,
  embedded (offline).
- any TFDS image dataset (`mnist`, `fashion_mnist`, `cifar10`, `celeb_a`, ...): downloaded and
  prepared by TFDS on first use, which needs the network.
- `folder:PATH`: a directory of image files (.bmp .gif .jpeg .jpg .png, searched recursively),
  with optional class subfolders. Every file is decoded once when the pipeline is built, so a
  corrupt file is an error naming it up front, or is left out with `corrupt_images="skip"`.
  Symlinks are followed, but each real folder is read once and each real file counted once
  (symlink loops, symlinked subfolders and second links to a file are never an inflated
  dataset); non-UTF-8 names, broken symlinks, FIFOs and unreadable files are treated as
  corrupt files.
- unpaired pairs of image domains for CycleGAN, served as `(a, b)` batches by
  `gan_zoo.data.unpaired.make_unpaired_dataset`: `digits_thickness` (thin vs thick embedded
  digits, offline) and `cycle_gan/<pair>` (TFDS, e.g. `cycle_gan/horse2zebra`; downloads).
"""

import dataclasses
import errno
import logging
import os
import re
import stat
from collections.abc import Callable

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from gan_zoo.data import _offline
from gan_zoo.data.gaussian_mixture import GaussianMixture

FOLDER_PREFIX = "folder:"
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
MAX_SHUFFLE_BUFFER = 10_000
# Images preprocessed per call when a dataset's images share one static shape (`make_dataset`).
PREPROCESS_CHUNK = 256
# What `make_dataset(corrupt_images=...)` does with a folder's files that do not decode.
CORRUPT_IMAGES = ("error", "skip")
# Folder scans (every file decoded once) are kept for this many folders, keyed by the files'
# paths, sizes and modification times, so rebuilding a pipeline (e.g. per evaluation) is cheap.
_MAX_CACHED_SCANS = 8


_logger = logging.getLogger(__name__)

_GAUSSIAN_MIXTURE = "gaussian_mixture"
STACKED_DIGITS = "stacked_digits"
DIGITS_THICKNESS = "digits_thickness"  # Unpaired; see gan_zoo.data.unpaired.
_STACKED_DIGITS_SIZE = 32  # Image side of `stacked_digits` when `image_size` is None.
_MIXTURE_CONFIGS = tuple(config.name for config in GaussianMixture.BUILDER_CONFIGS)
_NAMES_HELP = (
    f"use gan_zoo_digits, {STACKED_DIGITS}, "
    f"{_GAUSSIAN_MIXTURE}/{'|'.join(_MIXTURE_CONFIGS)}, {FOLDER_PREFIX}PATH, "
    "or any TFDS dataset name (tfds.list_builders()); unpaired (a, b) image pairs: "
    f"{DIGITS_THICKNESS} or cycle_gan/<pair> (e.g. cycle_gan/horse2zebra)"
)


def with_static_tuning(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """`dataset` with tf.data's autotuner off: AUTOTUNE parallelism stays at TF's start value.

    That value is min(16, the CPU's threads) for each parallel map. Every gan_zoo pipeline ends
    with it; on a host with more than 16 cores, `ds.with_options(...)` with
    `options.autotune.enabled = True` turns the autotuner back on.

    Why: the autotuner's background thread made Keras wait 0.4–0.8 s before the first step of
    most epochs (while the last epoch's iterator is torn down), about 10 % of a `dcgan_digits`
    epoch on a 2-core CPU, and delayed the end of `fit()` by 0.5–3 s. With it off the pipeline
    alone ran as fast: 35,000 vs 33,000 img/s uncached at 28 px and 9,000 vs 8,800 at 64 px RGB
    on 2 cores, 66,000–79,000 img/s either way at 28 px on 16.

    Args:
        dataset: any `tf.data.Dataset`.

    Returns:
        The same elements, with `options().autotune.enabled` False.
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


@dataclasses.dataclass(frozen=True)
class _Source:
    """An opened, unbatched dataset and how to read one example of it.

    `read(element)` returns `(x, label)`: x is an image [H, W, C] in 0..255 (uint8, or float32
    for folders) or a float32 [2] point, label an integer scalar tensor or None.
    """

    dataset: tf.data.Dataset
    read: Callable[[dict], tuple[tf.Tensor, tf.Tensor | None]]
    kind: str  # "image" or "points".
    has_labels: bool
    num_examples: int | None
    no_labels_hint: str = ""
    # True when `read` also works on a batch of elements (a TFDS dataset; not a folder, whose
    # `read` decodes one file).
    batchable: bool = False


def make_dataset(
    name: str,
    split: str = "train",
    batch_size: int = 64,
    image_size: int | None = None,
    *,
    with_labels: bool = False,
    shuffle: bool = True,
    seed: int = 0,
    data_dir: str | os.PathLike | None = None,
    repeat: bool = False,
    channels: int | None = None,
    drop_remainder: bool = True,
    cache: bool = True,
    corrupt_images: str = "error",
) -> tf.data.Dataset:
    """Builds a batched, preprocessed `tf.data.Dataset` for GAN training.

    The pipeline is: load → preprocess (parallel, deterministic) → `cache()` → `shuffle` →
    `repeat()` → `batch` → `prefetch`. Image preprocessing: uint8 → float32, center-crop to a
    square and resize to `image_size`×`image_size` (bilinear, antialiased) when `image_size`
    is given, convert 1↔3 channels when `channels` is given, then map to [-1, 1] with
    `x / 127.5 - 1`. A TFDS dataset whose images share one static shape is preprocessed
    `PREPROCESS_CHUNK` (256) images per call, with the same results bit for bit: 4.9× the
    uncached rate for MNIST-sized images and 1.8× for 64 px RGB on a 2-core CPU.
    Every dataset it returns has tf.data's autotuner off (`with_static_tuning`).

    Example:
    >>> ds = make_dataset("gan_zoo_digits", batch_size=64, image_size=32)
    >>> images = next(iter(ds))  # float32 [64, 32, 32, 1] in [-1, 1]

    `stacked_digits` is built by `gan_zoo.data.stacked_digits.make_stacked_digits` instead:
    each example stacks three digits of `split` of `gan_zoo_digits`, drawn independently at
    random (seeded by `seed`), as channels 0, 1, 2, with label 100·d0 + 10·d1 + d2 in 0..999.
    One pass is 60,000 examples (visited in a reshuffled order when `shuffle`); `repeat=True`
    gives an endless stream of fresh draws instead. `image_size` None means 32, `channels`
    must be None or 3, and `cache` does not apply (examples are drawn on the fly).

    The unpaired datasets `digits_thickness` and `cycle_gan/<pair>` (with split `train` or
    `test`, optionally sliced) are built by `gan_zoo.data.unpaired.make_unpaired_dataset`
    instead: elements are `(a, b)` tuples, an image of domain A and an unrelated image of
    domain B, each domain shuffled on its own; one pass has max(Na, Nb) examples (the smaller
    domain repeats). They carry no labels (`with_labels=True` raises; labelled arrays of
    `digits_thickness` come from `gan_zoo.data.unpaired.load_digits_thickness`). A
    `cycle_gan/<pair>` split of one domain (`trainA`, `trainB`, `testA`, `testB`) is served
    like any TFDS dataset: images of that domain alone.

    Args:
        name: `gan_zoo_digits`, `stacked_digits`, `gaussian_mixture/ring8`,
            `gaussian_mixture/grid25`, `digits_thickness`, `cycle_gan/<pair>`, any TFDS image
            dataset name (`mnist`, `celeb_a`, ...; the image is the first
            `tfds.features.Image` feature, the label the `label` feature if any), or
            `folder:PATH` (a directory of .bmp/.gif/.jpeg/.jpg/.png files, searched
            recursively; labels are the index of the sorted first-level subfolder, and exist
            only when every image lies in one). Each file of a folder is decoded once when the
            pipeline is built (in parallel; about as long as one pass over the data), which
            finds corrupt files and every image's size and channel count.
        split: TFDS split (slicing such as `"train[:90%]"` works). Folders have only `train`.
            Defaults to `"train"`.
        batch_size: examples per batch, >= 1. Defaults to 64.
        image_size: output height and width; None keeps the stored size (then every image of
            a folder must have the same size: mixed sizes are an error naming two of them).
            Not allowed for gaussian mixtures. Defaults to None.
        with_labels: yield `(x, labels)` instead of `x`. Defaults to False.
        shuffle: shuffle examples with a buffer of min(num_examples, 10,000), reshuffled each
            epoch. Defaults to True.
        seed: shuffle seed; the same seed gives the same batch order. Defaults to 0.
        data_dir: TFDS data directory; None uses TFDS's default (`~/tensorflow_datasets` or
            `$TFDS_DATA_DIR`). Defaults to None.
        repeat: repeat forever (before batching, so batches span epoch boundaries). Defaults
            to False.
        channels: 1 or 3 to convert grayscale↔RGB; None keeps the stored channels. A folder
            may mix grayscale and colour files (alpha is dropped): with None, every image is
            RGB if any file is colour (grayscale replicated), else grayscale. Not allowed for
            gaussian mixtures. Defaults to None.
        drop_remainder: drop the last short batch, so every batch has `batch_size` examples.
            Defaults to True.
        cache: cache the preprocessed examples in memory after the first pass. The cache
            holds float32 images: for large datasets (CelebA at full size is ~90 GB as
            float32) pass False or a small `image_size`. Defaults to True.
        corrupt_images: what to do with the paths of a `folder:PATH` dataset that cannot be
            used as images: files that do not decode, cannot be read (broken symlinks, FIFOs,
            devices, no permission) or have a name that is not valid UTF-8, second paths to a
            file already listed (a symlink or hard link: every real file counts once), and
            symlinks to a folder already listed (symlink loops included). `"error"` raises a
            ValueError naming the first of them (relative to the folder) and counting them by
            kind, `"skip"` leaves them out (the first path to a file stays) and logs a warning
            with the counts (logger `gan_zoo.data.pipeline`). Other datasets ignore it.
            Defaults to `"error"`.

    Returns:
        A `tf.data.Dataset` whose elements are, for image datasets, `images` float32
        [B, H, W, C] in [-1, 1] (H = W = `image_size` when given; [B, S, S, 3] for
        `stacked_digits`, S = `image_size` or 32), and for gaussian mixtures `points` float32
        [B, 2] in raw coordinates (not rescaled). With `with_labels=True` the elements are
        `(x, labels)` with labels int32 [B] (in 0..999 for `stacked_digits`). For the
        unpaired datasets the elements are `(a, b)`, each float32 [B, S, S, C] in [-1, 1]
        (S = `image_size`, 32 when None for `digits_thickness`). B = `batch_size` (the last
        batch may be smaller only when `drop_remainder=False`).

    Raises:
        ValueError: on an unknown name, a split the dataset lacks, a bad `batch_size`,
            `image_size`, `channels` or `corrupt_images`, `with_labels=True` for a dataset
            without labels (unpaired datasets and folders without class subfolders included),
            or a folder that is missing, empty, holds no image files, holds an unusable path
            (see `corrupt_images`; with `"skip"`, only when no file can be used) or holds
            mixed image sizes without `image_size`.
    """
    _check_positive_int("batch_size", batch_size)
    if image_size is not None:
        _check_positive_int("image_size", image_size)
    if corrupt_images not in CORRUPT_IMAGES:
        raise ValueError(
            f"corrupt_images must be one of {', '.join(map(repr, CORRUPT_IMAGES))}, "
            f"got {corrupt_images!r}"
        )
    if _is_unpaired(name, split):
        if with_labels:
            raise ValueError(
                f"unpaired dataset {name!r} yields (a, b) image pairs without labels; pass "
                "with_labels=False (labelled arrays: "
                "gan_zoo.data.unpaired.load_digits_thickness)"
            )
        from gan_zoo.data import unpaired  # Lazy: unpaired imports this module.

        return unpaired.make_unpaired_dataset(
            name,
            split,
            batch_size,
            image_size,
            shuffle=shuffle,
            seed=seed,
            data_dir=data_dir,
            repeat=repeat,
            channels=channels,
            drop_remainder=drop_remainder,
            cache=cache,
        )
    if name == STACKED_DIGITS:
        return _make_stacked_digits(
            split,
            batch_size,
            image_size,
            with_labels=with_labels,
            shuffle=shuffle,
            seed=seed,
            data_dir=data_dir,
            repeat=repeat,
            channels=channels,
            drop_remainder=drop_remainder,
        )
    if channels is not None and (isinstance(channels, bool) or channels not in (1, 3)):
        raise ValueError(f"channels must be 1, 3 or None, got {channels!r}")

    source = _open(
        name,
        split,
        data_dir,
        image_size=image_size,
        channels=channels,
        corrupt_images=corrupt_images,
    )
    if with_labels and not source.has_labels:
        raise ValueError(
            f"dataset {name!r} has no labels; pass with_labels=False or use a labelled "
            f"dataset{source.no_labels_hint}"
        )
    if source.kind == "points":
        for arg, value in (("image_size", image_size), ("channels", channels)):
            if value is not None:
                raise ValueError(
                    f"{arg}={value!r} does not apply to {name!r}, a dataset of 2-D points; "
                    f"pass {arg}=None"
                )

    def preprocess(element):
        x, label = source.read(element)
        if source.kind == "image":
            x = _preprocess_image(x, image_size=image_size, channels=channels)
        else:
            x = tf.cast(x, tf.float32)
        if with_labels:
            return x, tf.cast(label, tf.int32)
        return x

    if _preprocess_in_chunks(source):
        # Same images, bit for bit, at several times the rate: one resize call per chunk of
        # PREPROCESS_CHUNK images instead of one per image (the per-element cost dominated).
        ds = source.dataset.batch(PREPROCESS_CHUNK)
        ds = ds.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        ds = ds.unbatch()
        count = int(source.dataset.cardinality())
        if count >= 0:  # unbatch forgets it; Keras and resuming a one-pass epoch need it
            ds = ds.apply(tf.data.experimental.assert_cardinality(count))
    else:
        ds = source.dataset.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if cache:
        ds = ds.cache()
    if shuffle:
        buffer = min(source.num_examples or MAX_SHUFFLE_BUFFER, MAX_SHUFFLE_BUFFER)
        ds = ds.shuffle(max(buffer, 1), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return with_static_tuning(ds.prefetch(tf.data.AUTOTUNE))


def dataset_info(name: str, data_dir: str | os.PathLike | None = None) -> dict:
    """Describes a dataset without building a pipeline; nothing downloads.

    Embedded datasets are prepared (offline, seconds) so their counts are exact. For other
    TFDS datasets the counts come from TFDS's metadata and are `{}` when TFDS does not know
    them before the dataset is downloaded. For folders, files are counted and the first one
    decoded. `stacked_digits` is drawn on the fly, so its counts are the size of one pass
    of `make_dataset` without `repeat` (60,000 per split; `repeat=True` is endless), its
    classes the 1,000 digit triples `"000"`..`"999"` and its stored image shape (32, 32, 3).
    The unpaired datasets (`digits_thickness`, `cycle_gan/<pair>`) have kind
    `"unpaired_images"`, a key `domains` (`{"a": ..., "b": ...}`, e.g. thin and thick),
    `num_examples` per split per domain (`{"train": {"a": int, "b": int}, "test": ...}`) and
    no classes; see `gan_zoo.data.unpaired.unpaired_dataset_info`.

    Args:
        name: a dataset name as accepted by `make_dataset`.
        data_dir: TFDS data directory; None uses TFDS's default. Defaults to None.

    Returns:
        A dict with keys `name` (str), `kind` (`"image"` or `"points"`), `num_examples`
        (`{split: int}`), `num_classes` (int or None), `class_names` (list of str or None),
        `image_shape` (the stored `(H, W, C)` of an image, as TFDS declares it, entries None
        where they vary; for a folder, that of its first file that decodes; None for points)
        and `point_shape` (`(2,)` for points, else None). A folder's `num_examples` counts
        its image files, undecodable ones included (nothing but the first is decoded), each
        real file once, without the ones that cannot be read or have non-UTF-8 names (see
        `make_dataset`'s `corrupt_images`).

    Raises:
        ValueError: on an unknown name, a missing or empty folder, or a folder none of whose
            image files can be read and decoded.
    """
    _check_name(name)
    if _is_unpaired(name):
        from gan_zoo.data import unpaired  # Lazy: unpaired imports this module.

        return unpaired.unpaired_dataset_info(name, data_dir)
    if name == STACKED_DIGITS:
        from gan_zoo.data import stacked_digits  # Lazy: stacked_digits imports this module.

        passes = stacked_digits.DEFAULT_NUM_EXAMPLES
        return {
            "name": name,
            "kind": "image",
            "num_examples": {"train": passes, "test": passes},
            "num_classes": stacked_digits.NUM_MODES,
            "class_names": [f"{i:03d}" for i in range(stacked_digits.NUM_MODES)],
            "image_shape": (_STACKED_DIGITS_SIZE, _STACKED_DIGITS_SIZE, 3),
            "point_shape": None,
        }
    if name.startswith(FOLDER_PREFIX):
        folder = _scan_folder(name)
        first = _first_decodable(folder)
        has_labels = folder.labels is not None
        return {
            "name": name,
            "kind": "image",
            "num_examples": {"train": len(folder.files)},
            "num_classes": len(folder.class_names) if has_labels else None,
            "class_names": list(folder.class_names) if has_labels else None,
            "image_shape": tuple(int(d) for d in first.shape),
            "point_shape": None,
        }
    builder = _tfds_builder(name, data_dir)
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


# ----------------------------------------------------------------------------- preprocessing


def _preprocess_in_chunks(source: _Source) -> bool:
    """Whether `source`'s images can be preprocessed a chunk at a time: same static shape."""
    if source.kind != "image" or not source.batchable:
        return False
    image_spec, _ = source.read(source.dataset.element_spec)
    return image_spec.shape.is_fully_defined()


def _preprocess_image(image: tf.Tensor, *, image_size: int | None, channels: int | None):
    """Image [H, W, C] in 0..255 → float32 [S, S, C'] in [-1, 1]; see `make_dataset`.

    A batch [N, H, W, C] gives [N, S, S, C'], each image exactly what it would give alone.
    """
    image = tf.cast(image, tf.float32)
    if channels is not None:
        image = _convert_channels(image, channels)
    if image_size is not None:
        image = _center_crop_square(image)
        image = tf.image.resize(image, [image_size, image_size], method="bilinear", antialias=True)
    # Bilinear antialiased resizing has non-negative weights, so the clip only guards rounding.
    return tf.clip_by_value(image / 127.5 - 1.0, -1.0, 1.0)


def _convert_channels(image: tf.Tensor, channels: int) -> tf.Tensor:
    """Converts float [H, W, c] (c in 1..4; alpha dropped) to [H, W, channels]."""
    static = image.shape[-1]

    def to_rgb():
        if static is not None:
            return image[..., :3] if static >= 3 else tf.image.grayscale_to_rgb(image[..., :1])
        return tf.cond(
            tf.shape(image)[-1] >= 3,
            lambda: image[..., :3],
            lambda: tf.image.grayscale_to_rgb(image[..., :1]),
        )

    def to_gray():
        if static is not None:
            return tf.image.rgb_to_grayscale(image[..., :3]) if static >= 3 else image[..., :1]
        return tf.cond(
            tf.shape(image)[-1] >= 3,
            lambda: tf.image.rgb_to_grayscale(image[..., :3]),
            lambda: image[..., :1],
        )

    return to_rgb() if channels == 3 else to_gray()


def _center_crop_square(image: tf.Tensor) -> tf.Tensor:
    """The centered square of an image [H, W, C] or of each image of a batch [N, H, W, C]."""
    shape = tf.shape(image)
    height, width = shape[-3], shape[-2]
    size = tf.minimum(height, width)
    return tf.image.crop_to_bounding_box(
        image, (height - size) // 2, (width - size) // 2, size, size
    )


# ----------------------------------------------------------------------------- sources


def _make_stacked_digits(
    split,
    batch_size,
    image_size,
    *,
    with_labels,
    shuffle,
    seed,
    data_dir,
    repeat,
    channels,
    drop_remainder,
) -> tf.data.Dataset:
    """`make_dataset("stacked_digits", ...)`: delegates to `make_stacked_digits`."""
    if channels is not None and (isinstance(channels, bool) or channels != 3):
        raise ValueError(
            f"channels must be 3 or None for {STACKED_DIGITS!r} (one digit per channel), "
            f"got {channels!r}"
        )
    from gan_zoo.data import stacked_digits  # Lazy: stacked_digits imports this module.

    return stacked_digits.make_stacked_digits(
        split,
        num_examples=None if repeat else stacked_digits.DEFAULT_NUM_EXAMPLES,
        batch_size=batch_size,
        seed=seed,
        data_dir=data_dir,
        image_size=_STACKED_DIGITS_SIZE if image_size is None else image_size,
        shuffle=shuffle,
        with_labels=with_labels,
        drop_remainder=drop_remainder,
    )


def _is_unpaired(name, split: str | None = None) -> bool:
    """Whether `make_unpaired_dataset` serves `name` (and `split`, when given).

    `cycle_gan/<pair>` is unpaired for splits `train` / `test` (optionally sliced); its
    one-domain TFDS splits (`trainA`, ...) are served as a plain TFDS dataset.
    """
    if not isinstance(name, str):
        return False
    if name == DIGITS_THICKNESS:
        return True
    if name.partition("/")[0].split(":")[0] != "cycle_gan":
        return False
    if split is None:
        return True
    from gan_zoo.data import unpaired  # Lazy: unpaired imports this module.

    return unpaired.is_unpaired_split(split)


def _check_name(name) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"dataset name must be a non-empty string, got {name!r}; {_NAMES_HELP}")


def _open(name, split, data_dir, *, image_size, channels, corrupt_images) -> _Source:
    _check_name(name)
    if name.startswith(FOLDER_PREFIX):
        return _open_folder(
            name, split, image_size=image_size, channels=channels, corrupt_images=corrupt_images
        )
    return _open_tfds(name, split, data_dir)


def _tfds_builder(name: str, data_dir) -> tfds.core.DatasetBuilder:
    base, _, config = name.partition("/")
    if base.split(":")[0] == _GAUSSIAN_MIXTURE and config.split(":")[0] not in _MIXTURE_CONFIGS:
        valid = ", ".join(f"{_GAUSSIAN_MIXTURE}/{c}" for c in _MIXTURE_CONFIGS)
        raise ValueError(f"unknown gaussian mixture {name!r}; valid names: {valid}")
    try:
        return tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise ValueError(f"unknown dataset {name!r}; {_NAMES_HELP}") from None
    except ValueError as e:  # E.g. an unknown BuilderConfig of a known dataset.
        first_line = str(e).strip().splitlines()[0]
        raise ValueError(f"cannot open dataset {name!r} ({first_line}); {_NAMES_HELP}") from None


def _download_and_prepare(builder: tfds.core.DatasetBuilder) -> None:
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


def _open_tfds(name: str, split: str, data_dir) -> _Source:
    builder = _tfds_builder(name, data_dir)
    if isinstance(builder, _offline.OfflineBuilder):
        _offline.prepare(builder)  # Embedded: offline, seconds, a no-op once prepared.
    else:
        _download_and_prepare(builder)  # As `tfds.load` does: downloads on first use.

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
                f"make_dataset serves image datasets and {_GAUSSIAN_MIXTURE}/..."
            )

    def read(example):
        return example[x_key], (example["label"] if has_labels else None)

    return _Source(
        dataset=builder.as_dataset(split=split, shuffle_files=False),
        read=read,
        kind=kind,
        has_labels=has_labels,
        num_examples=num_examples,
        no_labels_hint=f" (its features: {', '.join(feature_dict)})",
        batchable=True,
    )


@dataclasses.dataclass(frozen=True)
class _Unusable:
    """A path under a folder that is not read as an image, and why (one clause)."""

    path: str  # Relative to the folder's root; may hold surrogate escapes (non-UTF-8 names).
    reason: str  # Completes "image file 'x.png' in folder '/d' ...", e.g. "is a FIFO, ...".
    kind: str  # One of _UNUSABLE_KINDS.

    @property
    def is_folder(self) -> bool:
        return self.kind in _FOLDER_KINDS


# What `_Unusable.kind` can be, with the words that count one and several ("2 reached twice").
_UNUSABLE_KINDS = {
    "corrupt": ("corrupt", "corrupt"),
    "duplicate": ("reached twice", "reached twice"),
    "name": ("not UTF-8 named", "not UTF-8 named"),
    "unreadable": ("unreadable", "unreadable"),
    "loop": ("symlink loop", "symlink loops"),
    "duplicate_folder": ("symlinked folder reached twice", "symlinked folders reached twice"),
    "unlistable": ("unlistable folder", "unlistable folders"),
}
_FOLDER_KINDS = ("loop", "duplicate_folder", "unlistable")
_FILE_TYPES = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@dataclasses.dataclass(frozen=True)
class _Folder:
    root: str
    files: list[str]  # Sorted absolute paths of the files to decode.
    class_names: tuple[str, ...]  # Sorted first-level subfolders holding images; () if none.
    labels: list[int] | None  # Per file; None unless every file is inside a class subfolder.
    # Paths left out when the folder was listed (sorted by path): see `_list_folder`.
    unusable: tuple[_Unusable, ...] = ()


def _shown(relative: str) -> str:
    r"""`relative` quoted for a message: `'a/b.png'`, or `b'\xff.png'` for a non-UTF-8 name."""
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:  # os.walk gives undecodable bytes as surrogate escapes
        return repr(os.fsencode(relative))
    return repr(relative)


def _identity(st: os.stat_result) -> tuple[int, int] | None:
    """What makes two paths the same file or folder; None where the filesystem has no inodes."""
    return (st.st_dev, st.st_ino) if st.st_ino else None


def _list_folder(root: str) -> tuple[list[str], list[str], list[_Unusable]]:
    """Lists `root` recursively: `(image paths, other files, unusable paths)`, all relative.

    Every real folder is listed once and every real file counted once, whatever the symlinks
    (a loop, a symlinked subfolder, a second link to a file, a hard link): folders reached
    through real subfolders are listed first, then the symlinked ones, level by level, so a
    file keeps its real path when it has one. The second path to a folder or file is
    `_Unusable` (kinds `loop`, `duplicate_folder`, `duplicate`), as are image files whose name
    is not valid UTF-8 (`name`), that do not exist (a broken symlink), are no regular file (a
    FIFO would block the reader) or cannot be opened (`unreadable`), and folders that cannot
    be listed (`unlistable`). Nothing is decoded, and nothing is opened but image files.
    """
    images: list[str] = []
    others: list[str] = []
    unusable: list[_Unusable] = []
    folders: dict[tuple[int, int], str] = {}  # identity -> relative path of its first visit
    files: dict[tuple[int, int], str] = {}
    root_identity = _identity(os.stat(root))
    if root_identity is not None:
        folders[root_identity] = "."

    def second_visit(relative: str, full: str) -> _Unusable | None:
        """None for a folder not seen yet (now marked seen), else why it is left out."""
        try:
            identity = _identity(os.stat(full))
        except OSError as error:
            return _Unusable(relative, f"cannot be listed ({error.strerror})", "unlistable")
        if identity is None:
            return None
        first = folders.get(identity)
        if first is None:
            folders[identity] = relative
            return None
        target, parent = os.path.realpath(full), os.path.realpath(os.path.dirname(full))
        if parent == target or parent.startswith(target.rstrip(os.sep) + os.sep):
            return _Unusable(relative, f"is a symlink loop back to {_shown(first)}", "loop")
        return _Unusable(
            relative,
            f"is a symlink to {_shown(first)}, whose files would count twice",
            "duplicate_folder",
        )

    def image_problem(relative: str, full: str) -> _Unusable | None:
        try:
            relative.encode("utf-8")
        except UnicodeEncodeError:
            return _Unusable(relative, "has a name that is not valid UTF-8 (rename it)", "name")
        try:
            st = os.stat(full)
        except OSError as error:
            if os.path.islink(full):
                broken = "a symlink loop" if error.errno == errno.ELOOP else "a broken symlink"
                return _Unusable(relative, f"is {broken} (to {os.readlink(full)!r})", "unreadable")
            return _Unusable(relative, f"cannot be read ({error.strerror})", "unreadable")
        if not stat.S_ISREG(st.st_mode):
            kind = _FILE_TYPES.get(stat.S_IFMT(st.st_mode), "a special file")
            return _Unusable(relative, f"is {kind}, not a regular file", "unreadable")
        identity = _identity(st)
        if identity is not None and identity in files:
            return _Unusable(
                relative,
                f"is the same file as {_shown(files[identity])} (a symlink or hard link)",
                "duplicate",
            )
        try:
            with open(full, "rb"):
                pass
        except OSError as error:
            return _Unusable(relative, f"cannot be read ({error.strerror})", "unreadable")
        if identity is not None:
            files[identity] = relative
        return None

    def list_tree(top: str) -> list[str]:
        """Lists `top` (relative) without following symlinks; returns its symlinked folders."""
        links: list[str] = []

        def unlistable(error: OSError) -> None:
            relative = os.path.relpath(error.filename, root)
            unusable.append(
                _Unusable(relative, f"cannot be listed ({error.strerror})", "unlistable")
            )

        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top), onerror=unlistable):
            kept = []
            for dirname in sorted(dirnames):
                full = os.path.join(dirpath, dirname)
                relative = os.path.relpath(full, root)
                if os.path.islink(full):
                    links.append(relative)
                elif (problem := second_visit(relative, full)) is not None:
                    unusable.append(problem)  # e.g. a bind mount of an ancestor
                else:
                    kept.append(dirname)
            dirnames[:] = kept
            for filename in sorted(filenames):
                full = os.path.join(dirpath, filename)
                relative = os.path.relpath(full, root)
                if not filename.lower().endswith(IMAGE_EXTENSIONS):
                    others.append(relative)
                elif (problem := image_problem(relative, full)) is not None:
                    unusable.append(problem)
                else:
                    images.append(relative)
        return links

    level = list_tree(".")
    while level:  # symlinked folders, one level of symlinks at a time
        following = []
        for relative in sorted(level):
            problem = second_visit(relative, os.path.join(root, relative))
            if problem is not None:
                unusable.append(problem)
            else:
                following += list_tree(relative)
        level = following
    images.sort()
    unusable.sort(key=lambda entry: entry.path)
    return images, others, unusable


def _scan_folder(name: str) -> _Folder:
    """Lists the image files of `folder:PATH` (nothing is decoded); one line per bad folder.

    See `_list_folder` for the paths that are left out (`_Folder.unusable`); the class
    subfolders and labels come from the files that are kept.
    """
    root = name[len(FOLDER_PREFIX) :]
    accepted = " ".join(IMAGE_EXTENSIONS)
    if not root or not os.path.exists(root):
        raise ValueError(
            f"folder {root!r} does not exist; {FOLDER_PREFIX}PATH needs a directory "
            f"of image files ({accepted})"
        )
    if not os.path.isdir(root):
        raise ValueError(
            f"{root!r} is a file, not a folder; {FOLDER_PREFIX}PATH needs a directory "
            f"of image files ({accepted})"
        )
    relative, others, unusable = _list_folder(root)
    if not relative and all(entry.is_folder for entry in unusable):
        if not others:
            raise ValueError(
                f"folder {root!r} is empty: it holds no image files ({accepted}, searched "
                "recursively)"
            )
        raise ValueError(
            f"folder {root!r} holds no image files ({accepted}, searched recursively), only "
            f"{len(others)} other file(s) such as {others[0]!r}"
        )
    parts = [path.split(os.sep) for path in relative]
    class_names = tuple(sorted({p[0] for p in parts if len(p) > 1}))
    labels = None
    if class_names and all(len(p) > 1 for p in parts):
        index = {c: i for i, c in enumerate(class_names)}
        labels = [index[p[0]] for p in parts]
    files = [os.path.join(os.path.abspath(root), path) for path in relative]
    return _Folder(
        root=root, files=files, class_names=class_names, labels=labels, unusable=tuple(unusable)
    )


def _decode_error(path: str) -> str:
    """TensorFlow's reason, in one line, why `path` does not read or decode ("" if it does)."""
    try:
        tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
    except tf.errors.OpError as e:
        lines = str(e).strip().splitlines()
        reason = lines[0] if lines else type(e).__name__
        # Drop TensorFlow's "{{function_node ...}}" prefix and " [Op:DecodeImage]" suffix.
        return re.sub(r"^\{\{[^}]*\}\}\s*", "", reason).split(" [Op:")[0].strip()
    return ""


def _problem(folder: _Folder, entry: _Unusable) -> str:
    """`entry` as the start of a sentence: "image file 'a.png' in folder '/d' is a FIFO, ..."."""
    what = "folder" if entry.is_folder else "image file"
    return f"{what} {_shown(entry.path)} in folder {folder.root!r} {entry.reason}"


def _tally(entries: list[_Unusable], total: int, verb: str | None) -> str:
    """Counts `entries` in words, e.g. "2 of the 7 image files (1 corrupt, 1 reached twice)".

    With `verb="are"`: "1 of its 6 image files are corrupt", "2 of its 7 image files are
    unusable (1 corrupt, 1 reached twice) and 1 symlink loop".

    Args:
        entries: the unusable paths.
        total: how many image files the folder lists (usable or not; folders not counted).
        verb: "are" for an error, "" for the skip warning, None for the kinds alone
            ("1 corrupt, 1 reached twice").
    """

    def words(kind: str, count: int) -> str:
        return f"{count} {_UNUSABLE_KINDS[kind][count != 1]}"

    file_kinds: dict[str, int] = {}
    folder_kinds: dict[str, int] = {}
    for entry in entries:
        counts = folder_kinds if entry.is_folder else file_kinds
        counts[entry.kind] = counts.get(entry.kind, 0) + 1
    if verb is None:
        counts = {**file_kinds, **folder_kinds}
        return ", ".join(words(kind, count) for kind, count in counts.items())
    parts = []
    num_files = sum(file_kinds.values())
    if num_files:
        text = f"{num_files} of {'its' if verb else 'the'} {total} image files"
        if verb and set(file_kinds) == {"corrupt"}:
            text += f" {verb} corrupt"
        else:
            kinds = ", ".join(words(kind, count) for kind, count in file_kinds.items())
            text += f" {verb} unusable ({kinds})" if verb else f" ({kinds})"
        parts.append(text)
    parts += [words(kind, count) for kind, count in folder_kinds.items()]
    return " and ".join(parts)


def _first_decodable(folder: _Folder) -> tf.Tensor:
    """The first image of `folder` that decodes (usually its first file)."""
    for path in folder.files:
        try:
            return tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
        except tf.errors.OpError:
            continue
    if not folder.files:  # every image path was left out when the folder was listed
        _raise_none_usable(folder, list(folder.unusable))
    shown = os.path.relpath(folder.files[0], folder.root)
    raise ValueError(
        f"none of the {len(folder.files)} image files in folder {folder.root!r} can be decoded "
        f"(e.g. {shown!r}: {_decode_error(folder.files[0])})"
    )


def _raise_none_usable(folder: _Folder, entries: list[_Unusable]) -> None:
    """Raises: no image file of `folder` can be used (`entries`, sorted, say why)."""
    total = sum(not entry.is_folder for entry in entries)
    first = entries[0]
    raise ValueError(
        f"none of the {total} image files in folder {folder.root!r} can be used "
        f"({_tally(entries, total, None)}); e.g. {_shown(first.path)} {first.reason}"
    )


_SCANS: dict[tuple, list] = {}  # See _MAX_CACHED_SCANS.


def _file_key(path: str) -> tuple:
    try:
        stat = os.stat(path)
    except OSError:
        return (path, None, None)
    return (path, stat.st_size, stat.st_mtime_ns)


def _image_shapes(files: list[str]) -> list[tuple[int, int, int] | None]:
    """Decodes every file once (in parallel): each one's `(H, W, C)`, or None if it fails."""
    key = tuple(_file_key(path) for path in files)
    if key in _SCANS:
        return _SCANS[key]

    def shape_of(index, path):
        image = tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
        return index, tf.shape(image)

    indexed = tf.data.Dataset.from_tensor_slices((np.arange(len(files), dtype=np.int64), files))
    # Files that fail to read or decode raise inside the map; ignore_errors drops exactly those
    # elements, so the indices that never arrive are the corrupt files.
    scan = indexed.map(shape_of, num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
    shapes: list[tuple[int, int, int] | None] = [None] * len(files)
    for indices, dims in scan.ignore_errors().batch(1024).as_numpy_iterator():
        for index, dim in zip(indices, dims, strict=True):
            shapes[int(index)] = tuple(int(d) for d in dim)
    while len(_SCANS) >= _MAX_CACHED_SCANS:
        _SCANS.pop(next(iter(_SCANS)))
    _SCANS[key] = shapes
    return shapes


def _without_corrupt(
    folder: _Folder, shapes: list, corrupt_images: str
) -> tuple[_Folder, list[tuple[int, int, int]]]:
    """Drops the unusable paths (`"skip"`, with a warning counting them), or raises (`"error"`).

    Unusable are the files that did not decode (`shapes` None) and the paths left out when
    the folder was listed (`folder.unusable`: second paths to a file or folder, symlink
    loops, non-UTF-8 names, broken symlinks, FIFOs, unreadable files). The error names the
    first of them (by path) and counts them all; so does the warning. A folder none of whose
    image files can be used is an error either way.
    """
    bad = [i for i, shape in enumerate(shapes) if shape is None]
    if not bad and not folder.unusable:
        return folder, shapes
    corrupt = [
        _Unusable(os.path.relpath(folder.files[i], folder.root), "cannot be decoded", "corrupt")
        for i in bad
    ]
    total = len(folder.files) + sum(not entry.is_folder for entry in folder.unusable)
    if corrupt and not any(not entry.is_folder for entry in folder.unusable):
        if len(bad) == len(folder.files):  # every image file is corrupt
            first_bad = folder.files[bad[0]]
            raise ValueError(
                f"none of the {total} image files in folder {folder.root!r} can be decoded "
                f"(e.g. {_shown(corrupt[0].path)}: {_decode_error(first_bad)})"
            )
    entries = sorted([*folder.unusable, *corrupt], key=lambda entry: entry.path)
    first = entries[0]
    if first.kind == "corrupt":  # TensorFlow's reason, for the one file the message names
        detail = _decode_error(os.path.join(folder.root, first.path))
        first = entries[0] = dataclasses.replace(
            first, reason=f"cannot be decoded ({detail or 'it changed while it was read'})"
        )
    if len(bad) == len(folder.files):
        _raise_none_usable(folder, entries)
    if corrupt_images == "error":
        raise ValueError(
            f"{_problem(folder, first)}; {_tally(entries, total, 'are')}: pass "
            "corrupt_images='skip' (--corrupt_images=skip) to leave them out"
        )
    _logger.warning(
        "skipped %s in folder %r (first: %s, which %s)",
        _tally(entries, total, ""),
        folder.root,
        _shown(first.path),
        first.reason,
    )
    keep = [i for i, shape in enumerate(shapes) if shape is not None]
    labels = None if folder.labels is None else [folder.labels[i] for i in keep]
    kept = dataclasses.replace(
        folder, files=[folder.files[i] for i in keep], labels=labels, unusable=()
    )
    return kept, [shapes[i] for i in keep]


def folder_channels(name: str) -> tuple[int, int, int]:
    """The channel count `make_dataset` gives `folder:PATH` when `channels` is None.

    Colour (3) if any usable image file has 3 or more channels, else grayscale (1): the rule
    the pipeline applies, on the same decoded shapes (cached, so the pipeline does not decode
    the files again). Unusable files are not counted (`make_dataset` reports them).

    Args:
        name: a `folder:PATH` dataset name.

    Returns:
        `(channels, colour files, grayscale files)`.

    Raises:
        ValueError: `name` is not a readable folder of image files (see `make_dataset`).
    """
    if not is_folder_name(name):
        raise ValueError(f"folder_channels takes a {FOLDER_PREFIX}PATH name; got {name!r}")
    folder = _scan_folder(name)
    shapes = [shape for shape in _image_shapes(folder.files) if shape is not None]
    colour = sum(shape[-1] >= 3 for shape in shapes)
    return (3 if colour else 1), colour, len(shapes) - colour


def is_folder_name(name: str) -> bool:
    """Whether `name` names an image folder (`folder:PATH`)."""
    return isinstance(name, str) and name.startswith(FOLDER_PREFIX)


def _open_folder(name: str, split: str, *, image_size, channels, corrupt_images) -> _Source:
    if split != "train":
        raise ValueError(f"folder datasets have only the 'train' split, got split={split!r}")
    folder = _scan_folder(name)
    shapes = _image_shapes(folder.files) if folder.files else []
    folder, shapes = _without_corrupt(folder, shapes, corrupt_images)
    count = len(folder.files)
    # Colour if any file is; files are then converted to that channel count on read.
    out_channels = channels or (3 if any(shape[-1] >= 3 for shape in shapes) else 1)
    expected_hw = None
    if image_size is None:
        first_of_size = {}  # (H, W) -> the first file of that size.
        for path, shape in zip(folder.files, shapes, strict=True):
            first_of_size.setdefault(shape[:2], path)
        if len(first_of_size) > 1:
            examples = ", ".join(
                f"{os.path.relpath(path, folder.root)} is {h}x{w}"
                for (h, w), path in list(first_of_size.items())[:3]
            )
            raise ValueError(
                f"images in folder {folder.root!r} have {len(first_of_size)} different sizes "
                f"({examples}); pass image_size to resize them all to one size"
            )
        expected_hw = next(iter(first_of_size))

    size_message = (
        f"an image in folder {folder.root!r} differs in size from {expected_hw} (changed "
        "since the pipeline was built?); pass image_size to resize them all to one size"
    )

    def read(element):
        image = tf.io.decode_image(tf.io.read_file(element["path"]), expand_animations=False)
        image = _convert_channels(tf.cast(image, tf.float32), out_channels)
        if expected_hw is not None:
            # Guards against files replaced after the scan; costs one comparison per image.
            same_size = tf.debugging.assert_equal(
                tf.shape(image)[:2], expected_hw, message=size_message
            )
            with tf.control_dependencies([same_size]):
                image = tf.identity(image)
            image.set_shape((*expected_hw, out_channels))  # Lets batches have a static shape.
        return image, element.get("label")

    elements = {"path": folder.files}
    if folder.labels is not None:
        elements["label"] = np.asarray(folder.labels, np.int64)
    if folder.class_names and folder.labels is None:
        hint = " (some image files lie outside the class subfolders)"
    else:
        hint = " (a folder has labels only when every image lies in a class subfolder)"
    return _Source(
        dataset=tf.data.Dataset.from_tensor_slices(elements),
        read=read,
        kind="image",
        has_labels=folder.labels is not None,
        num_examples=count,
        no_labels_hint=hint,
    )


def _check_positive_int(arg: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{arg} must be a positive integer, got {value!r}")
