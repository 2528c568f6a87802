"""Learning-rate schedules the papers' recipes use.

`LinearDecay` is CycleGAN's: the learning rate stays constant, then falls linearly to zero over
the last part of training (Zhu et al. 2017, arXiv:1703.10593, Sec. 4: "keep the same learning
rate for the first 100 epochs and linearly decay the rate to zero over the next 100 epochs").
The paper's code steps the rate once per epoch; this steps it every optimizer update, which is
the same line sampled finer.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="gan_zoo")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant `initial_learning_rate` until `decay_start_step`, then linear to 0 at `total_steps`.

    `lr(step) = initial_learning_rate · clip((total_steps − step) / (total_steps −
    decay_start_step), 0, 1)`, where `step` is the optimizer's update count (0 for the first
    update). The last update of a run of `total_steps` updates uses
    `initial_learning_rate / (total_steps − decay_start_step)`; from `total_steps` on it is 0.

    Example:
    >>> schedule = LinearDecay(2e-4, total_steps=200, decay_start_step=100)
    >>> float(schedule(150))  # halfway down the decay
    0.0001

    Args:
        initial_learning_rate: float > 0. The constant rate of the first phase.
        total_steps: int ≥ 1. The update at which the rate reaches 0.
        decay_start_step: int in [0, total_steps). The first update whose rate is below the
            initial one is `decay_start_step + 1`.

    Raises:
        ValueError: a rate that is not positive or steps outside the ranges above.
    """

    def __init__(self, initial_learning_rate: float, total_steps: int, decay_start_step: int):
        if not float(initial_learning_rate) > 0:
            raise ValueError(f"initial_learning_rate must be positive; got {initial_learning_rate}")
        if int(total_steps) < 1:
            raise ValueError(f"total_steps must be a positive integer; got {total_steps}")
        if not 0 <= int(decay_start_step) < int(total_steps):
            raise ValueError(
                f"decay_start_step must be in [0, total_steps={total_steps}); "
                f"got {decay_start_step}"
            )
        self.initial_learning_rate = float(initial_learning_rate)
        self.total_steps = int(total_steps)
        self.decay_start_step = int(decay_start_step)

    def __call__(self, step):
        """The learning rate at optimizer update `step` (int or scalar tensor); float32."""
        step = ops.cast(step, "float32")
        remaining = (self.total_steps - step) / float(self.total_steps - self.decay_start_step)
        return self.initial_learning_rate * ops.clip(remaining, 0.0, 1.0)

    def get_config(self) -> dict:
        """Returns the constructor arguments."""
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "total_steps": self.total_steps,
            "decay_start_step": self.decay_start_step,
        }
