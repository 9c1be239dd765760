"""The house rules import-linter cannot state: no import circles, and the store reached only
through its surface (repositories, `change()`, `command()`) from `bot/` and `handlers/`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage")
BENEATH_STORE = {"db", "engine", "_engine", "lock"}  # the engine and its raw lock
BENEATH_CHANGE = {"tx", "_tx"}  # the engine's transaction under a change


def modules() -> dict[str, Path]:
    """Every module of the project by dotted name (packages by their own name)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imported(tree: ast.AST, known: dict[str, Path]) -> Iterator[str]:
    """The project modules a module imports anywhere in it (type-only and late imports too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                if whole in known:
                    yield whole
                elif node.module in known and known[node.module].name != "__init__.py":
                    yield node.module


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: set(imported(ast.parse(path.read_text()), known)) - {name}
        for name, path in known.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_round_a_circle() -> None:
    assert circles(import_graph()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def reaches_beneath(node: ast.Attribute) -> bool:
    """`….store.db`, `store.lock`, `change.tx` and the like."""
    owner = node.value
    owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
    return node.attr in BENEATH_CHANGE or (node.attr in BENEATH_STORE and owner_name == "store")


def test_the_rule_sees_a_reach_beneath_the_store() -> None:
    caught = {
        node.attr: reaches_beneath(node)
        for node in ast.walk(ast.parse("ctx.store.db.count('x'); change.tx.get(); self._lock"))
        if isinstance(node, ast.Attribute) and node.attr in {"db", "tx", "_lock"}
    }
    assert caught == {"db": True, "tx": True, "_lock": False}


def test_bot_and_handlers_never_reach_beneath_the_store() -> None:
    reaching = []
    for name, path in modules().items():
        if not name.startswith(("bot", "handlers")):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and reaches_beneath(node):
                reaching.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
    assert reaching == []
