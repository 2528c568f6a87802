"""The example scripts (`gan-zoo` subcommands run from a checkout) as a user runs them:
separate processes, flags, files on disk. `gan-zoo` itself: test_console.py."""

import json
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TRAIN = os.path.join(REPO_ROOT, "examples", "train.py")
GENERATE = os.path.join(REPO_ROOT, "examples", "generate.py")
EVALUATE = os.path.join(REPO_ROOT, "examples", "evaluate.py")
EXPORT = os.path.join(REPO_ROOT, "examples", "export.py")


def run(script, *args, timeout=300):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, script, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO_ROOT,
    )


def test_help_is_readable():
    result = run(TRAIN, "--help")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    for text in (
        "--preset",
        "[model]",
        "[training]",
        "[infrastructure]",
        "dcgan_digits",
        "--dry_run",
        "--strategy",
        "--restart",
        "--nan_policy",
        "--mixed_precision",
        "--helpfull",
    ):
        assert text in result.stdout, text
    assert "GAN_ZOO_" not in result.stdout  # test-only hooks are not user documentation
    assert len(result.stdout.splitlines()) < 100


@pytest.mark.parametrize("script", [TRAIN, GENERATE, EVALUATE, EXPORT])
@pytest.mark.parametrize("flag", ["--help", "-h", "--helpfull"])
def test_help_exits_0_with_the_programs_flags(script, flag):
    """What a user saw: --help printed 140 lines of absl's flags and exited with status 1."""
    done = subprocess.run(
        [sys.executable, script, flag], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == "", done.stderr[-2000:]  # TensorFlow's native lines filtered too
    assert "--model_dir" in done.stdout or "--preset" in done.stdout or "--run_dir" in done.stdout
    if flag == "--helpfull":
        assert "absl logging flags:" in done.stdout and "--verbosity" in done.stdout
    else:
        assert "more flags: --helpfull lists every flag" in done.stdout


@pytest.mark.parametrize("script", ["train", "generate", "evaluate", "export"])
def test_help_does_not_import_tensorflow(script):
    """--help took 12 s: TensorFlow's import. -X importtime lists every module imported.

    Needs `import gan_zoo` not to import TensorFlow (gan_zoo/__init__.py), as the subcommand
    modules are in the gan_zoo package; train's flags also need `gan_zoo.training.TrainConfig`
    importable without it.
    """
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            os.path.join(REPO_ROOT, "examples", f"{script}.py"),
            "--help",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "tensorflow" not in imported, f"gan-zoo {script} --help imported TensorFlow"
    assert "--" in done.stdout


def test_train_flags_are_the_config_fields():
    """Every TrainConfig field is a flag with the field's default and choices (config_flags),
    and the choices are the library's. In a FlagValues of its own: absl's global FLAGS of this
    process stays free of train's flags."""
    import dataclasses

    from absl import flags

    from gan_zoo import distribute, precision, training
    from gan_zoo.cli import config_flags, train

    flag_values = flags.FlagValues()
    defined = config_flags.define_flags(training.TrainConfig, flag_values, "test")
    fields = dataclasses.fields(training.TrainConfig)
    assert [spec.field for spec in defined] == [field.name for field in fields]
    for spec, field in zip(defined, fields, strict=True):
        assert spec.flag in flag_values, spec
        assert field.metadata["help"] in flag_values[spec.flag].help, spec.flag
        if "choices" in field.metadata and spec.kind == "enum":
            values = flag_values[spec.flag].parser.enum_values
            assert values == [str(choice) for choice in field.metadata["choices"]]
        grouped = {name for names in train.GROUPS.values() for name in names}
        assert spec.flag in grouped, f"--{spec.flag} is in no group of gan_zoo.cli.train"
    assert flag_values["strategy"].parser.enum_values == list(distribute.STRATEGIES)
    assert flag_values["mixed_precision"].parser.enum_values == list(precision.POLICIES)
    assert flag_values["nan_policy"].parser.enum_values == list(training.NAN_POLICIES)
    # The literal choices of gan_zoo.training.config (kept free of TensorFlow for --help) are
    # the library's own.
    from gan_zoo import engine  # noqa: PLC0415
    from gan_zoo.data import folder  # noqa: PLC0415

    assert training.NAN_POLICIES == engine.NAN_POLICIES
    assert training.config.CORRUPT_IMAGES == folder.CORRUPT_IMAGES
    assert flag_values["corrupt_images"].parser.enum_values == list(folder.CORRUPT_IMAGES)
    flag_values(["train"])
    config = config_flags.config_from_flags(training.TrainConfig, defined, flag_values)
    assert config == training.TrainConfig()
    flag_values.unparse_flags()
    flag_values(
        [
            "train",
            "--override=latent_dim=64",
            "--override=loss=hinge",
            "--devices=/cpu:0,/cpu:1",
            "--nojit_compile",
            "--verbose=2",
            "--epochs=3",
        ]
    )
    config = config_flags.config_from_flags(training.TrainConfig, defined, flag_values)
    assert config == training.TrainConfig(
        overrides={"latent_dim": 64, "loss": "hinge"},
        devices=["/cpu:0", "/cpu:1"],
        jit_compile=False,
        verbose=2,
        epochs=3,
    )


def test_an_unknown_preset_lists_the_presets(tmp_path):
    result = run(TRAIN, "--preset=dcgan_digitz", f"--out_dir={tmp_path / 'run'}", "--dry_run")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "dcgan_digitz" in result.stderr and "dcgan_digits" in result.stderr
    assert not (tmp_path / "run").exists()


def test_dry_run_prints_the_resolved_config_and_writes_nothing(tmp_path):
    out_dir = tmp_path / "never"
    result = run(
        TRAIN,
        "--preset=gan_ring8",
        "--epochs=3",
        "--override=latent_dim=32",
        f"--out_dir={out_dir}",
        "--dry_run",
        "--jit_compile=auto",
    )
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)
    assert resolved["preset"]["epochs"] == 3 and resolved["preset"]["latent_dim"] == 32
    assert resolved["run"]["jit_compile"] == "auto"
    assert resolved["preset"]["batch_size"] == 512
    assert not out_dir.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset=dcgan_mnsit"], "Unknown preset 'dcgan_mnsit'; expected one of: acgan_digits"),
        (["--strategy=tpuu"], "flag --strategy=tpuu: value should be one of"),
        (["--override=latnt_dim=3"], "error: Unknown preset setting(s) latnt_dim"),
        (["--override=oops"], "error: --override expects key=value"),
        (["--batch_size=0"], "error: batch_size must be a positive integer; got 0"),
        (["--nan_policy=ignore"], "flag --nan_policy=ignore: value should be one of <stop|skip>"),
        (["--mixed_precision=fp16"], "flag --mixed_precision=fp16: value should be one of"),
        (["--jit_compile=maybe"], "flag --jit_compile=maybe: expected true, false or auto"),
    ],
)
def test_bad_flags_get_one_line_errors(args, message):
    result = run(TRAIN, *args, "--dry_run")
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


