"""`scripts/reliability.py` (`make reliability`): its bookkeeping, and its cases through the CLIs.

A few cases run in `make test` (one of each kind of outcome); the whole battery is slow.
"""

import importlib.util
import os

import pytest
from conftest import REPO_ROOT

_SPEC = importlib.util.spec_from_file_location(
    "reliability", os.path.join(REPO_ROOT, "scripts", "reliability.py")
)
reliability = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(reliability)


def test_files_lost_counts_bytes_that_are_gone():
    before = {
        "checkpoints/ckpt-1.index": "a",
        "checkpoints/ckpt-3.index": "b",
        "samples/epoch_0001.png": "c",
        "history.json": "d",
        "notes.txt": "e",
    }
    moved = {"checkpoints/damaged/ckpt-3.index": "b", "samples/epoch_0001.png": "c"}
    assert reliability.files_lost(before, moved, exported=False) == [
        "checkpoints/ckpt-1.index",
        "notes.txt",
    ]
    rotated = {**moved, **{f"checkpoints/ckpt-{n}.index": str(n) for n in (2, 4, 5)}}
    assert reliability.files_lost(before, rotated, exported=False) == ["notes.txt"]
    assert reliability.files_lost(before, {}, exported=False, restarted=True) == ["notes.txt"]


def test_files_changed():
    assert reliability.files_changed({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == [
        "b",
        "c",
    ]


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    return reliability.make_base_run(str(tmp_path_factory.mktemp("reliability")))


FAST = ["every checkpoint truncated", "kill in export: old_moved", "stale lock"]
CASES = [
    pytest.param(case, id=case.id, marks=[] if case.id in FAST else [pytest.mark.slow])
    for case in reliability.CASES
]


@pytest.mark.parametrize("case", CASES)
def test_case_is_clear(case, context, tmp_path):
    row = reliability.run_case(case, context, str(tmp_path))
    assert row["problems"] == [], row
    assert row["lost"] == 0
    if case.expect == "error":
        assert row["exit"] == 2 and row["changed"] == 0
        assert row["outcome"].startswith("error: ")
