"""Where parties are kept, with in-memory indexes by id, name and alias."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from storage.engine.port import Engine
from storage.models import Party, from_doc, name_key
from storage.prefixes import PrefixIndex

COLLECTION = Party.COLLECTION


class PartyRepository:
    """Every party in memory as a frozen `Party`, indexed by name and alias keys."""

    def __init__(self, db: Engine) -> None:
        self._parties: dict[int, Party] = {}
        self._by_key: dict[str, set[int]] = {}
        self._by_tag: dict[str, set[int]] = {}
        self._by_role: dict[str, set[int]] = {}
        self._sort_names: dict[int, str] = {}
        self._with_cadence: set[int] = set()
        self._prefixes = PrefixIndex()
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, before: Any, after: Any) -> None:
        old = self._parties.pop(doc_id, None)
        if old is not None:
            for index, keys in self._index_keys(old):
                for key in keys:
                    index.get(key, set()).discard(doc_id)
            self._prefixes.remove(map(name_key, old.names), doc_id)
            self._with_cadence.discard(doc_id)
        if after is not None:
            party = from_doc(Party, doc_id, after)
            self._parties[doc_id] = party
            self._sort_names[doc_id] = name_key(party.name)
            for index, keys in self._index_keys(party):
                for key in keys:
                    index.setdefault(key, set()).add(doc_id)
            self._prefixes.add(map(name_key, party.names), doc_id)
            if party.cadence_days:
                self._with_cadence.add(doc_id)

    def _index_keys(self, party: Party) -> list[tuple[dict[str, set[int]], Iterable[str]]]:
        """Each index with the keys the party has in it."""
        return [
            (self._by_key, map(name_key, party.names)),
            (self._by_tag, party.tags),
            (self._by_role, party.roles),
        ]

    def get(self, party_id: int) -> Party | None:
        return self._parties.get(party_id)

    def all(self) -> Iterator[Party]:
        return iter(list(self._parties.values()))

    def count(self) -> int:
        return len(self._parties)

    def having(self, role: str | None, tags: Iterable[str]) -> list[Party]:
        """Parties with the role (any, when None) and every one of the tags."""
        sets = [self._by_tag.get(tag, set()) for tag in tags]
        if role is not None:
            sets.append(self._by_role.get(role, set()))
        if not sets:
            return list(self._parties.values())
        ids = set.intersection(*sorted(sets, key=len))
        return [self._parties[i] for i in ids]

    def with_cadence(self, tags: Iterable[str]) -> list[Party]:
        """Parties with a contact cadence of their own or one of these tags."""
        ids = set(self._with_cadence).union(*(self._by_tag.get(t, set()) for t in tags))
        return [self._parties[i] for i in sorted(ids)]

    def sort_name(self, party_id: int) -> str:
        """The party's name as lists sort it."""
        return self._sort_names.get(party_id, "")

    def named(self, text: str) -> list[Party]:
        """Parties whose name or alias is exactly `text` (case and spacing ignored)."""
        return [self._parties[i] for i in sorted(self._by_key.get(name_key(text), ()))]

    def with_prefix(self, text: str) -> list[Party]:
        """Parties with a name or alias, or a word of one, starting with `text`.

        Spaces don't count, so `greenpack` finds "Green Pack, Ltd".
        """
        prefix = name_key(text)
        if not prefix:
            return []
        ids = self._prefixes.find(prefix)
        return [self._parties[i] for i in sorted(ids)]

    def name_keys(self) -> dict[str, set[int]]:
        """Every name and alias key with its parties, for fuzzy matching."""
        return self._by_key
