"""gan_zoo.metrics is a lower layer: no module of it imports a model, preset, dataset or export.

Every module under `gan_zoo/metrics/` is parsed with `ast`; imports inside functions count, as
do `from gan_zoo import x` (which imports `gan_zoo.x`) and relative imports.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "gan_zoo"
METRICS = PACKAGE / "metrics"
FORBIDDEN = (
    "gan_zoo.presets",
    "gan_zoo.families",
    "gan_zoo.models",
    "gan_zoo.export",
    "gan_zoo.training",
    "gan_zoo.evaluation",
    "gan_zoo.data",
)


def imported_modules(path: pathlib.Path, root: pathlib.Path = PACKAGE.parent) -> set[str]:
    """Every module `path` imports, anywhere in it, as dotted names (`from a import b` → a.b).

    `root` is the folder holding the `gan_zoo` package, for relative imports.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    dotted = ".".join(path.relative_to(root).with_suffix("").parts)
    package = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def forbidden_in(names: set[str]) -> list[str]:
    return sorted(
        name
        for name in names
        for layer in FORBIDDEN
        if name == layer or name.startswith(layer + ".")
    )


MODULES = sorted(METRICS.rglob("*.py"))


def test_every_metrics_module_is_checked():
    names = {path.name for path in MODULES}
    assert {"__init__.py", "registry.py", "scoring.py", "streaming.py", "translation.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(METRICS)))
def test_metrics_module_imports_no_higher_layer(path):
    bad = forbidden_in(imported_modules(path))
    assert not bad, f"gan_zoo/metrics/{path.relative_to(METRICS)} imports {', '.join(bad)}"


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path):
    probe = tmp_path / "gan_zoo" / "metrics" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        "def f():\n"
        "    from gan_zoo import export\n"
        "    from ..data import make_dataset\n"
        "    import gan_zoo.families.registry\n"
        "    from . import registry\n"
    )
    names = imported_modules(probe, root=tmp_path)
    assert forbidden_in(names) == [
        "gan_zoo.data",
        "gan_zoo.data.make_dataset",
        "gan_zoo.export",
        "gan_zoo.families.registry",
    ]
    assert "gan_zoo.metrics.registry" in names
