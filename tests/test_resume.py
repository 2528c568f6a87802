"""Resuming runs in process: interrupted-then-resumed equals uninterrupted, bit for bit.

A run is interrupted by an exception raised right after its Checkpointer saved epoch k (what a
crash between epochs leaves); `train` with the same config then resumes. Killed processes are
tested in tests/test_crash.py.
"""

import json
import os

import pytest
import tensorflow as tf
from harness import assert_reproduced

from gan_zoo import training
from gan_zoo.engine.random import sample_noise

TINY_DCGAN = {
    "generator_kwargs": {"base_filters": 4},
    "discriminator_kwargs": {"base_filters": 4},
    "latent_dim": 8,
}
TINY_MLP = {
    "latent_dim": 4,
    "generator_kwargs": {"hidden_units": [16]},
    "discriminator_kwargs": {"hidden_units": [16], "dropout": 0.3},  # a Keras seed generator
}
TINY_STYLEGAN = {
    "latent_dim": 8,
    "generator_kwargs": {"w_dim": 8, "mapping_layers": 2, "channel_base": 64, "channel_max": 8},
    "discriminator_kwargs": {"channel_base": 64, "channel_max": 8},
}
TINY_CYCLEGAN = {
    "generator_kwargs": {"base_filters": 4, "num_residual_blocks": 1},
    "discriminator_kwargs": {"base_filters": 4, "num_layers": 2},
    "model_kwargs": {"pool_size": 3},
}

# name: (preset, TrainConfig fields). Epochs: 3, interrupted after 1.
CASES = {
    # one pass of the data per epoch (reshuffled each pass), with an EMA generator
    "dcgan_one_pass_ema": (
        "dcgan_digits",
        {"batch_size": 512, "overrides": {**TINY_DCGAN, "ema_decay": 0.9}},
    ),
    # a repeated stream, two steps per compiled call (one epoch = 4 batches)
    "dcgan_repeated": (
        "dcgan_digits",
        {"batch_size": 32, "steps_per_epoch": 3, "steps_per_execution": 2, "overrides": TINY_DCGAN},
    ),
    "gan_dropout": ("gan_digits", {"batch_size": 64, "steps_per_epoch": 2, "overrides": TINY_MLP}),
    # w̄ and the path-length mean; the lazy regularization schedule
    "stylegan": (
        "stylegan_digits",
        {"batch_size": 4, "steps_per_epoch": 2, "image_size": 16, "overrides": TINY_STYLEGAN},
    ),
    # four optimizers, image pools, a learning rate decaying over the run's length
    "cyclegan": (
        "cyclegan_digits_thickness",
        {"batch_size": 2, "steps_per_epoch": 2, "image_size": 16, "overrides": TINY_CYCLEGAN},
    ),
}
SLOW_CASES = ("stylegan", "cyclegan")  # ~35 s and ~90 s of 2-core CPU


class CrashError(Exception):
    """Stands for a crash right after a checkpoint."""


def _config(case: str, out_dir, data_dir, **changes) -> training.TrainConfig:
    preset, fields = CASES[case]
    kwargs = {
        "preset": preset,
        "out_dir": str(out_dir),
        "epochs": 3,
        "data_dir": data_dir,
        "num_samples": 4,
        "verbose": 0,
        "export": False,
        **fields,
        **changes,
    }
    return training.TrainConfig(**kwargs)


def _interrupt_after_epoch(monkeypatch, epoch: int) -> None:
    """Makes the next `train` raise `CrashError` right after epoch `epoch`'s checkpoint."""
    original = training.Checkpointer.on_epoch_end

    def on_epoch_end(self, index, logs=None):
        original(self, index, logs)
        if index + 1 == epoch:
            raise CrashError

    monkeypatch.setattr(training.Checkpointer, "on_epoch_end", on_epoch_end)


def _history(out_dir) -> dict:
    with open(os.path.join(out_dir, "history.json")) as f:
        return json.load(f)


