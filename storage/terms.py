"""Documents with a term (contracts, certificates): kept in memory, by party, with watchers."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from storage.engine.port import Engine
from storage.models import from_doc

T = TypeVar("T")
Watcher = Callable[[Any, Any], None]


class TermRepository(Generic[T]):
    """Every document of one collection in memory, with ids by party; watchers see each change."""

    def __init__(self, db: Engine, collection: str, cls: type[T], day_field: str) -> None:
        self._cls = cls
        self._day_field = day_field
        self._all: dict[int, T] = {}
        self._by_party: dict[int, set[int]] = {}
        self._by_day: list[tuple[str, int]] = []  # (end or expiry day, id), kept sorted
        self._watchers: list[Watcher] = []
        db.on_change(collection, self._apply)

    def _apply(self, _coll: str, doc_id: int, _before: Any, after: Any) -> None:
        old = self._all.pop(doc_id, None)
        if old is not None:
            self._by_party[old.party_id].discard(doc_id)  # type: ignore[attr-defined]
            entry = (getattr(old, self._day_field), doc_id)
            at = bisect.bisect_left(self._by_day, entry)
            if at < len(self._by_day) and self._by_day[at] == entry:
                del self._by_day[at]
        new = None if after is None else from_doc(self._cls, doc_id, after)
        if new is not None:
            self._all[doc_id] = new
            self._by_party.setdefault(new.party_id, set()).add(doc_id)  # type: ignore[attr-defined]
            bisect.insort(self._by_day, (getattr(new, self._day_field), doc_id))
        for watcher in self._watchers:
            watcher(old, new)

    def watch(self, watcher: Watcher) -> None:
        """Call `watcher(before, after)` for every later change (the scheduler's index)."""
        self._watchers.append(watcher)

    def get(self, doc_id: int) -> T | None:
        return self._all.get(doc_id)

    def of_party(self, party_id: int) -> list[T]:
        return [self._all[i] for i in sorted(self._by_party.get(party_id, ()))]

    def by_day(self, first: str, last: str) -> list[T]:
        """Those whose day (a contract's end, a certificate's expiry) is within [first, last],
        soonest first; found by bisection, never by a scan."""
        start = bisect.bisect_left(self._by_day, (first, -1))
        stop = bisect.bisect_right(self._by_day, (last, 1 << 62))
        return [self._all[i] for _, i in self._by_day[start:stop]]

    def count(self) -> int:
        return len(self._all)

    def all(self) -> Iterator[T]:
        return iter([self._all[i] for i in sorted(self._all)])
