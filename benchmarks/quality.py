"""Sample quality against the published tables: 2-D, real MNIST, Stacked MNIST, translation.

Four suites (`--suite=2d,mnist,digits,translation`, all by default), each writing per-run JSON under
its output folder (a rerun skips finished runs), `results.json` and a Markdown `table.md`:

- **2d** — the VEEGAN protocol (Srivastava et al. 2017, Table 1; Metz et al. 2016): train on the
  ring of 8 and the grid of 25 Gaussians for 25,000 iterations, draw 2,500 samples, count the
  modes covered and the % of high-quality samples (within 3 std of the nearest centre),
  averaged over seeds; ours beside the published rows, plus the real-data floor (2,500
  held-out real points) and scatter plots of samples over the mixture centres.
  `gan_zoo.metrics.mode_coverage` documents the exact definitions.
- **mnist** — each 28 px `*_mnist` preset trained on the 4,000 real MNIST digits of
  `gan_zoo_mnist` (its preset's epochs; `--jobs=2` trains two at once) and evaluated offline
  with the shipped MNIST classifier on 2,000 samples: FID and KID in its feature space,
  precision/recall, class modes (of 10), KL to uniform, the rarest class's share (10·min_c
  n_c / N: 1 is an even histogram) and CAS for conditional presets, each beside the real-vs-
  real floor (1,000 held-out test digits against 2,000 training digits). `dcgan_stacked_mnist`
  gives the Stacked-MNIST row: 26,000 samples (VEEGAN and PacGAN's count), each channel
  classified, modes covered (of 1,000) and KL(mode histogram ‖ uniform), beside the published
  rows and a real floor of 26,000 stacks drawn from the test digits.
- **digits** — each `*_digits` preset trained on the embedded 8×8 digits (its preset's epochs) and
  evaluated offline with the shipped digits classifier: Fréchet distance in its feature space,
  precision/recall, class modes (of 10) with KL to uniform, and CAS for conditional presets;
  `dcgan_stacked_digits` gives the stacked-digits modes (of 1,000, as Stacked-MNIST). Every
  column has the real-vs-real floor (held-out real data against training data) beside it.
  `--from_runs=DIR` evaluates finished run directories `DIR/<preset>` instead of training.
- **translation** — `cyclegan_digits_thickness` trained on the embedded thin/thick digits
  (unpaired halves) and measured through its exported SavedModel on the test split
  (`gan_zoo.evaluation.evaluate_saved_translator`): the digits classifier's accuracy on
  translated images against the source labels (floor: its accuracy on real images of the
  target domain), the stroke thickness of translations against the target domain's 5–95%
  range, and the cycle reconstruction error. `--from_runs=DIR` applies here too.

  python benchmarks/quality.py --quick --jobs=2      # every row once, short: a smoke check
  python benchmarks/quality.py --suite=2d             # 5 seeds, 25,000 iterations (slow on CPU)
  python benchmarks/quality.py --suite=2d --presets=r3gan_ring8 --jobs=2   # one row
  python benchmarks/quality.py --suite=2d --seeds=1 --presets=gan_ring8 --jobs=2
  python benchmarks/quality.py --suite=mnist --jobs=2    # the 28 px table (~1 hour, 2 cores)
  python benchmarks/quality.py --suite=mnist --presets=dcgan_mnist,dcgan_stacked_mnist
  python benchmarks/quality.py --suite=digits --presets=dcgan_digits,cgan_digits
  python benchmarks/quality.py --suite=translation --from_runs=runs/gallery
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from gan_zoo import data, evaluation, families, metrics, plotting  # noqa: E402

PRESETS_2D = (
    "gan_ring8",
    "wgan_gp_ring8",
    "r3gan_ring8",
    "gan_grid25",
    "wgan_gp_grid25",
    "r3gan_grid25",
)
PRESETS_DIGITS = (
    "dcgan_digits",
    "gan_digits",
    "lsgan_digits",
    "sngan_digits",
    "wgan_digits",
    "wgan_gp_digits",
    "cgan_digits",
    "cgan_projection_digits",
    "acgan_digits",
    "stylegan_digits",
    "dcgan_stacked_digits",
)
PRESETS_MNIST = (
    "dcgan_mnist",
    "gan_mnist",
    "lsgan_mnist",
    "sngan_mnist",
    "wgan_mnist",
    "wgan_gp_mnist",
    "cgan_mnist",
    "cgan_projection_mnist",
    "acgan_mnist",
    "stylegan_mnist",
    "r3gan_mnist",
    "dcgan_stacked_mnist",
    "r3gan_stacked_mnist",
)
PRESETS_TRANSLATION = ("cyclegan_digits_thickness",)
SUITES = ("2d", "mnist", "digits", "translation")
STACKED_DATASETS = ("stacked_mnist", "stacked_digits")
# Stacked MNIST: VEEGAN (Srivastava et al. 2017, Table 2) and PacGAN (Lin et al. 2018,
# Table 2) generate 26,000 samples; R3GAN follows PacGAN's protocol.
STACKED_PROTOCOL_SAMPLES = 26_000
# (method, modes of 1,000, KL(generated ‖ uniform), source) on Stacked MNIST.
PUBLISHED_STACKED = (
    ("DCGAN", 99, 3.40, "VEEGAN, Table 2"),
    ("PacDCGAN2", 1000, 0.06, "PacGAN, Table 2"),
    ("StyleGAN2", 940, 0.42, "R3GAN paper"),
    ("R3GAN", 1000, 0.029, "R3GAN paper"),
)
# (modes, % high quality, KL or None) on ring8 and grid25, None where a paper has no row.
# VEEGAN protocol (25,000 iterations): VEEGAN Table 1; WGAN-GP and GDPP from the GDPP paper
# (Elfeki et al. 2019, Table 1). PacGAN protocol (G 4x400 BN ReLU, D 3x200 maxout, ~400k
# steps): Lin et al. 2018, Tables 1 and 2.
PUBLISHED = {
    "GAN, VEEGAN Table 1": ((1.0, 99.3, None), (3.3, 0.5, None)),
    "Unrolled GAN, VEEGAN Table 1": ((7.6, 35.6, None), (23.6, 16.0, None)),
    "VEEGAN, VEEGAN Table 1": ((8.0, 52.9, None), (24.6, 40.0, None)),
    "WGAN-GP, GDPP Table 1": ((6.8, 59.6, None), (24.2, 28.7, None)),
    "GDPP, GDPP Table 1": ((8.0, 71.7, None), (24.8, 68.5, None)),
    "GAN, PacGAN protocol (~400k steps)": ((6.3, 98.2, 0.45), None),
    "PacGAN3 (ring) / PacGAN4 (grid), ~400k steps": ((7.8, 97.7, 0.10), (24.8, 93.6, 0.04)),
}
# `--quick`: one seed and this many iterations per 2-D run (a smoke check of every row).
QUICK_ITERATIONS = 2_000


def _limit_threads(threads: int) -> None:
    """Pins TensorFlow's thread pools; must run before TensorFlow executes anything."""
    if threads > 0:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def run(
    name: str,
    seed: int,
    iterations: int,
    num_samples: int,
    out_dir: str,
    steps_per_execution: int = 1,
    threads: int = 0,
) -> dict:
    """Trains one 2-D preset for `iterations` generator steps and measures its mode coverage."""
    _limit_threads(threads)
    preset = families.get_preset(name)
    mixture = preset.dataset.split("/", 1)[1]
    steps_per_epoch = min(iterations, 500)
    epochs = iterations // steps_per_epoch
    dataset = data.make_dataset(
        preset.dataset, batch_size=preset.batch_size, seed=seed, repeat=True
    )
    # The run's length is the preset's schedule length too (R3GAN's cosines end with the run).
    model = families.build(
        name,
        seed=seed,
        compile_kwargs={"steps_per_execution": steps_per_execution},
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
    )
    start = time.perf_counter()
    model.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=0)
    seconds = time.perf_counter() - start
    samples = model.generate(num_samples, seed=10_000 + seed)
    result = evaluation.mixture_mode_coverage(samples, mixture)
    plotting.save_scatter(
        samples,
        os.path.join(out_dir, f"{name}_seed{seed}.png"),
        reference=data.mixture_centres(mixture),
        title=f"{name}, seed {seed}: {result['modes_covered']} modes, "
        f"{100 * result['high_quality_fraction']:.1f}% HQ",
    )
    return {
        "preset": name,
        "mixture": mixture,
        "seed": seed,
        "iterations": epochs * steps_per_epoch,
        "train_seconds": seconds,
        "threads": threads or "default",
        **{k: v for k, v in result.items() if k != "counts"},
        "counts": [int(c) for c in result["counts"]],
    }


