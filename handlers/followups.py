"""Follow-ups: the reminder a log sets, and closing it when the party is contacted again."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from handlers.context import Context
from storage.models import Party
from storage.reminders import DONE, Reminder
from storage.store import Change


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
        kind="follow_up",
    )
    return change.add("reminders", reminder)


def close_follow_ups(ctx: Context, change: Change, party: Party) -> list[Reminder]:
    """The logger's open follow-ups for the party are done: the contact has happened."""
    closed = []
    for reminder in ctx.store.reminders.open_for(ctx.person.name, party.id):
        if reminder.kind != "follow_up":
            continue
        done = replace(
            reminder, status=DONE, closed_at=ctx.now.isoformat(), closed_by=ctx.person.name
        )
        change.save("reminders", done)
        closed.append(done)
    return closed
