"""Stacked digits: three embedded digits stacked as the channels of one image, 1,000 modes.

The Stacked-MNIST mode-collapse benchmark (Metz et al. 2016, "Unrolled Generative Adversarial
Networks", arXiv:1611.02163; Srivastava et al. 2017, "VEEGAN", arXiv:1705.07761) stacks three
MNIST digits drawn independently at random as the R, G, B channels of one image, so the data
has 10³ = 1,000 modes (one per digit triple); a generator's mode coverage is then measured by
classifying each channel of its samples with a pretrained digit classifier. Two embedded
bases serve it offline (`gan_zoo.data.names.STACKED_SOURCES`):

- `stacked_mnist`: real 28×28 MNIST digits of `gan_zoo_mnist` (the published benchmark's data,
  5,000 digits, so 5,000³ possible stacks); classifier `load_mnist_classifier()`.
- `stacked_digits`: scikit-learn's 8×8 digits of `gan_zoo_digits` served at 32 px (a fast
  stand-in); classifier `load_digits_classifier()`.

Example:
>>> ds = make_stacked_digits("train", num_examples=25_600, batch_size=64, base="gan_zoo_mnist")
>>> images, labels = next(iter(ds))  # float32 [64, 28, 28, 3] in [-1, 1], int32 [64] in 0..999
"""

import functools
import os

import numpy as np
import tensorflow as tf

from gan_zoo.data.batching import batch_source, with_static_tuning
from gan_zoo.data.names import DIGITS, STACKED_SOURCES
from gan_zoo.data.tfds_sources import data_dir_key, open_tfds
from gan_zoo.data.validation import check_positive_int, check_seed

NUM_MODES = 1000
DEFAULT_NUM_EXAMPLES = 60_000

# Example i of a stacked-digits dataset with seed s draws its three source indices with
# `tf.random.stateless_uniform(seed=[s, i])`, so it depends only on (s, i, split).
_PLACE_VALUES = (100, 10, 1)


def load_digits_arrays(
    split: str = "train",
    image_size: int | None = 32,
    data_dir: str | os.PathLike | None = None,
    base: str = DIGITS,
) -> tuple[np.ndarray, np.ndarray]:
    """Loads a split of embedded digits into memory, preprocessed as `make_dataset` does.

    Args:
        split: `train` or `test` (TFDS slicing such as `"train[:10%]"` works). Defaults to
            `"train"`.
        image_size: output height and width; None keeps 8. Defaults to 32.
        data_dir: TFDS data directory; None uses TFDS's default. Defaults to None.
        base: the embedded digits: `gan_zoo_digits` (8×8) or `gan_zoo_mnist` (28×28).
            Defaults to `gan_zoo_digits`.

    Returns:
        A tuple `(images, labels)`: images float32 [N, S, S, 1] in [-1, 1] and labels int32
        [N] in 0..9, in the split's stored order (not shuffled). Loads are cached per
        (split, image_size, data_dir, base); the arrays returned are fresh copies.

    Raises:
        ValueError: on a split the dataset lacks or a bad `image_size`.
    """
    images, labels = _load_digits_arrays(split, image_size, data_dir_key(data_dir), _base(base))
    return images.copy(), labels.copy()


def _base(base) -> str:
    bases = [source for source, _ in STACKED_SOURCES.values()]
    if base not in bases:
        raise ValueError(f"base must be one of {', '.join(bases)}, got {base!r}")
    return base


