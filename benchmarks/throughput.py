"""Training throughput beside this machine's matmul rate (`make bench`).

For each preset (`--presets`), with XLA off and on (`--xla`):

- **the training step**: the full `fit()` step (all D and G updates, optimizers, EMA) on one
  in-memory batch repeated, timed over `--steps` steps after a warm-up `fit()` of 2 steps that
  traces (and with XLA compiles) it: ms/step and images/s (points/s for 2-D presets);
- **its FLOPs**: the analytic count of `benchmarks/flops.py` (multiply-add = 2; matmuls and
  convolutions only; the step rule of each family is documented there), giving the achieved
  GFLOP/s and its fraction of the reference rate below;
- **the input pipeline alone**: `gan_zoo.data.make_dataset` iterated without a model, with
  `cache=False` so that every image is read and preprocessed again (the first epoch's cost; later
  epochs are served from the cache and are faster, reported as `pipeline_cached_*` in the JSON).
  Presets whose data needs a download (MNIST, CelebA, ...) are timed on `gan_zoo_digits`
  resized to the preset's size and channels instead: the same preprocessing (decode, resize
  with antialiasing, channel conversion, scaling) on embedded data. The table names the data.

The **reference rate** is this machine's best fp32 matmul rate measured in the same run: square
float32 matrices of 1024 and 2048 (`--matmul_sizes`), `tf.linalg.matmul` inside a `tf.function`
and NumPy's `np.dot`, best of `--matmul_reps` calls each (2n³ FLOPs per product); the larger of
TensorFlow's and NumPy's rates is the reference.

`--breakdown` (off by default) adds, for each GAN-family case, the time of the step's pieces
(G forward, D forward, D forward + backward, the G update's forward + backward) and of every
counted layer alone (forward, and forward + backward w.r.t. inputs and weights), each with its
GFLOP/s: where the step falls short of the matmul rate.

Output: `<output_dir>/throughput.json` and `<output_dir>/throughput.md`; the Markdown is
printed. JSON keys: `machine`, `settings`, `matmul` (`tensorflow` and `numpy`: GFLOP/s per
size and `best`; `reference_gflops`, `reference_source`), `cases` (one per preset × XLA
setting: `preset`, `algorithm`, `batch_size`, `xla`, `mixed_precision`, `steps_timed`,
`ms_per_step`, `images_per_second`, `step_gflop`, `gflops`, `fraction_of_matmul`,
`pipeline_images_per_second`, `pipeline_cached_images_per_second`, `pipeline_data`,
`flop_rule`, `networks_mflop_per_example`), `breakdown` (with `--breakdown`), `errors`,
`wall_seconds`. A case that fails is listed in `errors` and the script exits with status 1.

  python benchmarks/throughput.py                                  # the default cases, ~10 min
  python benchmarks/throughput.py --presets=dcgan_mnist --xla=off --steps=20
  python benchmarks/throughput.py --presets=dcgan_celeba64 --breakdown --xla=off
  python benchmarks/throughput.py --quick --presets=gan_digits --xla=off   # seconds (the test)
"""

import json
import math
import os
import platform
import sys
import time
import traceback
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import app, flags, logging  # noqa: E402

from benchmarks import flops as flops_lib  # noqa: E402
from gan_zoo import data, precision, presets  # noqa: E402

# Default cases: preset → timed steps (fewer for the heavy ones; 16 for StyleGAN so that the
# timed steps hold exactly one lazy R1 step, as training does).
DEFAULT_STEPS = {
    "dcgan_mnist": 10,
    "dcgan_celeba64": 3,
    "dcgan_digits": 10,
    "gan_digits": 20,
    "wgan_gp_digits": 4,
    "stylegan_digits": 16,
    "cyclegan_digits_thickness": 10,
}
FALLBACK_STEPS = 5
WARMUP_STEPS = 2
OFFLINE_DATASETS = (
    "gan_zoo_mnist",
    "gan_zoo_digits",
    "stacked_mnist",
    "stacked_digits",
    "digits_thickness",
    "gaussian_mixture/",
)
STAND_IN_DATASET = "gan_zoo_digits"

