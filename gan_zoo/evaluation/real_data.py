"""Real data to measure against: the first examples of a split, at the samples' size."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from gan_zoo.metrics.validation import check_positive_int

__all__ = ["load_real_data"]


def load_real_data(
    dataset: str,
    split: str,
    num: int,
    sample_shape: Sequence[int],
    data_dir: str | os.PathLike | None = None,
    with_labels: bool = False,
):
    """Loads up to `num` real examples of `split`, at the samples' size and channels.

    Uses `make_dataset(dataset, split, image_size=H, channels=C, shuffle=False,
    drop_remainder=False)` (no shuffling: the first `num` examples in the split's stored
    order; TFDS stores examples in the order of a hash of their keys, not sorted by class).

    Args:
        dataset: a `make_dataset` name.
        split: `"train"` or `"test"` (or any split the dataset has).
        num: the most examples to load.
        sample_shape: `(H, W, C)` of the generated images (H == W), or `(2,)` for points.
        data_dir: TFDS data directory; None uses TFDS's default.
        with_labels: also return the int labels.

    Returns:
        float32 array `[n, *sample_shape]` with n = min(num, split size), or `(array, labels)`
        with `with_labels`.

    Raises:
        ValueError: from `make_dataset` (unknown dataset, missing split, ...) or non-square
            samples.
    """
    from gan_zoo.data import make_dataset

    num = check_positive_int("num", num)
    kwargs = {}
    if len(sample_shape) == 3:
        height, width, channels = (int(d) for d in sample_shape)
        if height != width:
            raise ValueError(f"expected square samples, got {tuple(sample_shape)}")
        kwargs = {"image_size": height, "channels": channels}
    ds = make_dataset(
        dataset,
        split=split,
        batch_size=min(num, 512),
        shuffle=False,
        drop_remainder=False,
        data_dir=data_dir,
        with_labels=with_labels,
        cache=False,
        **kwargs,
    )
    xs, ys, count = [], [], 0
    for element in ds:
        x, y = element if with_labels else (element, None)
        xs.append(x.numpy())
        if with_labels:
            ys.append(y.numpy())
        count += len(xs[-1])
        if count >= num:
            break
    x = np.concatenate(xs)[:num] if xs else np.zeros((0, *sample_shape), np.float32)
    if with_labels:
        y = np.concatenate(ys)[:num] if ys else np.zeros((0,), np.int32)
        return x, y
    return x
