"""The port every repository is written against: a document engine, embedded or PostgreSQL.

Two engines provide it: `storage.engine.db.Database` (a folder, one process) and
`storage.engine.postgres.database.PostgresDatabase` (one database, many worker processes).
Both keep every document a repository indexes in memory and call `on_change` hooks for every
applied change, so the repositories, the verbs and the rules are one piece of code for both.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Protocol

from storage.engine.transaction import Doc, Transaction
from storage.leadership import Leadership

ChangeHook = Callable[[str, int, Doc | None, Doc | None], None]
Applied = tuple[str, int, Doc | None, Doc | None]  # collection, id, before, after

log = logging.getLogger(__name__)


def allocate_id(next_ids: dict[str, int], collection: str) -> int:
    """The collection's next document id, taken: ids start at 1 and are never reused."""
    doc_id = next_ids.get(collection, 1)
    next_ids[collection] = doc_id + 1
    return doc_id


def reserve_id(next_ids: dict[str, int], collection: str, doc_id: int) -> None:
    """A document keeps the id it was given (a replay, an import): none after it reuses it."""
    if not isinstance(doc_id, int) or isinstance(doc_id, bool) or doc_id < 1:
        raise ValueError(f"document ids are positive integers, not {doc_id!r}")
    next_ids[collection] = max(next_ids.get(collection, 1), doc_id + 1)


def notify_hooks(hooks: Mapping[str, list[ChangeHook]], changes: Iterable[Applied]) -> None:
    """Tell each collection's hooks of its applied changes; a failing hook does not keep the
    others from seeing the change (it is saved already), and its error is raised after."""
    failure: BaseException | None = None
    for name, doc_id, before, after in changes:
        if before is None and after is None:
            continue
        for hook in hooks.get(name, ()):
            try:
                hook(name, doc_id, before, after)
            except Exception as exc:
                log.exception("change hook failed for %s/%d", name, doc_id)
                failure = failure or exc
    if failure is not None:
        raise failure


class CommandScope(Protocol):
    """Held for a whole command: its reads and writes see one moment of the store."""

    def __enter__(self) -> Any: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> Any: ...


class Engine(Protocol):
    """What a store's repositories and `Store.change` use of an engine."""

    readonly: bool

    @property
    def lock(self) -> CommandScope:
        """Held for a whole command (re-entrant): `with engine.lock:`."""
        ...

    def get(self, collection: str, doc_id: int) -> Doc | None: ...

    def all(self, collection: str) -> Iterator[tuple[int, Doc]]: ...

    def count(self, collection: str) -> int: ...

    def on_change(self, collection: str, hook: ChangeHook) -> None: ...

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def schema_version(self) -> int: ...

    def next_id(self, collection: str) -> int:
        """The id the collection's next insert gets (ids are never reused)."""
        ...

    def ping(self) -> None:
        """Raise StoreError unless the engine can take a change now."""
        ...

    def describe(self) -> str: ...

    def worker_id(self) -> str: ...

    def is_alive(self, worker: str) -> bool: ...

    def leadership(self, job: int) -> Leadership:
        """The right to do `job` (a key of pg_schema) alone among the workers."""
        ...

    def backup(self, dest: str | os.PathLike[str]) -> None: ...

    def checkpoint(self) -> None: ...

    def close(self) -> None: ...