TINY_MLP_FLAGS = [
    "--preset=gan_digits",
    "--steps_per_epoch=2",
    "--batch_size=64",
    "--num_samples=4",
    "--override=latent_dim=4",
    '--override=generator_kwargs={"hidden_units": [16]}',
    '--override=discriminator_kwargs={"hidden_units": [16]}',
    "--export=false",
    "--verbose=0",
]


def test_resuming_a_run_directory_of_another_preset_is_a_one_line_error(tmp_path, tfds_data_dir):
    out_dir = tmp_path / "ring"
    out_dir.mkdir()
    (out_dir / "config.json").write_text(json.dumps({"preset": {"name": "gan_ring8"}, "run": {}}))
    (out_dir / "history.json").write_text(json.dumps({"d_loss": [1.0]}))
    result = run(TRAIN, *TINY_MLP_FLAGS, f"--out_dir={out_dir}", f"--data_dir={tfds_data_dir}")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == (
        f"error: {out_dir} holds a run of preset 'gan_ring8', not 'gan_digits': a run resumes "
        "with its own preset; pass --restart to start over there, or use another --out_dir"
    )
    assert "Traceback" not in result.stderr
    assert json.loads((out_dir / "config.json").read_text())["preset"]["name"] == "gan_ring8"


def test_divergence_exits_3_keeps_the_checkpoint_and_restart_starts_over(tmp_path, tfds_data_dir):
    out_dir = tmp_path / "run"
    common = [*TINY_MLP_FLAGS, f"--out_dir={out_dir}", f"--data_dir={tfds_data_dir}"]
    result = run(TRAIN, *common, "--epochs=1")
    assert result.returncode == 0, result.stderr[-3000:]
    # Resumed with absurd learning rates: step 3, the first of epoch 2, overflows.
    result = run(
        TRAIN,
        *common,
        "--epochs=3",
        "--override=g_learning_rate=1e37",
        "--override=d_learning_rate=1e37",
    )
    assert result.returncode == 3, result.stderr[-3000:]
    assert "resuming" in result.stdout and "from epoch 1 (step 2)" in result.stdout
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: training diverged: ") and "at step 3 (epoch 2)" in error
    assert f"the last good checkpoint, {out_dir / 'checkpoints' / 'ckpt-1'}, is kept" in error
    assert "--nan_policy=skip" in error and "Traceback" not in result.stderr
    assert sorted(os.listdir(out_dir / "checkpoints")) == [
        "checkpoint",
        "ckpt-1.data-00000-of-00001",
        "ckpt-1.index",
    ]
    result = run(TRAIN, *common, "--epochs=2", "--restart")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "resuming" not in result.stdout
    history = json.loads((out_dir / "history.json").read_text())
    assert len(history["d_loss"]) == 2


