"""Translation metrics on the `digits_thickness` pair (thin ↔ thick digits), on arrays.

A CycleGAN trained on `digits_thickness` (`gan_zoo.data.unpaired`) should change the stroke
thickness of a digit and nothing else. `translation_scores` measures both halves of that from
the real images of both domains and their translations:

- the thickness change: the stroke thickness (`stroke_thickness`, in pixels) of translated
  images against the 5–95th percentile range of the real target domain;
- content kept: the shipped digits classifier (`gan_zoo.metrics.digits_classifier`) must still
  read the source digit's label on the translated image (its accuracy on the real images of
  each domain is the floor to compare with), and the cycle A → B → A must return the input
  (mean absolute cycle error).

Running translators (a model, its generators or an exported SavedModel) to get those
translations is `gan_zoo.evaluation.evaluate_translation`'s.

Stroke thickness is estimated as 2·area/boundary over the ink pixels: a stroke of width w and
length L has area wL and about 2L boundary pixels. It needs no skeleton, is exact for 2 px
lines, and tracks a 3×3 erosion or dilation of the real digits (which change every stroke by
2 px) to within 0.15 px on average. Its biases, which are the same for every domain compared:
end caps add boundary (a w×L bar reads wL / (L + w − 2), e.g. 3.69 for a 4×24 bar), diagonal
strokes read thicker than axis-aligned ones, and since every ink pixel of a 1 px line is a
boundary pixel, nothing reads below 2 px. A length-free estimator (solving area = wL and
perimeter = 2(w + L) for w) is exact on any axis-aligned bar but separates the thin and thick
digits less well (its 5–95% ranges overlap by ~0.5 px where these barely touch).

Example:
>>> data = load_digits_thickness("test")
>>> translated = {"a_to_b": ..., "b_to_a": ..., "a_cycle": ..., "b_cycle": ...}
>>> report = translation_scores(data, translated)
>>> report["label_accuracy_a_to_b"], report["thickness_in_range_a_to_b"]
"""

from collections.abc import Mapping

import numpy as np
import tensorflow as tf

from gan_zoo.metrics.digits_classifier import DigitsClassifier, load_digits_classifier

__all__ = [
    "TRANSLATED_KEYS",
    "check_translation_data",
    "stroke_thickness",
    "thickness_range",
    "translation_scores",
]

_DATA_KEYS = ("a_images", "a_labels", "b_images", "b_labels")
# The translations `translation_scores` reads: A → B, B → A, A → B → A and B → A → B.
TRANSLATED_KEYS = ("a_to_b", "b_to_a", "a_cycle", "b_cycle")


def stroke_thickness(images, threshold: float = 0.0) -> np.ndarray:
    """Estimates the stroke thickness of each image, in pixels: 2·area / boundary of the ink.

    Ink is every pixel above `threshold`; area is the number of ink pixels; boundary the
    number of ink pixels with at least one background 4-neighbour (outside the image counts
    as background). A stroke of width w and length L has area wL and ~2L boundary pixels, so
    2·area / boundary ≈ w (see the module docstring for the biases).

    Args:
        images: float [N, H, W, 1] in [-1, 1] (ink bright), NumPy array or tensor.
        threshold: ink is `pixel > threshold`. Defaults to 0.0 (midway in [-1, 1]).

    Returns:
        float64 [N], >= 2 for an image with ink, 0 for an image without ink.

    Raises:
        ValueError: if `images` is not [N, H, W, 1] or holds NaN or infinite values.
    """
    images = _check_digit_images(images, "images")
    ink = images[..., 0] > threshold  # [N, H, W]
    padded = np.pad(ink, ((0, 0), (1, 1), (1, 1)), constant_values=False)
    interior = (
        padded[:, :-2, 1:-1] & padded[:, 2:, 1:-1] & padded[:, 1:-1, :-2] & padded[:, 1:-1, 2:]
    )
    area = ink.sum(axis=(1, 2)).astype(np.float64)
    boundary = (ink & ~interior).sum(axis=(1, 2)).astype(np.float64)
    return np.divide(2.0 * area, boundary, out=np.zeros_like(area), where=boundary > 0)


