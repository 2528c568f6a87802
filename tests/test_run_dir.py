"""What users do to run directories: damage, kills mid-export, two trainers, --restart, paths.

Each test damages a real run directory (a tiny MLP GAN on the ring, trained in process) and
checks the outcome: a resume from the newest checkpoint that loads, saying what it skipped, or
a one-line `ValueError`; and in every error case that each file is byte-identical afterwards.
The CLI battery over the same classes is `scripts/reliability.py` (`make reliability`;
tests/test_reliability.py runs part of it).
"""

import json
import os
import subprocess
import sys

import pytest
import tensorflow as tf
from damage import tree_digest

from gan_zoo import distribute, export, presets, training
from gan_zoo.training import run_directory

TINY = {
    "latent_dim": 4,
    "generator_kwargs": {"hidden_units": [8]},
    "discriminator_kwargs": {"hidden_units": [8]},
}


def _config(out_dir, data_dir, **changes) -> training.TrainConfig:
    fields = {
        "preset": "gan_ring8",
        "out_dir": str(out_dir),
        "epochs": 3,
        "steps_per_epoch": 2,
        "batch_size": 64,
        "data_dir": data_dir,
        "num_samples": 4,
        "verbose": 0,
        "export": False,
        "overrides": TINY,
    }
    return training.TrainConfig(**{**fields, **changes})


@pytest.fixture(scope="module")
def base_run(tmp_path_factory, tfds_data_dir):
    """A finished 3-epoch run (a checkpoint per epoch, exported) to copy and damage."""
    out_dir = tmp_path_factory.mktemp("base") / "run"
    training.train(_config(out_dir, tfds_data_dir, export=True))
    return out_dir


@pytest.fixture
def run(base_run, tmp_path):
    copy = tmp_path / "run"
    subprocess.run(["cp", "-a", str(base_run), str(copy)], check=True)
    return copy


def _data_file(run, epoch: int):
    folder = run / "checkpoints"
    return folder / next(n for n in os.listdir(folder) if n.startswith(f"ckpt-{epoch}.data"))


def _one_line_error(config) -> str:
    with pytest.raises(ValueError) as raised:
        training.train(config)
    message = str(raised.value)
    assert "\n" not in message, message
    return message


# ---------------------------------------------------------------- 1. damaged run directories


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda run: os.truncate(_data_file(run, 3), 40), "it does not read back"),
        (
            lambda run: os.truncate(run / "checkpoints" / "ckpt-3.index", 10),
            "it does not read back",
        ),
        (lambda run: os.remove(_data_file(run, 3)), "its data file is missing"),
        (lambda run: os.remove(run / "checkpoints" / "ckpt-3.index"), "its .index file is missing"),
    ],
    ids=["data truncated", "index truncated", "data missing", "index missing"],
)
def test_a_damaged_newest_checkpoint_is_skipped_and_kept(
    damage, problem, run, tfds_data_dir, capsys
):
    damage(run)
    damaged = {
        name: digest
        for name, digest in tree_digest(run / "checkpoints").items()
        if name.startswith("ckpt-3")
    }
    summary = training.train(_config(run, tfds_data_dir))
    out, err = capsys.readouterr()
    assert summary["initial_epoch"] == 2
    assert "from epoch 2 (step 4) of ckpt-2" in out
    assert f"skipped checkpoint ckpt-3: {problem}" in err
    kept = tree_digest(run / "checkpoints" / "damaged")
    assert {name: kept[name] for name in damaged} == damaged  # moved aside, byte-identical
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-3")  # retrained
    assert len(json.loads((run / "history.json").read_text())["d_loss"]) == 3


def test_no_checkpoint_that_loads_is_an_error_and_changes_nothing(run, tfds_data_dir):
    for epoch in (1, 2, 3):
        os.truncate(_data_file(run, epoch), 40)
    (run / "checkpoints" / "checkpoint").write_bytes(b"\x00garbage")
    before = tree_digest(run)
    message = _one_line_error(_config(run, tfds_data_dir, epochs=4))
    assert "none of its 3 checkpoint(s) reads back" in message
    assert "ckpt-3: it does not read back" in message
    assert "config mismatch" not in message and "does not fit" not in message
    assert tree_digest(run) == before


