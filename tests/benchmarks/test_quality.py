"""benchmarks/quality.py: its tables from known rows, and one tiny real 2-D run end to end."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO_ROOT, "benchmarks", "quality.py")


@pytest.fixture(scope="module")
def quality():
    spec = importlib.util.spec_from_file_location("quality_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(preset, mixture, seed, modes, hq, seconds, kl=0.0):
    return {
        "preset": preset,
        "mixture": mixture,
        "seed": seed,
        "modes_covered": modes,
        "high_quality_fraction": hq,
        "reverse_kl": kl,
        "train_seconds": seconds,
    }


def test_2d_table_averages_seeds_and_adds_the_floor(quality):
    rows = [
        _row("gan_ring8", "ring8", 0, 6, 0.10, 100.0, kl=0.3),
        _row("gan_ring8", "ring8", 1, 8, 0.30, 120.0, kl=0.1),
        _row("gan_grid25", "grid25", 0, 20, 0.5, 90.0, kl=0.25),
    ]
    floor = {"num_samples": 2500, "reverse_kl": 0.0012}
    floors = {
        "ring8": {"modes_covered": 8, "high_quality_fraction": 0.989, **floor},
        "grid25": {"modes_covered": 25, "high_quality_fraction": 0.988, **floor},
    }
    lines = quality.table(rows, floors).splitlines()
    ours = next(line for line in lines if "`gan`" in line)
    # ring8: modes mean 7, population std 1; HQ 20 % ± 10 %; KL 0.2 ± 0.1; grid25 one seed.
    assert "| 7.0 ± 1.0 | 20.0 ± 10.0 | 0.200 ± 0.100 | 20.0 | 50.0 | 0.250 | 2 / 1 |" in ours
    assert "| 110 / 90 |" in ours
    assert "| GAN, VEEGAN Table 1 (published) | 1.0 | 99.3 | – | 3.3 | 0.5 | – |" in lines[2]
    pacgan = next(line for line in lines if line.startswith("| PacGAN3"))
    assert "| 7.8 | 97.7 | 0.1 | 24.8 | 93.6 | 0.04 |" in pacgan
    assert lines[-1].startswith(
        "| real data, 2,500 held-out points (floor) | 8 | 98.9 | 0.001 | 25 | 98.8 | 0.001"
    )


def test_digits_table_puts_the_floor_beside_each_metric(quality):
    row = {
        "preset": "cgan_digits",
        "dataset": "gan_zoo_digits",
        "epochs": 40,
        "train_seconds": 394.4,
        "model": {
            "frechet_distance": 1.374,
            "precision": 0.808,
            "recall": 0.628,
            "class_modes_covered": 10,
            "class_kl_to_uniform": 0.0002,
            "kid": 0.0015,
            "rarest_class_share": 0.8,
            "cas": 0.915,
        },
        "real_floor": {
            "frechet_distance": 0.2,
            "kid": -0.0001,
            "precision": 0.9,
            "recall": 0.9,
            "rarest_class_share": 0.9,
            "cas": 1.0,
        },
    }
    unconditional = {**row, "preset": "dcgan_digits", "train_seconds": None}
    unconditional["model"] = {k: v for k, v in row["model"].items() if k != "cas"}
    lines = quality.digits_table([row, unconditional]).splitlines()
    assert lines[2] == (
        "| `cgan_digits` | gan_zoo_digits | 1.37 (0.20) | 0.002 (-0.000) | 0.81 (0.90) "
        "| 0.63 (0.90) | 10 | 0.000 | 0.80 (0.90) | 0.915 (1.000) | 40 | 394 |"
    )
    assert lines[3].endswith("| 10 | 0.000 | 0.80 (0.90) | – | 40 | – |")


def test_derived_score_rarest_class(quality):
    scores = {"kid": 0.002, "frechet_distance": 3.0, "class_histogram": [30, 10, 20, 40]}
    derived = quality._with_derived(scores)
    assert derived["kid"] == 0.002
    # 4 classes, 100 samples: the rarest holds 10, a quarter of 4 * 10 / 100 = 0.4 of uniform.
    assert derived["rarest_class_share"] == pytest.approx(0.4)
    assert "class_histogram" not in derived


def test_stacked_table_prints_the_published_rows_beside_ours(quality):
    row = {
        "preset": "dcgan_stacked_mnist",
        "dataset": "stacked_mnist",
        "stacked_protocol": {
            "num_samples": 26_000,
            "model": {"class_modes_covered": 990, "class_kl_to_uniform": 0.1234},
            "real_floor": {"class_modes_covered": 1000, "class_kl_to_uniform": 0.0201},
        },
    }
    lines = quality.stacked_table([row]).splitlines()
    assert lines[2] == "| DCGAN (VEEGAN, Table 2) | 26,000 | 99 | 3.4 | – | – |"
    assert "| R3GAN (R3GAN paper) | 26,000 | 1,000 | 0.029 | – | – |" in lines
    assert lines[-1] == "| `dcgan_stacked_mnist` | 26,000 | 990 | 0.123 | 1000 | 0.020 |"
    assert quality.stacked_table([{"preset": "dcgan_mnist", "dataset": "gan_zoo_mnist"}]) == ""
    # The 8x8 stand-in is not MNIST: no published rows beside it.
    digits_row = {**row, "preset": "dcgan_stacked_digits", "dataset": "stacked_digits"}
    assert "VEEGAN" not in quality.stacked_table([digits_row])


def test_2d_suite_runs_scores_and_skips_finished_runs(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [
        sys.executable,
        SCRIPT,
        "--suite=2d",
        "--presets=gan_ring8",
        "--seeds=1",
        "--iterations=20",
        "--steps_per_execution=10",
        "--num_samples=500",
        f"--out_dir={tmp_path}",
    ]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert first.returncode == 0, first.stderr[-2000:]
    result_file = tmp_path / "quality_2d" / "runs" / "gan_ring8_seed0_it20.json"
    row = json.loads(result_file.read_text())
    assert row["iterations"] == 20 and row["num_modes"] == 8
    assert 0 <= row["modes_covered"] <= 8 and 0.0 <= row["high_quality_fraction"] <= 1.0
    assert len(row["counts"]) == 8 and sum(row["counts"]) <= 500
    assert (tmp_path / "quality_2d" / "gan_ring8_seed0.png").stat().st_size > 0
    table = (tmp_path / "quality_2d" / "table.md").read_text()
    assert "| gan_zoo `gan` |" in table and "(floor) | 8 |" in table

    second = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert second.returncode == 0 and "done before" in second.stdout
    assert json.loads(result_file.read_text()) == row  # not retrained


@pytest.mark.parametrize(
    "flag, message",
    [
        ("--suite=3d", "--suite must name some of 2d, mnist, digits, translation"),
        ("--presets=dcgan_digits", "is not in the chosen suites"),
        ("--seeds=0", "--seeds must be a positive integer"),
    ],
)
def test_bad_flags_get_one_line_errors(flag, message):
    extra = ["--suite=2d"] if flag.startswith("--presets") else []
    result = subprocess.run(
        [sys.executable, SCRIPT, *extra, flag], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert message in result.stderr.strip().splitlines()[-1]


def test_stacked_table_reports_the_protocol_sample_count(quality):
    protocol = {
        "num_samples": 26_000,
        "model": {"class_modes_covered": 986, "class_kl_to_uniform": 0.4281},
        "real_floor": {"class_modes_covered": 1000, "class_kl_to_uniform": 0.0204},
    }
    rows = [
        {"preset": "dcgan_stacked_digits", "stacked_protocol": protocol},
        {"preset": "dcgan_digits", "stacked_protocol": {}},
    ]
    lines = quality.stacked_table(rows).splitlines()
    assert lines[2:] == ["| `dcgan_stacked_digits` | 26,000 | 986 | 0.428 | 1000 | 0.020 |"]
    assert quality.stacked_table(rows[1:]) == ""


def test_translation_table_shows_both_directions_with_floors(quality):
    metrics = {
        "label_accuracy_a_to_b": 0.9, "label_accuracy_b_to_a": 0.8,
        "label_accuracy_real_a": 0.995, "label_accuracy_real_b": 0.99,
        "thickness_a_to_b_mean": 8.1, "thickness_b_to_a_mean": 4.2,
        "thickness_range_a_low": 2.89, "thickness_range_a_high": 6.5,
        "thickness_range_b_low": 6.62, "thickness_range_b_high": 10.49,
        "thickness_in_range_a_to_b": 0.85, "thickness_in_range_b_to_a": 0.75,
        "cycle_error_a": 0.0412, "cycle_error_b": 0.05,
    }  # fmt: skip
    row = {"preset": "cyclegan_digits_thickness", "epochs": 10, "train_seconds": 1200.4}
    lines = quality.translation_table([{**row, "metrics": metrics}]).splitlines()
    assert lines[2] == (
        "| `cyclegan_digits_thickness` | A → B | 0.900 (0.990) | 8.10 [6.62–10.49] | 0.850 | "
        "0.0412 | 10 | 1200 |"
    )
    assert lines[3].startswith("| `cyclegan_digits_thickness` | B → A | 0.800 (0.995) | 4.20 [2.89")


@pytest.mark.slow
def test_quick_mode_gives_every_2d_row_with_kl(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, SCRIPT, "--quick", "--suite=2d", "--jobs=2", f"--out_dir={tmp_path}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1500, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    folder = tmp_path / "quality_2d"
    rows = [json.loads(p.read_text()) for p in (folder / "runs").glob("*_it2000.json")]
    assert sorted(r["preset"] for r in rows) == sorted(
        [
            "gan_ring8",
            "wgan_gp_ring8",
            "r3gan_ring8",
            "gan_grid25",
            "wgan_gp_grid25",
            "r3gan_grid25",
        ]
    )
    for row in rows:
        assert row["iterations"] == 2000 and 0 <= row["modes_covered"] <= row["num_modes"]
        assert 0.0 <= row["reverse_kl"] <= 3.3 or row["modes_covered"] == 0
    table = (folder / "table.md").read_text()
    for family in ("gan", "wgan_gp", "r3gan"):
        assert f"| gan_zoo `{family}` |" in table


def test_fid_curve_puts_each_evaluation_at_its_step(quality, tmp_path):
    history = {"d_loss": [1, 2, 3, 4], "eval_frechet_distance": [None, 40.0, None, 10.0]}
    curve = quality._fid_curve(history, steps=248, epochs=4)
    # 62 steps per epoch: the evaluations after epochs 2 and 4.
    assert curve == {"step": [124, 248], "frechet_distance": [40.0, 10.0]}
    rows = [
        {"preset": "dcgan_mnist", "curve": curve, "real_floor": {"frechet_distance": 0.16}},
        {"preset": "gan_mnist", "curve": {}, "real_floor": {"frechet_distance": 0.16}},
    ]
    path = quality.save_curves(rows, str(tmp_path / "curves.png"))
    assert path and (tmp_path / "curves.png").stat().st_size > 0
    assert quality.save_curves(rows[1:], str(tmp_path / "none.png")) is None
