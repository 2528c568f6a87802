"""Checks of the arrays and counts every metric takes: one-line `ValueError`s naming the argument.

Feature matrices (`as_features`) are the `[N, D]` inputs of the functional metrics; images
(`as_image_array`) the `[N, H, W, C]` inputs of the scoring and CAS functions.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

__all__ = ["as_features", "as_image_array", "check_k", "check_positive_int", "check_same_width"]


def as_features(x: np.ndarray, name: str, min_rows: int = 2) -> np.ndarray:
    """Returns `x` as a finite float64 `[N, D]` array with at least `min_rows` rows."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D [num_samples, num_features] array, got {x.shape}")
    if x.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows, got {x.shape[0]}")
    if x.shape[1] < 1:
        raise ValueError(f"{name} needs at least 1 feature column, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def check_same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raises unless the feature matrices `a` and `b` have the same number of columns."""
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same feature width, "
            f"got {a.shape[1]} and {b.shape[1]}"
        )


def check_k(k: int, n: int, name: str) -> None:
    """Raises unless `k` is a positive integer below `n`, the row count of `name`."""
    if int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k >= n:
        raise ValueError(f"k={k} needs more than k rows in {name}, got {n}")


def check_positive_int(name: str, value) -> int:
    """Returns `value` as an int; raises unless it is a positive integer (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def as_image_array(images, name: str) -> np.ndarray:
    """Returns images (array or tensor) as a NumPy `[N, H, W, C]` array; raises otherwise."""
    if isinstance(images, tf.Tensor):
        images = images.numpy()
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"{name} must be images [N, H, W, C], got shape {images.shape}")
    return images
