"""Argument checks shared by the `gan_zoo.data` pipelines: one copy of each.

The bottom of the data package: it imports no other `gan_zoo.data` module, so every module
may import it. The messages are part of the public behaviour (tests and users match them).
"""

import numpy as np


def check_positive_int(arg: str, value: object) -> None:
    """Raises unless `value` is an integer >= 1 (a Python or NumPy integer; not a bool).

    Args:
        arg: the argument's name, for the message.
        value: the value to check.

    Raises:
        ValueError: `"{arg} must be a positive integer, got {value!r}"`.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{arg} must be a positive integer, got {value!r}")


def check_seed(seed: object) -> None:
    """Raises unless `seed` is an integer (a Python or NumPy integer; not a bool).

    Args:
        seed: the value to check.

    Raises:
        ValueError: `"seed must be an integer, got {seed!r}"`.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an integer, got {seed!r}")


def check_channels(channels: object) -> None:
    """Raises unless `channels` is 1, 3 or None (not a bool).

    Args:
        channels: the value to check.

    Raises:
        ValueError: `"channels must be 1, 3 or None, got {channels!r}"`.
    """
    if channels is not None and (isinstance(channels, bool) or channels not in (1, 3)):
        raise ValueError(f"channels must be 1, 3 or None, got {channels!r}")
