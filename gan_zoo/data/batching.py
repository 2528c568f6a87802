"""From an opened source to batches: preprocess, cache, shuffle, repeat, batch, tune.

Every source (`tfds_sources`, `folder`) opens a dataset as a `Source`; `batch_source` turns one
into the batched pipeline `make_dataset` returns, and `with_static_tuning` ends every gan_zoo
pipeline (the stacked and unpaired ones too). Low in the data package: it imports only
`preprocessing`.
"""

import dataclasses
from collections.abc import Callable

import tensorflow as tf

from gan_zoo.data.preprocessing import preprocess_image

MAX_SHUFFLE_BUFFER = 10_000
# Images preprocessed per call when a dataset's images share one static shape (`make_dataset`).
PREPROCESS_CHUNK = 256


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
class Source:
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


def preprocess_in_chunks(source: Source) -> bool:
    """Whether `source`'s images can be preprocessed a chunk at a time: same static shape.

    Args:
        source: an opened source.

    Returns:
        True for a batchable image source whose images have one fully defined shape.
    """
    if source.kind != "image" or not source.batchable:
        return False
    image_spec, _ = source.read(source.dataset.element_spec)
    return image_spec.shape.is_fully_defined()


def batch_source(
    source: Source,
    *,
    batch_size: int,
    image_size: int | None,
    channels: int | None,
    with_labels: bool,
    shuffle: bool,
    seed: int,
    repeat: bool,
    drop_remainder: bool,
    cache: bool,
) -> tf.data.Dataset:
    """The batched pipeline of `source`: preprocess → cache → shuffle → repeat → batch.

    The arguments are `make_dataset`'s (already checked): images are preprocessed by
    `preprocess_image`, `PREPROCESS_CHUNK` at a time when `preprocess_in_chunks(source)`
    (the same results bit for bit), points are cast to float32.

    Args:
        source: an opened source (labelled when `with_labels`).
        batch_size: examples per batch.
        image_size: output side of images; None keeps the stored size.
        channels: 1 or 3 to convert images; None keeps the stored channels.
        with_labels: yield `(x, labels)` (labels int32) instead of `x`.
        shuffle: shuffle with a buffer of min(num_examples, `MAX_SHUFFLE_BUFFER`), reshuffled
            each epoch.
        seed: shuffle seed.
        repeat: repeat forever (before batching).
        drop_remainder: drop the last short batch.
        cache: cache the preprocessed examples in memory after the first pass.

    Returns:
        The prefetched, batched `tf.data.Dataset`, with tf.data's autotuner off
        (`with_static_tuning`).
    """

    def preprocess(element):
        x, label = source.read(element)
        if source.kind == "image":
            x = preprocess_image(x, image_size=image_size, channels=channels)
        else:
            x = tf.cast(x, tf.float32)
        if with_labels:
            return x, tf.cast(label, tf.int32)
        return x

    if preprocess_in_chunks(source):
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