FLAGS = flags.FLAGS
flags.DEFINE_list("presets", list(DEFAULT_STEPS), "Presets to time (comma-separated).")
flags.DEFINE_integer("batch_size", None, "Batch size for every case (default: each preset's).")
flags.DEFINE_integer("steps", None, "Timed steps per case (default: per preset, see the source).")
flags.DEFINE_enum(
    "xla", "both", ["both", "on", "off"], "Time with XLA (jit_compile) on, off or both."
)
flags.DEFINE_enum(
    "mixed_precision", "off", list(precision.POLICIES), "Dtype policy the networks are built under."
)
flags.DEFINE_string("output_dir", "bench_results", "Where throughput.json and .md are written.")
flags.DEFINE_bool(
    "quick", False, "A short run: 2 timed steps, small matmuls, few pipeline batches."
)
flags.DEFINE_list("matmul_sizes", ["1024", "2048"], "Sides of the square fp32 matmuls.")
flags.DEFINE_integer("matmul_reps", 5, "Timed products per size and library (best is kept).")
flags.DEFINE_float("pipeline_seconds", 2.0, "Minimum time the pipeline alone is iterated.")
flags.DEFINE_bool("breakdown", False, "Also time the step's pieces and each layer (GAN family).")
flags.DEFINE_integer("breakdown_reps", 3, "Timed calls per piece or layer (best is kept).")


# ----------------------------------------------------------------------------- reference
def _wait(result) -> None:
    """Blocks until `result` (tensors, or a structure of them) is computed.

    GPU kernels run asynchronously: copying one element of each output to the host waits for the
    work that produced it. On the CPU this costs nothing measurable.
    """
    for tensor in tf.nest.flatten(result):
        if isinstance(tensor, (tf.Tensor, tf.Variable)) and tensor.shape.num_elements():
            tf.reshape(tensor, [-1])[:1].numpy()


def _best_seconds(fn, reps: int) -> float:
    """Minimum wall time of `reps` calls of `fn` (each waited for) after one untimed call."""
    _wait(fn())
    best = math.inf
    for _ in range(reps):
        start = time.perf_counter()
        _wait(fn())
        best = min(best, time.perf_counter() - start)
    return best


def matmul_rates(sizes: list[int], reps: int, compute_dtype: str = "float32") -> dict:
    """fp32 matmul GFLOP/s of TensorFlow (in a tf.function) and NumPy for each square size.

    TensorFlow runs on its default device (the first GPU where there is one; there, float32
    products use TensorFloat-32 unless TF's `enable_tensor_float_32_execution(False)` was set).
    Under a mixed-precision policy (`compute_dtype` float16 or bfloat16) TensorFlow's rate in
    that dtype is measured too, and becomes the reference: the step's convolutions run in it.

    Returns:
        `{"tensorflow": {str(n): GFLOP/s, ..., "best": ...}, "numpy": {...},
        ["tensorflow_<dtype>": {...},] "reference_gflops": the larger best,
        "reference_source": "tensorflow", "numpy" or "tensorflow_<dtype>"}`.
    """
    matmul = tf.function(tf.linalg.matmul)
    libraries = ["tensorflow", "numpy"]
    if compute_dtype != "float32":
        libraries.append(f"tensorflow_{compute_dtype}")
    result = {library: {} for library in libraries}
    rng = np.random.default_rng(0)
    for n in sizes:
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        out = np.empty((n, n), np.float32)
        ta, tb = tf.constant(a), tf.constant(b)
        flop = 2.0 * n**3
        tf_seconds = _best_seconds(lambda ta=ta, tb=tb: matmul(ta, tb), reps)
        np_seconds = _best_seconds(lambda a=a, b=b, out=out: np.dot(a, b, out=out), reps)
        result["tensorflow"][str(n)] = flop / tf_seconds / 1e9
        result["numpy"][str(n)] = flop / np_seconds / 1e9
        if compute_dtype != "float32":
            ha, hb = tf.cast(ta, compute_dtype), tf.cast(tb, compute_dtype)
            seconds = _best_seconds(lambda ha=ha, hb=hb: matmul(ha, hb), reps)
            result[f"tensorflow_{compute_dtype}"][str(n)] = flop / seconds / 1e9
    for library in libraries:
        result[library]["best"] = max(result[library].values())
    candidates = libraries[2:] or libraries
    source = max(candidates, key=lambda lib: result[lib]["best"])
    result["reference_gflops"] = result[source]["best"]
    result["reference_source"] = source
    return result


