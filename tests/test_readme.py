"""Every README snippet runs as printed (what a user saw: a CycleGAN snippet used a name it never
defined).

Python blocks run in order in fresh processes sharing one working directory, as a user pasting
them would, with only the training length cut (`epochs=5` → 1, `steps_per_epoch=200` → 2) and
TFDS pointed at a private data directory; the serving client reads `runs/demo/saved_model`,
which `make demo` leaves, here the first block's export. Command lines: every
`python examples/<script>.py ...` line's flags are parsed by that script, and the training
commands' settings resolved as `--dry_run` would (no training).
"""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(REPO_ROOT, "README.md")
SHORTER = ((r"\bepochs=\d+", "epochs=1"), (r"\bsteps_per_epoch=\d+", "steps_per_epoch=2"))


def readme_blocks(language: str) -> list[str]:
    with open(README, encoding="utf-8") as f:
        text = f.read()
    return [
        body for lang, body in re.findall(r"```(\w*)\n(.*?)```", text, re.S) if lang == language
    ]


def readme_command_lines() -> list[tuple[str, list[str]]]:
    """`(script, argv)` of the README's `python examples/<script>.py` lines, in README order."""
    lines = []
    for block in readme_blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            match = re.match(r"python examples/(\w+)\.py (.*)", line)
            if match and "..." not in line:
                lines.append((match.group(1), match.group(2).split()))
    return lines


def readme_commands() -> dict[str, list[list[str]]]:
    """`{script: [argv, ...]}` of the README's command lines (`$HOME` expanded)."""
    commands: dict[str, list[list[str]]] = {}
    for script, args in readme_command_lines():
        commands.setdefault(script, []).append([os.path.expandvars(arg) for arg in args])
    return commands


def _run(code: str, cwd: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
    )


def test_the_readme_has_snippets_to_check():
    assert len(readme_blocks("python")) >= 5
    commands = readme_commands()
    assert len(commands["train"]) >= 8 and commands["generate"] and commands["evaluate"]


@pytest.mark.slow
def test_python_snippets_run_as_printed(tmp_path):
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "CUDA_VISIBLE_DEVICES": "",
        "TFDS_DATA_DIR": str(tmp_path / "tensorflow_datasets"),
        "PYTHONPATH": REPO_ROOT,
    }
    work = tmp_path / "work"
    work.mkdir()
    for index, block in enumerate(readme_blocks("python")):
        code = block
        for pattern, replacement in SHORTER:
            code = re.sub(pattern, replacement, code)
        done = _run(code, str(work), env)
        assert done.returncode == 0, (
            f"README python block {index + 1}:\n{block}\n{done.stderr[-3000:]}"
        )
        demo = work / "runs" / "demo" / "saved_model"
        if "export_generator(" in code and not demo.exists():  # what `make demo` leaves
            shutil.copytree(work / "out" / "saved_model", demo)


CHECK_FLAGS = r"""
import importlib.util, json, os, sys
script, commands = sys.argv[1], json.loads(sys.argv[2])
spec = importlib.util.spec_from_file_location("cli", os.path.join("examples", script + ".py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
for args in commands:
    module.FLAGS.unparse_flags()
    module.FLAGS([script, *args])  # raises on an unknown flag or a bad value
    if script == "train":
        from gan_zoo import training
        config = module.config_from_flags()
        if not (config.dataset or "").startswith("folder:"):  # the user's folder, not here
            training.resolve(config)
print("ok", len(commands))
"""


@pytest.mark.parametrize("script", ["train", "generate", "evaluate"])
def test_command_lines_parse_and_resolve(script):
    commands = readme_commands()[script]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    done = _run(CHECK_FLAGS, REPO_ROOT, env, script, json.dumps(commands))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == f"ok {len(commands)}"


def _shorter(script: str, args: list[str]) -> list[str]:
    """The command with the training and measuring cut short, where a flag allows."""
    if script == "train" and "--dry_run" not in args:
        args = [a for a in args if not a.startswith(("--epochs=", "--steps_per_epoch="))]
        args += ["--epochs=1", "--steps_per_epoch=1", "--num_samples=4", "--verbose=0"]
        if any(a.startswith("--dataset=folder:") for a in args):
            args.append("--batch_size=4")  # the folder made here holds 8 photos
    if script == "evaluate":
        args = [a for a in args if not a.startswith("--num_samples=")]
        args += ["--num_samples=64", "--kid_subsets=4"]
    return args


def _png(path, shape, value) -> None:
    import numpy as np
    from PIL import Image

    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = np.full(shape, value, np.uint8)
    Image.fromarray(image.squeeze()).save(path)


@pytest.mark.slow
def test_command_lines_run_in_readme_order(tmp_path):
    """Every `python examples/...` line, in order, in a directory of its own: the training
    commands for one step (the generate and evaluate lines after them read their runs). What
    a user brings is made here: `$HOME/photos` (8 colour photos) and `my_thin_digits/`; and
    `runs/demo`, which `make demo` leaves, by the demo's own command cut to one step."""
    work = tmp_path / "work"
    work.mkdir()
    os.symlink(os.path.join(REPO_ROOT, "examples"), work / "examples")
    home = tmp_path / "home"
    for i in range(8):
        _png(str(home / "photos" / f"{i}.png"), (80, 64, 3), 30 * i)
    for i in range(4):
        _png(str(work / "my_thin_digits" / f"{i}.png"), (32, 32), 60 * i)
    env = {
        **os.environ,
        "HOME": str(home),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "CUDA_VISIBLE_DEVICES": "",
        "TFDS_DATA_DIR": str(tmp_path / "tensorflow_datasets"),
    }
    demo = ["--preset=dcgan_digits", "--out_dir=runs/demo"]
    lines = [("train", demo), *readme_command_lines()]
    for script, args in lines:
        args = _shorter(script, [os.path.expandvars(a.replace("$HOME", str(home))) for a in args])
        done = subprocess.run(
            [sys.executable, os.path.join("examples", f"{script}.py"), *args],
            capture_output=True,
            text=True,
            cwd=str(work),
            env=env,
            timeout=600,
        )
        assert done.returncode == 0, (script, args, done.stderr[-3000:])
