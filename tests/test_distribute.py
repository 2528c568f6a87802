import pytest
import tensorflow as tf

from gan_zoo import distribute


def test_strategies():
    assert distribute.get_strategy("default").num_replicas_in_sync == 1
    assert isinstance(distribute.get_strategy("one_device"), tf.distribute.OneDeviceStrategy)
    mirrored = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    assert mirrored.num_replicas_in_sync == 2


def test_errors():
    with pytest.raises(
        ValueError, match="Unknown strategy 'tpuu'; expected one of: default, one_device, mirrored"
    ):
        distribute.get_strategy("tpuu")
    with pytest.raises(ValueError, match="--devices needs"):
        distribute.get_strategy("default", devices=["/cpu:0"])
    mirrored = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    assert distribute.check_global_batch(64, mirrored) == 32
    with pytest.raises(ValueError, match="batch_size 63 .* not divisible by the 2 replicas"):
        distribute.check_global_batch(63, mirrored)
    with pytest.raises(ValueError, match="positive"):
        distribute.check_global_batch(0, mirrored)
