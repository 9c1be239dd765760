"""Where interactions are kept, indexed by party, by author (and kind, in time order) and by
time of last contact."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from storage.engine.port import Engine
from storage.models import Interaction, from_doc

COLLECTION = Interaction.COLLECTION


class InteractionRepository:
    """Interactions on the engine, with each party's and each author's ids kept in memory."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self._by_party: dict[int, set[int]] = {}
        self._by_author: dict[str, set[int]] = {}
        self._last_contact: dict[int, str] = {}
        # author → kind → the UTC ISO times, sorted: reports count a period with two bisections.
        # Built at the first report (not at start, which it would slow), then kept up to date.
        self._times: dict[str, dict[str, list[str]]] | None = None
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, before: Any, after: Any) -> None:
        if before is not None:
            party_id = before["party_id"]
            self._by_party.get(party_id, set()).discard(doc_id)
            self._by_author.get(before["by"].casefold(), set()).discard(doc_id)
            if self._last_contact.get(party_id) == before["at"]:
                self._recompute_last_contact(party_id)
            if self._times is not None:
                self._untime(self._times, before)
        if after is not None:
            party_id = after["party_id"]
            self._by_party.setdefault(party_id, set()).add(doc_id)
            self._by_author.setdefault(after["by"].casefold(), set()).add(doc_id)
            if after["at"] > self._last_contact.get(party_id, ""):
                self._last_contact[party_id] = after["at"]
            if self._times is not None:
                by_kind = self._times.setdefault(after["by"].casefold(), {})
                insort(by_kind.setdefault(after["kind"], []), after["at"])

    @staticmethod
    def _untime(index: dict[str, dict[str, list[str]]], doc: dict[str, Any]) -> None:
        times = index.get(doc["by"].casefold(), {}).get(doc["kind"], [])
        where = bisect_left(times, doc["at"])
        if where < len(times) and times[where] == doc["at"]:
            del times[where]

    def _recompute_last_contact(self, party_id: int) -> None:
        times = [self._doc(i)["at"] for i in self._by_party.get(party_id, ())]
        if times:
            self._last_contact[party_id] = max(times)
        else:
            self._last_contact.pop(party_id, None)

    def _doc(self, doc_id: int) -> dict[str, Any]:
        doc = self._db.get(COLLECTION, doc_id)
        assert doc is not None, f"interaction {doc_id} indexed but missing"
        return doc

    def get(self, interaction_id: int) -> Interaction | None:
        doc = self._db.get(COLLECTION, interaction_id)
        return None if doc is None else from_doc(Interaction, interaction_id, doc)

    def for_party(
        self, party_id: int, since: str = "", limit: int | None = None
    ) -> list[Interaction]:
        """The party's interactions at or after `since` (UTC ISO), newest first."""
        return self._newest(self._by_party.get(party_id, set()), since, limit)

    def by_author(self, person: str, limit: int | None = None) -> list[Interaction]:
        """What the person logged, newest first."""
        return self._newest(self._by_author.get(person.casefold(), set()), "", limit)

    def _newest(self, ids: set[int], since: str, limit: int | None) -> list[Interaction]:
        docs = [(i, d) for i in ids if (d := self._doc(i))["at"] >= since]
        docs.sort(key=lambda pair: (pair[1]["at"], pair[0]), reverse=True)
        return [from_doc(Interaction, i, d) for i, d in docs[:limit]]

    def counts_by_kind(
        self, authors: Iterable[str] | None, edges: Sequence[str]
    ) -> dict[str, dict[str, list[int]]]:
        """Per author (as stored, folded) and kind: how many fall between consecutive `edges`
        (UTC ISO times, ascending); None: every author. Bisects the index, never scans."""
        index = self._times_index()
        keys = list(index) if authors is None else [a.casefold() for a in authors]
        found: dict[str, dict[str, list[int]]] = {}
        for author in keys:
            for kind, times in index.get(author, {}).items():
                marks = [bisect_left(times, edge) for edge in edges]
                counts = [high - low for low, high in zip(marks, marks[1:], strict=False)]
                if any(counts):
                    found.setdefault(author, {})[kind] = counts
        return found

    def _times_index(self) -> dict[str, dict[str, list[str]]]:
        """The author-and-kind time index, built from the author index on first use."""
        if self._times is None:
            index: dict[str, dict[str, list[str]]] = {}
            for author, ids in self._by_author.items():
                per_kind = index.setdefault(author, {})
                for doc_id in ids:
                    doc = self._doc(doc_id)
                    per_kind.setdefault(doc["kind"], []).append(doc["at"])
                for times in per_kind.values():
                    times.sort()
            self._times = index
        return self._times

    def count_for(self, party_id: int) -> int:
        return len(self._by_party.get(party_id, ()))

    def last_contact(self, party_id: int) -> str | None:
        return self._last_contact.get(party_id)

    def all(self) -> Iterator[Interaction]:
        for doc_id, doc in self._db.all(COLLECTION):
            yield from_doc(Interaction, doc_id, doc)
