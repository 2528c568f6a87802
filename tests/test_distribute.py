import json

import numpy as np
import pytest
import tensorflow as tf
from harness import ON_GPU

from gan_zoo import distribute


def test_strategies():
    assert distribute.get_strategy("default").num_replicas_in_sync == 1
    assert isinstance(distribute.get_strategy("one_device"), tf.distribute.OneDeviceStrategy)
    mirrored = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    assert mirrored.num_replicas_in_sync == 2


def test_uses_accelerator():
    assert distribute.uses_accelerator(distribute.get_strategy("default")) is ON_GPU
    assert distribute.uses_accelerator(distribute.get_strategy("one_device")) is ON_GPU
    cpus = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    assert distribute.uses_accelerator(cpus) is False
    assert distribute.uses_accelerator(tf.distribute.OneDeviceStrategy("/gpu:0")) is True


def test_errors():
    with pytest.raises(
        ValueError,
        match="Unknown strategy 'tpuu'; expected one of: default, one_device, mirrored, "
        "multi_worker, tpu",
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


def test_multi_worker_tf_config_errors(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="--strategy=multi_worker needs the TF_CONFIG"):
        distribute.get_strategy("multi_worker")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG is not valid JSON"):
        distribute.get_strategy("multi_worker")
    monkeypatch.setenv("TF_CONFIG", json.dumps({"task": {"type": "worker", "index": 0}}))
    with pytest.raises(ValueError, match="TF_CONFIG needs a 'cluster'"):
        distribute.get_strategy("multi_worker")
    cluster = {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}
    outside = {"cluster": cluster, "task": {"type": "worker", "index": 2}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(outside))
    with pytest.raises(ValueError, match=r"task .* is not in its cluster \(jobs: worker\[2\]\)"):
        distribute.get_strategy("multi_worker")
    with pytest.raises(ValueError, match="--devices needs .* got 'multi_worker'"):
        distribute.get_strategy("multi_worker", devices=["/cpu:0"])
    valid = {"cluster": cluster, "task": {"type": "worker", "index": 1}}
    assert distribute.parse_tf_config(json.dumps(valid)) == valid


def test_is_chief():
    assert distribute.is_chief(distribute.get_strategy("default"))
    assert distribute.is_chief(distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"]))
    chief = distribute._is_chief_task
    assert chief("worker", 0, ["worker"]) and not chief("worker", 1, ["worker"])
    assert chief("chief", 0, ["chief", "worker"]) and not chief("worker", 0, ["chief", "worker"])
    assert not chief("evaluator", 0, ["worker", "evaluator"])


def test_multi_worker_workaround_is_a_no_op_elsewhere():
    """`enable_multi_worker_fit` leaves single-process fit() unchanged (same logs, same weights)."""
    import keras

    from gan_zoo import builders, models

    def run(patch: bool):
        keras.utils.set_random_seed(0)
        strategy = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
        with strategy.scope():
            model = models.GAN(
                builders.dense.generator(latent_dim=4, output_shape=(2,), output_activation=None),
                builders.dense.discriminator(input_shape=(2,)),
            )
            model.compile()
        if patch:
            distribute.enable_multi_worker_fit(distribute.enable_multi_worker_fit(model))
        points = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
        dataset = tf.data.Dataset.from_tensor_slices(points).batch(8)
        history = model.fit(dataset, epochs=1, verbose=0).history
        return history, [w.numpy() for w in model.weights]

    # Outside multi-worker the patch changes nothing fit() runs: the same program twice, on the
    # CPU replicas, so the same bits.
    (plain_logs, plain_weights), (patched_logs, patched_weights) = run(False), run(True)
    assert plain_logs == patched_logs
    for a, b in zip(plain_weights, patched_weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_tpu_not_found():
    """No TPU here: a one-line ValueError; the process's other strategies still work after it."""
    with pytest.raises(ValueError, match=r"--strategy=tpu found no TPU \(") as error:
        distribute.get_strategy("tpu")
    assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match="--devices needs .* got 'tpu'"):
        distribute.get_strategy("tpu", devices=["/cpu:0"])
    mirrored = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    assert float(mirrored.reduce("SUM", mirrored.run(lambda: tf.constant(1.0)), axis=None)) == 2.0
