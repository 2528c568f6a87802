"""Unpaired image-to-image datasets: batches of `(a, b)`, one image of each domain, for CycleGAN.

CycleGAN (Zhu et al. 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent
Adversarial Networks", arXiv:1703.10593) learns translations A → B and B → A from two sets of
images that are not paired: each batch holds images of A and of B drawn independently.

Names `make_unpaired_dataset` understands:

- `digits_thickness`: an embedded pair (offline, no download) built from the embedded digits
  (`gan_zoo_digits`, scikit-learn's 8×8 digits, served at 32 px): domain A holds thin digits,
  domain B thick ones. The examples of a split are cut into two disjoint halves by a fixed
  seeded permutation (`_HALVES_SEED`, independent of the shuffle seed): the first half goes to
  A, the second to B, so no source digit appears in both domains and nothing is paired. A is
  the grayscale erosion of its digits (3×3 min filter, stride 1, SAME padding: `-max_pool(-x)`),
  B their grayscale dilation (3×3 max filter), one pass each, applied at 32 px (then resized
  when another `image_size` is asked for, so the domains do not depend on the size served).
  One 3×3 pass is the choice because it separates the domains while keeping the digits
  readable. Measured with `gan_zoo.metrics.translation.stroke_thickness` (threshold 0), the
  source digits are ~6.35 px thick. On the train split A is 4.33 px on average (5–95th
  percentiles 2.70–6.58 px) and B 8.51 px (6.47–10.71); on the test split A is 4.40
  (2.89–6.50) and B 8.41 (6.62–10.49): the 5–95% ranges barely touch (4–6% of either domain
  lies in the other's range). The shipped digits classifier (99.9% / 100% on the source
  digits) still reads 99.6% of A (714/717) and 98.9% of B (708/716) on train, 99.5% of A
  and of B (181/182 each) on test. Two 3×3 passes (the same as one 5×5 pass) separate the
  domains more (A ~3.2 px, B ~10.6 px), but the classifier then reads only ~85% of either
  domain: thin strokes break and thick ones merge.
- `cycle_gan/<pair>`: any configuration of the TFDS `cycle_gan` dataset (`cycle_gan/horse2zebra`,
  `cycle_gan/monet2photo`, ...), downloaded and prepared by TFDS on first use (needs the
  network). Its TFDS splits `trainA`, `trainB`, `testA`, `testB` serve split `train`
  (trainA → a, trainB → b) and `test` (testA → a, testB → b).

Example:
>>> ds = make_unpaired_dataset("digits_thickness", batch_size=16)
>>> a, b = next(iter(ds))  # float32 [16, 32, 32, 1] each, in [-1, 1]: thin and thick digits
"""

import functools
import os
import re

import numpy as np
import tensorflow as tf

from gan_zoo.data import _offline
from gan_zoo.data.batching import MAX_SHUFFLE_BUFFER, with_static_tuning
from gan_zoo.data.names import CYCLE_GAN, DIGITS, DIGITS_THICKNESS
from gan_zoo.data.preprocessing import preprocess_image
from gan_zoo.data.stacked_digits import load_digits_arrays
from gan_zoo.data.tfds_sources import data_dir_key, download_and_prepare, tfds_builder
from gan_zoo.data.validation import check_channels, check_positive_int, check_seed

# What each domain of `digits_thickness` holds.
DIGITS_THICKNESS_DOMAINS = {"a": "thin", "b": "thick"}
# Side at which the morphology of `digits_thickness` is applied, and its default image size.
DIGITS_THICKNESS_SIZE = 32
# Side of the square min / max filter and how many times it is applied.
MORPHOLOGY_KERNEL = 3
MORPHOLOGY_PASSES = 1

# Seeds the permutation that cuts a split of the digits into the A and B halves; fixed, so the
# halves never change with the shuffle seed.
_HALVES_SEED = 1703_10593
_SPLIT_PATTERN = re.compile(r"^(train|test)(\[[^\]]*\])?$")
_SPLITS_HELP = "use 'train' or 'test' (TFDS slicing such as 'train[:50%]' also works)"


def is_unpaired_name(name: object) -> bool:
    """Whether `name` is a dataset `make_unpaired_dataset` serves.

    Args:
        name: a dataset name.

    Returns:
        True for `digits_thickness` and `cycle_gan` or `cycle_gan/<pair>` (with an optional
        `:version`), else False.
    """
    return isinstance(name, str) and (name == DIGITS_THICKNESS or _is_cycle_gan(name))


