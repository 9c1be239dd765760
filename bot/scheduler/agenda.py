"""The scheduler's index by due time: a heap with lazy invalidation, safe across threads.

Setting a key's time pushes a new heap entry and remembers the time in a dict; an entry whose
time no longer matches the dict is stale and dropped when it reaches the top. Finding what is
due and the next wake-up never scans the whole agenda: O(k log n) for k due entries.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Hashable
from datetime import datetime

Key = Hashable


class Agenda:
    """When each key next needs attention (None: never), in seconds since the epoch."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Key]] = []
        self._at: dict[Key, float] = {}
        self._order = itertools.count()
        self._lock = threading.Lock()

    def set(self, key: Key, when: datetime | float | None) -> bool:
        """Schedule (or, with None, drop) a key; True when it is now the earliest of all."""
        at = when.timestamp() if isinstance(when, datetime) else when
        with self._lock:
            if at is None:
                self._at.pop(key, None)
                return False
            if self._at.get(key) == at:
                return False
            self._at[key] = at
            heapq.heappush(self._heap, (at, next(self._order), key))
            if len(self._heap) > 2 * len(self._at) + 1024:
                self._compact()
            return self._head() == at

    def when(self, key: Key) -> float | None:
        return self._at.get(key)

    def next_time(self) -> float | None:
        """The earliest scheduled time, or None when nothing is scheduled."""
        with self._lock:
            return self._head()

    def take_due(self, now: datetime | float) -> list[Key]:
        """Remove and return every key due at or before `now`, earliest first."""
        limit = now.timestamp() if isinstance(now, datetime) else now
        due: list[Key] = []
        with self._lock:
            while self._heap and self._heap[0][0] <= limit:
                at, _, key = heapq.heappop(self._heap)
                if self._at.get(key) == at:
                    del self._at[key]
                    due.append(key)
        return due

    def __len__(self) -> int:
        return len(self._at)

    def _head(self) -> float | None:
        while self._heap and self._at.get(self._heap[0][2]) != self._heap[0][0]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def _compact(self) -> None:
        """Drop the stale entries once they outnumber the live ones."""
        live = {(at, key) for key, at in self._at.items()}
        self._heap = [entry for entry in self._heap if (entry[0], entry[2]) in live]
        heapq.heapify(self._heap)