# ------------------------------------------------------------------------------ pipeline
def pipeline_data(preset: presets.Preset) -> tuple[str, dict]:
    """The dataset name and `make_dataset` arguments the pipeline of `preset` is timed on."""
    kwargs = {"image_size": preset.image_size}
    if preset.dataset.startswith(OFFLINE_DATASETS):
        return preset.dataset, kwargs
    return STAND_IN_DATASET, {**kwargs, "channels": preset.channels}


def pipeline_label(preset: presets.Preset) -> str:
    """How the table names the data the pipeline was timed on."""
    name, kwargs = pipeline_data(preset)
    if name == preset.dataset:
        return name
    return f"{name} at {kwargs['image_size']} px × {kwargs['channels']} (for {preset.dataset})"


def time_pipeline(preset: presets.Preset, batch_size: int, seconds: float, cache: bool) -> float:
    """Images per second of `make_dataset` alone, iterated for at least `seconds`."""
    name, kwargs = pipeline_data(preset)
    dataset = data.make_dataset(
        name,
        batch_size=batch_size,
        repeat=True,
        with_labels=preset.family.task == "conditional",
        cache=cache,
        **kwargs,
    )
    iterator = iter(dataset)
    next(iterator)  # opens the source, fills the prefetch buffer
    batches, start = 0, time.perf_counter()
    while batches < 5 or time.perf_counter() - start < seconds:
        next(iterator)
        batches += 1
    return batches * batch_size / (time.perf_counter() - start)


# ------------------------------------------------------------------------- training step
def in_memory_batch(preset: presets.Preset, batch_size: int):
    """One random batch shaped like the preset's data: x, (x, labels) or (a, b)."""
    rng = np.random.default_rng(0)
    shape = (batch_size, *preset.sample_shape)
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    if preset.family.task == "translation":
        return x, rng.uniform(-1, 1, shape).astype(np.float32)
    if preset.family.task == "conditional":
        return x, rng.integers(0, preset.num_classes, batch_size).astype(np.int32)
    return x


def build_model(preset: presets.Preset, xla: bool, mixed_precision: str):
    with precision.policy_scope(mixed_precision):
        return presets.build(preset, compile_kwargs={"jit_compile": xla})


def time_training(model, batch, steps: int) -> float:
    """Seconds per `fit()` step on `batch` repeated, after a warm-up fit of `WARMUP_STEPS`.

    The feed has tf.data's autotuner off, as gan_zoo's pipelines do: with it on, the end of a
    timed `fit()` waited 0.5–3 s on its thread, which added 10–45 % to a `dcgan_mnist` step
    timed over 10–30 steps on a 2-core CPU (the steps themselves were unchanged).
    """
    dataset = data.with_static_tuning(tf.data.Dataset.from_tensors(batch).repeat())
    model.fit(dataset, epochs=1, steps_per_epoch=WARMUP_STEPS, verbose=0)  # trace, compile
    _wait(model.trainable_variables)
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    _wait(model.trainable_variables)  # a GPU may still be running the last step's updates
    return (time.perf_counter() - start) / steps


def run_case(preset, xla: bool, steps: int, mixed_precision: str, reference: float) -> dict:
    model = build_model(preset, xla, mixed_precision)
    count = flops_lib.step_flops(model, preset.batch_size)
    seconds = time_training(model, in_memory_batch(preset, preset.batch_size), steps)
    gflops = count.total / seconds / 1e9
    return {
        "preset": preset.name,
        "algorithm": preset.algorithm,
        "batch_size": preset.batch_size,
        "xla": xla,
        "mixed_precision": mixed_precision,
        "steps_timed": steps,
        "ms_per_step": seconds * 1e3,
        "images_per_second": preset.batch_size / seconds,
        "step_gflop": count.total / 1e9,
        "gflops": gflops,
        "fraction_of_matmul": gflops / reference,
        "flop_rule": count.rule,
        "networks_mflop_per_example": {k: v / 1e6 for k, v in count.networks.items()},
    }