@pytest.mark.parametrize("index", [None, b"\x00garbage {{", b'model_checkpoint_path: "ckpt-9"\n'])
def test_a_missing_or_garbage_checkpoint_index_is_rebuilt(index, run, tfds_data_dir, capsys):
    path = run / "checkpoints" / "checkpoint"
    if index is None:
        os.remove(path)
    else:
        path.write_bytes(index)
    summary = training.train(_config(run, tfds_data_dir, epochs=4))
    assert summary["initial_epoch"] == 3  # never silently from 0 over existing checkpoints
    assert "rewrote the checkpoint index" in capsys.readouterr().err
    state = tf.train.get_checkpoint_state(str(run / "checkpoints"))
    assert state.model_checkpoint_path.endswith("ckpt-4")
    # the newest three kept, as ever: the manager rotated ckpt-1 out as one of its own
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == [
        "ckpt-2",
        "ckpt-3",
        "ckpt-4",
    ]
    if index is not None and b"garbage" in index:
        assert (run / "checkpoints" / "damaged" / "checkpoint").read_bytes() == index


@pytest.mark.parametrize("name", ["history.json", "config.json"])
@pytest.mark.parametrize("content", [b"", b'{"d_loss": [1.0, 2', b"\xff\xfe", b"[1, 2]"])
def test_an_unusable_json_file_is_kept_aside_and_the_run_resumes(
    name, content, run, tfds_data_dir, capsys
):
    (run / name).write_bytes(content)
    summary = training.train(_config(run, tfds_data_dir, epochs=4))
    assert summary["initial_epoch"] == 3
    err = capsys.readouterr().err
    assert f"{name} was unusable" in err and f"kept as {name}.damaged" in err
    assert (run / f"{name}.damaged").read_bytes() == content
    assert json.loads((run / name).read_text())  # written anew
    if name == "history.json":
        assert json.loads((run / name).read_text())["d_loss"][:3] == [None] * 3


def test_a_checkpoints_path_that_cannot_be_listed_is_an_error(run, tfds_data_dir):
    subprocess.run(["rm", "-r", str(run / "checkpoints")], check=True)
    (run / "checkpoints").write_bytes(b"not a folder")
    before = tree_digest(run)
    assert "cannot be listed" in _one_line_error(_config(run, tfds_data_dir))
    assert tree_digest(run) == before


def test_a_checkpoint_of_another_model_is_still_a_mismatch(run, tfds_data_dir):
    """An intact checkpoint that does not fit is a mismatch (with --restart advice)."""
    os.remove(run / "config.json")
    before = tree_digest(run)
    wider = {**TINY, "generator_kwargs": {"hidden_units": [12]}}
    message = _one_line_error(_config(run, tfds_data_dir, overrides=wider))
    assert "does not fit this command's model" in message and "--restart" in message
    assert tree_digest(run) == before


# ----------------------------------------------------------------------- 2. atomic export


class KilledError(Exception):
    """Stands for SIGKILL at an export stage."""


@pytest.mark.parametrize("stage", ["written", "old_moved", "replaced"])
def test_an_export_killed_at_any_stage_leaves_a_loadable_export(stage, run, monkeypatch):
    model = presets.build("gan_ring8", **TINY)
    path = str(run / "saved_model")
    before = tree_digest(run / "saved_model")

    def kill(reached):
        if reached == stage:
            raise KilledError

    monkeypatch.setattr(export, "after_stage", kill)
    with pytest.raises(KilledError):
        export.export_model(model, path)
    monkeypatch.setattr(export, "after_stage", None)
    complete = path + ".old" if stage == "old_moved" else path
    tf.saved_model.load(complete)  # at every instant a complete export exists
    if stage == "old_moved":
        assert not os.path.exists(path) and tree_digest(complete) == before
    done = export.recover(path)
    assert done, stage
    tf.saved_model.load(path)
    assert os.listdir(run) == [n for n in os.listdir(run) if ".tmp-" not in n and ".old" not in n]
    if stage != "replaced":  # the previous export is back, byte for byte
        assert tree_digest(path) == before


