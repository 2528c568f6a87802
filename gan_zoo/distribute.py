"""`--strategy` name → `tf.distribute.Strategy`.

`default` is TensorFlow's default (no distribution), `one_device` pins everything to one device
(the first GPU, else the CPU), `mirrored` replicates over all local GPUs, or over `devices` when
given (e.g. `["/cpu:0", "/cpu:1"]` after splitting the CPU into logical devices).

On CPU-only device lists, `mirrored` reduces gradients with `ReductionToOneDevice`: TensorFlow's
default there is collective all-reduce, whose ops race with synchronized batch normalization's
collectives and abort with "Shape mismatch in the collective instance" (measured with TF 2.21).
"""

from collections.abc import Sequence

import tensorflow as tf

STRATEGIES = ("default", "one_device", "mirrored")


def get_strategy(
    name: str = "default", devices: Sequence[str] | None = None
) -> tf.distribute.Strategy:
    """Returns the strategy called `name`.

    Args:
        name: str, one of `STRATEGIES`.
        devices: list of device names for `mirrored` (all local GPUs, or the CPU, when None) and
            `one_device` (its first entry).

    Returns:
        A `tf.distribute.Strategy`; build models and optimizers inside its `scope()`.

    Raises:
        ValueError: unknown name, or devices given where the strategy takes none.
    """
    if name not in STRATEGIES:
        raise ValueError(f"Unknown strategy {name!r}; expected one of: {', '.join(STRATEGIES)}")
    devices = list(devices or [])
    if name == "default":
        if devices:
            raise ValueError("--devices needs --strategy=mirrored or one_device; got 'default'")
        return tf.distribute.get_strategy()
    if name == "one_device":
        gpus = tf.config.list_logical_devices("GPU")
        device = devices[0] if devices else ("/gpu:0" if gpus else "/cpu:0")
        return tf.distribute.OneDeviceStrategy(device)
    if not devices:
        gpus = tf.config.list_logical_devices("GPU")
        devices = [gpu.name for gpu in gpus] or ["/cpu:0"]
    if all("cpu" in device.lower() for device in devices):
        return tf.distribute.MirroredStrategy(
            devices, cross_device_ops=tf.distribute.ReductionToOneDevice()
        )
    return tf.distribute.MirroredStrategy(devices)


def check_global_batch(batch_size: int, strategy: tf.distribute.Strategy) -> int:
    """Checks that the global batch splits evenly over the replicas; returns the local batch.

    Raises:
        ValueError: `batch_size` < 1 or not divisible by the number of replicas.
    """
    replicas = strategy.num_replicas_in_sync
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size}")
    if batch_size % replicas:
        raise ValueError(
            f"batch_size {batch_size} (the global batch) is not divisible by the "
            f"{replicas} replicas of the strategy; use a multiple of {replicas}"
        )
    return batch_size // replicas
