"""When the scheduler next has something to do for a reminder, a follow-up or a manager."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from handlers.context import Team
from handlers.notices import context_for
from storage.models import Person
from storage.reminders import Reminder, next_occurrence
from storage.store import Store


def delivery_time(reminder: Reminder) -> datetime | None:
    """When the reminder next needs sending: its due time, or its next repeat once sent."""
    if not reminder.is_open or reminder.sending_at:
        return None
    if reminder.delivered_at is None:
        return reminder.due_at
    sent = datetime.fromisoformat(reminder.delivered_at)
    return next_occurrence(reminder, max(reminder.due_at, sent))


def escalation_time(reminder: Reminder, team: Team) -> datetime | None:
    """An open follow-up goes to the owner's manager escalate_after_days after it fell due."""
    if not (reminder.is_open and reminder.is_follow_up and reminder.escalated_at is None):
        return None
    owner = team.find(reminder.owner)
    if owner is None or team.find(owner.manager or "-") is None:
        return None
    return reminder.due_at + timedelta(days=team.policy.escalate_after_days)


def digest_time(
    store: Store, team: Team, person: Person, now: datetime, first_load: bool = False
) -> datetime:
    """The next digest_time in the person's zone not yet sent; one missed today is due now
    (but a store that never sent one starts with the next)."""
    zone = context_for(store, team, person, now).tz
    hour, minute = (int(part) for part in team.policy.digest_time.split(":"))
    today = now.astimezone(zone).date()
    at_today = datetime.combine(today, time(hour, minute), tzinfo=zone)
    last = store.settings.get(digest_key(person))
    sent_today = last is not None and last >= today.isoformat()
    if sent_today or (first_load and last is None and at_today <= now):
        return datetime.combine(today + timedelta(days=1), time(hour, minute), tzinfo=zone)
    return at_today


def digest_key(person: Person) -> str:
    """The setting that holds the day (in their zone) the person's digest was last sent."""
    return f"digest:{person.handle}"
