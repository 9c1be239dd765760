"""Where reminders are kept, indexed by owner and by party, and the rules of their recurrence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from storage.engine.port import Engine
from storage.models import from_doc

COLLECTION = "reminders"
OPEN, DONE, CANCELLED = "open", "done", "cancelled"
FOLLOW_UP = "follow_up"
UNCONFIRMED = "unconfirmed"  # delivered_ref of a send the process died during (at most once)


@dataclass(frozen=True)
class Reminder:
    """Who gets it, what, when (UTC), and how far its delivery has got."""

    COLLECTION: ClassVar[str] = COLLECTION

    id: int
    owner: str
    text: str
    due: str
    created_by: str
    created_at: str
    party_id: int | None = None
    interaction_id: int | None = None
    recurrence: str | None = None  # "DTSTART:<local>\nRRULE:…", read in `timezone`
    recurrence_text: str = ""  # "every monday at 09:00", as shown
    timezone: str = "UTC"
    kind: str = "reminder"  # reminder | follow_up
    status: str = OPEN
    sending_at: str | None = None  # set just before a send; cleared or confirmed after
    sending_by: str = ""  # the worker that set sending_at
    delivered_at: str | None = None
    delivered_ref: str = ""
    closed_at: str | None = None
    closed_by: str = ""
    escalated_at: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @cached_property
    def due_at(self) -> datetime:
        return datetime.fromisoformat(self.due)

    @property
    def is_follow_up(self) -> bool:
        return self.kind == FOLLOW_UP


def next_occurrence(reminder: Reminder, after: datetime) -> datetime | None:
    """The recurring reminder's first occurrence strictly after `after`, in UTC (None: no more).

    The rule runs on the owner's wall clock, so 09:00 stays 09:00 across daylight-saving changes.
    """
    if not reminder.recurrence:
        return None
    zone = ZoneInfo(reminder.timezone)
    rule = rrulestr(reminder.recurrence)
    local_after = after.astimezone(zone).replace(tzinfo=None)
    found = rule.after(local_after, inc=False)  # type: ignore[union-attr]
    return None if found is None else found.replace(tzinfo=zone).astimezone(UTC)


def rolled_forward(reminder: Reminder, now: datetime) -> Reminder | None:
    """A recurring reminder moved to its next occurrence after now (None when it has ended)."""
    base = max(reminder.due_at, now)
    upcoming = next_occurrence(reminder, base)
    if upcoming is None:
        return None
    return replace(
        reminder,
        due=upcoming.isoformat(),
        sending_at=None,
        delivered_at=None,
        delivered_ref="",
        escalated_at=None,
    )


Watcher = Callable[[Reminder | None, Reminder | None], None]


class ReminderRepository:
    """Every reminder in memory, with open ones indexed by owner and by party."""

    def __init__(self, db: Engine) -> None:
        self._all: dict[int, Reminder] = {}
        self._open_by_owner: dict[str, set[int]] = {}
        self._open_by_party: dict[int, set[int]] = {}
        self._watchers: list[Watcher] = []
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, before: Any, after: Any) -> None:
        old = self._all.pop(doc_id, None)
        if old is not None:
            self._open_by_owner.get(old.owner.casefold(), set()).discard(doc_id)
            if old.party_id is not None:
                self._open_by_party.get(old.party_id, set()).discard(doc_id)
        new = None
        if after is not None:
            new = from_doc(Reminder, doc_id, after)
            self._all[doc_id] = new
            if new.is_open:
                self._open_by_owner.setdefault(new.owner.casefold(), set()).add(doc_id)
                if new.party_id is not None:
                    self._open_by_party.setdefault(new.party_id, set()).add(doc_id)
        for watcher in self._watchers:
            watcher(old, new)

    def watch(self, watcher: Watcher) -> None:
        """Call `watcher(before, after)` for every later change (the scheduler's index)."""
        self._watchers.append(watcher)

    def get(self, reminder_id: int) -> Reminder | None:
        return self._all.get(reminder_id)

    def open_for(self, owner: str, party_id: int | None = None) -> list[Reminder]:
        """The owner's open reminders (of one party, if given), soonest first."""
        found = [self._all[i] for i in self._open_by_owner.get(owner.casefold(), ())]
        if party_id is not None:
            found = [r for r in found if r.party_id == party_id]
        return sorted(found, key=_soonest)

    def open_of_party(self, party_id: int) -> list[Reminder]:
        """Everyone's open reminders about one party, soonest first."""
        return sorted((self._all[i] for i in self._open_by_party.get(party_id, ())), key=_soonest)

    def open_all(self) -> list[Reminder]:
        """Every open reminder, soonest first."""
        ids = (i for ids in self._open_by_owner.values() for i in ids)
        return sorted((self._all[i] for i in ids), key=_soonest)

    def all(self) -> Iterator[Reminder]:
        return iter(list(self._all.values()))


def _soonest(reminder: Reminder) -> tuple[datetime, int]:
    return reminder.due_at, reminder.id
