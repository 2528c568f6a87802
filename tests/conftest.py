"""Test session set-up: quiet TensorFlow, two logical CPUs for the distribution tests."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

# Split the CPU into 2 logical devices before TensorFlow initialises its runtime, so the
# MirroredStrategy tests can run 2 replicas on this machine. Single-device code is unaffected.
tf.get_logger().setLevel("ERROR")  # retracing notices from the many small test models
_cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    _cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)

# Where a GPU is visible, float32 matmuls and convolutions would run in TensorFloat-32 (10-bit
# mantissa), and the checks against hand-computed float32 values would fail by design.
if tf.config.list_physical_devices("GPU"):
    tf.config.experimental.enable_tensor_float_32_execution(False)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="session")
def tfds_data_dir(tmp_path_factory):
    """A TFDS data directory private to the test session (prepared datasets land here)."""
    return str(tmp_path_factory.mktemp("tensorflow_datasets"))
