"""The audit log: one entry per change, who, when, what, before and after; and undo's index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from storage.db import Database

COLLECTION = "audit"


class AuditRepository:
    """Audit entries stay on the engine; each person's entries and the undone ones are indexed."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._by_person: dict[str, list[int]] = {}
        self._undone: set[int] = set()
        self._by_message: dict[str, int] = {}
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, _before: Any, after: Any) -> None:
        if after is None:
            return
        self._by_person.setdefault(after["by"].casefold(), []).append(doc_id)
        if after.get("undoes") is not None:
            self._undone.add(after["undoes"])
        if after.get("message_id"):
            self._by_message[after["message_id"]] = doc_id

    def get(self, entry_id: int) -> dict[str, Any] | None:
        return self._db.get(COLLECTION, entry_id)

    def by_message(self, message_id: str) -> dict[str, Any] | None:
        """The change a platform message already made, so a retry is not applied twice."""
        entry_id = self._by_message.get(message_id)
        return None if entry_id is None else self.get(entry_id)

    def last_undoable(self, person: str) -> int | None:
        """The person's newest change that is neither an undo nor undone."""
        for entry_id in reversed(self._by_person.get(person.casefold(), [])):
            entry = self.get(entry_id)
            if entry and entry.get("undoes") is None and entry_id not in self._undone:
                return entry_id
        return None

    def is_undone(self, entry_id: int) -> bool:
        return entry_id in self._undone

    def all(self) -> Iterator[tuple[int, dict[str, Any]]]:
        return self._db.all(COLLECTION)
