"""Bad input, one table (issue 8, point 4): each case must fail with one line that names the bad
value and what is allowed.

`CASES` are called in process. gan_zoo's own errors are ValueErrors whose whole message is one
line. Errors raised by TensorFlow inside an exported SavedModel (`InvalidArgumentError`,
`TypeError`) are multi-line by TensorFlow's making (a "Graph execution error" header, node
names); for those, one line of the message must hold every expected fragment. `CLI_CASES` run
the example scripts as a user does (a few seconds each) and check stderr: one line, no traceback,
a non-zero exit. The other flag errors of the scripts are in tests/examples/test_cli.py and
tests/examples/test_generate_flags.py.
"""

import dataclasses
import logging
import os
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
import tensorflow as tf

from gan_zoo import distribute, export, presets, training
from gan_zoo.data import make_dataset

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LATENT = 8
SMALL = {"generator_kwargs": {"base_filters": 4}, "discriminator_kwargs": {"base_filters": 4}}


@dataclasses.dataclass(frozen=True)
class Env:
    """What the cases need: a scratch folder, two exported models, a 2-replica strategy."""

    tmp: str
    dcgan: str  # SavedModel of an unconditional image generator, latent size 8.
    cgan_model: object  # A ConditionalGAN, 10 classes, latent size 8.
    cgan: str  # Its SavedModel.
    mirrored: tf.distribute.Strategy


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("saved")
    dcgan = presets.build("dcgan_digits", latent_dim=LATENT, **SMALL)
    cgan = presets.build("cgan_digits", latent_dim=LATENT, **SMALL)
    return {
        "dcgan": export.export_generator(dcgan, str(root / "dcgan")),
        "cgan_model": cgan,
        "cgan": export.export_generator(cgan, str(root / "cgan")),
        "mirrored": distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"]),
    }


@pytest.fixture
def env(saved, tmp_path):
    return Env(tmp=str(tmp_path), **saved)


# ----------------------------------------------------------------------------- helpers


def png(path: str, height: int = 8, width: int = 8, channels: int = 1) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = np.full((height, width, channels), 100, np.uint8)
    tf.io.write_file(path, tf.io.encode_png(image))
    return path


def folder(env: Env, files: dict[str, object]) -> str:
    """Writes `files` (relative path → (H, W, C) for a PNG, or bytes) under a new folder."""
    root = os.path.join(env.tmp, "images")
    os.makedirs(root, exist_ok=True)
    for relative, content in files.items():
        path = os.path.join(root, relative)
        if isinstance(content, bytes):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
        else:
            png(path, *content)
    return f"folder:{root}"


def generate_script():
    """The image-folder functions `generate` uses (`list_images`, `load_images`)."""
    from gan_zoo.cli import image_files  # noqa: PLC0415 (defines no flags)

    return image_files


