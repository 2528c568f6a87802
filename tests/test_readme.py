"""Every snippet of the README and of `docs/*.md` runs as printed, and every link resolves (what
a user saw: a CycleGAN snippet used a name it never defined).

The pages are read in one order: README.md, then `docs/*.md` sorted by name. Python blocks run
in that order in fresh processes sharing one working directory, as a user pasting them would,
with only the training length cut (`epochs=5` → 1, `steps_per_epoch=200` → 2) and TFDS pointed
at a private data directory; the serving client reads `runs/demo/saved_model`, which `make demo`
leaves, here the README's first export. A block that is not meant to run on its own (a fragment
of a class, say) is marked by the line `<!-- not run -->` just above its fence. Command lines:
every `python examples/<script>.py ...` line of a `bash` block has its flags parsed by that
script, and the training commands' settings resolved as `--dry_run` would (no training); the
slow test runs each distinct line once, in page order, for one step. Links: every relative link
and image names an existing file, and a `#fragment` into a Markdown page names one of its
headings (GitHub's anchors).
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(REPO_ROOT, "README.md")
PAGES = [README, *sorted(glob.glob(os.path.join(REPO_ROOT, "docs", "*.md")))]
README_MAX_LINES = 280
SHORTER = ((r"\bepochs=\d+", "epochs=1"), (r"\bsteps_per_epoch=\d+", "steps_per_epoch=2"))
NOT_RUN = "<!-- not run -->"


def _name(page: str) -> str:
    return os.path.relpath(page, REPO_ROOT)


def _read(page: str) -> str:
    with open(page, encoding="utf-8") as f:
        return f.read()


def fenced_blocks(page: str) -> list[tuple[str, str, bool]]:
    """`(language, body, marked_not_run)` of the page's fenced code blocks, in page order."""
    blocks, lines, i = [], _read(page).split("\n"), 0
    while i < len(lines):
        opening = re.match(r"```(\w*)\s*$", lines[i])
        if not opening:
            i += 1
            continue
        marked = i > 0 and lines[i - 1].strip() == NOT_RUN
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        body = "".join(line + "\n" for line in lines[i + 1 : end])
        blocks.append((opening.group(1), body, marked))
        i = end + 1
    return blocks


def python_blocks(page: str) -> list[str]:
    """The page's Python blocks that run (all but those marked `<!-- not run -->`)."""
    return [body for lang, body, marked in fenced_blocks(page) if lang == "python" and not marked]


def command_lines(pages=PAGES) -> list[tuple[str, list[str]]]:
    """`(script, argv)` of the pages' `python examples/<script>.py` lines, in page order."""
    lines = []
    for page in pages:
        for lang, block, _ in fenced_blocks(page):
            if lang != "bash":
                continue
            for line in block.replace("\\\n", " ").splitlines():
                line = line.split("  #")[0].strip()
                match = re.match(r"python examples/(\w+)\.py (.*)", line)
                if match and "..." not in line:
                    lines.append((match.group(1), match.group(2).split()))
    return lines


def distinct_command_lines() -> list[tuple[str, list[str]]]:
    """`command_lines()` with each line kept at its first appearance only."""
    seen, lines = set(), []
    for script, args in command_lines():
        if (script, tuple(args)) not in seen:
            seen.add((script, tuple(args)))
            lines.append((script, args))
    return lines


def commands_by_script(pages=PAGES) -> dict[str, list[list[str]]]:
    """`{script: [argv, ...]}` of the pages' distinct command lines (`$HOME` expanded)."""
    commands: dict[str, list[list[str]]] = {}
    for script, args in command_lines(pages):
        argv = [os.path.expandvars(arg) for arg in args]
        if argv not in commands.setdefault(script, []):
            commands[script].append(argv)
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
    assert len(python_blocks(README)) >= 1
    readme = commands_by_script([README])
    assert len(readme.get("train", [])) >= 3, readme
    assert readme.get("generate") and readme.get("evaluate"), readme


def test_the_readme_is_a_front_page():
    with open(README, encoding="utf-8") as f:
        count = len(f.read().splitlines())
    assert count <= README_MAX_LINES, f"README.md has {count} lines; at most {README_MAX_LINES}"


# Links: Markdown links and images outside code, with the target up to a space or `)`.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _prose(text: str) -> str:
    """The page without its fenced code blocks and inline code spans."""
    text = re.sub(r"^```.*?^```[^\n]*$", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "code", text)


def heading_anchors(page: str) -> set[str]:
    """The `#fragment`s GitHub gives the page's headings (`-1`, `-2` for repeats)."""
    anchors: set[str] = set()
    counts: dict[str, int] = {}
    for line in re.sub(r"^```.*?^```[^\n]*$", "", _read(page), flags=re.S | re.M).splitlines():
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))  # a link's text
        slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        n = counts.get(slug, 0)
        counts[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def page_links(page: str) -> list[str]:
    return LINK.findall(_prose(_read(page)))


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_relative_links_resolve(page):
    links = page_links(page)
    broken = []
    for link in links:
        if re.match(r"[a-z][a-z0-9+.-]*:", link, re.I):  # https:, mailto:, ...
            continue
        path, _, fragment = link.partition("#")
        target = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(target):
            broken.append(f"{link}: no file {_name(target)}")
        elif fragment and target.endswith(".md") and fragment not in heading_anchors(target):
            broken.append(f"{link}: no heading #{fragment} in {_name(target)}")
    assert not broken, f"{_name(page)}: " + "; ".join(broken)


def test_the_link_check_sees_links():
    assert len(page_links(README)) >= 10
    assert "docs/images/cgan_projection_mnist_grid.png" in page_links(README)


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
    for page in PAGES:
        for index, block in enumerate(python_blocks(page)):
            code = block
            for pattern, replacement in SHORTER:
                code = re.sub(pattern, replacement, code)
            done = _run(code, str(work), env)
            assert done.returncode == 0, (
                f"{_name(page)} python block {index + 1}:\n{block}\n{done.stderr[-3000:]}"
            )
            demo = work / "runs" / "demo" / "saved_model"
            if "export_model(" in code and not demo.exists():  # what `make demo` leaves
                shutil.copytree(work / "out" / "saved_model", demo)


CHECK_FLAGS = r"""
import importlib, json, os, sys
script, commands = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, os.getcwd())
module = importlib.import_module(f"gan_zoo.cli.{script}")  # examples/<script>.py runs it
module.define_flags()
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
    commands = commands_by_script()[script]
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
def test_command_lines_run_in_page_order(tmp_path):
    """Every distinct `python examples/...` line, in page order, in a directory of its own: the
    training commands for one step (the generate and evaluate lines after them read their runs).
    What a user brings is made here: `$HOME/photos` (8 colour photos) and `my_thin_digits/`; and
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
    demo = ["--preset=cgan_projection_mnist", "--out_dir=runs/demo"]
    lines = [("train", demo), *distinct_command_lines()]
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
