r"""Samples from an exported gan_zoo SavedModel into a PNG grid (or a scatter plot for 2-D).

Needs only the SavedModel directory (or a run directory that holds saved_model/):

  gan-zoo generate --model_dir=runs/demo/saved_model --num=64 --seed=0 \
      --output=grid.png

The same --seed gives the same samples as `model.generate(num, seed=seed)` in Python.
Conditional models take labels:

  gan-zoo generate --model_dir=runs/cgan/saved_model --labels=rows --output=g.png
  gan-zoo generate --model_dir=runs/cgan/saved_model --num=4 --labels=3,3,7,7

StyleGAN models take a truncation ψ (1 = none, 0 = the average face/digit) and draw
style-mixing grids (coarse styles from the row seeds, fine from the column seeds):

  gan-zoo generate --model_dir=runs/stylegan_digits --truncation_psi=0.7
  gan-zoo generate --model_dir=runs/stylegan_digits --num=8 \
      --truncation_sweep=1,0.7,0.5,0 --output=truncation.png
  gan-zoo generate --model_dir=runs/stylegan_digits --mix_row_seeds=1,2,3 \
      --mix_column_seeds=4,5,6,7 --coarse_styles=4 --output=mixing.png

Translation models (CycleGAN) translate a folder of images instead, one PNG per input (same
relative path) in --output_dir, plus a before/after grid at --output:

  gan-zoo generate --model_dir=runs/cyclegan_digits_thickness \
      --input_dir=thin_digits/ --direction=a_to_b --output_dir=thick_digits/ --output=grid.png
"""

import os
import sys

from absl import flags

from gan_zoo.cli import common
from gan_zoo.cli.image_files import list_images, load_images

FLAGS = flags.FLAGS
# The flags --help shows (--helpfull shows all).
COMMON_FLAGS = [
    "model_dir",
    "num",
    "seed",
    "output",
    "labels",
    "truncation_psi",
    "input_dir",
    "direction",
    "output_dir",
]


def define_flags() -> None:
    """Defines generate's flags in absl's FLAGS (once per process)."""
    if "model_dir" in FLAGS:
        return
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
    flags.DEFINE_float(
        "truncation_psi",
        None,
        "StyleGAN models: truncation psi, w = w_avg + psi (w - w_avg); 1 (the default) is none, "
        "0 gives the image of the average w.",
    )
    flags.DEFINE_list(
        "truncation_sweep",
        None,
        "StyleGAN models: psi values, one grid row each, the same --num noise vectors per column "
        "(e.g. 1,0.7,0.5,0).",
    )
    flags.DEFINE_list("mix_row_seeds", None, "StyleGAN models: seeds of the style-mixing rows.")
    flags.DEFINE_list(
        "mix_column_seeds", None, "StyleGAN models: seeds of the style-mixing columns."
    )
    flags.DEFINE_integer(
        "coarse_styles",
        4,
        "StyleGAN models: style vectors (from the first) that a mix takes from its row.",
        lower_bound=0,
    )
    flags.DEFINE_string(
        "input_dir",
        None,
        "Translation models: folder of images to translate (.png .jpg .jpeg .bmp .gif, searched "
        "recursively); each must have the model's height, width and channels unless --resize.",
    )
    flags.DEFINE_enum(
        "direction", "a_to_b", ["a_to_b", "b_to_a"], "Translation models: which generator to apply."
    )
    flags.DEFINE_string(
        "output_dir", None, "Translation models: where the translated PNGs go (required with them)."
    )
    flags.DEFINE_bool(
        "resize",
        False,
        "Translation models: resize inputs to the model's size and convert gray<->RGB instead of "
        "rejecting them.",
    )


# The seeds the noise sampler takes (`gan_zoo.models.sample_noise`: a Philox key of int64s).
SEED_RANGE = (-(2**63), 2**63 - 1)


def check_seed(value: int, flag: str) -> int:
    """`value` if the noise sampler takes it as a seed.

    Raises:
        ValueError: outside `SEED_RANGE` (the sampler's int64 key).
    """
    low, high = SEED_RANGE
    if not low <= value <= high:
        raise ValueError(
            f"--{flag} must be in [{low}, {high}] (-2**63 to 2**63 - 1, the noise sampler's "
            f"int64 seed); got {value}"
        )
    return value


def load_saved_model(model_dir: str):
    """Returns (loaded SavedModel, its directory, its gan_zoo.json) for a SavedModel or run dir.

    Raises:
        ValueError: no SavedModel there, one of its files is missing or damaged, or TensorFlow
            cannot load it (one line naming the file; `gan_zoo.export.load_saved_model`).
    """
    from gan_zoo import export

    return export.load_saved_model(model_dir)


