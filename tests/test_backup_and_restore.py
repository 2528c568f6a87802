"""Keras' own `BackupAndRestore` on a gan_zoo model: what it restores and what it cannot.

`keras.callbacks.BackupAndRestore` saves `model.weights`-and-optimizer state at each epoch end
and, after a crash, restores it and starts at the next epoch. On a gan_zoo model that state is
everything the training step reads: both networks, the EMA generator, StyleGAN's w̄, both
optimizers' moments and their step counter (which keys every noise draw, so the noise stream
continues). What it does not hold is the input pipeline: the resumed `fit` iterates a fresh
dataset, so a dataset that reshuffles on each iteration gives the resumed epoch the order of its
first pass, not of the pass the uninterrupted run was on. gan_zoo's own resume
(`examples/train.py`, `gan_zoo.training.train`) also continues the data order: it advances the
reshuffle seed by the passes finished and skips the batches of a repeated stream already used.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import assert_reproduced

from gan_zoo import presets

IMAGES = np.random.RandomState(0).uniform(-1, 1, (32, 32, 32, 1)).astype(np.float32)


def _model():
    return presets.build(
        "dcgan_digits",
        seed=0,
        latent_dim=8,
        ema_decay=0.9,
        batch_size=8,
        generator_kwargs={"base_filters": 4},
        discriminator_kwargs={"base_filters": 4},
    )


def _data(reshuffle: bool) -> tf.data.Dataset:
    dataset = tf.data.Dataset.from_tensor_slices(IMAGES)
    if reshuffle:
        dataset = dataset.shuffle(32, seed=1, reshuffle_each_iteration=True)
    return dataset.batch(8, drop_remainder=True)


class _Crash(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            raise RuntimeError("killed after epoch 1")


def _fit_interrupted_then_resumed(backup_dir: str, reshuffle: bool):
    backup = keras.callbacks.BackupAndRestore(backup_dir)
    with pytest.raises(RuntimeError, match="killed"):
        _model().fit(
            _data(reshuffle), epochs=2, verbose=0, shuffle=False, callbacks=[backup, _Crash()]
        )
    resumed = _model()  # a new process would build the model afresh
    resumed.fit(
        _data(reshuffle),
        epochs=2,
        verbose=0,
        shuffle=False,
        callbacks=[keras.callbacks.BackupAndRestore(backup_dir)],
    )
    return resumed


@pytest.mark.parametrize("reshuffle", [False, True])
def test_backup_and_restore_resumes_every_variable_but_not_the_data_order(tmp_path, reshuffle):
    whole = _model()
    whole.fit(_data(reshuffle), epochs=2, verbose=0, shuffle=False)
    resumed = _fit_interrupted_then_resumed(str(tmp_path / "backup"), reshuffle)
    # The step (which keys the noise) was restored: epoch 2 ran steps 5-8, not 1-4 again.
    assert int(resumed.g_optimizer.iterations) == int(whole.g_optimizer.iterations) == 8
    assert [v.path for v in resumed.weights] == [v.path for v in whole.weights]
    if not reshuffle:
        # The same batches in the same order: the same compiled steps on the same inputs.
        for a, b in zip(resumed.weights, whole.weights, strict=True):
            assert_reproduced(a.numpy(), b.numpy(), err_msg=a.path)
        for a, b in zip(resumed.g_optimizer.variables, whole.g_optimizer.variables, strict=True):
            assert_reproduced(a.numpy(), b.numpy(), err_msg=a.path)
    else:
        # Epoch 2 saw the batches in the fresh dataset's first order (the uninterrupted run saw
        # its second): the weights part, by far more than any rounding.
        worst = max(
            float(np.abs(a.numpy() - b.numpy()).max())
            for a, b in zip(resumed.weights, whole.weights, strict=True)
        )
        assert worst > 1e-5, worst
