"""`gan-zoo generate` run from a checkout, installed or not: python examples/generate.py --help."""

import os
import sys

# This checkout's gan_zoo. `import gan_zoo` loads no TensorFlow, and gan-zoo quiets TensorFlow's
# native log lines before a subcommand imports it.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from gan_zoo.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main.main(["generate", *sys.argv[1:]]))
