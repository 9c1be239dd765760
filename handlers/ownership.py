"""Who may change a party: every command that writes one asks here, and saves through here."""

from __future__ import annotations

from handlers.context import Context
from handlers.reply import Reply, problem
from storage.models import Party, may_write_party
from storage.unit_of_work import Change


class NotYours(Exception):
    """A party write the person may not make reached the store: a bug, refused all the same."""


def refusal(ctx: Context, before: Party, after: Party) -> Reply | None:
    """The short refusal when this person may not turn `before` into `after`, else None."""
    return None if may_write_party(ctx.person, before, after) else not_yours(before)


def save_party(ctx: Context, change: Change, before: Party, after: Party) -> None:
    """Write a changed party, checked once more by the same rule (NotYours if refused)."""
    if not may_write_party(ctx.person, before, after):
        raise NotYours(f"{ctx.person.name} may not change {before.name}")
    change.save_party(after)


def not_yours(party: Party) -> Reply:
    owner = party.owner or "its owner"
    return problem(f"Only {owner} or a manager can change {party.name}.")
