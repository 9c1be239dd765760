"""Where reminders are kept, indexed by owner, by party and by due time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from storage.db import Database
from storage.models import from_doc

COLLECTION = "reminders"
OPEN, DONE, CANCELLED = "open", "done", "cancelled"


@dataclass(frozen=True)
class Reminder:
    id: int
    owner: str
    text: str
    due: str
    created_by: str
    created_at: str
    party_id: int | None = None
    interaction_id: int | None = None
    recurrence: str | None = None
    kind: str = "reminder"  # reminder | follow_up
    status: str = OPEN
    delivered_at: str | None = None
    closed_at: str | None = None
    closed_by: str = ""
    escalated_at: str | None = None


class ReminderRepository:
    """Every reminder in memory, with open ones indexed by owner and by party."""

    def __init__(self, db: Database) -> None:
        self._all: dict[int, Reminder] = {}
        self._open_by_owner: dict[str, set[int]] = {}
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, before: Any, after: Any) -> None:
        old = self._all.pop(doc_id, None)
        if old is not None:
            self._open_by_owner.get(old.owner.casefold(), set()).discard(doc_id)
        if after is not None:
            reminder = from_doc(Reminder, doc_id, after)
            self._all[doc_id] = reminder
            if reminder.status == OPEN:
                self._open_by_owner.setdefault(reminder.owner.casefold(), set()).add(doc_id)

    def get(self, reminder_id: int) -> Reminder | None:
        return self._all.get(reminder_id)

    def open_for(self, owner: str, party_id: int | None = None) -> list[Reminder]:
        """The owner's open reminders (of one party, if given), soonest first."""
        found = [self._all[i] for i in self._open_by_owner.get(owner.casefold(), ())]
        if party_id is not None:
            found = [r for r in found if r.party_id == party_id]
        return sorted(found, key=lambda r: (r.due, r.id))

    def all(self) -> Iterator[Reminder]:
        return iter(list(self._all.values()))