def test_stale_temporary_exports_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"saved_model.tmp-{dead.pid}"
    live = tmp_path / f"saved_model.tmp-{os.getppid()}"  # a running process's: kept
    for folder in (stale, live):
        folder.mkdir()
        (folder / "saved_model.pb").write_bytes(b"partial")
    export.recover(str(tmp_path / "saved_model"))
    assert not stale.exists() and live.exists()


# -------------------------------------------------------------------- 3. one trainer per run


def test_a_second_trainer_stops_at_once_naming_the_first(run, tfds_data_dir):
    holder = run_directory.RunLock(str(run))
    holder.acquire()
    try:
        before = tree_digest(run)
        message = _one_line_error(_config(run, tfds_data_dir, epochs=4))
        assert f"in use by another gan_zoo trainer (pid {os.getpid()} on " in message
        assert tree_digest(run) == before
    finally:
        holder.release()


def test_the_lock_of_a_killed_trainer_is_taken_over(run, tfds_data_dir, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    owner = {"pid": dead.pid, "host": os.uname().nodename, "started": "earlier"}
    (run / run_directory.LOCK_FILE).write_text(json.dumps(owner))
    training.train(_config(run, tfds_data_dir, epochs=4))
    assert f"took over the lock of {run} left by pid {dead.pid}" in capsys.readouterr().err
    assert (run / run_directory.LOCK_FILE).read_text() == ""  # released: no owner left behind


# ----------------------------------------------------------------------------- 4. --restart


def test_restart_refuses_a_directory_that_is_not_a_run(tmp_path, tfds_data_dir):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.png").write_bytes(b"mine")
    (tmp_path / "history.json").write_text("{}")  # a file of the user's with a run's name
    before = tree_digest(tmp_path)
    message = _one_line_error(_config(tmp_path, tfds_data_dir, restart=True))
    assert "--restart refuses to delete anything" in message
    assert tree_digest(tmp_path) == before


def test_restart_deletes_only_what_gan_zoo_wrote(run, tfds_data_dir, capsys):
    (run / "samples" / "my_notes.txt").write_text("keep")
    (run / "logs" / "my_plot.png").write_bytes(b"keep too")
    (run / "notes.md").write_text("mine")
    training.train(_config(run, tfds_data_dir, epochs=1, restart=True))
    assert "kept 2 file(s) gan_zoo did not write" in capsys.readouterr().out
    assert (run / "samples" / "my_notes.txt").read_text() == "keep"
    assert (run / "logs" / "my_plot.png").read_bytes() == b"keep too"
    assert (run / "notes.md").read_text() == "mine"
    assert not (run / "saved_model").exists()
    assert sorted(os.listdir(run / "checkpoints")) == [
        "checkpoint",
        "ckpt-1.data-00000-of-00001",
        "ckpt-1.index",
    ]


# --------------------------------------------------------------------------------- 5. paths


def test_out_dir_paths_that_cannot_hold_a_run(tmp_path, tfds_data_dir):
    file = tmp_path / "file"
    file.write_bytes(b"x")
    cases = {
        str(file): "is a file, not a directory",
        str(file / "run"): "which is a file, not a directory",
    }
    for out_dir, fragment in cases.items():
        assert fragment in _one_line_error(_config(out_dir, tfds_data_dir))
    assert file.read_bytes() == b"x"


def test_read_only_out_dir(run, tfds_data_dir):
    mounted = subprocess.run(["mount", "-o", "bind,ro", str(run), str(run)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("a read-only bind mount needs root with CAP_SYS_ADMIN")
    try:
        before = tree_digest(run)
        message = _one_line_error(_config(run, tfds_data_dir, epochs=4))
        assert message == f"--out_dir {str(run)!r} is not writable: Read-only file system"
        assert tree_digest(run) == before
    finally:
        subprocess.run(["umount", str(run)], check=True)


def test_data_dir_paths(tmp_path, tfds_data_dir, monkeypatch):
    file = tmp_path / "file"
    file.write_bytes(b"x")
    out_dir = tmp_path / "run"
    message = _one_line_error(_config(out_dir, str(file)))
    assert message.startswith(f"--data_dir {str(file)!r} is a file, not a directory")
    assert "lies under" in _one_line_error(_config(out_dir, str(file / "tfds")))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m: p != tfds_data_dir and real_access(p, m))
    assert "is not readable" in _one_line_error(_config(out_dir, tfds_data_dir))
    assert not out_dir.exists()


# ------------------------------------------------------------------- 6. flags and overrides


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (
            {"generator_kwargs": {"hidden_units": [8], "widht": 3}},
            "generator_kwargs key(s) 'widht' not accepted by the dense generator; accepted: "
            "activation, batch_norm",
        ),
        ({"discriminator_kwargs": {"bogus": 1}}, "accepted: activation, dropout"),
        (
            {"model_kwargs": {"gp_weight": 1.0}},
            "not accepted by the gan model; accepted: ema_warmup",
        ),
        ({"beta_1": 1.0}, "beta_1 must be a number in [0, 1); got 1.0"),
        ({"beta_2": -0.1}, "beta_2 must be a number in [0, 1); got -0.1"),
        ({"ema_decay": 1.5}, "ema_decay must be in [0, 1) or None; got 1.5"),
        ({"d_learning_rate": 0}, "d_learning_rate must be a positive number; got 0"),
        (
            {"algorithm": "wgan_gp", "model_kwargs": {"gp_weight": -1}},
            "gp_weight must be a number >= 0",
        ),
    ],
)
def test_overrides_the_networks_or_optimizers_refuse(overrides, fragment, tmp_path):
    config = training.TrainConfig(preset="gan_ring8", out_dir=str(tmp_path / "run"))
    config.overrides = {**TINY, **overrides}
    with pytest.raises(ValueError) as raised:
        training.resolve(config)
    assert fragment in str(raised.value) and "\n" not in str(raised.value)


