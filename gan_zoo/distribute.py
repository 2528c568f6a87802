"""`--strategy` name → `tf.distribute.Strategy`, and what multi-worker training needs.

Strategies (`STRATEGIES`):

- `default`: TensorFlow's default strategy (no distribution; one device).
- `one_device`: everything on one device (the first GPU, else the CPU, or `devices[0]`).
- `mirrored`: synchronous data parallelism over all local GPUs, or over `devices` when given
  (e.g. `["/cpu:0", "/cpu:1"]` after splitting the CPU into logical devices). On CPU-only
  device lists it reduces gradients with `ReductionToOneDevice`: TensorFlow's default there is
  collective all-reduce, whose ops race with synchronized batch normalization's collectives and
  abort with "Shape mismatch in the collective instance" (measured with TF 2.21).
- `multi_worker`: `tf.distribute.MultiWorkerMirroredStrategy`, synchronous data parallelism over
  several processes (machines), each mirroring over its local GPUs (or its CPU). The cluster comes
  from the `TF_CONFIG` environment variable, which every worker sets to the same `cluster` and
  its own `task`, e.g. `{"cluster": {"worker": ["host0:12345", "host1:12345"]}, "task":
  {"type": "worker", "index": 0}}`; a missing or malformed TF_CONFIG is an error (a single
  process that wants one worker says so with a one-address cluster). Every worker runs the same
  command; the chief (`is_chief`) writes the run directory. `fit()` under this strategy needs
  `enable_multi_worker_fit` (keras-team/keras#20585, see there), which `gan_zoo.training.train`
  applies.
- `tpu`: `tf.distribute.TPUStrategy` on the TPU named by the `TPU_NAME` environment variable (a
  Cloud TPU name or `grpc://` address), else on this machine's TPU (a TPU VM); without one it is
  an error.

The batch size is always the *global* batch over all replicas of all workers
(`check_global_batch`).
"""

import functools
import json
import os
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

STRATEGIES = ("default", "one_device", "mirrored", "multi_worker", "tpu")

# The TF_CONFIG example quoted by errors.
_TF_CONFIG_EXAMPLE = (
    '{"cluster": {"worker": ["host0:port", "host1:port"]}, "task": {"type": "worker", "index": 0}}'
)


def get_strategy(
    name: str = "default", devices: Sequence[str] | None = None
) -> tf.distribute.Strategy:
    """Returns the strategy called `name`.

    Args:
        name: str, one of `STRATEGIES`.
        devices: list of device names for `mirrored` (all local GPUs, or the CPU, when None) and
            `one_device` (its first entry); the other strategies take none.

    Returns:
        A `tf.distribute.Strategy`; build models and optimizers inside its `scope()`.

    Raises:
        ValueError: unknown name, devices given where the strategy takes none, a missing or
            malformed `TF_CONFIG` for `multi_worker`, or no TPU for `tpu`.
    """
    if name not in STRATEGIES:
        raise ValueError(f"Unknown strategy {name!r}; expected one of: {', '.join(STRATEGIES)}")
    devices = list(devices or [])
    if devices and name not in ("mirrored", "one_device"):
        raise ValueError(f"--devices needs --strategy=mirrored or one_device; got {name!r}")
    devices = [_check_device(device) for device in devices]
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        if len(devices) > 1:
            raise ValueError(
                f"--strategy=one_device takes one device; got {len(devices)}: "
                f"{', '.join(devices)} (use --strategy=mirrored for several)"
            )
        gpus = tf.config.list_logical_devices("GPU")
        device = devices[0] if devices else ("/gpu:0" if gpus else "/cpu:0")
        return tf.distribute.OneDeviceStrategy(device)
    if name == "multi_worker":
        parse_tf_config()  # a clear error before TensorFlow reads it
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        return _tpu_strategy()
    if not devices:
        gpus = tf.config.list_logical_devices("GPU")
        devices = [gpu.name for gpu in gpus] or ["/cpu:0"]
    if all("cpu" in device.lower() for device in devices):
        return tf.distribute.MirroredStrategy(
            devices, cross_device_ops=tf.distribute.ReductionToOneDevice()
        )
    return tf.distribute.MirroredStrategy(devices)


def _check_device(device: str) -> str:
    """`device` when this machine has it (`/gpu:1`, `/cpu:0`, ...); else a one-line ValueError.

    Without this check `MirroredStrategy` on a missing GPU aborts the process (exit 134 or a
    segfault, measured) and `OneDeviceStrategy` quietly places the work elsewhere.
    """
    try:
        spec = tf.DeviceSpec.from_string(device.strip())
    except (ValueError, TypeError):
        spec = None
    available = tf.config.list_logical_devices()
    names = [
        f"/{d.device_type.lower()}:{tf.DeviceSpec.from_string(d.name).device_index}"
        for d in available
    ]
    if spec is None or not spec.device_type:
        raise ValueError(
            f"--devices entry {device!r} is not a device name; use e.g. /gpu:0 or /cpu:0 "
            f"(this machine has: {', '.join(names)})"
        )
    wanted = f"/{spec.device_type.lower()}:{spec.device_index or 0}"
    if wanted not in names:
        raise ValueError(
            f"--devices names {device!r}, which this machine does not have; it has: "
            f"{', '.join(names)}"
        )
    return wanted


