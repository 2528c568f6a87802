"""examples/evaluate.py as a user runs it: a separate process on an exported SavedModel."""

import json
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVALUATE = os.path.join(REPO_ROOT, "examples", "evaluate.py")


def run(*args, timeout=300):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, EVALUATE, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO_ROOT,
    )


def test_evaluate_writes_model_and_baseline_scores(saved_model, tmp_path, tfds_data_dir):
    output = tmp_path / "eval" / "report.json"
    result = run(
        f"--model_dir={os.path.dirname(saved_model)}",  # the run directory holding saved_model/
        "--num_samples=100",
        "--kid_subsets=5",
        "--metrics=frechet_distance,kid,class_modes",
        f"--data_dir={tfds_data_dir}",
        f"--output={output}",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(output.read_text())
    assert report["dataset"] == "gan_zoo_digits"  # from the preset in gan_zoo.json
    assert report["extractor"] == "gan_zoo_digits_classifier"
    assert report["comparable_to_published"] is False
    assert report["counts"] == {"generated": 100, "real_train": 100, "real_test": 100}
    model, baseline = report["model"], report["real_baseline"]
    assert set(model) == {
        "frechet_distance", "kid", "kid_std", "class_modes_covered", "class_kl_to_uniform",
        "class_histogram",
    }  # fmt: skip
    assert 0 < baseline["frechet_distance"] < 50
    assert model["frechet_distance"] > 10 * baseline["frechet_distance"]  # untrained generator
    assert model["kid"] > baseline["kid"]
    assert baseline["class_modes_covered"] == 10 >= model["class_modes_covered"]
    lines = result.stdout.splitlines()
    assert "extractor: gan_zoo_digits_classifier (comparable to published: no)" in lines
    header = next(line for line in lines if line.startswith("metric"))
    assert [cell.strip() for cell in header.split("|")] == [
        "metric", "model", "real baseline", "better",
    ]  # fmt: skip
    row = next(line for line in lines if line.startswith("frechet_distance"))
    # Not round-off: the table prints 4 significant digits of the JSON's value.
    assert float(row.split("|")[1]) == pytest.approx(model["frechet_distance"], rel=1e-3)
    assert lines[-1] == f"wrote {output}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model_dir=/nonexistent/run"], "error: --model_dir '/nonexistent/run' is not a dir"),
        pytest.param(
            ["--metrics=fid"],
            "error: unknown metric(s) fid; valid: frechet_distance, kid,",
            marks=pytest.mark.slow,  # imports TensorFlow in the subprocess: ~8 s
        ),
    ],
)
def test_bad_input_gets_a_one_line_error(args, message, saved_model):
    if not any(arg.startswith("--model_dir") for arg in args):
        args = [f"--model_dir={saved_model}", *args]
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        result.stderr.strip().splitlines()[-1]
    ]