# ----------------------------------------------------------------------------- breakdown
def _timed(fn, reps: int) -> float:
    return _best_seconds(fn, reps)


def _layer_rows(network, batch_size: int, xla: bool, reps: int) -> list[dict]:
    """Each counted layer of `network` alone: forward, and forward + backward (inputs, weights)."""
    rows = []
    graph = flops_lib._submodel(network)
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        for node in graph._nodes_by_depth[depth]:
            layer = node.operation
            if layer is None or node.is_input or flops_lib._submodel(layer) is not None:
                continue
            if not isinstance(layer, keras.layers.Layer):
                continue
            shapes = [t.shape for t in node.input_tensors]
            count = flops_lib.layer_flops(layer, shapes, [t.shape for t in node.outputs])
            if not count or len(shapes) != 1:
                continue
            x = tf.random.normal((batch_size, *shapes[0][1:]))
            # A random cotangent, and the loss returned: with sum(y) the output gradient is all
            # ones, and with only the gradients returned the forward pass is dead code (neither
            # gradient of a linear layer needs y), so "forward + backward" was backward alone,
            # faster than the matmul reference (measured).
            cotangent = tf.random.normal((batch_size, *node.outputs[0].shape[1:]))

            def forward(x=x, layer=layer):
                return layer(x, training=True)

            def backward(x=x, layer=layer, cotangent=cotangent):
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    y = layer(x, training=True)
                    loss = tf.reduce_sum(tf.cast(y, tf.float32) * cotangent)
                return loss, tape.gradient(loss, [x, *layer.trainable_variables])

            flop = count * batch_size
            t_forward = _timed(tf.function(forward, jit_compile=xla), reps)
            t_both = _timed(tf.function(backward, jit_compile=xla), reps)
            rows.append(
                {
                    "part": f"{network.name}/{layer.name}",
                    "kind": type(layer).__name__,
                    "input_shape": list(shapes[0][1:]),
                    "gflop_forward": flop / 1e9,
                    "ms_forward": t_forward * 1e3,
                    "gflops_forward": flop / t_forward / 1e9,
                    "ms_forward_backward": t_both * 1e3,
                    "gflops_forward_backward": 3 * flop / t_both / 1e9,
                }
            )
    return rows


def breakdown(preset, xla: bool, mixed_precision: str, reference: float, reps: int) -> list[dict]:
    """The step's pieces and each layer, timed alone (GAN family only), with GFLOP/s."""
    model = build_model(preset, xla, mixed_precision)
    if preset.family.name not in ("gan", "wgan"):  # G(z) and D(x): the GAN step's pieces
        return []
    generator, discriminator = model.generator, model.discriminator
    batch = preset.batch_size
    f_g = flops_lib.forward_flops(generator) * batch
    f_d = flops_lib.forward_flops(discriminator) * batch
    noise = tf.random.normal((batch, preset.latent_dim))
    real = tf.constant(in_memory_batch(preset, batch))

    def g_forward():
        return generator(noise, training=True)

    def d_forward():
        return discriminator(real, training=True)

    def d_update():  # D forward on reals and fakes, weight gradients (no optimizer)
        fake = generator(noise, training=True)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(discriminator(real, training=True)) - tf.reduce_mean(
                discriminator(fake, training=True)
            )
        return tape.gradient(loss, discriminator.trainable_variables)

    def g_update():  # G and D forward, backward through D (inputs) and G (weights)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(discriminator(generator(noise, training=True), training=True))
        return tape.gradient(loss, generator.trainable_variables)

    pieces = [
        ("G forward", g_forward, f_g),
        ("D forward", d_forward, f_d),
        ("D update: G fwd + 2 D fwd + D bwd", d_update, f_g + 6 * f_d),
        ("G update: G fwd + D fwd + D bwd (inputs) + G bwd", g_update, 3 * f_g + 2 * f_d),
    ]
    rows = []
    for name, fn, flop in pieces:
        seconds = _timed(tf.function(fn, jit_compile=xla), reps)
        rows.append(
            {
                "part": name,
                "kind": "piece",
                "gflop": flop / 1e9,
                "ms": seconds * 1e3,
                "gflops": flop / seconds / 1e9,
                "fraction_of_matmul": flop / seconds / 1e9 / reference,
            }
        )
    for network in (generator, discriminator):
        rows.extend(_layer_rows(network, batch, xla, reps))
    for row in rows:
        row.update(preset=preset.name, batch_size=batch, xla=xla)
    return rows


