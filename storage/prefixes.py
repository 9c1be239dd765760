"""A sorted index of name tails, so "which names start with this" never scans every name."""

from __future__ import annotations

import bisect
from collections.abc import Iterable


def tails(key: str) -> set[str]:
    """What a prefix may match in a name key: from each word on, with and without spaces."""
    starts = [0] + [i + 1 for i, char in enumerate(key) if char == " "]
    found = {key[i:] for i in starts}
    return found | {tail.replace(" ", "") for tail in found}


class PrefixIndex:
    """(tail, id) pairs kept sorted; a prefix is found by bisection."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, int]] = []

    def add(self, keys: Iterable[str], doc_id: int) -> None:
        for tail in {t for key in keys for t in tails(key)}:
            bisect.insort(self._entries, (tail, doc_id))

    def remove(self, keys: Iterable[str], doc_id: int) -> None:
        for tail in {t for key in keys for t in tails(key)}:
            at = bisect.bisect_left(self._entries, (tail, doc_id))
            if at < len(self._entries) and self._entries[at] == (tail, doc_id):
                del self._entries[at]

    def find(self, prefix: str) -> set[int]:
        """Ids with a tail starting with `prefix` (or with it, spaces left out)."""
        found: set[int] = set()
        for wanted in {prefix, prefix.replace(" ", "")}:
            at = bisect.bisect_left(self._entries, (wanted, -1))
            while at < len(self._entries) and self._entries[at][0].startswith(wanted):
                found.add(self._entries[at][1])
                at += 1
        return found
