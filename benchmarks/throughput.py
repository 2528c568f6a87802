"""Training throughput of the core presets on this machine (`make bench`).

For each preset: images (or points) per second of the full training step (D and G updates) at
the preset's batch size, on data already in memory, after warm-up; and the embedded-digits input
pipeline alone, so a reader sees whether the pipeline could starve the step. Prints a Markdown
table and writes bench_results/throughput.json.
"""

import json
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_zoo import data, presets  # noqa: E402

CASES = [
    # (preset, overrides, steps timed)
    ("dcgan_digits", {}, 20),
    ("gan_digits", {}, 40),
    ("gan_ring8", {}, 40),
    ("dcgan_mnist", {"batch_size": 64}, 5),
    ("stylegan_digits", {}, 16),  # 16 steps: one lazy R1 step among them, as in training
]


def time_training(name: str, overrides: dict, steps: int) -> dict:
    preset = presets.get_preset(name).replace(**overrides)
    model = presets.build(preset)
    batch = np.random.RandomState(0).uniform(-1, 1, (preset.batch_size, *preset.sample_shape))
    dataset = tf.data.Dataset.from_tensors(batch.astype(np.float32)).repeat()
    model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)  # trace and warm up
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = (time.perf_counter() - start) / steps
    return {
        "preset": name,
        "batch_size": preset.batch_size,
        "ms_per_step": seconds * 1e3,
        "samples_per_second": preset.batch_size / seconds,
    }


def time_pipeline(batches: int = 200) -> float:
    dataset = data.make_dataset("gan_zoo_digits", batch_size=64, image_size=32, repeat=True)
    iterator = iter(dataset)
    next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return 64 * batches / (time.perf_counter() - start)


def main():
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, TF {tf.__version__}",
        "training": [time_training(*case) for case in CASES],
        "pipeline_digits_images_per_second": time_pipeline(),
    }
    print(f"\nTraining throughput on {results['machine']} (float32, no XLA)\n")
    print("| preset | batch | ms / step | samples / s |")
    print("|---|---:|---:|---:|")
    for row in results["training"]:
        print(
            f"| {row['preset']} | {row['batch_size']} | {row['ms_per_step']:.1f} | "
            f"{row['samples_per_second']:.0f} |"
        )
    print(
        f"\nInput pipeline alone (gan_zoo_digits, 32 px, batch 64): "
        f"{results['pipeline_digits_images_per_second']:.0f} images/s"
    )
    os.makedirs("bench_results", exist_ok=True)
    with open("bench_results/throughput.json", "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
