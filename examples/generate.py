r"""Samples from an exported gan_zoo SavedModel into a PNG grid (or a scatter plot for 2-D).

Needs only the SavedModel directory (or a run directory that holds saved_model/):

  python examples/generate.py --model_dir=runs/demo/saved_model --num=64 --seed=0 \
      --output=grid.png

The same --seed gives the same samples as `model.generate(num, seed=seed)` in Python.
"""

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
    spec = serve.structured_input_signature[1].get("noise")
    if spec is None:
        raise ValueError(f"{model_dir!r} has no 'noise' input; is it a gan_zoo generator?")
    return loaded, serve, int(spec.shape[-1])


def main(argv):
    """Writes the sample grid."""
    del argv
    from gan_zoo import plotting
    from gan_zoo.models.base import sample_noise

    try:
        _loaded, serve, latent_dim = load_generator(FLAGS.model_dir)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    outputs = serve(noise=sample_noise(FLAGS.num, latent_dim, FLAGS.seed))
    if "images" in outputs:
        samples = outputs["images"].numpy()
        plotting.save_image_grid(samples, FLAGS.output)
    else:
        samples = outputs["points"].numpy()
        plotting.save_scatter(samples, FLAGS.output)
    if FLAGS.npy:
        import numpy as np

        np.save(FLAGS.npy, samples)
    print(f"wrote {FLAGS.num} samples {list(samples.shape[1:])} to {FLAGS.output}")
    return 0


if __name__ == "__main__":
    app.run(main)