def describe_devices(strategy: tf.distribute.Strategy) -> list[str]:
    """The devices `strategy`'s replicas run on, as `/cpu:0`, `/gpu:1`, ... (for config.json).

    The default strategy runs on TensorFlow's default device (the first GPU when there is
    one); a multi-worker or TPU strategy lists this worker's devices.
    """
    try:
        devices = list(strategy.extended.worker_devices)
    except (AttributeError, RuntimeError):
        devices = []
    if isinstance(strategy, tf.distribute.OneDeviceStrategy | tf.distribute.MirroredStrategy):
        pass
    elif not isinstance(strategy, tf.distribute.TPUStrategy) and not is_multi_worker(strategy):
        devices = ["/gpu:0" if tf.config.list_logical_devices("GPU") else "/cpu:0"]
    described = []
    for device in devices:
        spec = tf.DeviceSpec.from_string(device)
        described.append(f"/{(spec.device_type or 'cpu').lower()}:{spec.device_index or 0}")
    return described


def uses_accelerator(strategy: tf.distribute.Strategy) -> bool:
    """Whether `strategy`'s replicas run on GPUs or TPUs (not on CPUs).

    The default strategy runs on TensorFlow's default device: the first GPU when there is one.
    Multi-worker strategies are judged by this worker's devices.

    Args:
        strategy: a `tf.distribute.Strategy`, e.g. from `get_strategy`.

    Returns:
        True on a TPU, on GPUs, or under the default strategy on a machine with a GPU.
    """
    if isinstance(strategy, tf.distribute.TPUStrategy):
        return True
    if isinstance(strategy, tf.distribute.OneDeviceStrategy | tf.distribute.MirroredStrategy):
        devices = strategy.extended.worker_devices
        return any(tf.DeviceSpec.from_string(d).device_type in ("GPU", "TPU") for d in devices)
    return bool(tf.config.list_logical_devices("GPU"))


def parse_tf_config(value: str | None = None) -> dict[str, Any]:
    """Reads and validates a multi-worker `TF_CONFIG`.

    Args:
        value: the JSON text; the `TF_CONFIG` environment variable when None.

    Returns:
        The parsed dict: `cluster` (job name → list of "host:port") and `task` (`type`, `index`).

    Raises:
        ValueError: TF_CONFIG missing, not JSON, or its task not in its cluster.
    """
    if value is None:
        value = os.environ.get("TF_CONFIG", "")
    if not value.strip():
        raise ValueError(
            "--strategy=multi_worker needs the TF_CONFIG environment variable on every worker, "
            f"e.g. {_TF_CONFIG_EXAMPLE}"
        )
    try:
        config = json.loads(value)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"TF_CONFIG is not valid JSON ({error}); expected e.g. {_TF_CONFIG_EXAMPLE}"
        ) from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if (
        not isinstance(cluster, dict)
        or not cluster
        or not all(isinstance(v, list) and v for v in cluster.values())
        or not isinstance(task, dict)
    ):
        raise ValueError(
            "TF_CONFIG needs a 'cluster' (job name → list of 'host:port') and a 'task' "
            f"(type, index); got {value!r}, expected e.g. {_TF_CONFIG_EXAMPLE}"
        )
    task_type, index = task.get("type"), task.get("index", 0)
    if (
        task_type not in cluster
        or not isinstance(index, int)
        or not 0 <= index < len(cluster[task_type])
    ):
        raise ValueError(
            f"TF_CONFIG's task {task!r} is not in its cluster (jobs: "
            f"{', '.join(f'{k}[{len(v)}]' for k, v in cluster.items())}); set task.type to one "
            "of the jobs and task.index below its number of addresses"
        )
    return config


