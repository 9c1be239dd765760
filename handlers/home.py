"""A person's overview (Slack's App Home tab): open reminders, overdue follow-ups, recent activity.

Read-only: it looks at the store's repositories and changes nothing.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.reply import Reply, Section
from storage.reminders import Reminder

SHOWN = 10
RECENT = 5


def overview(ctx: Context) -> Reply:
    """What is on the person's plate now, and what they did last."""
    reminders = ctx.store.reminders.open_for(ctx.person.name)
    now = ctx.now.isoformat()
    overdue = [r for r in reminders if r.kind == "follow_up" and r.due < now]
    upcoming = [r for r in reminders if r not in overdue]
    sections = (
        Section(title=f"Overdue follow-ups ({len(overdue)})", lines=_lines(ctx, overdue, "none")),
        Section(title=f"Open reminders ({len(upcoming)})", lines=_lines(ctx, upcoming, "none")),
        Section(title="Your recent activity", lines=_recent(ctx)),
    )
    return Reply(title=f"Hello {ctx.person.name} — {ctx.show_time(ctx.now)}", sections=sections)


def _lines(ctx: Context, reminders: list[Reminder], empty: str) -> tuple[str, ...]:
    lines = [_reminder_line(ctx, r) for r in reminders[:SHOWN]]
    if len(reminders) > SHOWN:
        lines.append(f"and {len(reminders) - SHOWN} more (reminders lists them all)")
    return tuple(lines) or (empty,)


def _reminder_line(ctx: Context, reminder: Reminder) -> str:
    party = ctx.store.parties.get(reminder.party_id) if reminder.party_id else None
    about = f" · {party.name}" if party and party.name not in reminder.text else ""
    return f"{ctx.show_time(reminder.due)} · {reminder.text}{about} (reminder {reminder.id})"


def _recent(ctx: Context) -> tuple[str, ...]:
    lines = []
    for interaction in ctx.store.interactions.by_author(ctx.person.name, RECENT):
        party = ctx.store.parties.get(interaction.party_id)
        name = party.name if party else f"party #{interaction.party_id}"
        notes = f": {interaction.notes}" if interaction.notes else ""
        lines.append(f"{ctx.show_time(interaction.at)} · {interaction.kind} with {name}{notes}")
    return tuple(lines) or ("nothing logged yet",)
