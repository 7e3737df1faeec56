"""conformance/ has no import cycle: the graph of its modules' imports, read from their source (ast), is acyclic.

Every import counts, a function's lazy one too (a lazy import only hides a cycle until the function runs), and
so does what an import runs implicitly: importing a.b.c runs the packages a.b and a first, unless the importer
is inside them already. A registry package that loads its modules by name (importlib) imports each of them.
A module's import of its own package's interface (`from . import Behaviour`) is not an edge: Python runs a
package before any of its modules, so that order is fixed, and a registry loads its modules only once it is.
The few edges that may close a circle are listed in ALLOWED, each with why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import conformance

ROOT = Path(conformance.__file__).parent
PACKAGE = ROOT.name

# (importer, imported): edges that may close a cycle, each for a reason that outweighs it
ALLOWED: dict[tuple[str, str], str] = {
    (f"{PACKAGE}.checks", f"{PACKAGE}.behaviours"):
        "a check is found by name in the core checks or the behaviour module that owns it, and a probe is "
        "derived by its behaviour; behaviour modules read answers with checks/common.py. The registry loads "
        "its modules only when a case is judged, never while either package loads",
    (f"{PACKAGE}.param_facets.enum", f"{PACKAGE}.spec"):
        "the enum facet's near misses are other profiles' documented values, which only the spec loader reads; "
        "its cases and faults are made once specs are loaded, never while spec.py reads the facet registry",
}


def modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _packages_of(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (imports for annotations only: never run)."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            continue
        yield child
        yield from _nodes(child)


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        is_package = path.name == "__init__.py"
        for node in _nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[:len(base) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                targets = [source] + [f"{source}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and is_package:
                targets = [other for other in known if other.rpartition(".")[0] == name]  # a registry's modules
            else:
                continue
            for target in targets:
                if target not in known:
                    continue
                # the target, and the packages it sits in that the importer is not inside already
                for imported in {target} | _packages_of(target):
                    if imported not in _packages_of(name) | {name} and imported in known:
                        graph[name].add(imported)
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if (node, nxt) in ALLOWED:
                continue
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_conformance_has_no_import_cycle():
    found = cycle(import_graph())
    assert found is None, "import cycle: " + " -> ".join(found or [])


def test_the_graph_sees_lazy_registry_and_package_imports():
    graph = import_graph()
    assert f"{PACKAGE}.behaviours.stop_excluded" in graph[f"{PACKAGE}.behaviours"]  # loaded by name
    assert f"{PACKAGE}.gateway" in graph[f"{PACKAGE}.cli"]  # a lazy import, and the package it runs
    assert cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


def test_every_allowed_edge_is_still_an_import():
    graph = import_graph()
    assert [edge for edge in ALLOWED if edge[1] not in graph.get(edge[0], set())] == []


def test_the_engine_knows_no_feature_package():
    """The sending core (engine, wire, the sending process) is below every feature: --upstream's marking reaches it
    as a function from the run plan, not as an import."""
    graph = import_graph()
    for core in (f"{PACKAGE}.engine", f"{PACKAGE}.wire", f"{PACKAGE}.sender"):
        assert not {m for m in graph[core] if m.startswith(f"{PACKAGE}.upstream")}, core
