"""A sorted index of name tails, so "which names start with this" never scans every name."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable


def tails(key: str) -> set[str]:
    """What a prefix may match in a name key: from each word on, with and without spaces."""
    starts = [0] + [i + 1 for i, char in enumerate(key) if char == " "]
    found = {key[i:] for i in starts}
    return found | {tail.replace(" ", "") for tail in found}


class PrefixIndex:
    """(tail, id) pairs kept sorted; a prefix is found by bisection.

    Additions wait unsorted until the next look-up, so loading a store sorts once."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, int]] = []
        self._unsorted = False
        self._lock = threading.Lock()  # look-ups may sort; readers can come from any thread

    def add(self, keys: Iterable[str], doc_id: int) -> None:
        new = [(tail, doc_id) for tail in {t for key in keys for t in tails(key)}]
        with self._lock:
            self._entries.extend(new)
            self._unsorted = True

    def remove(self, keys: Iterable[str], doc_id: int) -> None:
        with self._lock:
            entries = self._sorted()
            for tail in {t for key in keys for t in tails(key)}:
                at = bisect.bisect_left(entries, (tail, doc_id))
                if at < len(entries) and entries[at] == (tail, doc_id):
                    del entries[at]

    def find(self, prefix: str) -> set[int]:
        """Ids with a tail starting with `prefix` (or with it, spaces left out)."""
        found: set[int] = set()
        with self._lock:
            entries = self._sorted()
            for wanted in {prefix, prefix.replace(" ", "")}:
                at = bisect.bisect_left(entries, (wanted, -1))
                while at < len(entries) and entries[at][0].startswith(wanted):
                    found.add(entries[at][1])
                    at += 1
        return found

    def _sorted(self) -> list[tuple[str, int]]:
        if self._unsorted:
            self._entries.sort()
            self._unsorted = False
        return self._entries