def test_stylegan_and_cyclegan_network_keys_are_checked():
    with pytest.raises(ValueError, match="accepted: channel_base, channel_max, mapping_layers"):
        presets.get_preset("stylegan_digits").replace(generator_kwargs={"channels_base": 8})
    with pytest.raises(ValueError, match="model_kwargs r1_interval must be a positive integer"):
        presets.get_preset("stylegan_digits").replace(model_kwargs={"r1_interval": 0})
    with pytest.raises(ValueError, match="accepted: base_filters, num_layers"):
        presets.get_preset("cyclegan_digits_thickness").replace(discriminator_kwargs={"layers": 2})
    for name in presets.list_presets():  # every shipped recipe passes its own checks
        presets.get_preset(name).replace()


def test_a_batch_larger_than_the_data_is_an_error(tmp_path, tfds_data_dir):
    config = _config(tmp_path / "run", tfds_data_dir, batch_size=30000, steps_per_epoch=None)
    config.overrides = {**TINY, "steps_per_epoch": None}
    message = _one_line_error(config)
    assert "batch_size 30000 is larger than the 20000 training examples" in message
    assert "an epoch would have 0 steps" in message
    assert not (tmp_path / "run").exists()


# ------------------------------------------------------------------------------- 7. devices


@pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="needs no GPU")
@pytest.mark.parametrize("strategy", ["mirrored", "one_device"])
def test_devices_that_do_not_exist(strategy):
    with pytest.raises(ValueError, match="names '/gpu:0', which this machine does not have"):
        distribute.get_strategy(strategy, ["/gpu:0"])
    with pytest.raises(ValueError, match="'gpu-zero' is not a device name"):
        distribute.get_strategy(strategy, ["gpu-zero"])


def test_one_device_takes_one_device():
    with pytest.raises(ValueError, match="takes one device; got 2"):
        distribute.get_strategy("one_device", ["/cpu:0", "/cpu:1"])


def test_config_json_records_what_ran(base_run):
    run = json.loads((base_run / "config.json").read_text())["run"]
    expected = "/gpu:0" if tf.config.list_physical_devices("GPU") else "/cpu:0"
    assert run["devices_used"] == [expected] and run["xla"] is False
    strategy = distribute.get_strategy("mirrored", ["/cpu:0", "/cpu:1"])
    assert distribute.describe_devices(strategy) == ["/cpu:0", "/cpu:1"]


# ------------------------------------------------------------------------------ 10. quiet
