"""Checkpoints of a whole run: model, optimizers, epoch; written atomically, never of NaNs.

`Checkpointer` is the Keras callback that saves (and, before `fit`, restores) them;
`checkpoint_items` is what a checkpoint holds besides the model, `weights_are_finite` the
check made before each save, `training_step` the step a model has trained.
"""

import re
from collections.abc import Callable

import keras
import tensorflow as tf

from gan_zoo.training.callbacks import DivergenceGuard


def number(value) -> float:
    """A scalar variable's value; also a tf.distribute mirrored one's (`float()` refuses)."""
    return keras.ops.convert_to_numpy(value).item()


def training_step(model: keras.Model) -> int:
    """The model's training step (its `training_step`, else its optimizer's iterations)."""
    return int(number(getattr(model, "training_step", model.optimizer.iterations)))


class Checkpointer(keras.callbacks.Callback):
    """Saves model and optimizer state every `every_n_epochs` epochs (`tf.train.CheckpointManager`).

    A checkpoint holds every model variable (networks, EMA generator, StyleGAN's w̄ and path
    length mean, CycleGAN's image pools, the skipped-update count, the state of any Keras seed
    generator: dropout), every optimizer's state (iterations, moments, loss scale) and the
    number of finished epochs (`checkpoint_items`). Restoring the optimizers restores the
    training step, on which every random draw of a gan_zoo step is keyed, so a restored model
    continues the same random stream.

    The manager writes each checkpoint's files completely before it updates its index (the
    `checkpoint` file, itself replaced atomically), so a crash mid-write leaves the previous
    checkpoint as the newest usable one; at most `max_to_keep` are kept. Nothing is saved once
    `guard` has fired, nor when a weight is NaN or infinite, so the newest checkpoint is always
    a good one.

    Args:
        directory: str. Checkpoint directory.
        every_n_epochs: int. Defaults to 1.
        max_to_keep: int. Defaults to 3.
        guard: a `DivergenceGuard` in the same `fit`, or None. Defaults to None.

    Attributes:
        after_write: class attribute, None or a function called with a checkpoint's path
            prefix once its files are written and before the index names it: the injection
            point of fault tests (a kill mid-checkpoint, `tests/test_crash.py`).
        refused: epochs (1-based) whose checkpoint was not written because a weight was not
            finite.
    """

    after_write: Callable[[str], None] | None = None

    def __init__(
        self,
        directory: str,
        every_n_epochs: int = 1,
        max_to_keep: int = 3,
        guard: DivergenceGuard | None = None,
    ):
        super().__init__()
        if every_n_epochs < 1 or max_to_keep < 1:
            raise ValueError("every_n_epochs and max_to_keep must be positive")
        self.directory = directory
        self.every_n_epochs = every_n_epochs
        self.max_to_keep = max_to_keep
        self.guard = guard
        self.manager = None
        self.checkpoint = None
        self.epoch = None
        self.refused: list[int] = []

    def _ensure_checkpoint(self) -> None:
        if self.checkpoint is not None:
            return
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        self.checkpoint = tf.train.Checkpoint(
            model=self.model, epoch=self.epoch, **checkpoint_items(self.model)
        )

    def _ensure_manager(self) -> None:
        # Created when training begins, not at restore: the manager reads the checkpoint index
        # once, and `gan_zoo.training.resume` may repair that index between the two.
        if self.manager is not None:
            return
        self._ensure_checkpoint()
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, self.directory, max_to_keep=self.max_to_keep
        )

    def restore(
        self, model: keras.Model, directory: str | None = None, path: str | None = None
    ) -> int:
        """Restores a checkpoint into `model` (call before `fit`).

        Args:
            model: the compiled model `fit` will train.
            directory: where to look for the newest checkpoint; None for `self.directory`.
                (A multi-worker run's other workers save into a temporary directory but
                resume from the chief's.)
            path: a checkpoint's path prefix (`.../ckpt-7`) to restore instead of the newest.

        Returns:
            The number of epochs the checkpoint had finished (the `initial_epoch` to give
            `fit`); 0 when the directory holds no checkpoint.

        Raises:
            AssertionError or ValueError (from `tf.train`): the checkpoint does not fit the
                model (another architecture). Damaged files raise what TensorFlow raises
                (`tf.errors.OpError`, `IndexError`); `run_directory.check_checkpoint`
                tells damage from a mismatch beforehand.
        """
        self.set_model(model)
        self._ensure_checkpoint()
        path = path or tf.train.latest_checkpoint(directory or self.directory)
        if path is None:
            return 0
        status = self.checkpoint.restore(path)
        try:
            status.assert_existing_objects_matched()
        except AssertionError:
            status.expect_partial()  # no second warning about the unrestored values
            raise
        return int(self.epoch.numpy())

    def on_train_begin(self, logs=None):
        """Opens the checkpoint manager (it reads the, by now repaired, checkpoint index)."""
        self._ensure_manager()

    def on_epoch_end(self, epoch, logs=None):
        """Saves checkpoint `epoch + 1` unless diverged, not due, or a weight is not finite."""
        if (epoch + 1) % self.every_n_epochs:
            return
        if self.guard is not None and self.guard.diverged is not None:
            return
        if not weights_are_finite(self.model):
            self.refused.append(epoch + 1)
            return
        self.epoch.assign(epoch + 1)
        options = None
        if Checkpointer.after_write is not None:
            options = tf.train.CheckpointOptions(
                experimental_write_callbacks=[Checkpointer.after_write]
            )
        self.manager.save(checkpoint_number=epoch + 1, options=options)


def checkpoint_items(model: keras.Model) -> dict:
    """What a `tf.train.Checkpoint` of `model` needs besides the model itself.

    The optimizers (the model's `checkpoint_items()`: G's and D's, CycleGAN's four) and
    `variables`, the list of every model variable: `tf.train.Checkpoint` does not reach all of
    them through the model's attributes (CycleGAN's image pools, held in a dict of tuples, and
    the states of Keras seed generators in dropout layers were missing, measured), and a
    variable it does reach is stored once, whatever the number of paths to it.
    """
    items = dict(model.checkpoint_items())
    items["variables"] = list(model.variables)
    return items


def weights_are_finite(model: keras.Model) -> bool:
    """True when every floating-point variable of `model` is finite."""
    checks = [
        tf.reduce_all(tf.math.is_finite(v.value))
        for v in model.variables
        if v.dtype in ("float16", "bfloat16", "float32", "float64")
    ]
    return bool(tf.reduce_all(checks)) if checks else True


# What `Checkpointer.restore` raises when an intact checkpoint does not fit the model.
RESTORE_MISMATCH = (AssertionError, ValueError, IndexError, tf.errors.OpError)


def mismatch_reason(error: BaseException) -> str:
    """The first line of a `RESTORE_MISMATCH` error, without TF's op name, at most 300 chars."""
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return re.sub(r"\{\{[^}]*\}\}\s*", "", text.strip().splitlines()[0])[:300]
