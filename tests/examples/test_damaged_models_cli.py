"""generate.py and evaluate.py on damaged exports and bad seeds, as a user runs them (class 9).

Each command must exit 2 with exactly one `error:` line on stderr naming the file (or flag)
and what is wrong, no traceback, and leave every file of the export byte-identical. The many
kinds of damage are covered in-process by `tests/test_export_damage.py`; these run the CLIs.
"""

import os
import shutil
import subprocess
import sys

import pytest
from damage import data_shard, tree_digest, truncate

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATE = os.path.join(REPO_ROOT, "examples", "generate.py")
EVALUATE = os.path.join(REPO_ROOT, "examples", "evaluate.py")


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the CLIs quiet TensorFlow themselves
    return subprocess.run(
        [sys.executable, script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=REPO_ROOT,
    )


CASES = {
    # id: (script, damage(saved_model dir) or None, extra flags, what the error line holds)
    "generate: saved_model.pb truncated": (
        GENERATE,
        lambda d: truncate(os.path.join(d, "saved_model.pb")),
        [],
        "saved_model.pb' is damaged",
    ),
    "generate: weights missing": (
        GENERATE,
        lambda d: os.remove(data_shard(d)),
        [],
        "variables.data-00000-of-00001' is missing",
    ),
    "generate: seed out of range": (GENERATE, None, ["--seed=9223372036854775808"], "--seed"),
    "evaluate: weights index truncated": (
        EVALUATE,
        lambda d: truncate(os.path.join(d, "variables", "variables.index"), 0.3),
        [],
        "variables.index' is damaged",
    ),
    "evaluate: seed out of range": (EVALUATE, None, ["--seed=-1"], "--seed must be in [0, "),
}


@pytest.mark.parametrize("case_id", CASES)
def test_one_error_line_and_nothing_changed(saved_model, tmp_path, case_id):
    script, damage, flags, fragment = CASES[case_id]
    run_dir = tmp_path / "run"
    saved = str(run_dir / "saved_model")
    shutil.copytree(saved_model, saved)
    if damage is not None:
        damage(saved)
    before = tree_digest(str(run_dir))
    output = str(tmp_path / ("samples.png" if script == GENERATE else "report.json"))
    result = run(script, f"--model_dir={run_dir}", f"--output={output}", *flags)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-2000:]
    assert fragment in lines[0], lines[0]
    assert tree_digest(str(run_dir)) == before
    assert not os.path.exists(output)
