"""What the scheduler writes about deliveries: marks, recovery, and what the terminal shows."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot.scheduler.timing import delivery_time
from handlers.context import Team
from handlers.notices import SYSTEM, context_for, reminder_message
from handlers.reply import Reply
from handlers.reports.weekly import delivered_reply
from storage.deliveries import Delivery
from storage.models import Person
from storage.reminders import UNCONFIRMED, Reminder
from storage.store import Store
from storage.unit_of_work import Actor

log = logging.getLogger(__name__)


def interrupted(store: Store) -> tuple[list[Reminder], list[Delivery]]:
    """Sends marked by a worker that is gone (killed, or a previous run of this process)."""
    gone: dict[str, bool] = {}

    def dead(worker: str) -> bool:
        if worker not in gone:
            gone[worker] = not store.is_alive(worker)
        return gone[worker]

    reminders = [
        r
        for r in store.reminders.all()
        if r.sending_at and not r.delivered_at and dead(r.sending_by)
    ]
    notices = [d for d in store.deliveries.pending() if d.sending_at and dead(d.sending_by)]
    return reminders, notices


def recover_interrupted(store: Store, now: datetime) -> int:
    """At most once: a send interrupted between its mark and its record (its worker gone)
    counts as sent, "unconfirmed"; it still shows in `reminders` and in the digest."""
    reminders, notices = interrupted(store)
    if not reminders and not notices:
        return 0
    log.warning(
        "counting %d interrupted sends as delivered (unconfirmed), not sending them again",
        len(reminders) + len(notices),
    )
    actor = Actor(SYSTEM, "scheduler", now.isoformat())
    with store.change(actor, "Counted interrupted sends as delivered") as change:
        for coll, items in (("reminders", reminders), ("deliveries", notices)):
            for item in items:
                change.update(coll, item.id, delivered_at=item.sending_at, sending_at=None,
                     sending_by="", delivered_ref=UNCONFIRMED)  # fmt: skip
    return len(reminders) + len(notices)


def due_at_prompt(
    store: Store, team: Team, person: Person, now: datetime, shown: set[object]
) -> list[Reply]:
    """What fell due for the person at the terminal, not yet shown in this session; recorded
    as delivered only when the terminal is their one channel (else their platform sends it)."""
    ctx = context_for(store, team, person, now)
    reminders = [
        _rolled_to(r, when) for r in store.reminders.open_for(person.name)
        if (when := delivery_time(r)) is not None and when <= now
        and ("reminder", r.id, when) not in shown
    ]  # fmt: skip
    notices = [
        d for d in store.deliveries.pending_for(person.name)
        if not d.sending_at and ("notice", d.id) not in shown
    ]  # fmt: skip
    replies = [reminder_message(ctx, r) for r in reminders]
    replies += [delivered_reply(store, team, person, d.reply) for d in notices]
    if replies and not person.slack and person.telegram is None:
        actor = Actor(SYSTEM, "terminal", now.isoformat())
        done = {"delivered_at": now.isoformat(), "sending_at": None, "delivered_ref": "terminal"}
        with store.change(actor, f"Shown to {person.name} in the terminal") as change:
            for reminder in reminders:
                change.update("reminders", reminder.id, due=reminder.due, **done)
            for notice in notices:
                change.update("deliveries", notice.id, **done)
    shown.update(("reminder", r.id, r.due_at) for r in reminders)
    shown.update(("notice", d.id) for d in notices)
    return replies


def _rolled_to(reminder: Reminder, due: datetime) -> Reminder:
    """A sent repeating reminder, shown again at its next occurrence."""
    if reminder.delivered_at is None:
        return reminder
    return replace(reminder, due=due.isoformat(), delivered_at=None, escalated_at=None)