def _assert_same_variables(a, b) -> None:
    """Two runs of the same compiled steps on the same data: the same bits (on a GPU, to
    float32 rounding: `assert_reproduced`)."""
    assert [v.path.split("/")[-1] for v in a.variables] == [
        v.path.split("/")[-1] for v in b.variables
    ]
    for x, y in zip(a.variables, b.variables, strict=True):
        assert_reproduced(x.numpy(), y.numpy(), err_msg=x.path)


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.slow) if c in SLOW_CASES else c for c in CASES],
)
def test_resumed_run_equals_uninterrupted(case, tmp_path, tfds_data_dir, monkeypatch, capsys):
    whole = training.train(_config(case, tmp_path / "whole", tfds_data_dir))

    resumed_dir = tmp_path / "resumed"
    with monkeypatch.context() as patch:
        _interrupt_after_epoch(patch, 1)
        with pytest.raises(CrashError):
            training.train(_config(case, resumed_dir, tfds_data_dir))
    assert len(_history(resumed_dir)["d_loss"]) == 1
    capsys.readouterr()
    resumed = training.train(_config(case, resumed_dir, tfds_data_dir))
    out = capsys.readouterr().out
    step = int(resumed["model"].training_step) // 3  # steps of one epoch
    assert f"resuming {resumed_dir} from epoch 1 (step {step})" in out
    assert resumed["initial_epoch"] == 1 and len(resumed["history"]["d_loss"]) == 2

    # Every variable (networks, EMA, w̄, pools, optimizer moments, seed states) and the step.
    _assert_same_variables(whole["model"], resumed["model"])
    for name, optimizer in training.checkpoint_items(whole["model"]).items():
        if name != "variables":
            other = training.checkpoint_items(resumed["model"])[name]
            for x, y in zip(optimizer.variables, other.variables, strict=True):
                assert_reproduced(x.numpy(), y.numpy(), err_msg=f"{name} {x.path}")
    # history.json continues: the three epochs' losses, the same as the uninterrupted run's.
    expected, got = _history(tmp_path / "whole"), _history(resumed_dir)
    for key in expected:
        if key != "epoch_seconds":
            assert len(got[key]) == len(expected[key]), key
            assert_reproduced(got[key], expected[key], err_msg=key)
    assert len(got["epoch_seconds"]) == 3


def test_history_json_is_cut_back_to_the_restored_epoch(tmp_path, tfds_data_dir, monkeypatch):
    """A crash after history.json got epoch k+1 but before its checkpoint: k+1 is redone."""
    config = _config("gan_dropout", tmp_path, tfds_data_dir, epochs=2)
    with monkeypatch.context() as patch:
        _interrupt_after_epoch(patch, 1)
        with pytest.raises(CrashError):
            training.train(config)
    history = _history(tmp_path)
    history = {key: values * 2 for key, values in history.items()}  # an epoch 2, not saved
    history["d_loss"][1] = 123.0
    training.write_json(history, str(tmp_path / "history.json"))
    summary = training.train(config)
    history = _history(tmp_path)
    assert len(history["d_loss"]) == 2 and history["d_loss"][1] != 123.0
    assert history["d_loss"][1] == pytest.approx(summary["history"]["d_loss"][0])


def test_a_finished_run_trains_nothing_more_and_more_epochs_continue(
    tmp_path, tfds_data_dir, capsys
):
    config = _config("gan_dropout", tmp_path, tfds_data_dir, epochs=1)
    first = training.train(config)
    capsys.readouterr()
    again = training.train(config)
    assert "has finished all 1 epochs; nothing to train" in capsys.readouterr().out
    assert again["initial_epoch"] == 1 and again["history"] == {}
    assert again["final"]["d_loss"] == pytest.approx(first["final"]["d_loss"])
    _assert_same_variables(first["model"], again["model"])

    config.epochs = 2
    longer = training.train(config)
    assert "from epoch 1 (step 2) of ckpt-1; changed: epochs 1 -> 2" in capsys.readouterr().out
    assert longer["initial_epoch"] == 1 and len(_history(tmp_path)["d_loss"]) == 2


def test_another_preset_or_network_is_a_one_line_error(tmp_path, tfds_data_dir):
    config = _config("gan_dropout", tmp_path, tfds_data_dir, epochs=1)
    training.train(config)
    other = training.TrainConfig(
        preset="dcgan_digits",
        out_dir=str(tmp_path),
        epochs=1,
        batch_size=8,
        data_dir=tfds_data_dir,
        overrides=TINY_DCGAN,
    )
    with pytest.raises(ValueError) as error:
        training.train(other)
    message = str(error.value)
    assert "\n" not in message
    assert "holds a run of preset 'gan_digits', not 'dcgan_digits'" in message
    assert "--restart" in message and "--out_dir" in message

    wider = _config("gan_dropout", tmp_path, tfds_data_dir, epochs=2)
    wider.overrides = {**TINY_MLP, "latent_dim": 6}
    with pytest.raises(ValueError, match="latent_dim=4, this command asks for latent_dim=6"):
        training.train(wider)
    # The files of the run are untouched by the refused commands.
    assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")).endswith("ckpt-1")
    with open(tmp_path / "config.json") as f:
        assert json.load(f)["preset"]["name"] == "gan_digits"


