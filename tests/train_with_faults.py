"""`gan-zoo train` with the test-only fault hooks of tests/fault_hooks.py, for test processes.

  GAN_ZOO_KILL_IN_CHECKPOINT=3 python tests/train_with_faults.py --preset=gan_ring8 ...

Installs the hooks the environment asks for (GAN_ZOO_KILL_IN_CHECKPOINT, GAN_ZOO_KILL_IN_EXPORT,
GAN_ZOO_FINAL_WEIGHTS), then runs the train CLI with the same argv: the same flags, output and
exit status as `gan-zoo train`.
"""

import os
import sys

_TESTS = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_TESTS)
sys.path[:0] = [_TESTS, _ROOT]  # fault_hooks, then this checkout's gan_zoo

if __name__ == "__main__":
    # TensorFlow's native log lines filtered before the hooks import it (`import gan_zoo` and
    # gan_zoo.cli load no TensorFlow).
    from gan_zoo.cli import common, main

    common.quiet_native_logs(sys.argv[1:])
    import fault_hooks

    fault_hooks.install_from_environment()
    sys.exit(main.main(["train", *sys.argv[1:]]))
