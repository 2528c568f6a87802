"""Measured image-to-image translation on the `digits_thickness` pair (thin ↔ thick digits).

A CycleGAN trained on `digits_thickness` (`gan_zoo.data.unpaired`) should change the stroke
thickness of a digit and nothing else. `evaluate_translation` measures both halves of that:

- the thickness change: the stroke thickness (`stroke_thickness`, in pixels) of translated
  images against the 5–95th percentile range of the real target domain;
- content kept: the shipped digits classifier (`gan_zoo.metrics.digits_classifier`) must still
  read the source digit's label on the translated image (its accuracy on the real images of
  each domain is the floor to compare with), and the cycle A → B → A must return the input
  (mean absolute cycle error).

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
>>> report = evaluate_translation(generator_ab, generator_ba, data)
>>> report["label_accuracy_a_to_b"], report["thickness_in_range_a_to_b"]
"""

import json
from collections.abc import Callable, Mapping

import numpy as np
import tensorflow as tf

from gan_zoo.metrics.digits_classifier import DigitsClassifier, load_digits_classifier

_DATA_KEYS = ("a_images", "a_labels", "b_images", "b_labels")


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


def evaluate_translation(
    translate_a_to_b: Callable,
    translate_b_to_a: Callable,
    data: Mapping[str, np.ndarray],
    classifier: DigitsClassifier | None = None,
    batch_size: int = 256,
) -> dict[str, float]:
    """Measures a pair of translators on `digits_thickness`: thickness moved, digits kept.

    Both translators are run in batches of `batch_size`; their outputs are clipped to [-1, 1].
    The cycle A → B → A feeds the (clipped) A → B outputs to `translate_b_to_a`.

    Args:
        translate_a_to_b: callable mapping float32 [n, H, W, 1] in [-1, 1] (domain A, thin) to
            float [n, H, W, 1] in [-1, 1] (NumPy array or tensor), e.g. a Keras generator.
        translate_b_to_a: the same, from domain B (thick) to A.
        data: the dict of `gan_zoo.data.unpaired.load_digits_thickness` (its test split, in
            practice): `a_images` / `b_images` float [N, H, W, 1] in [-1, 1], `a_labels` /
            `b_labels` integer [N] in 0..9.
        classifier: reads the digits; None loads the shipped one (`load_digits_classifier()`).
            Defaults to None.
        batch_size: images per translator and classifier call, >= 1. Defaults to 256.

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
        - `cycle_error_a`: mean |translate_b_to_a(translate_a_to_b(a)) − a| over pixels and
          images, in [-1, 1] units (0..2); `cycle_error_b` likewise for B → A → B.
        - `num_a`, `num_b`: images evaluated per domain.

    Raises:
        ValueError: if a translator is not callable, `data` lacks a key or holds images that
            are not [N, H, W, 1] with N >= 1 or labels that are not [N], `batch_size` is not
            a positive integer, or a translator returns another shape or non-finite values.
    """
    for arg, fn in (("translate_a_to_b", translate_a_to_b), ("translate_b_to_a", translate_b_to_a)):
        if not callable(fn):
            raise ValueError(f"{arg} must be callable, got {type(fn).__name__}")
    is_int = isinstance(batch_size, int | np.integer) and not isinstance(batch_size, bool)
    if not is_int or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
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
    if classifier is None:
        classifier = load_digits_classifier()

    real_a, labels_a = domains["a"]
    real_b, labels_b = domains["b"]
    a_to_b = _translate(translate_a_to_b, real_a, batch_size, "translate_a_to_b")
    b_to_a = _translate(translate_b_to_a, real_b, batch_size, "translate_b_to_a")
    a_cycle = _translate(translate_b_to_a, a_to_b, batch_size, "translate_b_to_a")
    b_cycle = _translate(translate_a_to_b, b_to_a, batch_size, "translate_a_to_b")

    def accuracy(images, labels) -> float:
        return float(np.mean(classifier.predict(images, batch_size) == labels))

    thickness = {
        "real_a": stroke_thickness(real_a),
        "real_b": stroke_thickness(real_b),
        "a_to_b": stroke_thickness(a_to_b),
        "b_to_a": stroke_thickness(b_to_a),
    }
    range_a = (np.percentile(thickness["real_a"], 5), np.percentile(thickness["real_a"], 95))
    range_b = (np.percentile(thickness["real_b"], 5), np.percentile(thickness["real_b"], 95))

    def in_range(values, bounds) -> float:
        return float(np.mean((values >= bounds[0]) & (values <= bounds[1])))

    report = {
        "label_accuracy_a_to_b": accuracy(a_to_b, labels_a),
        "label_accuracy_b_to_a": accuracy(b_to_a, labels_b),
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
            "cycle_error_a": float(np.mean(np.abs(a_cycle - real_a))),
            "cycle_error_b": float(np.mean(np.abs(b_cycle - real_b))),
            "num_a": float(len(real_a)),
            "num_b": float(len(real_b)),
        }
    )
    return report


