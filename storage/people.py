"""The people of the team as the store keeps them: who they are, their own settings, and their
Slack profile's zone. One document per person, looked up by handle.

A document holds the person's own settings (`timezone` from `settings tz:`), and, once they are
a member, `member` (name, role, slack, telegram, manager, timezone, notify), `active` and
`source` ("config" when `[[people]]` seeded them, "chat" when `team add` did), and the zone
their Slack profile gave (`slack_zone`, read at `slack_zone_at`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from storage.engine.port import Engine
from storage.models import Person
from storage.unit_of_work import Change

COLLECTION = "people"
MEMBER_FIELDS = ("name", "role", "timezone", "slack", "telegram", "manager", "notify")


def member_doc(person: Person) -> dict[str, Any]:
    """The `member` part of a person's document."""
    return {key: value for key, value in asdict(person).items() if key in MEMBER_FIELDS}


def person_of(doc: dict[str, Any]) -> Person | None:
    """The person a document describes; None for a document holding only settings."""
    member = doc.get("member")
    return Person(**{k: member[k] for k in MEMBER_FIELDS if k in member}) if member else None


@dataclass(frozen=True)
class Roster:
    """Who is served, as built from one seed: in order, and by handle."""

    seed: tuple[Person, ...]
    members: tuple[Person, ...]
    by_handle: dict[str, Person]


class PeopleRepository:
    """Every person document in memory, by handle; the roster is rebuilt only after a change."""

    def __init__(self, db: Engine) -> None:
        self._by_handle: dict[str, tuple[int, dict[str, Any]]] = {}
        self._roster: Roster | None = None
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, before: Any, after: Any) -> None:
        if before is not None:
            self._by_handle.pop(before["handle"], None)
        if after is not None:
            self._by_handle[after["handle"]] = (doc_id, after)
        self._roster = None

    def settings(self, handle: str) -> tuple[int | None, dict[str, Any]]:
        """The person's document id (None when there is none yet) and its content."""
        doc_id, doc = self._by_handle.get(handle.casefold(), (None, {}))
        return doc_id, doc

    def update(self, change: Change, handle: str, fields: Mapping[str, Any]) -> None:
        """Set `fields` on the person's document inside `change` (made if there is none yet);
        nothing is written when nothing differs."""
        doc_id, current = self.settings(handle)
        doc = {**current, "handle": handle, **fields}
        if doc_id is None:
            change.insert(COLLECTION, doc)
        elif doc != current:
            change.put(COLLECTION, doc_id, doc)

    def stored(self) -> list[tuple[Person, bool, str]]:
        """Each member the store holds: the person, whether active, and where they came from."""
        found = []
        for _doc_id, doc in self._by_handle.values():
            person = person_of(doc)
            if person is not None:
                found.append((person, bool(doc.get("active", True)), doc.get("source", "chat")))
        return sorted(found, key=lambda item: item[0].handle)

    def members(self, seed: tuple[Person, ...]) -> tuple[Person, ...]:
        """The active people: the config's `seed` (which wins), then those added in chat."""
        return self._roster_of(seed).members

    def member(self, seed: tuple[Person, ...], handle: str) -> Person | None:
        """The active person with this handle (already casefolded), looked up in a dict."""
        return self._roster_of(seed).by_handle.get(handle)

    def _roster_of(self, seed: tuple[Person, ...]) -> Roster:
        if self._roster is None or self._roster.seed is not seed:
            named = {p.handle for p in seed}
            added = tuple(
                person
                for person, active, _source in self.stored()
                if active and person.handle not in named
            )
            members = (*seed, *added)
            self._roster = Roster(seed, members, {p.handle: p for p in reversed(members)})
        return self._roster

    def is_inactive(self, handle: str) -> bool:
        """True for a person `team remove` deactivated."""
        _doc_id, doc = self.settings(handle)
        return "member" in doc and not doc.get("active", True)

    def slack_zone(self, handle: str) -> tuple[str, str]:
        """The zone of the person's Slack profile and when it was read ("" when never)."""
        _doc_id, doc = self.settings(handle)
        return doc.get("slack_zone", ""), doc.get("slack_zone_at", "")


def differences(seed: Iterable[Person], stored: Iterable[tuple[Person, bool, str]]) -> list[str]:
    """Where the config and the store describe the same person differently (the config wins)."""
    kept = {person.handle: (person, active) for person, active, _source in stored}
    lines = []
    for person in seed:
        if person.handle not in kept:
            continue
        other, active = kept[person.handle]
        if not active:
            lines.append(f"{person.name}: removed in chat, but the config lists them (it wins)")
        for key in MEMBER_FIELDS[1:]:
            ours, theirs = getattr(person, key), getattr(other, key)
            if ours != theirs:
                lines.append(
                    f"{person.name}: the config says {key} {ours or '(none)'!s}, "
                    f"the store says {theirs or '(none)'!s} (the config wins)"
                )
    return lines
