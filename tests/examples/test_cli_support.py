"""gan_zoo/cli/common.py: the log filter and the help every `gan-zoo` subcommand uses.

Loaded by path, as examples/ scripts load it: it must work before `import gan_zoo` (which
imports TensorFlow).
"""

import importlib.util
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMON = os.path.join(REPO_ROOT, "gan_zoo", "cli", "common.py")
_SPEC = importlib.util.spec_from_file_location("cli_common", COMMON)
cli_support = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(cli_support)


def test_native_log_lines_are_recognised():
    native = [
        b"I0000 00:00:1796422657.464939    1984 cudart_stub.cc:31] Could not find cuda drivers",
        b"E0000 00:00:1796422663.104649    1984 cuda_platform.cc:52] failed call to cuInit",
        b"I1204 22:24:58.539821    2063 cpu_feature_guard.cc:210] This TensorFlow binary",
        b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    ]
    kept = [
        b"W1204 22:24:58.539821 140530747190144 pipeline.py:50] skipped 2 of the 6 image files",
        b"error: --out_dir 'x' is a file, not a directory",
        b"Traceback (most recent call last):",
    ]
    assert all(cli_support.is_native_log_line(line) for line in native)
    assert not any(cli_support.is_native_log_line(line) for line in kept)
    assert cli_support.requested_verbosity(["--verbosity=1"]) == 1
    assert cli_support.requested_verbosity(["-v", "-1"]) == -1
    assert cli_support.requested_verbosity(["--seed=3"]) is None


@pytest.mark.parametrize("argv", [[], ["--verbosity=0"]])
def test_the_filter_keeps_only_native_lines_off_stderr(argv):
    script = (
        "import importlib.util, sys; "
        "spec = importlib.util.spec_from_file_location('common', sys.argv[1]); "
        "common = importlib.util.module_from_spec(spec); spec.loader.exec_module(common); "
        "on = common.quiet_native_logs(sys.argv[2:]); "
        "again = common.quiet_native_logs(sys.argv[2:]); import tensorflow as tf; "
        "tf.constant(1.0) + 1; print('error: still here', file=sys.stderr); "
        "sys.exit(0 if on == again == (len(sys.argv) == 2) else 5)"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", script, COMMON, *argv], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "error: still here"  # forwarded, after draining
    lines = done.stderr.splitlines()
    native = [line for line in lines if cli_support.is_native_log_line(line.encode())]
    if not argv:
        assert native == [], done.stderr
