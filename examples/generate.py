r"""Samples from an exported gan_zoo SavedModel into a PNG grid (or a scatter plot for 2-D).

Needs only the SavedModel directory (or a run directory that holds saved_model/):

  python examples/generate.py --model_dir=runs/demo/saved_model --num=64 --seed=0 \
      --output=grid.png

The same --seed gives the same samples as `model.generate(num, seed=seed)` in Python.
Conditional models take labels:

  python examples/generate.py --model_dir=runs/cgan/saved_model --labels=rows --output=g.png
  python examples/generate.py --model_dir=runs/cgan/saved_model --num=4 --labels=3,3,7,7
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from absl import app, flags  # noqa: E402

flags.DEFINE_string(
    "model_dir",
    None,
    "SavedModel directory, or a run directory holding saved_model/.",
    required=True,
)
flags.DEFINE_integer("num", 64, "Number of samples.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Noise seed.")
flags.DEFINE_string("output", "samples.png", "Output PNG path.")
flags.DEFINE_string("npy", None, "Also write the raw samples to this .npy file.")
flags.DEFINE_list(
    "labels",
    None,
    "Conditional models: class labels, one per sample, or 'rows' "
    "for one class per row (num is rounded to a multiple of the classes). "
    "Default: 0, 1, 2, ... cycling.",
)

FLAGS = flags.FLAGS


def load_generator(model_dir: str):
    """Loads the SavedModel's `serving_default` and its latent size.

    Raises:
        ValueError: no SavedModel there, or it lacks a `noise` input.
    """
    import tensorflow as tf

    candidate = os.path.join(model_dir, "saved_model")
    if os.path.exists(os.path.join(candidate, "saved_model.pb")):
        model_dir = candidate
    if not os.path.exists(os.path.join(model_dir, "saved_model.pb")):
        raise ValueError(f"no SavedModel (saved_model.pb) in {model_dir!r} or its saved_model/")
    loaded = tf.saved_model.load(model_dir)
    serve = loaded.signatures["serving_default"]
    inputs = serve.structured_input_signature[1]
    if "noise" not in inputs:
        raise ValueError(f"{model_dir!r} has no 'noise' input; is it a gan_zoo generator?")
    num_classes = None
    if "labels" in inputs:
        with open(os.path.join(model_dir, "gan_zoo.json")) as f:
            num_classes = json.load(f)["num_classes"]
    return loaded, serve, int(inputs["noise"].shape[-1]), num_classes


def resolve_labels(labels: list[str] | None, num: int, num_classes: int | None):
    """Turns --labels into `(num, int32 labels [num] or None, grid columns)`.

    Raises:
        ValueError: labels for an unconditional model, a count or range mismatch.
    """
    import numpy as np

    if num_classes is None:
        if labels:
            raise ValueError("--labels is only for conditional models; this one takes none")
        return num, None, None
    if labels == ["rows"]:
        columns = max(1, num // num_classes)
        return columns * num_classes, np.repeat(np.arange(num_classes), columns), columns
    if not labels:
        return num, np.arange(num) % num_classes, None
    try:
        values = np.array([int(label) for label in labels])
    except ValueError as error:
        raise ValueError(f"--labels must be integers or 'rows'; got {labels}") from error
    if values.min() < 0 or values.max() >= num_classes:
        raise ValueError(f"--labels must be in [0, {num_classes}); got {labels}")
    return len(values), values, None


def main(argv):
    """Writes the sample grid."""
    del argv
    from gan_zoo import plotting
    from gan_zoo.models.base import sample_noise

    try:
        _loaded, serve, latent_dim, num_classes = load_generator(FLAGS.model_dir)
        num, labels, columns = resolve_labels(FLAGS.labels, FLAGS.num, num_classes)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    inputs = {"noise": sample_noise(num, latent_dim, FLAGS.seed)}
    if labels is not None:
        inputs["labels"] = labels.astype("int32")
    outputs = serve(**inputs)
    if "images" in outputs:
        samples = outputs["images"].numpy()
        plotting.save_image_grid(samples, FLAGS.output, columns=columns)
    else:
        samples = outputs["points"].numpy()
        plotting.save_scatter(samples, FLAGS.output)
    if FLAGS.npy:
        import numpy as np

        np.save(FLAGS.npy, samples)
    print(f"wrote {num} samples {list(samples.shape[1:])} to {FLAGS.output}")
    return 0


if __name__ == "__main__":
    app.run(main)