# ------------------------------------------------------------------------------- output
def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def markdown(results: dict) -> str:
    matmul = results["matmul"]
    sizes = [k for k in matmul["tensorflow"] if k != "best"]
    lines = [
        f"Training throughput on {results['machine']['description']}, "
        f"dtype policy {results['settings']['mixed_precision']}.",
        "",
        "Reference matmul rate, same run: "
        + "; ".join(
            f"{lib} " + ", ".join(f"{n}²: {matmul[lib][n]:.1f}" for n in sizes) + " GFLOP/s"
            for lib in matmul
            if isinstance(matmul[lib], dict)
        )
        + f" → **{matmul['reference_gflops']:.1f} GFLOP/s** ({matmul['reference_source']}).",
        "",
        "| preset | batch | XLA | ms / step | img / s | GFLOP / step | GFLOP/s "
        "| % of matmul | pipeline img / s alone |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case in results["cases"]:
        lines.append(
            f"| {case['preset']} | {case['batch_size']} | {'on' if case['xla'] else 'off'} | "
            f"{_fmt(case['ms_per_step'], 1)} | {_fmt(case['images_per_second'])} | "
            f"{case['step_gflop']:.2f} | {case['gflops']:.1f} | "
            f"{100 * case['fraction_of_matmul']:.0f} % | "
            f"{_fmt(case['pipeline_images_per_second'])} |"
        )
    lines += ["", "Pipeline data (uncached: every image preprocessed again):"]
    seen = set()
    for case in results["cases"]:
        if case["preset"] not in seen:
            seen.add(case["preset"])
            lines.append(
                f"- {case['preset']}: {case['pipeline_data']}; cached "
                f"{_fmt(case['pipeline_cached_images_per_second'])} img/s"
            )
    lines += ["", "FLOP rules (per example; benchmarks/flops.py):"]
    seen = set()
    for case in results["cases"]:
        if case["preset"] not in seen:
            seen.add(case["preset"])
            nets = ", ".join(f"{k} {v:.2f}" for k, v in case["networks_mflop_per_example"].items())
            lines.append(f"- {case['preset']}: {case['flop_rule']} (MFLOP/example: {nets})")
    if results.get("breakdown"):
        lines += [
            "",
            "Breakdown (best of reps; forward+backward GFLOP/s counts 3× the forward FLOPs):",
            "",
            "| preset | XLA | part | kind | GFLOP | ms | GFLOP/s | ms fwd+bwd | GFLOP/s fwd+bwd |",
            "|---|---|---|---|---:|---:|---:|---:|---:|",
        ]
        for row in results["breakdown"]:
            xla = "on" if row["xla"] else "off"
            if row["kind"] == "piece":
                lines.append(
                    f"| {row['preset']} | {xla} | {row['part']} | | {row['gflop']:.2f} | "
                    f"{row['ms']:.1f} | {row['gflops']:.1f} | | |"
                )
            else:
                shape = "×".join(map(str, row["input_shape"]))
                lines.append(
                    f"| {row['preset']} | {xla} | {row['part']} ({shape}) | {row['kind']} | "
                    f"{row['gflop_forward']:.2f} | {row['ms_forward']:.1f} | "
                    f"{row['gflops_forward']:.1f} | {row['ms_forward_backward']:.1f} | "
                    f"{row['gflops_forward_backward']:.1f} |"
                )
    if results["errors"]:
        lines += ["", "Errors:"] + [
            f"- {e['preset']} (XLA {e['xla']}): {e['error']}" for e in results["errors"]
        ]
    lines += ["", f"Wall time: {results['wall_seconds']:.0f} s."]
    return "\n".join(lines) + "\n"


def machine_description() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    gpus = [
        tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
        for gpu in tf.config.list_physical_devices("GPU")
    ]
    description = f"{cpu}, {os.cpu_count()} CPU cores, TF {tf.__version__}, NumPy {np.__version__}"
    if gpus:
        description = f"{', '.join(gpus)} (TF's default device; {description})"
    return {
        "description": description,
        "gpus": gpus,
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "tensorflow": tf.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def main(argv):
    del argv
    begin = time.perf_counter()
    logging.set_verbosity(logging.WARNING)  # TFDS's "Reusing dataset ..." lines
    warnings.filterwarnings("ignore", message="`shuffle=True` was passed")
    quick = FLAGS.quick
    sizes = [int(s) for s in FLAGS.matmul_sizes] if not quick else [256, 512]
    reps = FLAGS.matmul_reps if not quick else 2
    pipeline_seconds = FLAGS.pipeline_seconds if not quick else 0.2
    xla_settings = {"both": [False, True], "on": [True], "off": [False]}[FLAGS.xla]
    print(f"fp32 matmul rates (sizes {sizes}) ...", flush=True)
    policy_dtype = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
    matmul = matmul_rates(sizes, reps, policy_dtype.get(FLAGS.mixed_precision, "float32"))
    reference = matmul["reference_gflops"]
    cases, errors, rows = [], [], []
    for name in FLAGS.presets:
        preset = presets.get_preset(name)
        if FLAGS.batch_size:
            preset = preset.replace(batch_size=FLAGS.batch_size)
        steps = FLAGS.steps or (2 if quick else DEFAULT_STEPS.get(name, FALLBACK_STEPS))
        try:
            pipeline = {
                "pipeline_images_per_second": time_pipeline(
                    preset, preset.batch_size, pipeline_seconds, cache=False
                ),
                "pipeline_cached_images_per_second": time_pipeline(
                    preset, preset.batch_size, pipeline_seconds, cache=True
                ),
                "pipeline_data": pipeline_label(preset),
            }
        except Exception as error:  # noqa: BLE001 (reported, the other cases go on)
            traceback.print_exc()
            errors.append({"preset": name, "xla": None, "error": f"pipeline: {error!r}"})
            continue
        for xla in xla_settings:
            print(f"{name}, XLA {'on' if xla else 'off'}, {steps} steps ...", flush=True)
            try:
                case = run_case(preset, xla, steps, FLAGS.mixed_precision, reference)
                cases.append({**case, **pipeline})
                if FLAGS.breakdown:
                    rows.extend(
                        breakdown(
                            preset, xla, FLAGS.mixed_precision, reference, FLAGS.breakdown_reps
                        )
                    )
            except Exception as error:  # noqa: BLE001
                traceback.print_exc()
                errors.append({"preset": name, "xla": xla, "error": repr(error)})
            keras.backend.clear_session()
    results = {
        "machine": machine_description(),
        "settings": {
            "presets": FLAGS.presets,
            "batch_size": FLAGS.batch_size,
            "steps": FLAGS.steps,
            "xla": FLAGS.xla,
            "mixed_precision": FLAGS.mixed_precision,
            "quick": quick,
            "warmup_steps": WARMUP_STEPS,
        },
        "matmul": matmul,
        "cases": cases,
        "errors": errors,
    }
    if FLAGS.breakdown:
        results["breakdown"] = rows
    results["wall_seconds"] = time.perf_counter() - begin
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    with open(os.path.join(FLAGS.output_dir, "throughput.json"), "w") as f:
        json.dump(results, f, indent=2)
    table = markdown(results)
    with open(os.path.join(FLAGS.output_dir, "throughput.md"), "w") as f:
        f.write(table)
    print("\n" + table)
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    app.run(main)