def is_unpaired_split(split: object) -> bool:
    """Whether `split` is an unpaired split: `train` or `test`, optionally sliced (`train[:10%]`).

    Args:
        split: a split name.

    Returns:
        True when `make_unpaired_dataset` accepts `split`.
    """
    return isinstance(split, str) and _SPLIT_PATTERN.match(split) is not None


def _is_cycle_gan(name: str) -> bool:
    return name.partition("/")[0].split(":")[0] == CYCLE_GAN


def _parse_split(name: str, split) -> tuple[str, str]:
    """`train[:10%]` → (`train`, `[:10%]`); raises on any other split."""
    match = _SPLIT_PATTERN.match(split) if isinstance(split, str) else None
    if match is None:
        hint = ""
        if _is_cycle_gan(name):
            hint = (
                "; make_dataset serves one domain with split 'trainA', 'trainB', 'testA' or 'testB'"
            )
        raise ValueError(f"unpaired dataset {name!r} has no split {split!r}; {_SPLITS_HELP}{hint}")
    return match.group(1), match.group(2) or ""


# ----------------------------------------------------------------------------- digits_thickness


def load_digits_thickness(
    split: str = "train",
    image_size: int = DIGITS_THICKNESS_SIZE,
    data_dir: str | os.PathLike | None = None,
) -> dict[str, np.ndarray]:
    """Loads a split of `digits_thickness` into memory: thin digits (A) and thick digits (B).

    The examples of `split` of `gan_zoo_digits` are cut into two disjoint halves by a fixed
    seeded permutation: A gets the first ceil(N/2), B the other floor(N/2); each half is kept
    in the split's stored order. A is eroded, B dilated (3×3, one pass, at 32 px; see the
    module docstring), then resized to `image_size` (bilinear, antialiased) if it is not 32.

    Args:
        split: `train` (1,433 digits: 717 in A, 716 in B) or `test` (364: 182 and 182). TFDS
            slicing such as `"train[:10%]"` works (then the slice is cut in halves). Defaults
            to `"train"`.
        image_size: output height and width, >= 1. Defaults to 32.
        data_dir: TFDS data directory for the embedded digits; None uses TFDS's default.
            Defaults to None.

    Returns:
        A dict with `a_images` float32 [Na, S, S, 1] in [-1, 1] (S = `image_size`; ink +1,
        background -1), `a_labels` int32 [Na] in 0..9 (the source digits' labels),
        `a_indices` int64 [Na] (ascending positions of the source digits in the split's
        stored order), and `b_images`, `b_labels`, `b_indices` likewise. Loads are cached per
        (split, image_size, data_dir); the arrays returned are fresh copies.

    Raises:
        ValueError: on a split the dataset lacks or a bad `image_size`.
    """
    check_positive_int("image_size", image_size)
    arrays = _load_digits_thickness(split, int(image_size), data_dir_key(data_dir))
    return {key: value.copy() for key, value in arrays.items()}


