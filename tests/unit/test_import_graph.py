"""The import graph of ``src/regdev``: no cycles, and the layers point one way.

Every ``import`` statement of every module is read with :mod:`ast` (also those
inside functions: a lazy import still ties the two modules together), the
module graph is built, and a cycle fails the test with the cycle printed.
Imports under ``if TYPE_CHECKING:`` are left out of the cycle check (they never
run) but not out of the layering rules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "regdev"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, type_checking: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement, with whether it sits under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, type_checking
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), True)
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), type_checking)
        else:
            yield from _imports(node, type_checking)


def _targets(name: str, node: ast.stmt, modules: dict[str, Path]) -> Iterator[str]:
    """The package modules an import statement loads (its deepest existing module)."""
    is_pkg = modules[name].name == "__init__.py"
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts:
                yield ".".join(parts)
        return
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = name.split(".") if is_pkg else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    for alias in node.names:
        sub = f"{source}.{alias.name}"
        if sub in modules:
            yield sub
        elif source in modules:
            yield source


def import_graph(*, runtime_only: bool) -> dict[str, set[str]]:
    """``module -> modules it imports`` within the package (self-imports dropped)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node, under_type_checking in _imports(tree):
            if runtime_only and under_type_checking:
                continue
            graph[name].update(t for t in _targets(name, node, modules) if t != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path ``[a, b, …, a]``, or ``None``."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = grey
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt, black) == grey:
                return [*stack[stack.index(nxt) :], nxt]
            if colour.get(nxt) == white:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        colour[node] = black
        return None

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for start in sorted(graph):
        if colour[start] == white:
            found = visit(start)
            if found:
                return found
    return None


def _layer(module: str) -> str:
    """The subpackage (or top-level module) a module belongs to: ``regdev.planning.model`` → ``planning``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<root>"


def layer_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph between subpackages (``planning -> registry`` …), ignoring edges within one."""
    out: dict[str, set[str]] = {}
    for src, targets in graph.items():
        a = _layer(src)
        out.setdefault(a, set())
        for t in targets:
            b = _layer(t)
            if a != b and b != "<root>" and a != "<root>":
                out[a].add(b)
    return out


def test_the_helpers_find_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    graph = import_graph(runtime_only=False)
    assert "regdev.planning.model" in graph["regdev.planning.rollout"]
    assert "regdev._milp.builder" in graph["regdev._milp"]  # relative-free absolute imports


def test_no_import_cycle_between_modules():
    cycle = find_cycle(import_graph(runtime_only=True))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_import_cycle_between_subpackages():
    cycle = find_cycle(layer_graph(import_graph(runtime_only=True)))
    assert cycle is None, "subpackage import cycle: " + " -> ".join(cycle or [])


LOWER_LAYERS_MUST_NOT_IMPORT = {
    "_milp": {"registry", "planning", "design", "reporting", "pipeline", "cli", "monitoring"},
    "planning": {"design", "reporting", "pipeline", "cli", "monitoring"},
    "design": {"planning", "reporting", "pipeline", "cli", "monitoring"},
    "reporting": {"pipeline", "cli", "monitoring"},
    "pipeline": {"cli", "monitoring"},
}
"""Dependency direction: registry ← planning, design ← reporting ← pipeline ← cli (all may use _milp)."""


@pytest.mark.parametrize("layer", sorted(LOWER_LAYERS_MUST_NOT_IMPORT))
def test_layers_point_one_way(layer):
    """Also type-only imports: a lower layer does not even name a higher one."""
    graph = layer_graph(import_graph(runtime_only=False))
    wrong = graph.get(layer, set()) & LOWER_LAYERS_MUST_NOT_IMPORT[layer]
    assert not wrong, f"regdev.{layer} imports {sorted(wrong)}"


def test_the_plan_writer_imports_neither_design_nor_reporting():
    graph = import_graph(runtime_only=False)
    layers = {_layer(t) for t in graph["regdev.pipeline.writer"]}
    assert not layers & {"design", "reporting"}, layers


def test_importing_and_running_the_planner_loads_neither_reporting_nor_design():
    """In a fresh interpreter: import regdev.planning, plan and explain the toy country."""
    code = (
        "import sys\n"
        "import regdev.planning as p\n"
        "from regdev.registry import toy_region\n"
        "sc = p.load_scenario().with_updates(factories={'per_year': 2}, history={'enabled': False})\n"
        "plan = p.plan_rollout(p.build_problem(toy_region(), sc))\n"
        "p.build_dossiers(plan, move_earlier=plan.problem.region_ids[:1])\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('regdev.reporting', 'regdev.design',"
        " 'regdev.pipeline', 'regdev.cli', 'regdev.monitoring')))\n"
        "print(plan.status, bad)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "optimal []"