@functools.lru_cache(maxsize=8)
def _load_digits_arrays(split, image_size, data_dir, base) -> tuple[np.ndarray, np.ndarray]:
    """`load_digits_arrays`, cached (a split is ~6 MB at 32 px); the arrays are read-only.

    The digits go through the pipeline `make_dataset` builds for them (the same source and
    preprocessing), without its dispatch over names, which in turn serves `stacked_digits`.
    """
    if image_size is not None:
        check_positive_int("image_size", image_size)
    ds = batch_source(
        open_tfds(base, split, data_dir),
        batch_size=4096,
        image_size=image_size,
        channels=None,
        with_labels=True,
        shuffle=False,
        seed=0,
        repeat=False,
        drop_remainder=False,
        cache=False,
    )
    batches = list(ds.as_numpy_iterator())
    images = np.concatenate([x for x, _ in batches])
    labels = np.concatenate([y for _, y in batches])
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def make_stacked_digits(
    split: str = "train",
    num_examples: int | None = DEFAULT_NUM_EXAMPLES,
    batch_size: int = 64,
    seed: int = 0,
    data_dir: str | os.PathLike | None = None,
    image_size: int = 32,
    *,
    base: str = DIGITS,
    shuffle: bool = True,
    with_labels: bool = True,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """Builds a batched stacked-digits dataset: three random digits as channels, 1,000 modes.

    Example i is made of three images drawn independently and uniformly at random (with
    replacement) from `split` of the digits `base` at `image_size` px, stacked as channels
    0, 1, 2; its label is 100·d0 + 10·d1 + d2 where dk is the digit of channel k. The draws
    depend only on `seed`, `i` and the split (stateless random ops), so a seed always gives
    the same examples, whatever the batching or parallelism.

    Args:
        split: split of `base` to draw from: `train` or `test` (`gan_zoo_mnist`: 4,000 and
            1,000 digits; `gan_zoo_digits`: 1,433 and 364). Defaults to `"train"`.
        num_examples: examples in one pass, >= 1; None for an endless stream of fresh draws
            (then `shuffle` does not apply). Defaults to 60,000.
        batch_size: examples per batch, >= 1. Defaults to 64.
        seed: seeds the draws and the shuffling. Defaults to 0.
        data_dir: TFDS data directory; None uses TFDS's default. Defaults to None.
        image_size: output height and width. Defaults to 32.
        base: the embedded digits stacked: `gan_zoo_digits` or `gan_zoo_mnist`. Defaults to
            `gan_zoo_digits`.
        shuffle: visit the `num_examples` examples in an order reshuffled every pass (seeded;
            the examples themselves stay the same). Defaults to True.
        with_labels: yield `(images, labels)`; False yields `images` only (for GAN training).
            Defaults to True.
        drop_remainder: drop the last short batch. Defaults to True.

    Returns:
        A `tf.data.Dataset` of `(images, labels)` (of `images` alone when `with_labels` is
        False): images float32 [B, S, S, 3] in [-1, 1] (S = `image_size`) and labels int32
        [B] in 0..999.

    Raises:
        ValueError: on a bad `num_examples`, `batch_size`, `image_size` or `seed`, or a split
            the dataset lacks.
    """
    if num_examples is not None:
        check_positive_int("num_examples", num_examples)
    check_positive_int("batch_size", batch_size)
    check_positive_int("image_size", image_size)
    check_seed(seed)

    digit_images, digit_labels = _load_digits_arrays(
        split, image_size, data_dir_key(data_dir), _base(base)
    )
    pool = tf.constant(digit_images[..., 0])  # [N, S, S]
    pool_labels = tf.constant(digit_labels.astype(np.int32))  # [N]
    pool_size = len(digit_images)
    place_values = tf.constant(_PLACE_VALUES, tf.int32)

    def stack(index):
        draw_seed = tf.stack([tf.cast(seed, tf.int64), tf.cast(index, tf.int64)])
        picks = tf.random.stateless_uniform(
            [3], seed=draw_seed, minval=0, maxval=pool_size, dtype=tf.int32
        )
        image = tf.transpose(tf.gather(pool, picks), [1, 2, 0])  # [S, S, 3]
        label = tf.reduce_sum(tf.gather(pool_labels, picks) * place_values)
        return (image, label) if with_labels else image

    if num_examples is None:
        indices = tf.data.Dataset.counter(dtype=tf.int64)
    else:
        indices = tf.data.Dataset.range(num_examples)
        if shuffle:
            indices = indices.shuffle(num_examples, seed=seed, reshuffle_each_iteration=True)
    ds = indices.map(stack, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return with_static_tuning(ds.prefetch(tf.data.AUTOTUNE))
