"""Sample quality against the published tables: the 2-D mode-collapse protocol.

VEEGAN protocol (Srivastava et al. 2017, Table 1; Metz et al. 2016): train on the ring of 8 and
the grid of 25 Gaussians for 25,000 iterations, draw 2,500 samples, count the modes covered and
the % of high-quality samples (within 3 std of the nearest centre), averaged over seeds.
`gan_zoo.metrics.mode_coverage` documents the exact definitions. Writes
bench_results/quality_2d.json, a Markdown table (ours beside the published rows) and scatter
plots of samples over the mixture centres.

  python benchmarks/quality.py                       # 5 seeds, 25,000 iterations (slow on CPU)
  python benchmarks/quality.py --seeds=1 --presets=gan_ring8,wgan_gp_ring8
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

from gan_zoo import data, metrics, plotting, presets  # noqa: E402

PRESETS_2D = ("gan_ring8", "wgan_gp_ring8", "gan_grid25", "wgan_gp_grid25")
# (modes, % high quality) on ring8 and grid25: VEEGAN Table 1; WGAN-GP and GDPP rows from the
# GDPP paper (Elfeki et al. 2019, Table 1).
PUBLISHED = {
    "GAN": ((1.0, 99.3), (3.3, 0.5)),
    "Unrolled GAN": ((7.6, 35.6), (23.6, 16.0)),
    "VEEGAN": ((8.0, 52.9), (24.6, 40.0)),
    "WGAN-GP": ((6.8, 59.6), (24.2, 28.7)),
    "GDPP": ((8.0, 71.7), (24.8, 68.5)),
}


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
    preset = presets.get_preset(name)
    mixture = preset.dataset.split("/", 1)[1]
    steps_per_epoch = min(iterations, 500)
    epochs = iterations // steps_per_epoch
    dataset = data.make_dataset(
        preset.dataset, batch_size=preset.batch_size, seed=seed, repeat=True
    )
    model = presets.build(
        name, seed=seed, compile_kwargs={"steps_per_execution": steps_per_execution}
    )
    start = time.perf_counter()
    model.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=0)
    seconds = time.perf_counter() - start
    samples = model.generate(num_samples, seed=10_000 + seed)
    result = metrics.mixture_mode_coverage(samples, mixture)
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


def table(rows: list[dict]) -> str:
    lines = [
        "| model | ring8 modes (of 8) | ring8 % HQ | grid25 modes (of 25) | grid25 % HQ |",
        "|---|---:|---:|---:|---:|",
    ]
    for model, ((ring_modes, ring_hq), (grid_modes, grid_hq)) in PUBLISHED.items():
        lines.append(
            f"| {model} (published) | {ring_modes} | {ring_hq} | {grid_modes} | {grid_hq} |"
        )
    by_family = {}
    for row in rows:
        family = row["preset"].rsplit("_", 1)[0]
        by_family.setdefault(family, {}).setdefault(row["mixture"], []).append(row)
    for family, mixtures in sorted(by_family.items()):
        cells = []
        for mixture in ("ring8", "grid25"):
            runs = mixtures.get(mixture, [])
            if runs:
                modes = np.mean([r["modes_covered"] for r in runs])
                hq = 100 * np.mean([r["high_quality_fraction"] for r in runs])
                cells += [f"{modes:.1f}", f"{hq:.1f}"]
            else:
                cells += ["–", "–"]
        seeds = max(len(v) for v in mixtures.values())
        lines.append(
            f"| gan_zoo `{family}` ({seeds} seed{'s' * (seeds > 1)}) | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def result_path(out_dir: str, name: str, seed: int, iterations: int) -> str:
    """Where one run's JSON lives: finished runs are skipped when the benchmark is rerun."""
    return os.path.join(out_dir, "runs", f"{name}_seed{seed}_it{iterations}.json")


def load_rows(out_dir: str, iterations: int) -> list[dict]:
    """Every finished run of `iterations` iterations under `out_dir`, sorted by preset, seed."""
    folder = os.path.join(out_dir, "runs")
    rows = []
    for filename in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if filename.endswith(f"_it{iterations}.json"):
            with open(os.path.join(folder, filename)) as f:
                rows.append(json.load(f))
    return sorted(rows, key=lambda r: (r["preset"], r["seed"]))


def _save_row(row: dict, path: str) -> None:
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(row, f, indent=2)
    os.replace(temporary, path)  # A run killed mid-write leaves no half-written result.


def _report(row: dict) -> None:
    print(
        f"{row['preset']} seed {row['seed']}: {row['modes_covered']}/{row['num_modes']} modes, "
        f"{100 * row['high_quality_fraction']:.1f}% high quality, reverse KL "
        f"{row['reverse_kl']:.3f}, {row['train_seconds']:.0f} s",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default=",".join(PRESETS_2D))
    parser.add_argument("--seeds", type=int, default=5, help="runs seeds 0 .. seeds-1")
    parser.add_argument("--iterations", type=int, default=25_000)
    parser.add_argument("--num_samples", type=int, default=2_500)
    parser.add_argument("--out_dir", default="bench_results/quality_2d")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="runs trained at once, each in its own process with cores/jobs threads "
        "(2 jobs on 2 cores finish a batch of runs ~1.3x sooner than 1 job of 2 threads)",
    )
    parser.add_argument(
        "--steps_per_execution",
        type=int,
        default=50,
        help="training steps per compiled call; same updates, less Python overhead",
    )
    parser.add_argument("--force", action="store_true", help="retrain runs that have results")
    args = parser.parse_args()
    names = args.presets.split(",")
    unknown = [n for n in names if n not in presets.list_presets()]
    if unknown:
        parser.error(f"unknown presets {unknown}; 2-D presets: {', '.join(PRESETS_2D)}")
    for flag in ("seeds", "iterations", "num_samples", "jobs", "steps_per_execution"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag} must be a positive integer, got {getattr(args, flag)}")
    os.makedirs(os.path.join(args.out_dir, "runs"), exist_ok=True)

    todo = []
    for name in names:
        for seed in range(args.seeds):
            path = result_path(args.out_dir, name, seed, args.iterations)
            if os.path.exists(path) and not args.force:
                print(f"{name} seed {seed}: done before ({path}); --force retrains", flush=True)
            else:
                todo.append((name, seed, path))
    threads = max(1, (os.cpu_count() or 1) // args.jobs) if args.jobs > 1 else 0
    common = (args.iterations, args.num_samples, args.out_dir, args.steps_per_execution, threads)
    if args.jobs == 1:
        for name, seed, path in todo:
            row = run(name, seed, *common)
            _save_row(row, path)
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
                _save_row(row, futures[future])
                _report(row)

    rows = [r for r in load_rows(args.out_dir, args.iterations) if r["preset"] in names]
    with open(os.path.join(args.out_dir, "results.json"), "w") as f:
        json.dump(rows, f, indent=2)
    markdown = table(rows)
    with open(os.path.join(args.out_dir, "table.md"), "w") as f:
        f.write(markdown + "\n")
    print("\n" + markdown)


if __name__ == "__main__":
    main()