def test_train_then_generate_from_the_saved_model_alone(tmp_path, tfds_data_dir):
    out_dir = tmp_path / "run"
    training_flags = [
        "--preset=dcgan_digits",
        f"--out_dir={out_dir}",
        "--epochs=1",
        "--steps_per_epoch=2",
        "--batch_size=8",
        f"--data_dir={tfds_data_dir}",
        "--override=latent_dim=8",
        '--override=generator_kwargs={"base_filters": 4}',
        '--override=discriminator_kwargs={"base_filters": 4}',
        "--verbose=0",
    ]
    result = run(TRAIN, *training_flags)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "SavedModel:" in result.stdout and "sample grid:" in result.stdout
    assert "trained dcgan_digits in " in result.stdout
    # The same command again: nothing to train, and it says so without claiming otherwise.
    again = run(TRAIN, *training_flags, "--export=false")
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{out_dir} has finished all 1 epochs; nothing to train" in again.stdout
    assert "trained dcgan_digits" not in again.stdout and "None" not in again.stdout
    assert "last epoch of the run: d_fake=" in again.stdout
    assert f"sample grid:    {out_dir / 'samples' / 'latest.png'}" in again.stdout
    for name in (
        "config.json",
        "history.json",
        "loss_curves.png",
        "samples/epoch_0001.png",
        "checkpoints/checkpoint",
        "saved_model/saved_model.pb",
    ):
        assert (out_dir / name).exists(), name
    # generate.py needs only the SavedModel directory, moved away from the run.
    moved = tmp_path / "only_the_model"
    os.rename(out_dir / "saved_model", moved)
    grid = tmp_path / "grid.png"
    result = run(
        GENERATE,
        f"--model_dir={moved}",
        "--num=16",
        "--seed=1",
        f"--output={grid}",
        f"--npy={tmp_path / 'samples.npy'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert grid.stat().st_size > 1000
    import numpy as np

    samples = np.load(tmp_path / "samples.npy")
    assert samples.shape == (16, 32, 32, 1) and samples.dtype == np.uint8


def test_generate_without_a_saved_model_is_a_clear_error(tmp_path):
    result = run(GENERATE, f"--model_dir={tmp_path}")
    assert result.returncode == 2
    assert "no SavedModel" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow  # ~35-60 s; the families' steps are in make test, the CLI path by DCGAN
def test_conditional_preset_trains_and_generates_by_label(tmp_path, tfds_data_dir):
    out_dir = tmp_path / "cgan"
    result = run(
        TRAIN,
        "--preset=acgan_digits",
        f"--out_dir={out_dir}",
        "--epochs=1",
        "--steps_per_epoch=2",
        "--batch_size=8",
        f"--data_dir={tfds_data_dir}",
        "--num_samples=20",
        "--override=latent_dim=8",
        '--override=generator_kwargs={"base_filters": 4}',
        '--override=discriminator_kwargs={"base_filters": 4}',
        "--verbose=0",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = tmp_path / "rows.png"
    result = run(
        GENERATE,
        f"--model_dir={out_dir}",
        "--labels=rows",
        "--num=20",
        f"--output={rows}",
        f"--npy={tmp_path / 'rows.npy'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "wrote 20 samples" in result.stdout
    result = run(GENERATE, f"--model_dir={out_dir}", "--labels=3,11", f"--output={rows}")
    assert result.returncode == 2 and "--labels must be in [0, 10)" in result.stderr


@pytest.mark.slow  # ~35-60 s; the families' steps are in make test, the CLI path by DCGAN
def test_cyclegan_trains_then_translates_a_folder(tmp_path, tfds_data_dir):
    out_dir = tmp_path / "run"
    result = run(
        TRAIN,
        "--preset=cyclegan_digits_thickness",
        f"--out_dir={out_dir}",
        "--epochs=1",
        "--steps_per_epoch=2",
        "--batch_size=2",
        '--override=generator_kwargs={"base_filters": 4, "num_residual_blocks": 1}',
        '--override=discriminator_kwargs={"base_filters": 4, "num_layers": 2}',
        f"--data_dir={tfds_data_dir}",
        "--verbose=0",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out_dir / "translation.json").exists()
    import numpy as np
    import tensorflow as tf

    inputs = tmp_path / "thin" / "nested"
    inputs.mkdir(parents=True)
    images = np.random.RandomState(0).randint(0, 256, size=(3, 32, 32, 1)).astype(np.uint8)
    for index, image in enumerate(images):
        tf.io.write_file(str(inputs / f"digit_{index}.png"), tf.io.encode_png(image))
    translated_dir = tmp_path / "thick"
    result = run(
        GENERATE,
        f"--model_dir={out_dir}",
        f"--input_dir={tmp_path / 'thin'}",
        "--direction=a_to_b",
        f"--output_dir={translated_dir}",
        f"--output={tmp_path / 'grid.png'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "translated 3 images [32, 32, 1] a_to_b" in result.stdout
    assert (tmp_path / "grid.png").exists()
    written = sorted(p.name for p in (translated_dir / "nested").iterdir())
    assert written == ["digit_0.png", "digit_1.png", "digit_2.png"]
    first = tf.io.decode_png(tf.io.read_file(str(translated_dir / "nested" / "digit_0.png")))
    assert first.shape == (32, 32, 1) and first.dtype == tf.uint8

    # A colour image of another size is a one-line error naming both shapes.
    tf.io.write_file(str(inputs / "big.png"), tf.io.encode_png(np.zeros((40, 40, 3), np.uint8)))
    result = run(
        GENERATE,
        f"--model_dir={out_dir}",
        f"--input_dir={tmp_path / 'thin'}",
        f"--output_dir={translated_dir}",
    )
    assert result.returncode == 2
    assert "is 40x40x3 (HxWxC); the model takes 32x32x1 images" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # ~35-60 s; the families' steps are in make test, the CLI path by DCGAN
def test_stylegan_trains_then_samples_with_truncation_and_mixing(tmp_path, tfds_data_dir):
    out_dir = tmp_path / "run"
    result = run(
        TRAIN,
        "--preset=stylegan_digits",
        f"--out_dir={out_dir}",
        "--epochs=1",
        "--steps_per_epoch=2",
        "--batch_size=4",
        "--override=latent_dim=8",
        '--override=generator_kwargs={"w_dim": 8, "mapping_layers": 2, "channel_base": 64, '
        '"channel_max": 8}',
        '--override=discriminator_kwargs={"channel_base": 64, "channel_max": 8}',
        f"--data_dir={tfds_data_dir}",
        "--verbose=0",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import numpy as np

    psi_zero = tmp_path / "psi0.npy"
    result = run(
        GENERATE,
        f"--model_dir={out_dir}",
        "--num=4",
        "--truncation_psi=0",
        f"--output={tmp_path / 'psi0.png'}",
        f"--npy={psi_zero}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    samples = np.load(psi_zero)
    assert samples.shape == (4, 32, 32, 1)
    # ψ = 0: one image. Every row is synthesized from w̄ in one batch; rows of a batch may take
    # other kernel paths, so to the synthesis network's round-off (the same network built here).
    from harness import assert_close, network_terms

    from gan_zoo import presets

    generator_kwargs = {"w_dim": 8, "mapping_layers": 2, "channel_base": 64, "channel_max": 8}
    network = presets.build(
        "stylegan_digits", latent_dim=8, generator_kwargs=generator_kwargs
    ).generator.synthesis
    for sample in samples[1:]:
        assert_close(sample, samples[0], terms=network_terms(network), err_msg="ψ = 0 samples")
    result = run(
        GENERATE,
        f"--model_dir={out_dir}",
        "--mix_row_seeds=1,2",
        "--mix_column_seeds=3,4,5",
        "--coarse_styles=4",
        f"--output={tmp_path / 'mixing.png'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "wrote a 2x3 style-mixing grid" in result.stdout
    assert (tmp_path / "mixing.png").stat().st_size > 500
    result = run(
        GENERATE,
        f"--model_dir={out_dir}",
        "--num=3",
        "--truncation_sweep=1,0.5,0",
        f"--output={tmp_path / 'sweep.png'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "wrote a truncation sweep (psi 1, 0.5, 0)" in result.stdout
    # The flag errors are tested in process: tests/examples/test_generate_flags.py.
