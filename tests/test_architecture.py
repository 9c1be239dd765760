"""The house rules import-linter cannot state: every package under its no-circles contract, and
the store reached only through its surface (repositories, `change()`, `command()`) from `bot/`
and `handlers/`."""

from __future__ import annotations

import ast
import tomllib
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


def test_every_package_is_held_to_no_import_circles() -> None:
    """import-linter's `acyclic_siblings` finds circles among the modules of the packages it is
    given (type-only and late imports too); a new package must be given to it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [acyclic] = [c for c in contracts if c["type"] == "acyclic_siblings"]
    packages = {name for name, path in modules().items() if path.name == "__init__.py"}
    assert set(acyclic["ancestors"]) == packages


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