def _is_chief_task(task_type: str | None, task_id: int | None, jobs: Sequence[str]) -> bool:
    """The chief of a cluster: its "chief" task, else worker 0 when it has no chief job."""
    if "chief" in jobs:
        return task_type == "chief"
    return task_type == "worker" and (task_id or 0) == 0


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process writes files (the run directory) for `strategy`.

    True for every single-process strategy; under `MultiWorkerMirroredStrategy`, True only for
    the chief per TF_CONFIG: the task of type "chief", or worker 0 when there is no chief job.
    """
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    resolver = strategy.cluster_resolver
    if resolver is None or not _in_multi_worker_mode(strategy):
        return True
    jobs = resolver.cluster_spec().jobs
    return _is_chief_task(resolver.task_type, resolver.task_id, jobs)


def is_multi_worker(strategy: tf.distribute.Strategy) -> bool:
    """Whether `strategy` is a `MultiWorkerMirroredStrategy` (of any number of workers)."""
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def _tpu_strategy() -> tf.distribute.Strategy:
    """`TPUStrategy` on `TPU_NAME`'s TPU, else this machine's; ValueError when there is none."""
    name = os.environ.get("TPU_NAME") or "local"
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=name)
        if name != "local":
            tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        where = f"TPU_NAME={name!r}" if name != "local" else "TPU_NAME unset, no local TPU"
        raise ValueError(
            f"--strategy=tpu found no TPU ({where}: {type(error).__name__}: {first_line[:200]}); "
            "run on a TPU VM or set TPU_NAME to a Cloud TPU, or use another --strategy"
        ) from None
    return tf.distribute.TPUStrategy(resolver)


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


# ============================================================================================
# Workaround for keras-team/keras#20585: `Model.fit()` under MultiWorkerMirroredStrategy.
#
# Keras 3 (3.15, TF 2.21, `keras/src/backend/tensorflow/trainer.py`) breaks `fit()` under a
# multi-worker strategy twice:
#
# 1. `_maybe_symbolic_build` takes the first distributed batch and reduces it eagerly with
#    `strategy.reduce("MEAN", batch, axis=None)`. A batch that is a tuple (images, labels) or
#    (a, b) fails with "Attempt to convert a value (PerReplica:{...})"; a single tensor passes.
#    The reduced batch only serves to build unbuilt state, and gan_zoo models create all their
#    variables at construction and build their optimizers in `compile()`, so the fix skips it
#    when there is nothing to build (and says so clearly when there is).
# 2. `reduce_per_replica` reduces the train step's logs with `strategy.reduce("MEAN", value,
#    axis=0)`. Scalar logs, which every train step returns, have no axis 0: the first step fails
#    to trace with "Invalid reduction dimension 0 for input with 0 dimensions". The fix: under
#    multi-worker mode the step returns every scalar log reshaped to `[1]`; the reduction then
#    gives the mean over all replicas, a scalar, exactly what `MirroredStrategy` logs.
#
# Both act only in multi-worker mode; other strategies see the model unchanged.
#
# `tests/test_multi_worker.py::test_keras_20585_still_needs_workaround` trains a plain model
# without it in two processes and expects the upstream error: when that test fails, Keras has
# fixed the issue and this block (and `enable_multi_worker_fit`'s call in training.py) can go.
# ============================================================================================
def enable_multi_worker_fit(model: Any) -> Any:
    """Makes `model.fit()` work under `MultiWorkerMirroredStrategy` (keras-team/keras#20585).

    Patches the instance (not its class): `fit()`'s symbolic build is skipped when every
    layer, metric and optimizer is already built, and `train_step`'s scalar logs come back
    shaped `[1]`, which Keras' multi-worker log reduction (`axis=0`) turns into the replicas'
    mean. Any `keras.Model` built and compiled at construction whose `train_step` returns a
    dict of scalars works: every gan_zoo family (GAN, WGAN, WGANGP, ConditionalGAN, ACGAN,
    CycleGAN, StyleGAN). Applying it twice, or outside multi-worker mode, changes nothing.

    Args:
        model: a `keras.Model`, built and compiled inside the strategy's scope.

    Returns:
        `model`, for chaining.
    """
    step = model.train_step
    if getattr(step, "_gan_zoo_multi_worker", False):
        return model
    symbolic_build = model._maybe_symbolic_build  # noqa: SLF001

    @functools.wraps(step)
    def train_step(data):
        logs = step(data)
        if not _in_multi_worker_mode(tf.distribute.get_strategy()):
            return logs
        return tf.nest.map_structure(
            lambda value: tf.reshape(value, [1]) if _is_scalar(value) else value, logs
        )

    @functools.wraps(symbolic_build)
    def maybe_symbolic_build(iterator=None, data_batch=None):
        if not _in_multi_worker_mode(model.distribute_strategy):
            return symbolic_build(iterator=iterator, data_batch=data_batch)
        if not _fully_built(model):
            raise ValueError(
                f"{model.name}: under --strategy=multi_worker, fit() needs a model whose layers "
                "and optimizers are all built (inside strategy.scope()) before fit() "
                "(keras-team/keras#20585)"
            )
        return None  # nothing to build: skip Keras' eager reduction of a per-replica batch

    train_step._gan_zoo_multi_worker = True  # noqa: SLF001
    model.train_step = train_step
    model._maybe_symbolic_build = maybe_symbolic_build  # noqa: SLF001
    model.train_function = None  # retrace with the wrapped step
    return model


def _in_multi_worker_mode(strategy: tf.distribute.Strategy | None) -> bool:
    return is_multi_worker(strategy) and strategy.extended._in_multi_worker_mode()  # noqa: SLF001


def _fully_built(model: Any) -> bool:
    """What `Trainer._symbolic_build` checks before it builds anything."""
    compile_metrics = getattr(model, "_compile_metrics", None)
    compile_loss = getattr(model, "_compile_loss", None)
    return (
        all(layer.built for layer in model._flatten_layers())  # noqa: SLF001
        and (compile_metrics is None or compile_metrics.built)
        and (compile_loss is None or compile_loss.built)
        and (model.optimizer is None or model.optimizer.built)
    )


def _is_scalar(value: Any) -> bool:
    shape = getattr(value, "shape", None)
    return shape is not None and len(shape) == 0


# ============================================================================ end of #20585
