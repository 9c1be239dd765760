"""Notices for people of the team: an outbox written in the same change, delivered by the scheduler.

A notice is never sent from a handler: `notify()` stores it with the change that caused it,
so it is delivered exactly when that change is kept (and retried until it is).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.context import Context, Team
from handlers.reply import Button, Message, Reply, Section
from storage.deliveries import Delivery
from storage.models import Person
from storage.reminders import Reminder
from storage.store import Store
from storage.unit_of_work import Change

SYSTEM = "Rapport"  # the name the scheduler's and the outbox's own changes are made under
LATE_AFTER_SECONDS = 300


def notify(ctx: Context, change: Change, to: str, reply: Reply, kind: str = "notice") -> int | None:
    """Queue `reply` for the person named `to` in the same change; None when nobody is called so."""
    person = ctx.team.find(to)
    if person is None:
        return None
    delivery = Delivery(
        id=0,
        to=person.name,
        reply=reply_to_doc(reply),
        kind=kind,
        created_at=ctx.now.isoformat(),
        created_by=ctx.person.name,
    )
    return change.add(delivery)


def reply_to_doc(reply: Reply) -> dict[str, Any]:
    """A reply as a JSON-ready document (title, sections, buttons)."""
    return {
        "title": reply.title,
        "ok": reply.ok,
        "sections": [
            {"title": s.title, "lines": list(s.lines), "fields": [list(f) for f in s.fields]}
            for s in reply.sections
        ],
        "buttons": [
            {"label": b.label, "command": b.command, "style": b.style} for b in reply.buttons
        ],
    }


def reply_from_doc(doc: dict[str, Any]) -> Reply:
    """The reply a document made by reply_to_doc describes."""
    sections = tuple(
        Section(
            title=s.get("title", ""),
            lines=tuple(s.get("lines", ())),
            fields=tuple((str(f[0]), str(f[1])) for f in s.get("fields", ())),
        )
        for s in doc.get("sections", ())
    )
    buttons = tuple(
        Button(b["label"], b["command"], b.get("style", "")) for b in doc.get("buttons", ())
    )
    return Reply(
        title=doc.get("title", ""), sections=sections, buttons=buttons, ok=doc.get("ok", True)
    )


def context_for(store: Store, team: Team, person: Person, now: datetime) -> Context:
    """A context that reads times as `person` does, for messages written to them."""
    return Context(store, team, Message(person=person, text="", channel="scheduler", now=now))


def reminder_buttons(reminder_id: int) -> tuple[Button, ...]:
    """Done / Snooze 1h / Tomorrow: what a delivered reminder offers."""
    return (
        Button("Done", f"done {reminder_id}", "primary"),
        Button("Snooze 1h", f"snooze {reminder_id} 1h"),
        Button("Tomorrow", f"snooze {reminder_id} tomorrow"),
    )


def reminder_message(ctx: Context, reminder: Reminder) -> Reply:
    """The message a due reminder sends its owner; `late` (with the due time) after downtime."""
    late = (ctx.now - reminder.due_at).total_seconds() > LATE_AFTER_SECONDS
    noun = "Follow-up" if reminder.is_follow_up else "Reminder"
    title = f"{noun} {reminder.id}{' (late)' if late else ''}: {reminder.text}"
    fields = [("Was due" if late else "Due", ctx.show_time(reminder.due))]
    party = ctx.store.parties.get(reminder.party_id) if reminder.party_id is not None else None
    if party is not None:
        fields.append(("Party", party.name))
    if reminder.recurrence_text:
        fields.append(("Repeats", reminder.recurrence_text))
    if reminder.created_by.casefold() != reminder.owner.casefold():
        fields.append(("Set by", reminder.created_by))
    return Reply(
        title=title,
        sections=(Section(fields=tuple(fields)),),
        buttons=reminder_buttons(reminder.id),
    )
