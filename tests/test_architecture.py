"""The layering of docs/architecture.md holds: imports only go down, families stay in their folder.

Every module under `gan_zoo/` is parsed with `ast` (imports inside functions count), mapped to
its layer, and each `gan_zoo` import checked against the allowed directions. A failure names
the module, the import and the rule.
"""

import ast
import os
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(REPO_ROOT, "gan_zoo")

# Layer of each top-level part of the package, as in docs/architecture.md.
FOUNDATION = {"precision", "layers", "losses", "schedules", "plotting", "distribute", "serving"}
LAYER_OF = {
    **{name: "foundation" for name in FOUNDATION},
    "data": "data",
    "metrics": "metrics",
    "builders": "networks",
    "engine": "engine",
    "families": "families",
    "pretrained": "families",
    "export": "export",
    "evaluation": "evaluation",
    "training": "training",
    "presets": "facades",
    "models": "facades",
    "cli": "cli",
}
# Which layers each layer may import (itself always included).
ALLOWED = {
    "foundation": set(),
    "data": {"foundation"},
    "metrics": {"foundation"},
    "networks": {"foundation"},
    "engine": {"foundation"},
    "families": {"foundation", "networks", "engine"},
    "export": {"foundation"},
    "facades": {"foundation", "engine", "families"},
    "evaluation": {"foundation", "data", "metrics", "engine", "families", "export"},
    "training": {
        "foundation",
        "data",
        "metrics",
        "engine",
        "families",
        "export",
        "evaluation",
    },
    "cli": set(LAYER_OF.values()),
}
# The families' shared modules; a family folder may import these and the `gan` family (whose
# `GAN` model and networks the WGAN and conditional families extend), never another family.
FAMILY_SHARED = {"registry", "config", "recipes"}
# Attributes only some families' models have: generic code asks the registry instead (every
# model has `serving_archive()` and `checkpoint_items()`: the protocol generic code calls).
FAMILY_ATTRIBUTES = {"num_classes", "translate", "style_mixing", "latent_dim", "generator_a_to_b"}
FAMILY_BASE = "gan"


def modules() -> dict[str, str]:
    """Dotted module name → file path, for every module under gan_zoo/."""
    found = {}
    for directory, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, REPO_ROOT)[: -len(".py")]
                dotted = relative.replace(os.sep, ".").removesuffix(".__init__")
                found[dotted] = path
    return found


def imports_of(path: str, module: str) -> set[str]:
    """The gan_zoo modules `path` imports (`from gan_zoo import x` counts as gan_zoo.x)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in names if name.startswith("gan_zoo.")}


def layer(module: str) -> str | None:
    parts = module.split(".")
    return LAYER_OF.get(parts[1]) if len(parts) > 1 else None


def violations() -> list[str]:
    found = modules()
    problems = []
    for module, path in sorted(found.items()):
        own = layer(module)
        if own is None:
            if module != "gan_zoo":
                problems.append(f"{module}: not in any layer (add it to LAYER_OF)")
            continue
        for target in sorted(imports_of(path, module)):
            # `from gan_zoo.x import name` names a module only when one exists.
            if target not in found and target.rpartition(".")[0] in found:
                target = target.rpartition(".")[0]
            if target == "gan_zoo":
                problems.append(f"{module} imports the top-level gan_zoo package")
                continue
            other = layer(target)
            if other is None:
                continue
            if other != own and other not in ALLOWED[own]:
                problems.append(f"{module} ({own}) imports {target} ({other})")
            problems += family_problems(module, target)
    return problems


def family_problems(module: str, target: str) -> list[str]:
    """A family folder imports only shared family modules, the base family and itself."""
    source, imported = module.split("."), target.split(".")
    if source[1:2] != ["families"] or imported[1:2] != ["families"] or len(source) < 3:
        return []
    own_family, other = source[2], imported[2] if len(imported) > 2 else None
    if own_family in FAMILY_SHARED or other in (None, own_family, FAMILY_BASE, *FAMILY_SHARED):
        return []
    return [f"{module} (family {own_family}) imports another family: {target}"]


def test_every_module_is_in_a_layer_and_imports_only_downwards():
    problems = violations()
    assert not problems, "import directions broken:\n" + "\n".join(problems)


def test_the_rules_catch_an_upward_import(tmp_path, monkeypatch):
    """The checker itself: metrics importing families, and one family importing another, fail."""
    metrics = tmp_path / "gan_zoo" / "metrics"
    family = tmp_path / "gan_zoo" / "families" / "cyclegan"
    for folder in (metrics, family):
        folder.mkdir(parents=True)
    (metrics / "bad.py").write_text("def f():\n    from gan_zoo import families\n")
    (family / "bad.py").write_text("from gan_zoo.families.stylegan import layers\n")
    for init in ("__init__.py", "families/__init__.py", "metrics/__init__.py"):
        (tmp_path / "gan_zoo" / init).write_text("")
    this = sys.modules[__name__]
    monkeypatch.setattr(this, "PACKAGE", str(tmp_path / "gan_zoo"))
    monkeypatch.setattr(this, "REPO_ROOT", str(tmp_path))
    problems = violations()
    assert "gan_zoo.metrics.bad (metrics) imports gan_zoo.families (families)" in problems
    assert any("family cyclegan) imports another family" in p for p in problems), problems


def test_no_module_outside_the_families_asks_what_a_model_is():
    """isinstance/hasattr on a model's class outside gan_zoo/families: ask the registry."""
    family_classes = (
        "GAN",
        "WGAN",
        "WGANGP",
        "ConditionalGAN",
        "ACGAN",
        "CycleGAN",
        "StyleGAN",
        "StyleGenerator",
    )
    problems = []
    for module, path in modules().items():
        if module.startswith("gan_zoo.families"):
            continue
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                "isinstance",
                "hasattr",
            ):
                text = ast.unparse(node)
                if node.func.id == "hasattr" or any(
                    f".{name}" in text or f" {name})" in text for name in family_classes
                ):
                    if "model" in text:
                        problems.append(f"{module}: {text}")
            # getattr(model, "num_classes", None): the same question with a default.
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "getattr"
                and len(node.args) == 3
                and "model" in ast.unparse(node.args[0])
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in FAMILY_ATTRIBUTES
            ):
                problems.append(f"{module}: {ast.unparse(node)}")
    assert not problems, "ask gan_zoo.families.family_of(model) instead:\n" + "\n".join(problems)


@pytest.mark.parametrize("limit", [500])
def test_no_module_exceeds_the_size_limit(limit):
    sizes = {}
    for module, path in modules().items():
        with open(path, encoding="utf-8") as f:
            sizes[module] = sum(1 for _ in f)
    too_long = {module: n for module, n in sizes.items() if n > limit}
    assert not too_long, f"modules over {limit} lines: {too_long}"