def _translate(fn: Callable, images: np.ndarray, batch_size: int, name: str) -> np.ndarray:
    """Runs `fn` over `images` in batches; checks the shapes and values, clips to [-1, 1]."""
    outputs = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size]
        out = fn(batch)
        if isinstance(out, tf.Tensor | tf.Variable):
            out = out.numpy()
        out = np.asarray(out)
        if out.shape != batch.shape:
            raise ValueError(
                f"{name} must return images of its input's shape {batch.shape}, got {out.shape}"
            )
        if not np.issubdtype(out.dtype, np.floating) or not np.all(np.isfinite(out)):
            raise ValueError(f"{name} must return finite float images, got dtype {out.dtype}")
        outputs.append(np.clip(out.astype(np.float32), -1.0, 1.0))
    return np.concatenate(outputs)


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


def evaluate_saved_translator(
    model_dir: str,
    split: str = "test",
    data_dir: str | None = None,
    classifier: DigitsClassifier | None = None,
) -> dict[str, float]:
    """`evaluate_translation` of an exported translator, through its uint8 signatures.

    Measures what a user of the SavedModel gets: each source image is mapped to uint8 as a
    PNG would hold it, translated by `translate_a_to_b` / `translate_b_to_a`, and read back
    into [-1, 1].

    Args:
        model_dir: str. A SavedModel written by `gan_zoo.export.export_translators`, or a run
            directory holding one in `saved_model/`.
        split: str. The `digits_thickness` split measured. Defaults to `"test"`.
        data_dir: str or None. TFDS data directory of the embedded digits.
        classifier: a `DigitsClassifier` or None for the shipped one.

    Returns:
        `evaluate_translation`'s dict.

    Raises:
        ValueError: no translator SavedModel there, or one not of 1-channel images.
    """
    from gan_zoo import export  # Lazy: export imports Keras models, not needed otherwise.
    from gan_zoo.data.unpaired import load_digits_thickness

    candidate = f"{model_dir}/saved_model"
    if tf.io.gfile.exists(f"{candidate}/saved_model.pb"):
        model_dir = candidate
    if not tf.io.gfile.exists(f"{model_dir}/saved_model.pb"):
        raise ValueError(f"no SavedModel (saved_model.pb) in {model_dir!r} or its saved_model/")
    signatures = tf.saved_model.load(model_dir).signatures
    if "translate_a_to_b" not in signatures or "translate_b_to_a" not in signatures:
        raise ValueError(
            f"{model_dir!r} has no translate_a_to_b/translate_b_to_a signatures; "
            "is it an exported CycleGAN?"
        )
    with tf.io.gfile.GFile(f"{model_dir}/{export.METADATA_FILE}") as f:
        height, _, channels = json.load(f)["image_shape_a"]
    if channels != 1:
        raise ValueError(
            f"translation metrics read 1-channel digits; {model_dir!r} translates "
            f"{channels}-channel images (train it on digits_thickness)"
        )

    def through(name):
        def translate(images):
            outputs = signatures[name](images=export.uint8_images(images))["images"]
            return export.float_images(outputs).numpy()

        return translate

    data = load_digits_thickness(split, height, data_dir)
    return evaluate_translation(
        through("translate_a_to_b"), through("translate_b_to_a"), data, classifier=classifier
    )