def translate_folder(loaded, metadata: dict) -> int:
    """Translates every image of --input_dir into --output_dir; writes the grid at --output."""
    import numpy as np
    import tensorflow as tf

    from gan_zoo import plotting

    if not FLAGS.output_dir:
        raise ValueError("translation models need --output_dir for the translated images")
    if FLAGS.labels:
        raise ValueError("--labels is only for conditional generators; this model translates")
    source = "a" if FLAGS.direction == "a_to_b" else "b"
    shape = metadata[f"image_shape_{source}"]
    names = list_images(FLAGS.input_dir)
    images = load_images(FLAGS.input_dir, names, shape, FLAGS.resize)
    translate = loaded.signatures[f"translate_{FLAGS.direction}"]
    translated = np.concatenate(
        [
            translate(images=tf.constant(images[i : i + 64]))["images"].numpy()
            for i in range(0, len(images), 64)
        ]
    )
    for name, image in zip(names, translated, strict=True):
        path = os.path.join(FLAGS.output_dir, os.path.splitext(name)[0] + ".png")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tf.io.write_file(path, tf.io.encode_png(image))
    shown = min(len(images), 16)
    plotting.save_image_grid(
        np.concatenate([images[:shown], translated[:shown]]),
        FLAGS.output,
        columns=shown,
        title=f"{FLAGS.direction}: inputs (top), translations (bottom)",
    )
    print(
        f"translated {len(images)} images {shape} {FLAGS.direction} into {FLAGS.output_dir}; "
        f"grid at {FLAGS.output}"
    )
    return 0


def load_generator(loaded, model_dir: str, metadata: dict):
    """The SavedModel's `serving_default`, its latent size and number of classes.

    Args:
        loaded: the loaded SavedModel (`load_saved_model`).
        model_dir: its directory.
        metadata: its gan_zoo.json.

    Raises:
        ValueError: it lacks a `serving_default` signature or a `noise` input, or it takes
            labels without a positive `num_classes` in its gan_zoo.json.
    """
    if "serving_default" not in loaded.signatures:
        raise ValueError(f"{model_dir!r} has no serving_default signature")
    serve = loaded.signatures["serving_default"]
    inputs = serve.structured_input_signature[1]
    if "noise" not in inputs:
        raise ValueError(f"{model_dir!r} has no 'noise' input; is it a gan_zoo generator?")
    num_classes = None
    if "labels" in inputs:
        num_classes = metadata.get("num_classes")
        if num_classes is None:  # other entries were checked by gan_zoo.export
            raise ValueError(
                f"{os.path.join(model_dir, 'gan_zoo.json')!r} lacks num_classes, which the "
                "export of a conditional generator records"
            )
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


def check_style_flags(serve, metadata: dict) -> dict:
    """The StyleGAN inputs (`truncation_psi`); the StyleGAN flags on other models are errors.

    Raises:
        ValueError: a StyleGAN flag for another model, or an unusable value.
    """
    takes_psi = "truncation_psi" in serve.structured_input_signature[1]
    mixing = FLAGS.mix_row_seeds or FLAGS.mix_column_seeds
    if not takes_psi:
        if FLAGS.truncation_psi is not None or FLAGS.truncation_sweep or mixing:
            raise ValueError(
                "--truncation_psi, --truncation_sweep and --mix_*_seeds are for StyleGAN "
                f"models; {metadata.get('model') or 'this model'} takes none of them"
            )
        return {}
    if FLAGS.truncation_sweep:
        try:
            [float(psi) for psi in FLAGS.truncation_sweep]
        except ValueError as error:
            raise ValueError(
                f"--truncation_sweep must be numbers; got {FLAGS.truncation_sweep}"
            ) from error
    if mixing and not (FLAGS.mix_row_seeds and FLAGS.mix_column_seeds):
        raise ValueError("style mixing needs both --mix_row_seeds and --mix_column_seeds")
    if FLAGS.coarse_styles > int(metadata.get("num_ws", FLAGS.coarse_styles)):
        raise ValueError(
            f"--coarse_styles must be in [0, {metadata['num_ws']}] (the model's style vectors); "
            f"got {FLAGS.coarse_styles}"
        )
    psi = 1.0 if FLAGS.truncation_psi is None else FLAGS.truncation_psi
    return {"truncation_psi": psi}


def _seeds(values: list[str], flag: str) -> list[int]:
    try:
        seeds = [int(value) for value in values]
    except ValueError as error:
        raise ValueError(f"--{flag} must be integers; got {values}") from error
    return [check_seed(seed, flag) for seed in seeds]


