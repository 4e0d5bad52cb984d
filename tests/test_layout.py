"""The package's layout: no import cycle, no oversized module, no hidden imports.

The import graph is read from the source with ``ast``: an arrow per
``from .x import``, ``from . import x`` or ``import hdsearch.x``, at module
level (what runs on import) or inside a function (what runs on a call).
The allow-lists name each exception and why it stands.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hdsearch"

MAX_LINES = 600

# Modules over MAX_LINES, each with why.
OVERSIZED = {}

# Function-local imports of hdsearch modules, (importer, imported): why.
LOCAL_IMPORTS = {
    ("hdsearch.callbacks", "hdsearch.integrations.mlflow"): (
        "an optional integration: `hdsearch.callbacks.MLflowCallback` imports it only when named"
    ),
}


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules():
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(importer, path, node, modules):
    """The hdsearch modules one import statement loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in modules]
    if node.level == 0:
        base = node.module or ""
        if not base.startswith("hdsearch"):
            return []
    else:
        package = importer if path.name == "__init__.py" else importer.rsplit(".", 1)[0]
        for _ in range(node.level - 1):
            package = package.rsplit(".", 1)[0]
        base = f"{package}.{node.module}" if node.module else package
    targets = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        targets.append(submodule if submodule in modules else base)
    return [target for target in targets if target in modules]


def _imports(modules):
    """``(importer, imported, is_module_level)`` for every import of an hdsearch module."""
    found = []
    for importer, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        local = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for imported in _resolve(importer, path, node, modules):
                    if imported != importer:
                        found.append((importer, imported, id(node) not in local))
    return found


def _cycles(edges):
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    graph = {}
    for importer, imported in edges:
        graph.setdefault(importer, set()).add(imported)
        graph.setdefault(imported, set())
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


@pytest.fixture(scope="module")
def modules():
    return _modules()


@pytest.fixture(scope="module")
def imports(modules):
    return _imports(modules)


def test_the_graph_reader_sees_the_package(modules, imports):
    # Guards the tests below against passing on an empty graph.
    assert "hdsearch.search" in modules
    assert ("hdsearch", "hdsearch.search", True) in imports


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == [["a", "b", "c"]]
    assert _cycles([("a", "b"), ("b", "c")]) == []


def test_no_import_cycle_among_module_level_imports(imports):
    assert _cycles({(a, b) for a, b, module_level in imports if module_level}) == []


def test_no_module_over_the_line_limit_unless_listed(modules):
    oversized = {
        name for name, path in modules.items() if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert oversized - set(OVERSIZED) == set()


def test_no_function_local_import_of_an_hdsearch_module_unless_listed(imports):
    local = {(a, b) for a, b, module_level in imports if not module_level}
    assert local - set(LOCAL_IMPORTS) == set()


def test_the_allow_lists_name_only_what_is_there(modules, imports):
    # A split module or a removed import leaves its entry behind: prune it.
    oversized = {
        name for name, path in modules.items() if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert set(OVERSIZED) - oversized == set()
    assert set(LOCAL_IMPORTS) - {(a, b) for a, b, module_level in imports if not module_level} == set()