def test_a_checkpoint_that_does_not_fit_is_a_one_line_error(tmp_path, tfds_data_dir):
    """A structural change the config check does not know (a pool size) fails at restore."""
    config = _config("gan_dropout", tmp_path, tfds_data_dir, epochs=1)
    training.train(config)
    os.remove(tmp_path / "config.json")  # no config to compare: the restore itself must fail
    config.overrides = {**TINY_MLP, "generator_kwargs": {"hidden_units": [12]}}
    with pytest.raises(ValueError) as error:
        training.train(config)
    message = str(error.value)
    assert "\n" not in message and "does not fit this command's model" in message
    assert "--restart" in message


def test_restart_starts_over(tmp_path, tfds_data_dir, capsys):
    config = _config("gan_dropout", tmp_path, tfds_data_dir, epochs=2)
    training.train(config)
    other = training.TrainConfig(
        preset="gan_ring8",
        out_dir=str(tmp_path),
        epochs=1,
        steps_per_epoch=1,
        batch_size=16,
        data_dir=tfds_data_dir,
        verbose=0,
        export=False,
        restart=True,
    )
    summary = training.train(other)
    assert "resuming" not in capsys.readouterr().out and summary["initial_epoch"] == 0
    assert len(_history(tmp_path)["d_loss"]) == 1
    assert sorted(os.listdir(tmp_path / "checkpoints")) == [
        "checkpoint",
        "ckpt-1.data-00000-of-00001",
        "ckpt-1.index",
    ]
    assert not os.path.exists(tmp_path / "samples" / "epoch_0002.png")
    with open(tmp_path / "config.json") as f:
        assert json.load(f)["preset"]["name"] == "gan_ring8"


def test_the_same_config_twice_gives_identical_losses_and_samples(tmp_path, tfds_data_dir):
    """Determinism: the same command and seed give the same losses and sample grids."""
    runs = []
    for name in ("first", "second"):
        config = _config("dcgan_repeated", tmp_path / name, tfds_data_dir, epochs=2, seed=3)
        runs.append(training.train(config))
    first, second = (_history(tmp_path / name) for name in ("first", "second"))
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert_reproduced(first[key], second[key], err_msg=key)
    noise = sample_noise(4, TINY_DCGAN["latent_dim"], 3)
    grids = [run["model"].generate(noise) for run in runs]
    assert_reproduced(grids[0], grids[1], err_msg="samples of the two runs")
    for epoch in ("epoch_0001.png", "epoch_0002.png"):
        pngs = [(tmp_path / name / "samples" / epoch).read_bytes() for name in ("first", "second")]
        assert pngs[0] == pngs[1], epoch
    _assert_same_variables(runs[0]["model"], runs[1]["model"])
    other = training.train(
        _config("dcgan_repeated", tmp_path / "seed4", tfds_data_dir, epochs=1, seed=4)
    )
    assert other["history"]["d_loss"][0] != first["d_loss"][0]  # the seed matters


def test_check_resumable_allows_hyperparameters_and_refuses_shapes(tmp_path):
    def resolved(**fields):
        return training.resolve(training.TrainConfig(preset="gan_digits", **fields))[1]

    training.write_json(resolved(), str(tmp_path / "config.json"))
    assert training.check_resumable(str(tmp_path), resolved()) == []
    changed = training.check_resumable(
        str(tmp_path),
        resolved(epochs=7, seed=2, overrides={"g_learning_rate": 1e-3}),
    )
    assert changed == ["epochs 100 -> 7", "g_learning_rate 0.0002 -> 0.001", "seed 0 -> 2"]
    assert training.check_resumable(str(tmp_path), resolved(mixed_precision="mixed_bfloat16"))
    refused = {
        "preset 'gan_digits', not 'dcgan_digits'": training.resolve(training.TrainConfig())[1],
        "latent_dim=100, this command asks for latent_dim=8": resolved(overrides={"latent_dim": 8}),
        'mixed_precision="off", this command asks for mixed_precision="mixed_float16"': resolved(
            mixed_precision="mixed_float16"
        ),
        "ema_decay=null, this command asks for ema_decay=0.999": resolved(
            overrides={"ema_decay": 0.999}
        ),
        'optimizer="adam", this command asks for optimizer="rmsprop"': resolved(
            overrides={"optimizer": "rmsprop"}
        ),
    }
    for message, config in refused.items():
        with pytest.raises(ValueError) as error:
            training.check_resumable(str(tmp_path), config)
        assert message in str(error.value) and "--restart" in str(error.value)
        assert "\n" not in str(error.value)
    # A config.json of the earlier preset format (one union of every family's fields): the
    # fields only one side has are not compared.
    earlier = resolved()
    earlier["preset"] = {
        "conditioning": None,
        "num_classes": None,
        "label_embedding_dim": 16,
        **earlier["preset"],
    }
    training.write_json(earlier, str(tmp_path / "config.json"))
    assert training.check_resumable(str(tmp_path), resolved()) == []
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="its config.json is unreadable"):
        training.check_resumable(str(tmp_path), resolved())
