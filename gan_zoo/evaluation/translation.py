"""Measured image-to-image translation: translators and exported CycleGANs on `digits_thickness`.

`evaluate_translation` runs a pair of translators (a CycleGAN's generators, or any callables)
over both domains of the `digits_thickness` pair and cycles them back;
`evaluate_saved_translator` does the same through an exported SavedModel's uint8 signatures.
The scores (stroke thickness moved, digits kept, cycle error) are
`gan_zoo.metrics.translation.translation_scores`'.

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
from gan_zoo.metrics.translation import (
    check_batch_size,
    check_translation_data,
    translation_scores,
)

__all__ = ["evaluate_saved_translator", "evaluate_translation"]


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
            float [n, H, W, 1] in [-1, 1] (NumPy array or tensor), e.g. a Keras generator or
            `lambda x: model.translate(x, "a_to_b")`.
        translate_b_to_a: the same, from domain B (thick) to A.
        data: the dict of `gan_zoo.data.unpaired.load_digits_thickness` (its test split, in
            practice): `a_images` / `b_images` float [N, H, W, 1] in [-1, 1], `a_labels` /
            `b_labels` integer [N] in 0..9.
        classifier: reads the digits; None loads the shipped one (`load_digits_classifier()`).
            Defaults to None.
        batch_size: images per translator and classifier call, >= 1. Defaults to 256.

    Returns:
        `gan_zoo.metrics.translation.translation_scores`' flat dict of floats:
        `label_accuracy_*` (translated and real), `thickness_*_mean`, `thickness_range_*`,
        `thickness_in_range_*`, `cycle_error_a` / `_b`, `num_a` / `num_b`.

    Raises:
        ValueError: if a translator is not callable, `data` lacks a key or holds images that
            are not [N, H, W, 1] with N >= 1 or labels that are not [N], `batch_size` is not
            a positive integer, or a translator returns another shape or non-finite values.
    """
    for arg, fn in (("translate_a_to_b", translate_a_to_b), ("translate_b_to_a", translate_b_to_a)):
        if not callable(fn):
            raise ValueError(f"{arg} must be callable, got {type(fn).__name__}")
    batch_size = check_batch_size(batch_size)
    domains = check_translation_data(data)
    if classifier is None:
        classifier = load_digits_classifier()

    real_a, labels_a = domains["a"]
    real_b, labels_b = domains["b"]
    a_to_b = _translate(translate_a_to_b, real_a, batch_size, "translate_a_to_b")
    b_to_a = _translate(translate_b_to_a, real_b, batch_size, "translate_b_to_a")
    translated = {
        "a_to_b": a_to_b,
        "b_to_a": b_to_a,
        "a_cycle": _translate(translate_b_to_a, a_to_b, batch_size, "translate_b_to_a"),
        "b_cycle": _translate(translate_a_to_b, b_to_a, batch_size, "translate_a_to_b"),
    }
    real = {"a_images": real_a, "a_labels": labels_a, "b_images": real_b, "b_labels": labels_b}
    return translation_scores(real, translated, classifier=classifier, batch_size=batch_size)


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
        model_dir: str. A CycleGAN SavedModel written by `gan_zoo.export.export_model`, or a run
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