def _halves(num_examples: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the A and B halves of a split of `num_examples`: disjoint, each ascending."""
    order = np.random.default_rng(_HALVES_SEED).permutation(num_examples)
    num_a = (num_examples + 1) // 2
    return np.sort(order[:num_a]).astype(np.int64), np.sort(order[num_a:]).astype(np.int64)


def _morphology(images: np.ndarray, dilate: bool) -> np.ndarray:
    """Grayscale dilation (max filter) or erosion (min filter) of [N, H, W, 1] images."""
    x = tf.convert_to_tensor(images)
    sign = 1.0 if dilate else -1.0
    for _ in range(MORPHOLOGY_PASSES):
        x = sign * tf.nn.max_pool2d(sign * x, MORPHOLOGY_KERNEL, strides=1, padding="SAME")
    return x.numpy().astype(np.float32)


@functools.lru_cache(maxsize=8)
def _load_digits_thickness(split, image_size, data_dir) -> dict[str, np.ndarray]:
    """`load_digits_thickness`, cached; the arrays are read-only."""
    images, labels = load_digits_arrays(split, DIGITS_THICKNESS_SIZE, data_dir)
    a_indices, b_indices = _halves(len(images))
    arrays = {}
    for domain, indices, dilate in (("a", a_indices, False), ("b", b_indices, True)):
        domain_images = _morphology(images[indices], dilate=dilate)
        if image_size != DIGITS_THICKNESS_SIZE:
            resized = tf.image.resize(
                domain_images, [image_size, image_size], method="bilinear", antialias=True
            )
            domain_images = tf.clip_by_value(resized, -1.0, 1.0).numpy().astype(np.float32)
        arrays[f"{domain}_images"] = domain_images
        arrays[f"{domain}_labels"] = labels[indices].astype(np.int32)
        arrays[f"{domain}_indices"] = indices
    for value in arrays.values():
        value.flags.writeable = False
    return arrays


# ----------------------------------------------------------------------------- datasets


def make_unpaired_dataset(
    name: str,
    split: str = "train",
    batch_size: int = 1,
    image_size: int | None = None,
    *,
    shuffle: bool = True,
    seed: int = 0,
    data_dir: str | os.PathLike | None = None,
    repeat: bool = False,
    channels: int | None = None,
    drop_remainder: bool = True,
    cache: bool = True,
) -> tf.data.Dataset:
    """Builds a batched dataset of unpaired `(a, b)` images for CycleGAN training.

    Each domain is preprocessed (as `gan_zoo.data.make_dataset` does: center-crop and resize
    to `image_size`, convert channels, map to [-1, 1]), cached, and shuffled on its own (A
    with seed 2·`seed`, B with 2·`seed` + 1, reshuffled every pass); the two streams are then
    zipped and batched. One pass (`repeat=False`) has max(Na, Nb) examples, CycleGAN's epoch:
    every image of the larger domain once, the smaller domain repeated (in a fresh order) to
    match. `repeat=True` gives an endless stream. The same seed gives the same batches.

    Args:
        name: `digits_thickness` (embedded, offline; A thin digits, B thick digits) or
            `cycle_gan/<pair>` (TFDS, e.g. `cycle_gan/horse2zebra`; downloads on first use).
        split: `train` or `test`; TFDS slicing such as `"train[:10%]"` works (applied to each
            domain). For `cycle_gan/*`, `train` reads TFDS splits trainA (a) and trainB (b),
            `test` reads testA and testB. Defaults to `"train"`.
        batch_size: examples per batch, >= 1. Defaults to 1 (the CycleGAN paper's).
        image_size: output height and width; None keeps the stored size (32 for
            `digits_thickness`; for `cycle_gan/*` 256, and every image must then have the same
            size). Defaults to None.
        shuffle: shuffle each domain with a buffer of min(its size, 10,000). Defaults to True.
        seed: shuffle seed. Defaults to 0.
        data_dir: TFDS data directory; None uses TFDS's default. Defaults to None.
        repeat: repeat forever. Defaults to False.
        channels: 1 or 3 to convert grayscale↔RGB; None keeps the stored channels (1 for
            `digits_thickness`, 3 for `cycle_gan/*`). Defaults to None.
        drop_remainder: drop the last short batch. Defaults to True.
        cache: cache the preprocessed images of each domain in memory after the first pass
            (`digits_thickness` is held in memory anyway). Defaults to True.

    Returns:
        A `tf.data.Dataset` of tuples `(a, b)`, each float32 [B, S, S, C] in [-1, 1]: a from
        domain A, b from domain B, unrelated to each other. B = `batch_size` (the last batch
        may be smaller only when `drop_remainder=False`).

    Raises:
        ValueError: on an unknown name, a split other than train / test, or a bad
            `batch_size`, `image_size` or `channels`.
    """
    if not is_unpaired_name(name):
        raise ValueError(
            f"unknown unpaired dataset {name!r}; use {DIGITS_THICKNESS} or "
            f"{CYCLE_GAN}/<pair> (e.g. {CYCLE_GAN}/horse2zebra)"
        )
    check_positive_int("batch_size", batch_size)
    if image_size is not None:
        check_positive_int("image_size", image_size)
    check_channels(channels)
    check_seed(seed)
    base_split, slicing = _parse_split(name, split)

    if name == DIGITS_THICKNESS:
        arrays = _load_digits_thickness(
            split,
            DIGITS_THICKNESS_SIZE if image_size is None else int(image_size),
            data_dir_key(data_dir),
        )
        domains = []
        for domain in ("a", "b"):
            images = arrays[f"{domain}_images"]
            ds = tf.data.Dataset.from_tensor_slices(images)
            if channels == 3:
                ds = ds.map(tf.image.grayscale_to_rgb)
            domains.append((ds, len(images)))
    else:
        builder = tfds_builder(name, data_dir)
        download_and_prepare(builder)  # As `tfds.load` does: downloads on first use.
        domains = []
        for domain in ("A", "B"):
            tfds_split = f"{base_split}{domain}{slicing}"
            raw = builder.as_dataset(split=tfds_split, shuffle_files=False)
            count = _count(builder, tfds_split, raw)
            if count == 0:
                raise ValueError(f"split {tfds_split!r} of dataset {name!r} is empty")

            def preprocess(example):
                return preprocess_image(example["image"], image_size=image_size, channels=channels)

            ds = raw.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
            if cache:
                ds = ds.cache()
            domains.append((ds, count))

    streams = []
    for k, (ds, count) in enumerate(domains):
        if shuffle:
            buffer = max(min(count, MAX_SHUFFLE_BUFFER), 1)
            ds = ds.shuffle(buffer, seed=2 * int(seed) + k, reshuffle_each_iteration=True)
        streams.append(ds.repeat())
    ds = tf.data.Dataset.zip(tuple(streams))
    if not repeat:
        ds = ds.take(max(count for _, count in domains))
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return with_static_tuning(ds.prefetch(tf.data.AUTOTUNE))


def _count(builder, split: str, dataset: tf.data.Dataset) -> int:
    """Examples in `split`: from TFDS's metadata, else the dataset's cardinality, else counted."""
    splits = builder.info.splits
    if splits:  # Empty only when TFDS knows no metadata (e.g. under tfds.testing.mock_data).
        return int(splits[split].num_examples)
    cardinality = int(dataset.cardinality())
    if cardinality >= 0:
        return cardinality
    return int(dataset.reduce(np.int64(0), lambda n, _: n + 1))


# ----------------------------------------------------------------------------- info


def unpaired_dataset_info(name: str, data_dir: str | os.PathLike | None = None) -> dict:
    """Describes an unpaired dataset without building a pipeline; nothing downloads.

    `gan_zoo.data.dataset_info` delegates here for unpaired names.

    Args:
        name: `digits_thickness` or `cycle_gan/<pair>`.
        data_dir: TFDS data directory; None uses TFDS's default. Defaults to None.

    Returns:
        A dict with keys `name`, `kind` (`"unpaired_images"`), `domains` (`{"a": str,
        "b": str}`: what each domain holds), `num_examples` (`{split: {"a": int, "b": int}}`
        for splits `train` and `test`; `{}` for a `cycle_gan/*` dataset TFDS has no metadata
        for before it is downloaded), `num_classes` and `class_names` (None: the pairs carry
        no labels), `image_shape` (the stored `(H, W, C)`, entries None where they vary) and
        `point_shape` (None).

    Raises:
        ValueError: on an unknown name.
    """
    if not is_unpaired_name(name):
        raise ValueError(
            f"unknown unpaired dataset {name!r}; use {DIGITS_THICKNESS} or "
            f"{CYCLE_GAN}/<pair> (e.g. {CYCLE_GAN}/horse2zebra)"
        )
    if name == DIGITS_THICKNESS:
        builder = tfds_builder(DIGITS, data_dir)
        _offline.prepare(builder)  # Embedded: offline, seconds, a no-op once prepared.
        num_examples = {}
        for split in ("train", "test"):
            num_a, num_b = (len(h) for h in _halves(int(builder.info.splits[split].num_examples)))
            num_examples[split] = {"a": num_a, "b": num_b}
        domains = dict(DIGITS_THICKNESS_DOMAINS)
        image_shape = (DIGITS_THICKNESS_SIZE, DIGITS_THICKNESS_SIZE, 1)
    else:
        builder = tfds_builder(name, data_dir)
        splits = builder.info.splits
        num_examples = {}
        for split in ("train", "test"):
            if all(f"{split}{d}" in splits for d in "AB"):
                num_examples[split] = {
                    d.lower(): int(splits[f"{split}{d}"].num_examples) for d in "AB"
                }
        pair = builder.builder_config.name if builder.builder_config else ""
        source, sep, target = pair.partition("2")
        domains = {"a": source, "b": target} if sep and source and target else {"a": "A", "b": "B"}
        image_shape = tuple(builder.info.features["image"].shape)
    return {
        "name": name,
        "kind": "unpaired_images",
        "domains": domains,
        "num_examples": num_examples,
        "num_classes": None,
        "class_names": None,
        "image_shape": image_shape,
        "point_shape": None,
    }
