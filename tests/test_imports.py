"""The layers import downward only: no import cycle among the project's packages.

Each top-level package (``auth``, ``handlers``, ``sql``, ``tickiti_workflow``) is one node, and
so is each subpackage of ``tickiti_workflow`` (``tickiti_workflow.web``, ...). The two entry
points that start everything, ``app.py`` and the command line ``tickiti_workflow/cli.py``, are
nodes of their own: they sit on top. Imports inside functions count like any other.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("auth", "handlers", "sql", "tickiti_workflow")
ENTRY_POINTS = ("app", "tickiti_workflow.cli")


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _node(module: str, modules: dict[str, Path]) -> str | None:
    """The node a module belongs to, or None for a module outside the project."""
    if module not in modules:
        parent = module.rpartition(".")[0]
        return _node(parent, modules) if parent else None
    for entry in ENTRY_POINTS:
        if module == entry or module.startswith(entry + "."):
            return entry
    parts = module.split(".")
    subpackage = len(parts) > 1 and (ROOT / parts[0] / parts[1] / "__init__.py").exists()
    if parts[0] == "tickiti_workflow" and subpackage:
        return ".".join(parts[:2])
    return parts[0]


def _imported(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports, relative imports resolved (``from x import y`` names
    ``x.y`` too, in case y is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def package_graph() -> dict[str, dict[str, list[str]]]:
    """node -> imported node -> the files that import it."""
    modules = _modules()
    graph: dict[str, dict[str, list[str]]] = {}
    for name, path in modules.items():
        source = _node(name, modules)
        for imported in _imported(name, path):
            target = _node(imported, modules)
            if target is not None and target != source:
                files = graph.setdefault(source, {}).setdefault(target, [])
                files.append(str(path.relative_to(ROOT)))
    return graph


def _cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, {})):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_packages_import_without_a_cycle():
    graph = package_graph()
    cycle = _cycle(graph)
    where = (
        [f"{a} -> {b}: {sorted(set(graph[a][b]))}" for a, b in itertools.pairwise(cycle)]
        if cycle
        else []
    )
    assert cycle is None, where


def test_the_graph_sees_the_layers():
    graph = package_graph()
    assert {"auth", "tickiti_workflow.web", "tickiti_workflow"} <= set(graph["handlers"])
    assert "auth" in graph["tickiti_workflow.web"]
    assert "tickiti_workflow" in graph["auth"]


def test_auth_knows_nothing_of_the_web_plumbing_or_the_views():
    assert set(package_graph()["auth"]) <= {"tickiti_workflow", "sql"}


def test_a_cycle_is_found():
    assert _cycle({"a": {"b": ["a.py"]}, "b": {"a": ["b.py"]}}) == ["a", "b", "a"]
    assert _cycle({"a": {"b": ["a.py"]}, "b": {}}) is None
