"""Divergence: what `train` raises when a NaN or infinite value stopped the run.

`callbacks.DivergenceGuard` stops `fit` at the first non-finite log (`nan_policy="stop"`),
`checkpointing.Checkpointer` refuses to save weights that are not finite, and
`raise_if_diverged` turns either into one `TrainingDiverged` naming the step, the loss and the
last good checkpoint (which is kept).
"""

import math

import keras
import tensorflow as tf

from gan_zoo.training.callbacks import DivergenceGuard
from gan_zoo.training.checkpointing import Checkpointer, training_step


class TrainingDiverged(RuntimeError):  # noqa: N818 (reads as an event, like StopIteration)
    """Training met a NaN or infinite loss under `nan_policy="stop"` and stopped.

    The message names the step, the loss and its value, and the last good checkpoint.

    Attributes:
        step: int. The training step (1-based) whose logs were not finite.
        loss: str. The offending log's name.
        value: float. Its value (nan, inf or -inf).
        checkpoint: str or None. The newest checkpoint, written before the divergence.
    """

    def __init__(self, message: str, step: int, loss: str, value: float, checkpoint: str | None):
        super().__init__(message)
        self.step = step
        self.loss = loss
        self.value = value
        self.checkpoint = checkpoint


def raise_if_diverged(
    model: keras.Model, guard: DivergenceGuard | None, checkpointer: Checkpointer
) -> None:
    """Raises `TrainingDiverged` when the guard fired or a checkpoint was refused."""
    if guard is not None and guard.diverged is not None:
        info = guard.diverged
        what = guard.describe()
        step, loss, value = info["step"], info["name"], info["value"]
    elif checkpointer.refused:
        step = training_step(model)
        loss, value = "weights", math.nan
        what = f"the weights after epoch {checkpointer.refused[0]} are not finite (step {step})"
    else:
        return
    latest = tf.train.latest_checkpoint(checkpointer.directory)
    if latest is None:
        kept, then = "no checkpoint was written before it", "start over"
    else:
        kept, then = f"the last good checkpoint, {latest}, is kept", "resume from it"
    raise TrainingDiverged(
        f"training diverged: {what}; {kept}. Rerun with lower learning rates "
        f"(--override=g_learning_rate=... --override=d_learning_rate=...) to {then}, or with "
        "--nan_policy=skip to drop such updates",
        step,
        loss,
        value,
        latest,
    )