def real_floor_2d(mixture: str, num_samples: int) -> dict:
    """Mode coverage of `num_samples` held-out real points: the best a model can score."""
    real = data.make_dataset(
        f"gaussian_mixture/{mixture}", "test", batch_size=num_samples, shuffle=False
    )
    points = next(iter(real)).numpy()
    result = evaluation.mixture_mode_coverage(points, mixture)
    return {k: v for k, v in result.items() if k != "counts"} | {"num_samples": len(points)}


def _published_cells(row) -> list[str]:
    if row is None:
        return ["–", "–", "–"]
    modes, hq, kl = row
    return [str(modes), str(hq), "–" if kl is None else str(kl)]


def table(rows: list[dict], floors: dict | None = None) -> str:
    """The 2-D table: published rows, then ours (mean ± std over seeds), then the real floor.

    KL is `KL(mode histogram ‖ uniform)` of the high-quality samples, as PacGAN reports it.
    """
    lines = [
        "| model | ring8 modes (of 8) | ring8 % HQ | ring8 KL | grid25 modes (of 25) "
        "| grid25 % HQ | grid25 KL | seeds | train s / run |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for model, (ring, grid) in PUBLISHED.items():
        cells = _published_cells(ring) + _published_cells(grid)
        lines.append(f"| {model} (published) | " + " | ".join(cells) + " | | |")
    by_family = {}
    for row in rows:
        family = row["preset"].rsplit("_", 1)[0]
        by_family.setdefault(family, {}).setdefault(row["mixture"], []).append(row)
    for family, mixtures in sorted(by_family.items()):
        cells, seeds, seconds = [], [], []
        for mixture in ("ring8", "grid25"):
            runs = mixtures.get(mixture, [])
            if runs:
                modes = [r["modes_covered"] for r in runs]
                hq = [100 * r["high_quality_fraction"] for r in runs]
                kl = [r.get("reverse_kl", float("nan")) for r in runs]
                cells += [_mean_std(modes), _mean_std(hq), _mean_std(kl, digits=3)]
                seeds.append(str(len(runs)))
                seconds.append(f"{np.mean([r['train_seconds'] for r in runs]):.0f}")
            else:
                cells += ["–", "–", "–"]
        lines.append(
            f"| gan_zoo `{family}` | "
            + " | ".join(cells)
            + f" | {' / '.join(seeds)} | {' / '.join(seconds)} |"
        )
    if floors:
        ring, grid = floors.get("ring8"), floors.get("grid25")
        cells = []
        for floor in (ring, grid):
            if floor is None:
                cells += ["–", "–", "–"]
            else:
                hq = 100 * floor["high_quality_fraction"]
                kl = floor.get("reverse_kl", float("nan"))
                cells += [str(floor["modes_covered"]), f"{hq:.1f}", f"{kl:.3f}"]
        count = next(f["num_samples"] for f in floors.values())
        lines.append(
            f"| real data, {count:,} held-out points (floor) | " + " | ".join(cells) + " | | |"
        )
    return "\n".join(lines)


def _mean_std(values, digits: int = 1) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


def result_path(out_dir: str, name: str, seed: int, iterations: int) -> str:
    """Where one 2-D run's JSON lives: finished runs are skipped when the benchmark is rerun."""
    return os.path.join(out_dir, "runs", f"{name}_seed{seed}_it{iterations}.json")


def load_rows(out_dir: str, suffix: str) -> list[dict]:
    """Every finished run under `out_dir/runs` whose file name ends with `suffix`."""
    folder = os.path.join(out_dir, "runs")
    rows = []
    for filename in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if filename.endswith(suffix):
            with open(os.path.join(folder, filename)) as f:
                rows.append(json.load(f))
    return sorted(rows, key=lambda r: (r["preset"], r.get("seed", 0)))


def _unfinished(out_dir: str, names: list[str], suffix: str, force: bool):
    """Yields `(name, result path)` of each preset without a result yet (all with `force`)."""
    for name in names:
        path = os.path.join(out_dir, "runs", f"{name}{suffix}")
        if os.path.exists(path) and not force:
            print(f"{name}: done before ({path}); --force reruns", flush=True)
            continue
        yield name, path


def _save_json(value, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(value, f, indent=2)
    os.replace(temporary, path)  # A run killed mid-write leaves no half-written result.


def _report(row: dict) -> None:
    print(
        f"{row['preset']} seed {row['seed']}: {row['modes_covered']}/{row['num_modes']} modes, "
        f"{100 * row['high_quality_fraction']:.1f}% high quality, reverse KL "
        f"{row['reverse_kl']:.3f}, {row['train_seconds']:.0f} s",
        flush=True,
    )


def suite_2d(args, names: list[str]) -> str:
    """Trains (in `args.jobs` processes) and scores every 2-D preset × seed; returns the table."""
    out_dir = os.path.join(args.out_dir, "quality_2d")
    todo = []
    for name in names:
        for seed in range(args.seeds):
            path = result_path(out_dir, name, seed, args.iterations)
            if os.path.exists(path) and not args.force:
                print(f"{name} seed {seed}: done before ({path}); --force retrains", flush=True)
            else:
                todo.append((name, seed, path))
    threads = max(1, (os.cpu_count() or 1) // args.jobs) if args.jobs > 1 else 0
    common = (args.iterations, args.num_samples, out_dir, args.steps_per_execution, threads)
    if args.jobs == 1:
        for name, seed, path in todo:
            row = run(name, seed, *common)
            _save_json(row, path)
            _report(row)
    else:
        # Fresh processes (spawn): TensorFlow's thread pools are fixed at its first use.
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(
            args.jobs, mp_context=context, max_tasks_per_child=1
        ) as pool:
            futures = {pool.submit(run, name, seed, *common): path for name, seed, path in todo}
            for future in concurrent.futures.as_completed(futures):
                row = future.result()
                _save_json(row, futures[future])
                _report(row)

    rows = [r for r in load_rows(out_dir, f"_it{args.iterations}.json") if r["preset"] in names]
    mixtures = sorted({families.get_preset(n).dataset.split("/", 1)[1] for n in names})
    floors = {m: real_floor_2d(m, args.num_samples) for m in mixtures}
    _save_json({"runs": rows, "real_floor": floors}, os.path.join(out_dir, "results.json"))
    markdown = table(rows, floors)
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(markdown + "\n")
    return markdown


# -------------------------------------------------------------------------------- digits suite

# (column title, report key, format) of the digits table; each shows "model (floor)".
DIGITS_COLUMNS = (
    ("FID (classifier features)", "frechet_distance", "{:.2f}"),
    ("KID", "kid", "{:.3f}"),
    ("precision", "precision", "{:.2f}"),
    ("recall", "recall", "{:.2f}"),
    ("class modes", "class_modes_covered", "{:.0f}"),
    ("KL to uniform", "class_kl_to_uniform", "{:.3f}"),
    ("rarest class", "rarest_class_share", "{:.2f}"),
    ("CAS", "cas", "{:.3f}"),
)


def _with_derived(scores: dict) -> dict:
    """Scalar scores plus the rarest class's share C·min n_c / N (1: an even histogram)."""
    derived = dict(metrics.scalar_metrics(scores))
    histogram = scores.get("class_histogram")
    if histogram and sum(histogram):
        derived["rarest_class_share"] = len(histogram) * min(histogram) / sum(histogram)
    return derived


def run_digits(
    name: str,
    seed: int,
    out_dir: str,
    num_samples: int,
    from_runs: str | None,
    threads: int = 0,
    epochs: int | None = None,
    curve_every: int = 0,
):
    """Trains `name` (or reuses `from_runs/<name>`) and evaluates it against its real data.

    `epochs` replaces the preset's (`--quick`: 1); None trains the preset's own. With
    `curve_every` > 0 the run is also evaluated every that many epochs while it trains
    (`--eval_every`: FID in the classifier's features on 1,000 samples), and the row keeps the
    curve as `{"step": [...], "frechet_distance": [...]}`.
    """
    _limit_threads(threads)
    from gan_zoo import training

    preset = families.get_preset(name)
    run_dir, seconds, trained_epochs = _finished_run(from_runs, name)
    curve = {}
    if run_dir is not None:
        source, model = run_dir, run_dir
    else:
        run_dir = os.path.join(out_dir, "train", name)
        config = training.TrainConfig(
            preset=name,
            out_dir=run_dir,
            seed=seed,
            verbose=0,
            epochs=epochs,
            eval_every=curve_every,
        )
        summary = training.train(config)
        source, model, seconds = "trained here", summary["model"], summary["seconds"]
        trained_epochs = epochs or preset.epochs
        curve = _fid_curve(summary["history"], int(model.optimizer.iterations), trained_epochs)
    chosen = ["frechet_distance", "kid", "precision_recall", "class_modes"]
    if families.family_of(preset).task == "conditional":
        chosen.append("cas")
    report = evaluation.evaluate_model(
        model, dataset=preset.dataset, metrics=chosen, num_samples=num_samples, seed=seed
    )
    at_floor_count = report.get("model_at_baseline_count", {})
    # 8 rows of 10 samples (a conditional model's column k shows class k), for the docs.
    samples = evaluation.ModelSource(model).sample(80, seed=seed)
    plotting.save_image_grid(samples, os.path.join(out_dir, "grids", f"{name}.png"), columns=10)
    protocol = {}
    if preset.dataset in STACKED_DATASETS:
        # Stacked-MNIST counts modes over 26,000 samples (Metz et al. 2016; VEEGAN; PacGAN):
        # 2,000 cannot reach 1,000 modes (even real data covers ~1,000·(1 − e⁻²) ≈ 865).
        modes = evaluation.evaluate_model(
            model,
            dataset=preset.dataset,
            metrics=["class_modes"],
            num_samples=STACKED_PROTOCOL_SAMPLES,
            seed=seed,
        )
        protocol = {
            "num_samples": STACKED_PROTOCOL_SAMPLES,
            "model": metrics.scalar_metrics(modes["model"]),
            "real_floor": metrics.scalar_metrics(modes["real_baseline"]),
        }
    return {
        "preset": name,
        "seed": seed,
        "dataset": preset.dataset,
        "epochs": trained_epochs,
        "source": source,
        "run_dir": run_dir,
        "train_seconds": seconds,
        "extractor": report["extractor"],
        "num_samples": num_samples,
        "model": _with_derived(report["model"]),
        "model_at_floor_count": metrics.scalar_metrics(at_floor_count),
        "real_floor": _with_derived(report["real_baseline"]),
        "notes": report.get("notes", []),
        "stacked_protocol": protocol,
        "curve": curve,
    }


def _fid_curve(history: dict, steps: int, epochs: int) -> dict:
    """The `eval_frechet_distance` values a run logged, against the step they were taken at."""
    values = history.get("eval_frechet_distance") or []
    steps_per_epoch = steps / max(epochs, 1)
    points = [(round((i + 1) * steps_per_epoch), v) for i, v in enumerate(values) if v is not None]
    return {"step": [p[0] for p in points], "frechet_distance": [p[1] for p in points]}


def save_curves(rows: list[dict], path: str) -> str | None:
    """FID against step of every row with a curve, beside the real floor; None without any."""
    curves = {
        r["preset"]: (r["curve"]["step"], r["curve"]["frechet_distance"])
        for r in rows
        if r.get("curve", {}).get("step")
    }
    if not curves:
        return None
    floor = next(r["real_floor"].get("frechet_distance") for r in rows if r["preset"] in curves)
    return plotting.save_metric_curves(
        curves,
        path,
        ylabel="FID (classifier features, 1,000 samples)",
        floor=floor,
        title="FID during training (dashed: real floor at 2,000 samples)",
    )


def stacked_table(rows: list[dict]) -> str:
    """Stacked modes under the Stacked-MNIST sample count, beside the real floor.

    The published rows (real MNIST digits) come first when a row was trained on `stacked_mnist`.
    """
    lines = [
        "| model | samples | modes (of 1,000) | KL to uniform | real floor: modes "
        "| real floor: KL |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    if any(row.get("dataset") == "stacked_mnist" for row in rows):
        for method, modes, kl, source in PUBLISHED_STACKED:
            lines.append(f"| {method} ({source}) | 26,000 | {modes:,} | {kl} | – | – |")
    for row in rows:
        protocol = row.get("stacked_protocol")
        if not protocol:
            continue
        model, floor = protocol["model"], protocol["real_floor"]
        lines.append(
            f"| `{row['preset']}` | {protocol['num_samples']:,} | "
            f"{int(model['class_modes_covered'])} | {model['class_kl_to_uniform']:.3f} | "
            f"{int(floor['class_modes_covered'])} | {floor['class_kl_to_uniform']:.3f} |"
        )
    has_rows = any(row.get("stacked_protocol") for row in rows)
    return "\n".join(lines) if has_rows else ""


def digits_table(rows: list[dict]) -> str:
    """One row per preset: each metric as `model (real floor)`."""
    titles = " | ".join(title for title, _, _ in DIGITS_COLUMNS)
    lines = [
        f"| preset | data | {titles} | epochs | train s |",
        "|---|---|" + "---:|" * (len(DIGITS_COLUMNS) + 2),
    ]
    for row in rows:
        cells = []
        for _, key, fmt in DIGITS_COLUMNS:
            value, floor = row["model"].get(key), row["real_floor"].get(key)
            if value is None:
                cells.append("–")
                continue
            cells.append(fmt.format(value) + ("" if floor is None else f" ({fmt.format(floor)})"))
        seconds = "–" if row["train_seconds"] is None else f"{row['train_seconds']:.0f}"
        lines.append(
            f"| `{row['preset']}` | {row['dataset']} | "
            + " | ".join(cells)
            + f" | {row['epochs']} | {seconds} |"
        )
    return "\n".join(lines)


def suite_digits(args, names: list[str], folder: str = "quality_digits") -> str:
    """Trains (or reuses) and evaluates every image preset of `names`; returns the table."""
    # --quick keeps its 1-epoch runs apart from the real ones.
    out_dir = os.path.join(args.out_dir, folder + ("_quick" if args.quick else ""))
    todo = list(_unfinished(out_dir, names, "_seed0_digits.json", args.force))
    threads = max(1, (os.cpu_count() or 1) // args.jobs) if args.jobs > 1 else 0
    epochs = 1 if args.quick else None
    common = (0, out_dir, args.digits_samples, args.from_runs, threads, epochs, args.curve_every)

    def report(row, path):
        _save_json(row, path)
        scores = ", ".join(f"{k} {v:.3g}" for k, v in row["model"].items())
        print(f"{row['preset']}: {scores}, {row['train_seconds'] or 0:.0f} s", flush=True)

    if args.jobs == 1:
        for name, path in todo:
            report(run_digits(name, *common), path)
    else:
        context = multiprocessing.get_context("spawn")  # fresh TensorFlow thread pools
        with concurrent.futures.ProcessPoolExecutor(
            args.jobs, mp_context=context, max_tasks_per_child=1
        ) as pool:
            futures = {pool.submit(run_digits, name, *common): path for name, path in todo}
            for future in concurrent.futures.as_completed(futures):
                report(future.result(), futures[future])
    rows = [r for r in load_rows(out_dir, "_digits.json") if r["preset"] in names]
    _save_json(rows, os.path.join(out_dir, "results.json"))
    markdown = digits_table([r for r in rows if r["dataset"] not in STACKED_DATASETS])
    curves = save_curves(rows, os.path.join(out_dir, "fid_curves.png"))
    if curves:
        print(f"FID curves: {curves}", flush=True)
    stacked = stacked_table(rows)
    if stacked:
        markdown += "\n\nStacked digits at the Stacked-MNIST sample count:\n\n" + stacked
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(markdown + "\n")
    return markdown


# ---------------------------------------------------------------------------- translation suite


def _finished_run(from_runs: str | None, name: str) -> tuple[str | None, float | None, int]:
    """`(run_dir, train seconds or None, epochs)` of `from_runs/<name>` when it is finished."""
    run_dir = os.path.join(from_runs, name) if from_runs else None
    if not run_dir or not os.path.isdir(os.path.join(run_dir, "saved_model")):
        return None, None, 0
    with open(os.path.join(run_dir, "config.json")) as f:
        epochs = json.load(f)["preset"]["epochs"]
    with open(os.path.join(run_dir, "history.json")) as f:
        epoch_seconds = json.load(f).get("epoch_seconds") or []
    seconds = float(sum(epoch_seconds)) if len(epoch_seconds) == epochs else None
    return run_dir, seconds, epochs


def run_translation(
    name: str, seed: int, out_dir: str, from_runs: str | None, epochs: int | None = None
) -> dict:
    """Trains `name` (or reuses `from_runs/<name>`); measures its SavedModel on the test split.

    `epochs` replaces the preset's (`--quick`: 1); None trains the preset's own.
    """
    from gan_zoo import training

    run_dir, seconds, trained_epochs = _finished_run(from_runs, name)
    source = run_dir
    if run_dir is None:
        run_dir = os.path.join(out_dir, "train", name)
        summary = training.train(
            training.TrainConfig(preset=name, out_dir=run_dir, seed=seed, verbose=0, epochs=epochs)
        )
        source, seconds = "trained here", summary["seconds"]
        trained_epochs = epochs or families.get_preset(name).epochs
    return {
        "preset": name,
        "seed": seed,
        "epochs": trained_epochs,
        "source": source,
        "run_dir": run_dir,
        "train_seconds": seconds,
        "metrics": evaluation.evaluate_saved_translator(run_dir),
    }


def translation_table(rows: list[dict]) -> str:
    """Both directions per preset: labels kept, thickness reached, cycle error."""
    lines = [
        "| preset | direction | label accuracy (floor) | thickness px: translated "
        "[target 5–95%] | in target range | cycle error | epochs | train s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        m = row["metrics"]
        seconds = "–" if row["train_seconds"] is None else f"{row['train_seconds']:.0f}"
        for source, target in (("a", "b"), ("b", "a")):
            way = f"{source}_to_{target}"
            accuracy = m[f"label_accuracy_{way}"]
            floor = m[f"label_accuracy_real_{target}"]
            low, high = m[f"thickness_range_{target}_low"], m[f"thickness_range_{target}_high"]
            lines.append(
                f"| `{row['preset']}` | {source.upper()} → {target.upper()} | "
                f"{accuracy:.3f} ({floor:.3f}) | {m[f'thickness_{way}_mean']:.2f} "
                f"[{low:.2f}–{high:.2f}] | {m[f'thickness_in_range_{way}']:.3f} | "
                f"{m[f'cycle_error_{source}']:.4f} | {row['epochs']} | {seconds} |"
            )
    return "\n".join(lines)


def suite_translation(args, names: list[str]) -> str:
    """Trains (or reuses) and measures every translation preset; returns the table."""
    out_dir = os.path.join(args.out_dir, "quality_translation" + ("_quick" if args.quick else ""))
    epochs = 1 if args.quick else None
    for name, path in _unfinished(out_dir, names, "_seed0_translation.json", args.force):
        _save_json(run_translation(name, 0, out_dir, args.from_runs, epochs), path)
    rows = [r for r in load_rows(out_dir, "_translation.json") if r["preset"] in names]
    _save_json(rows, os.path.join(out_dir, "results.json"))
    markdown = translation_table(rows)
    with open(os.path.join(out_dir, "table.md"), "w") as f:
        f.write(markdown + "\n")
    return markdown


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--suite",
        default="2d,mnist,digits,translation",
        help="comma-separated: 2d, mnist, digits, translation",
    )
    parser.add_argument(
        "--presets", default=None, help="comma-separated presets; default: all of the suite's"
    )
    parser.add_argument("--seeds", type=int, default=5, help="2d: runs seeds 0 .. seeds-1")
    parser.add_argument("--iterations", type=int, default=25_000, help="2d: generator steps")
    parser.add_argument("--num_samples", type=int, default=2_500, help="2d: samples scored")
    parser.add_argument(
        "--digits_samples", type=int, default=2_000, help="digits: generated images scored"
    )
    parser.add_argument(
        "--from_runs",
        default=None,
        help="mnist, digits, translation: evaluate DIR/<preset> runs",
    )
    parser.add_argument("--out_dir", default="bench_results")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="2d, mnist, digits: runs trained at once, each in its own process with cores/jobs "
        "threads "
        "(on 2 cores, 2 jobs of 1 thread finish a batch of runs sooner than 1 job of 2)",
    )
    parser.add_argument(
        "--steps_per_execution",
        type=int,
        default=50,
        help="2d: training steps per compiled call; the same updates, less Python overhead",
    )
    parser.add_argument("--force", action="store_true", help="rerun runs that have results")
    parser.add_argument(
        "--curve_every",
        type=int,
        default=0,
        help="mnist, digits: also evaluate FID every N epochs while training (16 epochs of the "
        "28 px presets is ~1,000 steps) and plot FID against step (fid_curves.png); 0: off",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke check: 2d runs one seed of {QUICK_ITERATIONS:,} iterations (results kept "
        "apart by their iteration count); mnist and digits train each preset for 1 epoch",
    )
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.iterations = 1, QUICK_ITERATIONS
    suites = args.suite.split(",")
    if not suites or any(suite not in SUITES for suite in suites):
        parser.error(f"--suite must name some of {', '.join(SUITES)}; got {args.suite!r}")
    for flag in ("seeds", "iterations", "num_samples", "digits_samples", "jobs"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag} must be a positive integer, got {getattr(args, flag)}")
    if args.curve_every < 0:
        parser.error(f"--curve_every must be 0 (off) or a positive integer, got {args.curve_every}")
    if args.steps_per_execution < 1:
        parser.error(f"--steps_per_execution must be >= 1, got {args.steps_per_execution}")
    requested = args.presets.split(",") if args.presets else None
    suite_presets = {
        "2d": PRESETS_2D,
        "mnist": PRESETS_MNIST,
        "digits": PRESETS_DIGITS,
        "translation": PRESETS_TRANSLATION,
    }
    run_suite = {
        "2d": suite_2d,
        "mnist": lambda args, names: suite_digits(args, names, folder="quality_mnist"),
        "digits": suite_digits,
        "translation": suite_translation,
    }
    known = set(families.list_presets())
    for name in requested or []:
        if name not in known or not any(name in suite_presets[s] for s in suites):
            allowed = ", ".join(n for s in suites for n in suite_presets[s])
            parser.error(f"preset {name!r} is not in the chosen suites; allowed: {allowed}")
    for suite in suites:
        names = [n for n in suite_presets[suite] if requested is None or n in requested]
        if not names:
            continue
        markdown = run_suite[suite](args, names)
        print(f"\n{suite}:\n{markdown}\n", flush=True)


if __name__ == "__main__":
    main()
