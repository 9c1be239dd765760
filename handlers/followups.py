"""Follow-ups: the reminder a log sets, closing it when the party is contacted, escalating it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from handlers.context import Context
from handlers.reply import Button, Reply, Section
from storage.models import Party, Person
from storage.reminders import DONE, FOLLOW_UP, Reminder
from storage.unit_of_work import Change


def set_follow_up(
    ctx: Context, change: Change, party: Party, due: datetime, interaction_id: int, text: str
) -> int:
    """A follow-up reminder for the logger, linked to the party and the interaction."""
    reminder = Reminder(
        id=0,
        owner=ctx.person.name,
        text=text or f"follow up with {party.name}",
        due=due.isoformat(),
        created_by=ctx.person.name,
        created_at=ctx.now.isoformat(),
        party_id=party.id,
        interaction_id=interaction_id,
        timezone=str(ctx.tz),
        kind=FOLLOW_UP,
    )
    return change.add(reminder)


def close_follow_ups(
    ctx: Context, change: Change, party: Party, at: datetime | None = None
) -> list[Reminder]:
    """The logger's open follow-ups for the party are done: the contact has happened.

    A contact logged as older than the one that set a follow-up (a back-filled log) leaves it.
    """
    closed = []
    for reminder in ctx.store.reminders.open_for(ctx.person.name, party.id):
        if not reminder.is_follow_up or (at is not None and at < _set_after(ctx, reminder)):
            continue
        done = replace(
            reminder, status=DONE, closed_at=ctx.now.isoformat(), closed_by=ctx.person.name
        )
        change.save(done)
        closed.append(done)
    return closed


def _set_after(ctx: Context, reminder: Reminder) -> datetime:
    """When the contact that set the follow-up happened (else when it was set)."""
    origin = None
    if reminder.interaction_id is not None:
        origin = ctx.store.interactions.get(reminder.interaction_id)
    return datetime.fromisoformat(origin.at if origin else reminder.created_at)


def escalation_message(ctx: Context, reminder: Reminder, owner: Person) -> Reply:
    """What the owner's manager is told about a follow-up left open too long."""
    party = ctx.store.parties.get(reminder.party_id) if reminder.party_id is not None else None
    days = (ctx.now - reminder.due_at).days
    title = f"{owner.name}'s follow-up {reminder.id} is still open, {days} days after it was due"
    fields = [("Follow-up", reminder.text), ("Was due", ctx.show_time(reminder.due))]
    if party is not None:
        fields.append(("Party", party.name))
    buttons = (Button("Their reminders", f"reminders @{owner.name.lower()} overdue"),)
    return Reply(title=title, sections=(Section(fields=tuple(fields)),), buttons=buttons)
