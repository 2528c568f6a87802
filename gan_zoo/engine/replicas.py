"""Replica plumbing: which replica this is, and assignments every replica agrees on."""

from typing import Any

import keras
import tensorflow as tf


def replica_context() -> tuple[int, Any]:
    """Returns (number of replicas in sync, this replica's id) in any context."""
    context = tf.distribute.get_replica_context()
    if context is None:  # cross-replica context: a caller outside strategy.run
        return tf.distribute.get_strategy().num_replicas_in_sync, 0
    return context.num_replicas_in_sync, context.replica_id_in_sync_group


def assign_in_sync(variable, new_value_fn, *args) -> None:
    """`variable.assign(new_value_fn(variable, *args))` on every replica, from any context.

    Keras variables are created with `aggregation="none"`, which MirroredStrategy refuses to
    assign in a replica context; this does what Keras' own optimizers do: a merge call, then
    `extended.update` on each replica's copy. The new values must agree across replicas (they
    do for EMA and clipping, which read synchronized weights).

    Args:
        variable: a `keras.Variable` (or `tf.Variable`) to update.
        new_value_fn: `(current, *args) -> new value`, applied per replica copy.
        *args: variables or tensors passed to `new_value_fn` (per replica copy).
    """
    unwrap = lambda v: v.value if isinstance(v, keras.Variable) else v  # noqa: E731
    args = tuple(unwrap(a) for a in args)

    def apply(strategy, target, *values):
        strategy.extended.update(
            target, lambda t, *v: t.assign(new_value_fn(t, *v)), args=values, group=False
        )

    context = tf.distribute.get_replica_context()
    if context is None:
        apply(tf.distribute.get_strategy(), unwrap(variable), *args)
    else:
        context.merge_call(apply, args=(unwrap(variable), *args))
