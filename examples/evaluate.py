"""`gan-zoo evaluate` run from a checkout, installed or not: python examples/evaluate.py --help."""

import importlib.util
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, _ROOT)  # this checkout's gan_zoo
# TensorFlow's native log lines filtered before `import gan_zoo` loads it (common.py: stdlib).
_SPEC = importlib.util.spec_from_file_location("_common", f"{_ROOT}/gan_zoo/cli/common.py")
_COMMON = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_COMMON)
_COMMON.quiet_native_logs()

from gan_zoo.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main.main(["evaluate", *sys.argv[1:]]))
