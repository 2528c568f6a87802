"""Helpers of the tests that damage files the way users and machines do (truncate, overwrite)."""

import hashlib
import os


def tree_digest(root: str) -> dict[str, str]:
    """`{relative path: sha256}` of every file under `root`, to show nothing was changed."""
    found = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return found


def truncate(path: str, keep: float = 0.5) -> None:
    """Cuts `path` to `keep` of its size, as a kill mid-write or a full disk leaves it."""
    os.truncate(path, int(os.path.getsize(path) * keep))


def write(path: str, content: bytes) -> None:
    """Overwrites `path` with `content`."""
    with open(path, "wb") as f:
        f.write(content)


def data_shard(saved_model: str) -> str:
    """The path of the (single) weights data shard of a SavedModel directory."""
    folder = os.path.join(saved_model, "variables")
    return os.path.join(
        folder, next(n for n in os.listdir(folder) if n.startswith("variables.data"))
    )