def thickness_range(images, low: float = 5, high: float = 95) -> tuple[float, float]:
    """The `low`–`high` percentile range of the stroke thickness of a set of images.

    Args:
        images: float [N, H, W, 1] in [-1, 1], N >= 1.
        low: lower percentile, in [0, 100]. Defaults to 5.
        high: upper percentile, in [`low`, 100]. Defaults to 95.

    Returns:
        `(low_thickness, high_thickness)` in pixels.

    Raises:
        ValueError: on bad images, an empty set or percentiles out of order or outside [0, 100].
    """
    if not (0 <= low <= high <= 100):
        raise ValueError(f"percentiles must satisfy 0 <= low <= high <= 100, got {low}, {high}")
    thickness = stroke_thickness(images)
    if len(thickness) == 0:
        raise ValueError("thickness_range needs at least one image, got 0")
    return float(np.percentile(thickness, low)), float(np.percentile(thickness, high))


def check_translation_data(data: Mapping[str, np.ndarray]) -> dict[str, tuple]:
    """Checks the dict of `load_digits_thickness`; returns each domain's images and labels.

    Args:
        data: `a_images` / `b_images` float [N, H, W, 1] in [-1, 1], `a_labels` / `b_labels`
            integer [N] in 0..9 (N >= 1, per domain).

    Returns:
        `{"a": (images, labels), "b": (images, labels)}`: float32 images clipped to [-1, 1].

    Raises:
        ValueError: `data` is not a mapping, lacks a key, or holds images that are not
            [N, H, W, 1] with N >= 1 or labels that are not [N] integers.
    """
    if not isinstance(data, Mapping):
        raise ValueError(
            f"data must be the dict of load_digits_thickness, got {type(data).__name__}"
        )
    missing = [key for key in _DATA_KEYS if key not in data]
    if missing:
        raise ValueError(
            f"data lacks {', '.join(missing)}; pass the dict of load_digits_thickness "
            f"(keys {', '.join(_DATA_KEYS)})"
        )
    domains = {}
    for domain in ("a", "b"):
        images = _check_digit_images(data[f"{domain}_images"], f"data['{domain}_images']")
        labels = np.asarray(data[f"{domain}_labels"])
        if len(images) == 0:
            raise ValueError(f"data['{domain}_images'] holds no images; need at least one")
        if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"data['{domain}_labels'] must be integers [{len(images)}] (one per image), "
                f"got {labels.dtype} {tuple(labels.shape)}"
            )
        domains[domain] = (np.clip(images, -1.0, 1.0), labels)
    return domains


