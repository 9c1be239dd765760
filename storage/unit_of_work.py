"""The unit of work: who makes a change (`Actor`) and the change in progress (`Change`).

`Store.change()` opens one; every write inside it is recorded with its before and after, lands
atomically with its audit entry, and can be undone. Writes are typed: a document's class names
its collection (`Interaction.COLLECTION`), so `change.add(interaction)` needs no collection name.
A party is written only with `add_party`/`save_party`, so that the one permission gate for party
writes (handlers/ownership.py) can be held to it by a test. The raw `insert`/`put`/`delete` by
collection name are for the storage layer's own bookkeeping (settings, marks, undo).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from storage.engine.transaction import Doc, Transaction
from storage.models import Party, to_doc


@dataclass(frozen=True)
class Actor:
    """Who makes a change, from where, when, and the platform's id of the message."""

    name: str
    channel: str
    at: str
    message_id: str | None = None


class Document(Protocol):
    """A stored dataclass: its id, and the collection its class is kept in."""

    COLLECTION: ClassVar[str]

    @property
    def id(self) -> int: ...


class Change:
    """One person's change in progress: every write is recorded with before and after."""

    def __init__(self, tx: Transaction, actor: Actor) -> None:
        self._tx = tx
        self.actor = actor
        self.changes: list[dict[str, Any]] = []
        self.entry_id: int | None = None

    def add(self, obj: Document) -> int:
        """Insert a new document (its `id` is ignored) and return the id it was given."""
        _not_a_party(obj)
        return self.insert(obj.COLLECTION, to_doc(obj))

    def save(self, obj: Document) -> None:
        """Replace the stored document with this one (same class, same `id`)."""
        _not_a_party(obj)
        self.put(obj.COLLECTION, obj.id, to_doc(obj))

    def add_party(self, party: Party) -> int:
        """Insert a new party and return its id."""
        return self.insert(Party.COLLECTION, to_doc(party))

    def save_party(self, party: Party) -> None:
        """Replace a stored party (callers outside storage go through handlers.ownership)."""
        self.put(Party.COLLECTION, party.id, to_doc(party))

    def update(self, coll: str, doc_id: int, **fields: Any) -> None:
        """Set some fields of a stored document as this change sees it (gone: nothing)."""
        doc = self._tx.get(coll, doc_id)
        if doc is not None:
            self.put(coll, doc_id, {**doc, **fields})

    def current(self, coll: str, doc_id: int) -> Doc | None:
        """The document as this change would leave it (its own writes included)."""
        return self._tx.get(coll, doc_id)

    def insert(self, coll: str, doc: Doc) -> int:
        doc_id = self._tx.insert(coll, doc)
        self.changes.append({"coll": coll, "id": doc_id, "before": None, "after": doc})
        return doc_id

    def put(self, coll: str, doc_id: int, doc: Doc) -> None:
        before = self._tx.get(coll, doc_id)
        self._tx.put(coll, doc_id, doc)
        self.changes.append({"coll": coll, "id": doc_id, "before": before, "after": doc})

    def delete(self, coll: str, doc_id: int) -> None:
        before = self._tx.get(coll, doc_id)
        self._tx.delete(coll, doc_id)
        self.changes.append({"coll": coll, "id": doc_id, "before": before, "after": None})

    def audit_entry(self, summary: str, undoes: int | None) -> Doc:
        return {
            "at": self.actor.at,
            "by": self.actor.name,
            "channel": self.actor.channel,
            "message_id": self.actor.message_id,
            "summary": summary,
            "undoes": undoes,
            "changes": self.changes,
        }


def _not_a_party(obj: Document) -> None:
    if isinstance(obj, Party):
        raise TypeError("a party is written with Change.add_party or Change.save_party")