def style_mixing_grid(loaded, metadata: dict, latent_dim: int) -> int:
    """Writes a style-mixing grid through the `map` and `synthesize` signatures.

    Row 0 holds the column seeds' images, column 0 the row seeds'; image (i, j) takes its first
    `--coarse_styles` style vectors from row i's w and the rest from column j's.
    """
    import numpy as np
    import tensorflow as tf

    from gan_zoo import plotting
    from gan_zoo.models import sample_noise

    rows = _seeds(FLAGS.mix_row_seeds, "mix_row_seeds")
    columns = _seeds(FLAGS.mix_column_seeds, "mix_column_seeds")
    psi = tf.constant(1.0 if FLAGS.truncation_psi is None else FLAGS.truncation_psi)
    num_ws = int(metadata["num_ws"])

    def ws_of(seeds):
        noise = tf.concat([sample_noise(1, latent_dim, seed) for seed in seeds], 0)
        w = loaded.signatures["map"](noise=noise, truncation_psi=psi)["w"]
        return np.repeat(w.numpy()[:, None], num_ws, axis=1)

    row_ws, column_ws = ws_of(rows), ws_of(columns)
    mixed = np.repeat(row_ws, len(columns), axis=0)
    coarse = FLAGS.coarse_styles
    mixed[:, coarse:] = np.tile(column_ws, [len(rows), 1, 1])[:, coarse:]
    synthesize = loaded.signatures["synthesize"]
    images = [synthesize(ws=tf.constant(ws))["images"].numpy() for ws in (column_ws, row_ws, mixed)]
    blank = np.zeros_like(images[0][:1])
    grid = [blank, images[0]]
    for i in range(len(rows)):
        grid += [images[1][i : i + 1], images[2][i * len(columns) : (i + 1) * len(columns)]]
    plotting.save_image_grid(np.concatenate(grid), FLAGS.output, columns=len(columns) + 1)
    print(
        f"wrote a {len(rows)}x{len(columns)} style-mixing grid (styles 0-{FLAGS.coarse_styles - 1} "
        f"from the rows) to {FLAGS.output}"
    )
    return 0


def main(argv):
    """Writes the sample grid."""
    del argv
    import numpy as np

    from gan_zoo import plotting
    from gan_zoo.models import sample_noise

    try:
        check_seed(FLAGS.seed, "seed")
        if FLAGS.mix_row_seeds or FLAGS.mix_column_seeds:  # checked before the model loads
            _seeds(FLAGS.mix_row_seeds or [], "mix_row_seeds")
            _seeds(FLAGS.mix_column_seeds or [], "mix_column_seeds")
        loaded, model_dir, metadata = load_saved_model(FLAGS.model_dir)
        if metadata.get("output") == "translation":
            return translate_folder(loaded, metadata)
        if FLAGS.input_dir:
            raise ValueError("--input_dir is for translation models; this one samples from noise")
        loaded, serve, latent_dim, num_classes = load_generator(loaded, model_dir, metadata)
        num, labels, columns = resolve_labels(FLAGS.labels, FLAGS.num, num_classes)
        style_inputs = check_style_flags(serve, metadata)
        if FLAGS.mix_row_seeds or FLAGS.mix_column_seeds:
            return style_mixing_grid(loaded, metadata, latent_dim)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    inputs = {"noise": sample_noise(num, latent_dim, FLAGS.seed), **style_inputs}
    if labels is not None:
        inputs["labels"] = labels.astype("int32")
    if FLAGS.truncation_sweep:  # one row per ψ, the same z in each column
        rows = [
            serve(**{**inputs, "truncation_psi": float(psi)})["images"].numpy()
            for psi in FLAGS.truncation_sweep
        ]
        plotting.save_image_grid(np.concatenate(rows), FLAGS.output, columns=num)
        sweep = ", ".join(FLAGS.truncation_sweep)
        print(f"wrote a truncation sweep (psi {sweep}) to {FLAGS.output}")
        return 0
    outputs = serve(**inputs)
    if "images" in outputs:
        samples = outputs["images"].numpy()
        plotting.save_image_grid(samples, FLAGS.output, columns=columns)
    else:
        samples = outputs["points"].numpy()
        plotting.save_scatter(samples, FLAGS.output)
    if FLAGS.npy:
        np.save(FLAGS.npy, samples)
    print(f"wrote {num} samples {list(samples.shape[1:])} to {FLAGS.output}")
    return 0


def run(argv: list[str] | None = None) -> None:
    """`gan-zoo generate`: `argv` is the program name, then the flags; exits with its status."""
    common.run_subcommand(define_flags, main, __doc__, FLAGS, __name__, COMMON_FLAGS, argv)
