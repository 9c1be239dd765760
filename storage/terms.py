"""Documents with a term (contracts, certificates): kept in memory, by party, with watchers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from storage.db import Database
from storage.models import from_doc

T = TypeVar("T")
Watcher = Callable[[Any, Any], None]


class TermRepository(Generic[T]):
    """Every document of one collection in memory, with ids by party; watchers see each change."""

    def __init__(self, db: Database, collection: str, cls: type[T]) -> None:
        self._cls = cls
        self._all: dict[int, T] = {}
        self._by_party: dict[int, set[int]] = {}
        self._watchers: list[Watcher] = []
        db.on_change(collection, self._apply)

    def _apply(self, _coll: str, doc_id: int, _before: Any, after: Any) -> None:
        old = self._all.pop(doc_id, None)
        if old is not None:
            self._by_party[old.party_id].discard(doc_id)  # type: ignore[attr-defined]
        new = None if after is None else from_doc(self._cls, doc_id, after)
        if new is not None:
            self._all[doc_id] = new
            self._by_party.setdefault(new.party_id, set()).add(doc_id)  # type: ignore[attr-defined]
        for watcher in self._watchers:
            watcher(old, new)

    def watch(self, watcher: Watcher) -> None:
        """Call `watcher(before, after)` for every later change (the scheduler's index)."""
        self._watchers.append(watcher)

    def get(self, doc_id: int) -> T | None:
        return self._all.get(doc_id)

    def of_party(self, party_id: int) -> list[T]:
        return [self._all[i] for i in sorted(self._by_party.get(party_id, ()))]

    def count(self) -> int:
        return len(self._all)

    def all(self) -> Iterator[T]:
        return iter([self._all[i] for i in sorted(self._all)])
