"""The docs follow the registry: docs/families.md holds the table the registry generates."""

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "scripts"))

import families_table  # noqa: E402

from gan_zoo import families  # noqa: E402


def test_docs_families_table_is_the_registry():
    with open(os.path.join(REPO_ROOT, "docs", "families.md"), encoding="utf-8") as f:
        text = f.read()
    begin, end = text.find(families_table.BEGIN), text.find(families_table.END)
    assert 0 <= begin < end, "docs/families.md lacks the generated families table"
    written = text[begin : end + len(families_table.END)] + "\n"
    assert written == families_table.families_table(), (
        "docs/families.md is out of date: python scripts/families_table.py"
    )


def test_every_family_has_a_folder_presets_and_a_task():
    for name, family in families.FAMILIES.items():
        assert os.path.isdir(os.path.join(REPO_ROOT, "gan_zoo", "families", name)), name
        assert families.list_presets(family=name), f"family {name} has no preset"
        assert family.task in families.TASKS and family.description