def truncated_png() -> bytes:
    """The first half of a valid PNG file, as an interrupted copy leaves it."""
    data = tf.io.encode_png(np.zeros((8, 8, 1), np.uint8)).numpy()
    return data[: len(data) // 2]


def serve(path: str):
    """A fresh load of the SavedModel's `serving_default` signature."""
    return tf.saved_model.load(path).signatures["serving_default"]


def restored(path: str):
    """A fresh load of the restored `serving_default` function (positional arguments)."""
    return tf.saved_model.load(path).serving_default


def noise(*shape, dtype=tf.float32):
    return tf.zeros(shape, dtype)


def labels(*values, dtype=tf.int32):
    return tf.constant(values, dtype)


# ----------------------------------------------------------------------------- the table


@dataclasses.dataclass(frozen=True)
class Case:
    """One bad input: `call(env)` must raise `error` with every fragment in one line."""

    id: str
    call: Callable[[Env], object]
    fragments: tuple[str, ...]
    error: type[Exception] = ValueError


def _replace(**overrides):
    return lambda env: presets.get_preset("dcgan_digits").replace(**overrides)


CASES = [
    # Unknown names: preset, setting, algorithm/loss, dataset, strategy, split, options.
    Case(
        "unknown preset",
        lambda env: presets.get_preset("dcgan_mnsit"),
        ("Unknown preset 'dcgan_mnsit'", "expected one of:", "dcgan_digits"),
    ),
    Case(
        "unknown preset setting",
        _replace(latnt_dim=3),
        ("Unknown preset setting(s) latnt_dim", "latent_dim"),
    ),
    Case("unknown loss", _replace(loss="hinj"), ("Unknown loss 'hinj'", "non_saturating")),
    Case("unknown algorithm", _replace(algorithm="wgann"), ("Unknown algorithm 'wgann'", "wgan")),
    Case(
        "unknown preset through training.resolve",
        lambda env: training.resolve(training.TrainConfig(preset="nope")),
        ("Unknown preset 'nope'", "dcgan_digits"),
    ),
    Case(
        "unknown dataset",
        lambda env: make_dataset("no_such_dataset_xyz", data_dir=env.tmp),
        ("unknown dataset 'no_such_dataset_xyz'", "gan_zoo_digits", "folder:PATH"),
    ),
    Case(
        "unknown gaussian mixture",
        lambda env: make_dataset("gaussian_mixture/ring7", data_dir=env.tmp),
        ("unknown gaussian mixture 'gaussian_mixture/ring7'", "gaussian_mixture/ring8"),
    ),
    Case(
        "unknown dataset through training.train (no run directory)",
        lambda env: training.train(
            training.TrainConfig(
                dataset="no_such_dataset_xyz",
                out_dir=os.path.join(env.tmp, "run"),
                data_dir=env.tmp,
            )
        ),
        ("unknown dataset 'no_such_dataset_xyz'", "gan_zoo_digits"),
    ),
    Case(
        "unknown strategy",
        lambda env: distribute.get_strategy("tpuu"),
        ("Unknown strategy 'tpuu'", "default, one_device, mirrored"),
    ),
    Case(
        "unknown corrupt_images value",
        lambda env: make_dataset(folder(env, {"a.png": (8, 8, 1)}), corrupt_images="ignore"),
        ("corrupt_images must be one of 'error', 'skip'", "'ignore'"),
    ),
    Case(
        "bad channels",
        lambda env: make_dataset("gan_zoo_digits", channels=2, data_dir=env.tmp),
        ("channels must be 1, 3 or None", "got 2"),
    ),
    Case(
        "folder split other than train",
        lambda env: make_dataset(folder(env, {"a.png": (8, 8, 1)}), split="test"),
        ("only the 'train' split", "split='test'"),
    ),
    # Negative, zero and non-integer sizes.
    *[
        Case(
            f"{field}={value!r}",
            _replace(**{field: value}),
            (f"{field} must be a positive integer; got {value!r}",),
        )
        for field, value in (
            ("batch_size", 0),
            ("epochs", -1),
            ("image_size", 0),
            ("latent_dim", 0),
            ("steps_per_epoch", 0),
            ("batch_size", 2.5),
            ("batch_size", "64"),
        )
    ],
    Case(
        "learning rate 0",
        _replace(g_learning_rate=0.0),
        ("g_learning_rate must be a positive number; got 0.0",),
    ),
    Case(
        "non-integer --override=batch_size=abc (training.resolve)",
        lambda env: training.resolve(training.TrainConfig(overrides={"batch_size": "abc"})),
        ("batch_size must be a positive integer; got 'abc'",),
    ),
    Case(
        "epochs through training.resolve",
        lambda env: training.resolve(training.TrainConfig(epochs=-1)),
        ("epochs must be a positive integer; got -1",),
    ),
    Case(
        "make_dataset batch_size 0",
        lambda env: make_dataset("gan_zoo_digits", batch_size=0, data_dir=env.tmp),
        ("batch_size must be a positive integer, got 0",),
    ),
    Case(
        "make_dataset image_size -1",
        lambda env: make_dataset("gan_zoo_digits", image_size=-1, data_dir=env.tmp),
        ("image_size must be a positive integer, got -1",),
    ),
    Case(
        "generate 0 samples",
        lambda env: env.cgan_model.generate(0),
        ("number of samples must be positive; got 0",),
    ),
    # Batches and replicas.
    Case(
        "batch not divisible by replicas",
        lambda env: distribute.check_global_batch(63, env.mirrored),
        ("batch_size 63", "not divisible by the 2 replicas", "use a multiple of 2"),
    ),
    Case(
        "global batch 0",
        lambda env: distribute.check_global_batch(0, env.mirrored),
        ("batch_size must be a positive integer; got 0",),
    ),
    # Image folders.
    Case(
        "missing folder",
        lambda env: make_dataset(f"folder:{env.tmp}/nope"),
        ("does not exist", "needs a directory of image files (.bmp .gif .jpeg .jpg .png)"),
    ),
    Case(
        "folder path is a file",
        lambda env: make_dataset(f"folder:{png(os.path.join(env.tmp, 'one.png'))}"),
        ("is a file, not a folder", "needs a directory of image files"),
    ),
    Case(
        "empty folder",
        lambda env: make_dataset(f"folder:{env.tmp}"),
        ("is empty", "holds no image files (.bmp .gif .jpeg .jpg .png"),
    ),
    Case(
        "folder without images",
        lambda env: make_dataset(folder(env, {"notes/readme.txt": b"hello"})),
        ("holds no image files (.bmp", "only 1 other file(s) such as 'notes/readme.txt'"),
    ),
    Case(
        "mixed sizes without image_size",
        lambda env: make_dataset(folder(env, {"a.png": (8, 8, 1), "b.png": (9, 7, 1)})),
        ("2 different sizes", "a.png is 8x8", "b.png is 9x7", "pass image_size"),
    ),
    Case(
        "corrupt file (corrupt_images='error')",
        lambda env: make_dataset(folder(env, {"a.png": (8, 8, 1), "b.png": b"not a png"})),
        ("image file 'b.png'", "cannot be decoded", "1 of its 2", "corrupt_images='skip'"),
    ),
    Case(
        "truncated file (corrupt_images='error')",
        lambda env: make_dataset(folder(env, {"a.png": (8, 8, 1), "c.png": truncated_png()})),
        ("image file 'c.png'", "cannot be decoded", "corrupt_images='skip'"),
    ),
    Case(
        "every file corrupt (corrupt_images='skip')",
        lambda env: make_dataset(
            folder(env, {"a.png": b"x", "b.jpg": b"y"}), corrupt_images="skip"
        ),
        ("none of the 2 image files", "can be decoded", "'a.png'"),
    ),
    Case(
        "generate.py --input_dir that is missing",
        lambda env: generate_script().list_images(os.path.join(env.tmp, "nope")),
        ("--input_dir", "is not a directory of images"),
    ),
    Case(
        "generate.py --input_dir with a corrupt file",
        lambda env: generate_script().load_images(
            folder(env, {"x.png": b"not a png"})[len("folder:") :], ["x.png"], [8, 8, 1], False
        ),
        ("cannot decode image", "x.png", "Unknown image file format"),
    ),
    # Labels requested from a dataset without labels.
    Case(
        "labels from a flat folder",
        lambda env: make_dataset(folder(env, {"a.png": (8, 8, 1)}), with_labels=True),
        ("has no labels; pass with_labels=False", "every image lies in a class subfolder"),
    ),
    Case(
        "labels from a folder with files outside the class subfolders",
        lambda env: make_dataset(
            folder(env, {"cat/a.png": (8, 8, 1), "b.png": (8, 8, 1)}), with_labels=True
        ),
        ("has no labels", "some image files lie outside the class subfolders"),
    ),
    Case(
        "labels from an unpaired dataset",
        lambda env: make_dataset("digits_thickness", with_labels=True),
        ("unpaired dataset 'digits_thickness'", "without labels", "with_labels=False"),
    ),
    Case(
        "conditional preset on a flat folder (training.train)",
        lambda env: training.train(
            training.TrainConfig(
                preset="cgan_digits",
                dataset=folder(env, {"a.png": (32, 32, 1)}),
                out_dir=os.path.join(env.tmp, "run"),
            )
        ),
        ("has no labels", "every image lies in a class subfolder"),
    ),
    # A SavedModel called with the wrong shape or dtype (fresh loads of the signature).
    *[
        Case(
            f"SavedModel noise {shape}",
            lambda env, shape=shape: serve(env.dcgan)(noise=noise(*shape)),
            (f"noise must be float32 [N, {LATENT}]; got shape", got),
            tf.errors.InvalidArgumentError,
        )
        for shape, got in (([2, 7], "[2 7]"), ([8], "[8]"), ([2, 8, 1], "[2 8 1]"))
    ],
    Case(
        "SavedModel noise int32",
        lambda env: serve(env.dcgan)(noise=noise(2, LATENT, dtype=tf.int32)),
        ("expected to be a float tensor but is a int32 tensor",),
        tf.errors.InvalidArgumentError,
    ),
    Case(
        "SavedModel noise float64",
        lambda env: serve(env.dcgan)(noise=noise(2, LATENT, dtype=tf.float64)),
        ("expected to be a float tensor but is a double tensor",),
        tf.errors.InvalidArgumentError,
    ),
    Case(
        "restored function, noise of another latent size",
        lambda env: restored(env.dcgan)(noise(2, 7)),
        (
            "Can not cast TensorSpec(shape=(2, 7), dtype=tf.float32, name='noise') to "
            f"TensorSpec(shape=(None, {LATENT}), dtype=tf.float32, name='noise')",
        ),
        TypeError,
    ),
    Case(
        "restored function, int32 noise",
        lambda env: restored(env.dcgan)(noise(2, LATENT, dtype=tf.int32)),
        ("Can not cast TensorSpec(shape=(2, 8), dtype=tf.int32", "dtype=tf.float32"),
        TypeError,
    ),
    Case(
        "conditional SavedModel, noise of another latent size",
        lambda env: serve(env.cgan)(noise=noise(2, 7), labels=labels(0, 1)),
        (f"noise must be float32 [N, {LATENT}]; got shape", "[2 7]"),
        tf.errors.InvalidArgumentError,
    ),
    Case(
        "conditional SavedModel, labels [N, 1]",
        lambda env: serve(env.cgan)(noise=noise(2, LATENT), labels=tf.zeros([2, 1], tf.int32)),
        ("labels must be int32 [N]; got shape", "[2 1]"),
        tf.errors.InvalidArgumentError,
    ),
    Case(
        "conditional SavedModel, int64 labels",
        lambda env: serve(env.cgan)(noise=noise(2, LATENT), labels=labels(0, 1, dtype=tf.int64)),
        ("expected to be a int32 tensor but is a int64 tensor",),
        tf.errors.InvalidArgumentError,
    ),
    Case(
        "conditional SavedModel, labels and noise of different lengths",
        lambda env: serve(env.cgan)(noise=noise(2, LATENT), labels=labels(0)),
        ("labels and noise must have the same length N",),
        tf.errors.InvalidArgumentError,
    ),
    # Out-of-range class labels.
    Case(
        "SavedModel label 10 of 10 classes",
        lambda env: serve(env.cgan)(noise=noise(2, LATENT), labels=labels(0, 10)),
        ("labels must be < num_classes = 10",),
        tf.errors.InvalidArgumentError,
    ),
    Case(
        "SavedModel label -1",
        lambda env: serve(env.cgan)(noise=noise(2, LATENT), labels=labels(0, -1)),
        ("labels must be >= 0",),
        tf.errors.InvalidArgumentError,
    ),
    Case(
        "generate(labels=) out of range",
        lambda env: env.cgan_model.generate(2, labels=[0, 12]),
        ("labels must be in [0, 10); got values from 0 to 12",),
    ),
    Case(
        "generate(labels=) not integers",
        lambda env: env.cgan_model.generate(2, labels=[0.5, 1.0]),
        ("labels must be 2 integers", "dtype float64"),
    ),
    Case(
        "generate() noise of another latent size",
        lambda env: env.cgan_model.generate(np.zeros((2, 7), np.float32), labels=[0, 1]),
        (f"noise must have shape [N, {LATENT}]; got [2, 7]",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gets_a_one_line_error(case, env):
    with pytest.raises(case.error) as raised:
        case.call(env)
    message = str(raised.value)
    if case.error is ValueError:  # gan_zoo's own errors: the whole message is one line.
        assert "\n" not in message, message
        lines = [message]
    else:  # TensorFlow's: one line of it names the problem.
        lines = message.splitlines()
    assert any(all(f in line for f in case.fragments) for line in lines), message


def test_no_run_directory_after_bad_input(env):
    """The training cases above fail before `out_dir` is created."""
    for config in (
        training.TrainConfig(dataset="no_such_dataset_xyz", data_dir=env.tmp),
        training.TrainConfig(preset="cgan_digits", dataset=folder(env, {"a.png": (32, 32, 1)})),
    ):
        config.out_dir = os.path.join(env.tmp, "run")
        with pytest.raises(ValueError):
            training.train(config)
        assert not os.path.exists(config.out_dir)


def test_corrupt_files_are_skipped_with_a_count(env, caplog):
    """`corrupt_images="skip"`: the undecodable files are left out, labels stay aligned."""
    name = folder(
        env,
        {
            **{f"a/{i}.png": (8, 8, 1) for i in range(3)},
            "a/bad.png": b"not a png",
            "b/0.png": (8, 8, 3),
            "b/._0.jpg": b"\x00\x05\x16\x07",  # a macOS resource fork beside the image
        },
    )
    with caplog.at_level(logging.WARNING, logger="gan_zoo.data.pipeline"):
        ds = make_dataset(
            name, batch_size=1, with_labels=True, shuffle=False, corrupt_images="skip"
        )
    assert "skipped 2 of the 6 image files" in caplog.text
    assert "(first: 'a/bad.png'" in caplog.text
    found = [(image.shape, int(label)) for image, label in ds.unbatch()]
    assert found == [((8, 8, 3), 0)] * 3 + [((8, 8, 3), 1)]


def test_more_classes_than_the_conditional_preset_takes(env):
    """Labels 10 and 11 for a 10-class model: an error before training, not inside fit()."""
    name = folder(env, {f"c{c:02d}/{i}.png": (32, 32, 1) for c in range(12) for i in range(2)})
    config = training.TrainConfig(
        preset="cgan_digits",
        dataset=name,
        out_dir=os.path.join(env.tmp, "run"),
        epochs=1,
        batch_size=8,
        verbose=0,
        export=False,
        overrides={"latent_dim": LATENT, **SMALL},
    )
    with pytest.raises(ValueError) as raised:
        training.train(config)
    message = str(raised.value)
    assert "\n" not in message
    assert f"dataset {name!r} has 12 classes" in message
    assert "num_classes=10" in message and "--override=num_classes=12" in message
    assert not os.path.exists(config.out_dir)


def test_train_passes_corrupt_images_to_the_folder_reader(env):
    """`TrainConfig.corrupt_images` (`--corrupt_images`): an error naming the file, or skipped."""
    name = folder(env, {f"{i}.png": (32, 32, 1) for i in range(8)} | {"bad.png": b"not a png"})
    config = training.TrainConfig(
        preset="gan_digits",
        dataset=name,
        out_dir=os.path.join(env.tmp, "corrupt"),
        epochs=1,
        batch_size=4,
        verbose=0,
        export=False,
        overrides={"latent_dim": LATENT},
    )
    with pytest.raises(ValueError, match="image file 'bad.png' .* cannot be decoded"):
        training.train(config)
    assert not os.path.exists(config.out_dir)
    summary = training.train(dataclasses.replace(config, corrupt_images="skip"))
    assert len(summary["history"]["d_loss"]) == 1  # trained on the 8 good files


# ----------------------------------------------------------------------------- the scripts


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        cwd=REPO_ROOT,
    )


TRAIN = os.path.join("examples", "train.py")
EVALUATE = os.path.join("examples", "evaluate.py")
CLI_CASES = [
    pytest.param(
        [TRAIN, "--dataset=no_such_dataset_xyz", "--out_dir={tmp}/run", "--data_dir={tmp}"],
        "error: unknown dataset 'no_such_dataset_xyz'; use gan_zoo_mnist, gan_zoo_digits",
        id="train: unknown dataset",
    ),
    pytest.param(
        [EVALUATE, "--model_dir={tmp}/nope"],
        "error: --model_dir '{tmp}/nope' is not a directory",
        id="evaluate: missing model directory",
    ),
]


@pytest.mark.parametrize(("args", "message"), CLI_CASES)
def test_scripts_print_one_line_errors(args, message, tmp_path):
    result = _run(*[arg.format(tmp=tmp_path) for arg in args])
    assert result.returncode == 2, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr[-2000:]
    assert errors[0].startswith(message.format(tmp=tmp_path)), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()
