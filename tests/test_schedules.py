"""The learning-rate schedules against hand-computed values."""

import keras
import pytest
from harness import assert_close

from gan_zoo.schedules import LinearDecay


def test_linear_decay_is_constant_then_falls_to_zero():
    schedule = LinearDecay(2e-4, total_steps=10, decay_start_step=6)
    expected = [2e-4] * 7 + [2e-4 * 3 / 4, 2e-4 * 2 / 4, 2e-4 * 1 / 4, 0.0, 0.0]
    got = [float(schedule(step)) for step in range(12)]
    # float32 (a fraction of the remaining steps, a product) vs Python's float64; the zeros
    # at the end are judged at the scale of 2e-4 (the schedule's largest value).
    assert_close(got, expected, terms=4, err_msg="LinearDecay vs by hand")


def test_linear_decay_drives_an_optimizer_and_round_trips():
    schedule = LinearDecay(0.1, total_steps=4, decay_start_step=2)
    optimizer = keras.optimizers.SGD(schedule)
    variable = keras.Variable(0.0)
    optimizer.build([variable])
    for _ in range(5):  # gradient 1: each update subtracts the step's learning rate
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(1.0), variable)])
    # 5 float32 updates (a learning rate each, a subtraction each) vs the sum by hand.
    assert_close(float(variable), -(0.1 + 0.1 + 0.1 + 0.05 + 0.0), terms=10, err_msg="SGD sum")
    clone = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert clone._learning_rate.get_config() == schedule.get_config()


@pytest.mark.parametrize(
    "args, message",
    [
        ((0.0, 10, 5), "initial_learning_rate must be positive"),
        ((1e-3, 0, 0), "total_steps must be a positive integer"),
        ((1e-3, 10, 10), r"decay_start_step must be in \[0, total_steps=10\)"),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        LinearDecay(*args)
