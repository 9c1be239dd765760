"""The "Log interaction" form (Slack's modal): each field checked, then logged from its values.

A form names its party by id (`#12`, from a picker) or by name, and keeps when, notes and the
follow-up apart; the checks (log's own, from `handlers.log_use_case`) say which field is wrong,
so a form can show the problem beside it. A good form goes to `log_interaction` as values: its
notes are stored as typed, whatever words they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.context import Context
from handlers.dates import parse_when
from handlers.log_use_case import (
    follow_up_problem,
    kind_problem,
    log_interaction,
    notes_problem,
    when_problem,
)
from handlers.parsing import party_id_ref
from handlers.reply import Reply, problem
from handlers.resolve import resolve
from storage.models import Party


@dataclass(frozen=True)
class LogForm:
    """What a person filled in: party (`#id` or a name), kind, and free text for the rest."""

    party: str
    kind: str = "call"
    when: str = ""
    notes: str = ""
    follow_up: str = ""


def form_problems(ctx: Context, form: LogForm) -> dict[str, str]:
    """Field name → what is wrong with it; empty when the form can be logged."""
    when = _when(ctx, form)
    due = _follow_up(ctx, form)
    problems = {
        "party": _party_problem(ctx, form.party),
        "kind": kind_problem(form.kind),
        "notes": notes_problem(form.notes.strip()),
    }
    if when is None:
        problems["when"] = f"I couldn't read “{form.when}” as a date, e.g. yesterday 3pm or 3 Nov."
    else:
        problems["when"] = when_problem(ctx, when)
    if form.follow_up and due is None:
        problems["follow_up"] = f"I couldn't read “{form.follow_up}”, e.g. next tuesday."
    elif due is not None:
        problems["follow_up"] = follow_up_problem(ctx, due)
    return {field: text for field, text in problems.items() if text}


def log_form(ctx: Context, form: LogForm) -> Reply:
    """Log a form from its values (checked again by the use case: the store may have moved)."""
    party = _party(ctx, form.party)
    when = _when(ctx, form)
    if party is None or when is None or (form.follow_up and _follow_up(ctx, form) is None):
        problems = form_problems(ctx, form)
        return problem(next(iter(problems.values()), "Which party was it with?"))
    return log_interaction(ctx, party, form.kind, when, form.notes.strip(), _follow_up(ctx, form))


def _when(ctx: Context, form: LogForm) -> datetime | None:
    return parse_when(form.when, ctx.dates(), "past") if form.when else ctx.now


def _follow_up(ctx: Context, form: LogForm) -> datetime | None:
    return parse_when(form.follow_up, ctx.dates(), "future") if form.follow_up else None


def _party(ctx: Context, text: str) -> Party | None:
    """The party the field names: `#12` or `12` from the picker, else one name."""
    party_id = party_id_ref(text) or (int(text) if text.isdigit() else None)
    if party_id is not None:
        return ctx.store.parties.get(party_id)
    return resolve(ctx.store.parties, text).party if text else None


def _party_problem(ctx: Context, text: str) -> str:
    if not text:
        return "Which party was it with?"
    if party_id_ref(text) is None and not text.isdigit():
        found = resolve(ctx.store.parties, text)
        if found.party is None and found.candidates:
            names = ", ".join(f"{p.name} (#{p.id})" for p in found.candidates)
            return f"Which one? {names}"
        if found.party is not None:
            return ""
        return f"I don't know a party called “{text}”."
    party_id = party_id_ref(text) or int(text)
    return "" if ctx.store.parties.get(party_id) else f"There is no party #{party_id} any more."
