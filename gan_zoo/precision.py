"""Mixed precision: `--mixed_precision={off,mixed_float16,mixed_bfloat16}`.

Networks built inside `policy_scope("mixed_float16")` compute in float16 with float32
variables (Keras' `DTypePolicy`); `AdversarialModel.compile` sees the float16 compute dtype and
wraps each of its optimizers in a `keras.optimizers.LossScaleOptimizer` (dynamic loss scaling:
the loss is multiplied by the scale before the gradient and the gradient divided after; a step
whose gradients overflow is skipped and the scale halved). bfloat16 has float32's exponent range
and needs no loss scaling. Whatever the policy, the step's losses, the gradient penalty and R1
are computed in float32 (`gan_zoo.losses`), and samples leave the model as float32.

The policy is a Keras global; `policy_scope` sets it only while the networks are built and
restores the previous one, so building a mixed-precision model never changes later models.
"""

import contextlib
from collections.abc import Iterator

import keras

POLICIES = ("off", "mixed_float16", "mixed_bfloat16")


def check_policy(name: str) -> str:
    """Returns `name` if it is one of `POLICIES`, else raises a one-line ValueError."""
    if name not in POLICIES:
        raise ValueError(f"mixed_precision must be one of {', '.join(POLICIES)}; got {name!r}")
    return name


@contextlib.contextmanager
def policy_scope(name: str) -> Iterator[None]:
    """Sets Keras' global dtype policy while networks are built; restores it on exit.

    Args:
        name: `"off"` (float32), `"mixed_float16"` or `"mixed_bfloat16"`.

    Example:
    >>> with policy_scope("mixed_bfloat16"):
    ...     model = gan_zoo.build("dcgan_digits")  # doctest: +SKIP
    """
    check_policy(name)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32" if name == "off" else name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def compute_dtype(model: keras.Model) -> str:
    """The compute dtype of a network: `"float32"`, `"float16"` or `"bfloat16"`."""
    return keras.dtype_policies.get(model.dtype_policy).compute_dtype


def needs_loss_scaling(*networks: keras.Model) -> bool:
    """True when any network computes in float16 (whose gradients underflow without scaling)."""
    return any(compute_dtype(network) == "float16" for network in networks)
