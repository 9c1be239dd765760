"""Changes to who is on the team, inside a store change: seed from the config, add, change,
remove (handing open reminders to the manager), and welcome the newcomer."""

from __future__ import annotations

from dataclasses import replace

from handlers.notices import SYSTEM, reply_to_doc
from handlers.reply import Reply, Section
from storage.deliveries import Delivery
from storage.models import Person
from storage.people import member_doc
from storage.store import Store
from storage.unit_of_work import Actor, Change

ROLE_RANK = {"rep": 1, "buyer": 1, "manager": 2, "admin": 3}


def put_member(change: Change, store: Store, person: Person, source: str) -> None:
    """Store `person` as an active member (keeping their own settings and Slack zone)."""
    fields = {"member": member_doc(person), "active": True, "source": source}
    store.people.update(change, person.handle, fields)


def deactivate(change: Change, store: Store, handle: str) -> None:
    """The person is no longer served; their document (and history) stays."""
    doc_id, current = store.people.settings(handle)
    if doc_id is not None and current.get("active", True):
        store.people.update(change, handle, {"active": False})


def hand_over_reminders(change: Change, store: Store, handle: str, to: str) -> int:
    """Give every open reminder of `handle` to `to`; how many moved."""
    moved = store.reminders.open_for(handle)
    for reminder in moved:
        change.save(replace(reminder, owner=to))
    return len(moved)


def seed(store: Store, people: tuple[Person, ...], at: str) -> int:
    """Write the config's people into the store (the config wins); deactivate those it dropped.

    One audited change, made only when something differs; returns how many documents changed.
    """
    named = {p.handle for p in people}
    actor = Actor(name=SYSTEM, channel="config", at=at)
    with store.command(), store.change(actor, "Team seeded from the config") as change:
        for person in people:
            put_member(change, store, person, "config")
        for person, active, source in store.people.stored():
            if source == "config" and active and person.handle not in named:
                deactivate(change, store, person.handle)
    return len(change.changes)


def welcome(change: Change, person: Person, added_by: str, at: str) -> None:
    """Tell the newcomer they are in, through the outbox (delivered on their channel)."""
    lines = [f"Your role: {person.role}."]
    if person.manager:
        lines.append(f"Your manager: {person.manager}.")
    lines.append("Say help to see what I understand.")
    reply = Reply(
        title=f"Welcome to Rapport, {person.name}: you're in.",
        sections=(Section(lines=tuple(lines)),),
    )
    delivery = Delivery(
        id=0,
        to=person.name,
        reply=reply_to_doc(reply),
        kind="notice",
        created_at=at,
        created_by=added_by,
    )
    change.add(delivery)