def check_batch_size(batch_size) -> int:
    """Returns `batch_size` as an int; raises unless it is a positive integer."""
    is_int = isinstance(batch_size, int | np.integer) and not isinstance(batch_size, bool)
    if not is_int or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def translation_scores(
    data: Mapping[str, np.ndarray],
    translated: Mapping[str, np.ndarray],
    classifier: DigitsClassifier | None = None,
    batch_size: int = 256,
) -> dict[str, float]:
    """Measures translations on `digits_thickness`: thickness moved, digits kept.

    Args:
        data: the dict of `gan_zoo.data.unpaired.load_digits_thickness` (its test split, in
            practice): `a_images` / `b_images` float [N, H, W, 1] in [-1, 1], `a_labels` /
            `b_labels` integer [N] in 0..9.
        translated: float images of the real images' shapes, clipped to [-1, 1] here:
            `a_to_b` (domain A translated to B), `b_to_a`, `a_cycle` (`a_to_b` translated
            back to A) and `b_cycle`.
        classifier: reads the digits; None loads the shipped one (`load_digits_classifier()`).
            Defaults to None.
        batch_size: images per classifier call, >= 1. Defaults to 256.

    Returns:
        A flat dict of floats:

        - `label_accuracy_a_to_b`, `label_accuracy_b_to_a`: fraction of translated images the
          classifier reads as their source digit; `label_accuracy_real_a`,
          `label_accuracy_real_b`: the same on the real images (the floor to compare with).
        - `thickness_real_a_mean`, `thickness_real_b_mean`, `thickness_a_to_b_mean`,
          `thickness_b_to_a_mean`: mean stroke thickness in pixels.
        - `thickness_range_a_low`, `thickness_range_a_high`, `thickness_range_b_low`,
          `thickness_range_b_high`: 5–95th percentiles of each real domain's thickness.
        - `thickness_in_range_a_to_b`: fraction of translated A images whose thickness lies in
          B's range (bounds included); `thickness_in_range_b_to_a` likewise in A's range.
        - `cycle_error_a`: mean |a_cycle − a| over pixels and images, in [-1, 1] units
          (0..2); `cycle_error_b` likewise for B → A → B.
        - `num_a`, `num_b`: images evaluated per domain.

    Raises:
        ValueError: bad `data` (see `check_translation_data`), a missing translation or one
            of another shape than its source images, or a bad `batch_size`.
    """
    batch_size = check_batch_size(batch_size)
    domains = check_translation_data(data)
    real_a, labels_a = domains["a"]
    real_b, labels_b = domains["b"]
    missing = [key for key in TRANSLATED_KEYS if key not in translated]
    if missing:
        raise ValueError(
            f"translated lacks {', '.join(missing)} (keys {', '.join(TRANSLATED_KEYS)})"
        )
    sources = {"a_to_b": real_a, "b_to_a": real_b, "a_cycle": real_a, "b_cycle": real_b}
    images = {}
    for key, source in sources.items():
        image = _check_digit_images(translated[key], f"translated['{key}']")
        if image.shape != source.shape:
            raise ValueError(
                f"translated['{key}'] must have its source images' shape {source.shape}, "
                f"got {image.shape}"
            )
        images[key] = np.clip(image, -1.0, 1.0)
    if classifier is None:
        classifier = load_digits_classifier()

    def accuracy(x, labels) -> float:
        return float(np.mean(classifier.predict(x, batch_size) == labels))

    thickness = {
        "real_a": stroke_thickness(real_a),
        "real_b": stroke_thickness(real_b),
        "a_to_b": stroke_thickness(images["a_to_b"]),
        "b_to_a": stroke_thickness(images["b_to_a"]),
    }
    range_a = (np.percentile(thickness["real_a"], 5), np.percentile(thickness["real_a"], 95))
    range_b = (np.percentile(thickness["real_b"], 5), np.percentile(thickness["real_b"], 95))

    def in_range(values, bounds) -> float:
        return float(np.mean((values >= bounds[0]) & (values <= bounds[1])))

    report = {
        "label_accuracy_a_to_b": accuracy(images["a_to_b"], labels_a),
        "label_accuracy_b_to_a": accuracy(images["b_to_a"], labels_b),
        "label_accuracy_real_a": accuracy(real_a, labels_a),
        "label_accuracy_real_b": accuracy(real_b, labels_b),
    }
    report.update({f"thickness_{key}_mean": float(v.mean()) for key, v in thickness.items()})
    report.update(
        {
            "thickness_range_a_low": float(range_a[0]),
            "thickness_range_a_high": float(range_a[1]),
            "thickness_range_b_low": float(range_b[0]),
            "thickness_range_b_high": float(range_b[1]),
            "thickness_in_range_a_to_b": in_range(thickness["a_to_b"], range_b),
            "thickness_in_range_b_to_a": in_range(thickness["b_to_a"], range_a),
            "cycle_error_a": float(np.mean(np.abs(images["a_cycle"] - real_a))),
            "cycle_error_b": float(np.mean(np.abs(images["b_cycle"] - real_b))),
            "num_a": float(len(real_a)),
            "num_b": float(len(real_b)),
        }
    )
    return report


def _check_digit_images(images, what: str) -> np.ndarray:
    """[N, H, W, 1] float (or integer) array or tensor → float32 NumPy; raises otherwise."""
    if isinstance(images, tf.Tensor | tf.Variable):
        images = images.numpy()
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 1:
        raise ValueError(
            f"{what} must be grayscale images [N, H, W, 1], got shape {tuple(images.shape)}"
        )
    if not (np.issubdtype(images.dtype, np.floating) or np.issubdtype(images.dtype, np.integer)):
        raise ValueError(f"{what} must be float images in [-1, 1], got dtype {images.dtype}")
    images = images.astype(np.float32, copy=False)
    if images.size and not np.all(np.isfinite(images)):
        raise ValueError(f"{what} holds NaN or infinite values")
    return images
