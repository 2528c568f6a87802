"""The modules of gan_zoo.data import one way: no cycles, one copy of each shared validator.

Read from the source with `ast` (nothing is imported), so a lazy import inside a function
counts as an edge like any other: a cycle must be removed, not hidden.
"""

import ast
import pathlib
import re

import pytest

PACKAGE = "gan_zoo.data"
DATA_DIR = pathlib.Path(__file__).resolve().parents[2] / "gan_zoo" / "data"
INIT = "__init__"
# The shared validators live in validation.py; no other module may define its own.
VALIDATOR_NAME = re.compile(r"^_?check_(positive|seed|channels)")
VALIDATOR_MESSAGES = (
    "must be a positive integer",
    "seed must be an integer",
    "channels must be 1, 3 or None",
)


def _modules() -> dict[str, ast.Module]:
    trees = {}
    for path in sorted(DATA_DIR.glob("*.py")):
        trees[path.stem] = ast.parse(path.read_text(), filename=str(path))
    return trees


def _target(dotted: str) -> str | None:
    """The data module that importing the absolute module `dotted` runs, or None (outside)."""
    if dotted == PACKAGE:
        return INIT
    if dotted.startswith(PACKAGE + "."):
        return dotted[len(PACKAGE) + 1 :].split(".")[0]
    return None


def _edges(tree: ast.Module, names: set[str]) -> set[str]:
    """The data modules `tree` imports, at any depth (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_target(alias.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x / from .x import y
                base = PACKAGE if not node.module else f"{PACKAGE}.{node.module}"
            else:
                base = node.module or ""
            if base == "gan_zoo":  # from gan_zoo import data
                if any(alias.name == "data" for alias in node.names):
                    found.add(INIT)
                continue
            if base == PACKAGE:  # from gan_zoo.data import x: module x, else a name of __init__
                for alias in node.names:
                    found.add(alias.name if alias.name in names else INIT)
            else:
                found.add(_target(base))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(first, ast.Constant):
                if isinstance(first.value, str):
                    found.add(_target(first.value))
    found.discard(None)
    return found


def _graph(trees: dict[str, ast.Module]) -> dict[str, set[str]]:
    names = set(trees)
    return {name: _edges(tree, names) - {name} for name, tree in trees.items()}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of `graph` as `[a, b, ..., a]`, or None when it has none."""
    state: dict[str, str] = {}  # "open" while on the DFS stack, then "done".
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def _order(graph: dict[str, set[str]]) -> list[str]:
    """The modules bottom-up: each after every module it imports."""
    order: list[str] = []
    while len(order) < len(graph):
        ready = sorted(n for n in graph if n not in order and graph[n] <= set(order))
        assert ready, "cycle"
        order += ready
    return order


def test_the_edge_finder_sees_lazy_and_relative_imports():
    source = (
        "import gan_zoo.data.a\n"
        "from gan_zoo.data import b, make_dataset\n"
        "from .c import x\n"
        "from . import d\n"
        "def f():\n"
        "    from gan_zoo.data.e import y\n"
        "    import importlib\n"
        "    return importlib.import_module('gan_zoo.data.f')\n"
        "import tensorflow\n"
    )
    names = {"a", "b", "c", "d", "e", "f"}
    assert _edges(ast.parse(source), names) == {"a", "b", INIT, "c", "d", "e", "f"}


def test_the_cycle_finder_names_the_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]


def test_data_modules_import_each_other_without_cycles():
    graph = _graph(_modules())
    cycle = _find_cycle(graph)
    assert cycle is None, "gan_zoo.data imports in a cycle: " + " -> ".join(cycle)
    print("gan_zoo.data, bottom-up:", ", ".join(_order(graph)))
    for name, imported in sorted(graph.items()):
        print(f"  {name} imports {', '.join(sorted(imported)) or 'no data module'}")


def test_the_dispatcher_is_at_the_top_and_validation_at_the_bottom():
    graph = _graph(_modules())
    assert graph["validation"] == set()
    assert graph["_offline"] == set()
    importers = {name for name, imported in graph.items() if "pipeline" in imported}
    assert importers == {INIT}, f"only gan_zoo/data/__init__.py may import pipeline: {importers}"
    # The modules that used to import in a circle no longer reach the dispatcher at all.
    for low in ("stacked_digits", "unpaired", "folder", "tfds_sources", "batching"):
        reached, todo = set(), [low]
        while todo:
            for nxt in graph[todo.pop()] - reached:
                reached.add(nxt)
                todo.append(nxt)
        assert "pipeline" not in reached and INIT not in reached, f"{low} reaches {reached}"


@pytest.mark.parametrize("name", sorted(_modules()))
def test_shared_validators_are_defined_only_in_validation(name):
    if name == "validation":
        return
    tree = _modules()[name]
    defined = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and VALIDATOR_NAME.match(node.name)
    ]
    assert not defined, f"{name}.py defines {defined}: use gan_zoo.data.validation"
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    copied = [m for m in VALIDATOR_MESSAGES if any(m in text for text in texts)]
    assert not copied, f"{name}.py raises {copied} itself: use gan_zoo.data.validation"


def test_validation_defines_each_validator_once():
    tree = _modules()["validation"]
    defined = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert sorted(defined) == ["check_channels", "check_positive_int", "check_seed"]
