"""The audit log: one entry per change, who, when, what, before and after; and undo's index.

The audit collection is cold (see storage/engine/cold.py): only its newest shards are held in
memory, so the indexes here cover the resident tail (about the last 2,000-3,000 changes of the team,
3 shards of 1,000) plus every change made since the store was opened. Undo (`last_undoable`,
`is_undone`) and the de-duplication of retried platform messages (`by_message`) reach back
over that tail only; `get` and `all` reach every entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from storage.engine.port import Engine

COLLECTION = "audit"


class AuditRepository:
    """Audit entries stay on the engine; the recent tail's entries are indexed by person, by
    message id and by whether they were undone."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self._by_person: dict[str, list[int]] = {}
        self._undone: set[int] = set()
        self._by_message: dict[str, int] = {}
        self._oldest_indexed: int | None = None
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, _before: Any, after: Any) -> None:
        if after is None:
            return
        if self._oldest_indexed is None or doc_id < self._oldest_indexed:
            self._oldest_indexed = doc_id
        self._by_person.setdefault(after["by"].casefold(), []).append(doc_id)
        if after.get("undoes") is not None:
            self._undone.add(after["undoes"])
        if after.get("message_id"):
            self._by_message[after["message_id"]] = doc_id

    def get(self, entry_id: int) -> dict[str, Any] | None:
        """Any entry, however old (an old one is read from its shard file)."""
        return self._db.get(COLLECTION, entry_id)

    def by_message(self, message_id: str) -> dict[str, Any] | None:
        """The change a platform message already made, so a retry is not applied twice
        (a retry of a message older than the resident tail is not recognised)."""
        entry_id = self._by_message.get(message_id)
        return None if entry_id is None else self.get(entry_id)

    def id_by_message(self, message_id: str) -> int | None:
        """The id of the change a platform message made (what `by_message` returns)."""
        return self._by_message.get(message_id)

    def last_undoable(self, person: str) -> int | None:
        """The person's newest change in the resident tail that is neither an undo nor undone."""
        for entry_id in reversed(self._by_person.get(person.casefold(), [])):
            entry = self.get(entry_id)
            if entry and entry.get("undoes") is None and entry_id not in self._undone:
                return entry_id
        return None

    def reaches(self, entry_id: int) -> bool:
        """Whether the entry is in the indexed tail, so undo knows if it was already undone."""
        return self._oldest_indexed is not None and entry_id >= self._oldest_indexed

    def is_undone(self, entry_id: int) -> bool:
        """Whether an undo in the resident tail (or since the start) took back this entry."""
        return entry_id in self._undone

    def all(self) -> Iterator[tuple[int, dict[str, Any]]]:
        return self._db.all(COLLECTION)
