"""Image folders with symlinks, odd names and files that are not images (issue class 8).

Every real file counts once (a symlink loop, a symlinked subfolder, a second link to a file, a
hard link: never an inflated dataset), and every path that cannot be used is an error naming it
relative to the folder (`corrupt_images="error"`) or is left out with a count
(`corrupt_images="skip"`). The folder is never modified. Tests run as root here, where
`chmod 000` does not stop reading: unreadable files are dangling symlinks, FIFOs and the like,
and the permission case is skipped as root.
"""

import hashlib
import logging
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import gan_zoo.data as gdata

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Two classes of two 8x8 grayscale PNGs; each file has its own value, to tell them apart.
VALUES = {"a/0.png": 10, "a/1.png": 20, "b/0.png": 30, "b/1.png": 40}
SKIP_HINT = "pass corrupt_images='skip' (--corrupt_images=skip) to leave them out"


def _png(path: str, value: int) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = np.full((8, 8, 1), value, np.uint8)
    with open(path, "wb") as f:
        f.write(tf.io.encode_png(image).numpy())


def digest(root: str) -> dict[bytes, str]:
    """Every entry under `root` (not following symlinks): file hashes, link targets, kinds."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(root)):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            relative = os.path.relpath(path, os.fsencode(root))
            if os.path.islink(path):
                found[relative] = "link:" + os.fsdecode(os.readlink(path))
            elif os.path.isdir(path):
                found[relative] = "dir"
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    found[relative] = hashlib.sha256(f.read()).hexdigest()
            else:
                found[relative] = f"mode:{os.lstat(path).st_mode:o}"
    return found


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "images"
    for relative, value in VALUES.items():
        _png(str(root / relative), value)
    return str(root)


def _values(name: str, **kwargs) -> list[tuple[int, int]]:
    """(pixel value, label) of every example, in file order."""
    ds = gdata.make_dataset(name, batch_size=1, shuffle=False, with_labels=True, **kwargs)
    return [(round((float(image[0, 0, 0, 0]) + 1) * 127.5), int(label[0])) for image, label in ds]


def _error(name: str, **kwargs) -> str:
    with pytest.raises(ValueError) as raised:
        gdata.make_dataset(name, **kwargs)
    message = str(raised.value)
    assert "\n" not in message, message
    return message


ALL = [(10, 0), (20, 0), (30, 1), (40, 1)]  # what the four real files give


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(
            lambda root: os.symlink("..", os.path.join(root, "a", "loop")),
            "folder 'a/loop' in folder '{root}' is a symlink loop back to '.'; 1 symlink loop: "
            + SKIP_HINT,
            id="symlink loop to the root",
        ),
        pytest.param(
            lambda root: os.symlink(".", os.path.join(root, "b", "self")),
            "folder 'b/self' in folder '{root}' is a symlink loop back to 'b'; 1 symlink loop: "
            + SKIP_HINT,
            id="symlink loop to its own folder",
        ),
        pytest.param(
            lambda root: os.symlink("a", os.path.join(root, "c")),
            "folder 'c' in folder '{root}' is a symlink to 'a', whose files would count twice; "
            "1 symlinked folder reached twice: " + SKIP_HINT,
            id="symlinked class folder",
        ),
        pytest.param(
            lambda root: os.symlink("0.png", os.path.join(root, "b", "same.png")),
            "image file 'b/same.png' in folder '{root}' is the same file as 'b/0.png' (a symlink "
            "or hard link); 1 of its 5 image files are unusable (1 reached twice): " + SKIP_HINT,
            id="symlink to a file",
        ),
        pytest.param(
            lambda root: os.link(
                os.path.join(root, "a", "1.png"), os.path.join(root, "b", "h.png")
            ),
            "image file 'b/h.png' in folder '{root}' is the same file as 'a/1.png' (a symlink or "
            "hard link); 1 of its 5 image files are unusable (1 reached twice): " + SKIP_HINT,
            id="hard link",
        ),
        pytest.param(
            lambda root: os.close(
                os.open(os.fsencode(root) + b"/a/\xff.png", os.O_CREAT | os.O_WRONLY, 0o644)
            ),
            "image file b'a/\\xff.png' in folder '{root}' has a name that is not valid UTF-8 "
            "(rename it); 1 of its 5 image files are unusable (1 not UTF-8 named): " + SKIP_HINT,
            id="non-UTF-8 name",
        ),
        pytest.param(
            lambda root: os.symlink("gone.png", os.path.join(root, "a", "x.png")),
            "image file 'a/x.png' in folder '{root}' is a broken symlink (to 'gone.png'); 1 of "
            "its 5 image files are unusable (1 unreadable): " + SKIP_HINT,
            id="dangling symlink",
        ),
        pytest.param(
            lambda root: os.symlink("x.png", os.path.join(root, "a", "x.png")),
            "image file 'a/x.png' in folder '{root}' is a symlink loop (to 'x.png'); 1 of its 5 "
            "image files are unusable (1 unreadable): " + SKIP_HINT,
            id="symlink to itself",
        ),
        pytest.param(
            lambda root: os.mkfifo(os.path.join(root, "b", "pipe.png")),
            "image file 'b/pipe.png' in folder '{root}' is a FIFO (named pipe), not a regular "
            "file; 1 of its 5 image files are unusable (1 unreadable): " + SKIP_HINT,
            id="FIFO (would block the reader)",
        ),
        pytest.param(
            lambda root: os.symlink("/dev/zero", os.path.join(root, "b", "zero.png")),
            "image file 'b/zero.png' in folder '{root}' is a character device, not a regular "
            "file; 1 of its 5 image files are unusable (1 unreadable): " + SKIP_HINT,
            id="device (endless)",
        ),
        pytest.param(
            lambda root: open(os.path.join(root, "a", "notes.png"), "w").write("plain text"),
            "image file 'a/notes.png' in folder '{root}' cannot be decoded (Unknown image file "
            "format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required.); 1 of its 5 image "
            "files are corrupt: " + SKIP_HINT,
            id="text file named .png",
        ),
    ],
)
def test_each_unusable_path_is_an_error_or_skipped_once(folder, make, message, caplog):
    make(folder)
    before = digest(folder)
    name = f"folder:{folder}"
    assert _error(name) == message.format(root=folder)
    with caplog.at_level(logging.WARNING, logger="gan_zoo.data.pipeline"):
        assert _values(name, corrupt_images="skip") == ALL  # each real file once, labels kept
    warnings = [r.getMessage() for r in caplog.records if r.name == "gan_zoo.data.pipeline"]
    assert len(warnings) == 1 and warnings[0].startswith("skipped 1 ")
    assert f"in folder '{folder}' (first: " in warnings[0]
    if "is the same file" not in message and "cannot be decoded" not in message:
        # dataset_info counts real, readable files (undecodable ones are only found by decoding)
        assert gdata.dataset_info(name)["num_examples"] == {"train": 4}
    assert digest(folder) == before


def test_real_paths_win_over_symlinked_ones(folder, caplog):
    """A symlink sorted before the real folder must not take its files (nor their labels)."""
    os.symlink(os.path.join("..", "b"), os.path.join(folder, "a", "0_link"))
    name = f"folder:{folder}"
    assert _error(name).startswith(
        f"folder 'a/0_link' in folder '{folder}' is a symlink to 'b', whose files would count twice"
    )
    assert _values(name, corrupt_images="skip") == ALL  # b's files keep label 1
    info = gdata.dataset_info(name)
    assert info["num_examples"] == {"train": 4} and info["class_names"] == ["a", "b"]


def test_symlinks_to_new_files_and_folders_are_followed(folder, tmp_path):
    """Symlinks are not bad in themselves: one to a folder or file outside counts normally."""
    outside = tmp_path / "outside"
    _png(str(outside / "c" / "0.png"), 50)
    _png(str(outside / "d.png"), 60)
    os.symlink(str(outside / "c"), os.path.join(folder, "c"))
    os.symlink(str(outside / "d.png"), os.path.join(folder, "b", "2.png"))
    os.mkdir(os.path.join(folder, "a", "dir.png"))  # a folder named like an image: a folder
    assert _values(f"folder:{folder}") == [*ALL[:2], *ALL[2:], (60, 1), (50, 2)]
    assert gdata.dataset_info(f"folder:{folder}")["class_names"] == ["a", "b", "c"]


def test_many_problems_are_counted_by_kind(folder, caplog):
    os.symlink("..", os.path.join(folder, "a", "loop"))
    os.symlink("a", os.path.join(folder, "c"))
    os.symlink("0.png", os.path.join(folder, "b", "same.png"))
    os.mkfifo(os.path.join(folder, "b", "pipe.png"))
    with open(os.path.join(folder, "a", "bad.png"), "wb") as f:
        f.write(b"not a png")
    name = f"folder:{folder}"
    before = digest(folder)
    assert _error(name) == (
        f"image file 'a/bad.png' in folder '{folder}' cannot be decoded (Unknown image file "
        "format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required.); 3 of its 7 image files "
        "are unusable (1 corrupt, 1 unreadable, 1 reached twice) and 1 symlink loop and 1 "
        "symlinked folder reached twice: " + SKIP_HINT
    )
    with caplog.at_level(logging.WARNING, logger="gan_zoo.data.pipeline"):
        assert _values(name, corrupt_images="skip") == ALL
    assert (
        "skipped 3 of the 7 image files (1 corrupt, 1 unreadable, 1 reached twice) and 1 "
        f"symlink loop and 1 symlinked folder reached twice in folder '{folder}' (first: "
        "'a/bad.png', which cannot be decoded (Unknown image file format." in caplog.text
    )
    assert digest(folder) == before


def test_a_folder_of_unusable_paths_only_is_an_error_either_way(tmp_path):
    root = tmp_path / "images"
    root.mkdir()
    os.mkfifo(root / "pipe.png")
    os.symlink("gone.png", root / "x.png")
    os.symlink(".", root / "loop")
    for kwargs in ({}, {"corrupt_images": "skip"}):
        assert _error(f"folder:{root}", **kwargs) == (
            f"none of the 2 image files in folder '{root}' can be used (2 unreadable, 1 symlink "
            "loop); e.g. 'loop' is a symlink loop back to '.'"
        )
    with pytest.raises(ValueError, match=r"none of the 2 image files .* can be used"):
        gdata.dataset_info(f"folder:{root}")
    os.remove(root / "pipe.png")
    os.remove(root / "x.png")  # only the loop is left: no image file at all
    assert _error(f"folder:{root}").startswith(f"folder '{root}' is empty: it holds no image")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_a_file_without_read_permission(folder):
    path = os.path.join(folder, "a", "locked.png")
    _png(path, 70)
    os.chmod(path, 0)
    try:
        assert _error(f"folder:{folder}").startswith(
            f"image file 'a/locked.png' in folder '{folder}' cannot be read (Permission denied)"
        )
        assert _values(f"folder:{folder}", corrupt_images="skip") == ALL
    finally:
        os.chmod(path, 0o644)


def test_train_cli_names_the_symlink_loop_and_keeps_the_folder(folder, tmp_path):
    """examples/train.py as a user runs it: exit status 2, one `error:` line, nothing touched."""
    os.symlink("..", os.path.join(folder, "a", "loop"))
    before = digest(folder)
    out_dir = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(REPO_ROOT, "examples", "train.py"),
            "--preset=gan_digits",
            f"--dataset=folder:{folder}",
            f"--out_dir={out_dir}",
            "--epochs=1",
            "--verbose=0",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        cwd=REPO_ROOT,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: folder 'a/loop' in folder '{folder}' is a symlink loop back to '.'; 1 symlink "
        "loop: " + SKIP_HINT
    ], result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert not out_dir.exists()
    assert digest(folder) == before
