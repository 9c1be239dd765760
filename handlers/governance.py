"""Statuses: `status <party> <status> [because <reason>]`, with the history kept on the party."""

from __future__ import annotations

import re
from dataclasses import replace

from handlers import carried
from handlers.approvals import approvers
from handlers.cards import roles_line, status_history_section
from handlers.context import Context
from handlers.notices import notify
from handlers.ownership import save_party
from handlers.parsing import quote_name
from handlers.reply import Reply, Section, changed, problem
from handlers.resolve import find_party, resolve
from handlers.terms.compliance import preferred_refusal
from handlers.verbs import Verb
from storage.ledger import utc_iso
from storage.models import (
    CUSTOMER,
    CUSTOMER_STATUSES,
    SUPPLIER,
    SUPPLIER_STATUSES,
    Party,
    StatusChange,
    may_change_party,
    may_set_status,
    needs_manager_for_status,
    statuses_for,
    to_doc,
)

EXAMPLE = "status GreenPack probation because wrong certificates"
_STATUS = "|".join(CUSTOMER_STATUSES + SUPPLIER_STATUSES)
_LINE = re.compile(
    rf"""^(?P<party>"[^"]+"|.+?)\s+(?:(?:to|on|as)\s+)?(?P<status>{_STATUS})\b
    \s*(?:(?:because|for|since|due\s+to|:|-|—)\s*)?(?P<reason>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
MAX_REASON = 1000


def status(ctx: Context, _word: str, rest: str) -> Reply:
    """`status <party> <status> [because <reason>]`, or `status <party>` to read it."""
    match = _LINE.match(rest.strip())
    if match is None:
        return _read(ctx, rest.strip())
    new, reason = match["status"].lower(), match["reason"].strip()
    party = find_party(ctx, match["party"].strip('"'), carried.command(STATUS, new, reason))
    if isinstance(party, Reply):
        return party
    return set_status(ctx, party, new, reason)


def role_of(status: str) -> str:
    """The role a status belongs to (customers and suppliers have their own)."""
    return CUSTOMER if status in CUSTOMER_STATUSES else SUPPLIER


def set_status(ctx: Context, party: Party, new: str, reason: str) -> Reply:
    """Set `party`'s status to `new` for `reason`: the one place for the checks, the write
    (the history kept on the party, the owner told) and the reply. `reason` is kept as given.
    """
    if new not in CUSTOMER_STATUSES + SUPPLIER_STATUSES:
        return _not_a_status(new)
    role = role_of(new)
    refusal = _refusal(ctx, party, role, new, reason)
    if refusal is not None:
        return refusal
    old = party.status_of(role)
    entry = StatusChange(role, new, reason, ctx.person.name, utc_iso(ctx.now))
    updated = replace(
        party,
        **{f"{role}_status": new},  # type: ignore[arg-type]
        status_history=(*party.status_history, to_doc(entry)),
    )
    because = f" because {reason.rstrip('.')}." if reason else "."
    summary = f"Set {party.name} {role} status to {new}"
    with ctx.store.change(ctx.actor(), summary) as change:
        save_party(ctx, change, party, updated)
        if party.owner and party.owner.casefold() != ctx.person.handle:
            told = Reply(title=f"{ctx.person.name} set {party.name} to {new}{because}")
            notify(ctx, change, party.owner, told)
    lines = []
    if new == "excluded":
        lines.append("It is left out of find (status:excluded shows it) and gets no points.")
    title = f"{party.name}: {role} {old} → {new}{because}"
    return replace(changed(title, change.entry_id), sections=(Section(lines=tuple(lines)),))


def _not_a_status(word: str) -> Reply:
    statuses = ", ".join(CUSTOMER_STATUSES + SUPPLIER_STATUSES)
    return problem(f"“{word}” is not a status; they are {statuses}.", EXAMPLE)


def _status_set(ctx: Context, party: Party, values: carried.Values) -> Reply:
    """A pressed "which party?" button of status: the change, from its values."""
    return set_status(ctx, party, values.text(0), values.text(1))


STATUS = "status"
CARRIED = carried.UseCase(STATUS, _status_set)


def _refusal(ctx: Context, party: Party, role: str, new: str, reason: str) -> Reply | None:
    """Why this status change can't be made, or None."""
    if not party.is_(role):
        return problem(
            f"{party.name} is not a {role}; “{new}” is a {role} status.",
            f"add {role} {quote_name(party.name)}",
        )
    old = party.status_of(role)
    if old == new:
        return Reply(title=f"{party.name} is already {new}.")
    if (failing := preferred_refusal(ctx, party, new)) is not None:
        return failing
    if needs_manager_for_status(new) and not reason:
        return problem(f"Setting {party.name} to {new} needs a reason.", EXAMPLE)
    if len(reason) > MAX_REASON:
        return problem(f"That reason is too long ({len(reason)} characters; {MAX_REASON} max).")
    if may_set_status(ctx.person, party, role, new):
        return None
    if needs_manager_for_status(new) or needs_manager_for_status(old or ""):
        return problem(f"Only a manager can {_move(party, old, new)}: ask {approvers(ctx)}.")
    if not may_change_party(ctx.person, party):
        return problem(f"Only {party.owner} or a manager can change {party.name}.")
    return None


def _move(party: Party, old: str | None, new: str) -> str:
    """'put GreenPack on probation', 'exclude GreenPack', 'take GreenPack off probation'."""
    if new == "probation":
        return f"put {party.name} on probation"
    if new == "excluded":
        return f"exclude {party.name}"
    return f"take {party.name} off {'probation' if old == 'probation' else 'the excluded list'}"


def _read(ctx: Context, text: str) -> Reply:
    """`status <party>`: the statuses and their recent history."""
    if not text:
        return problem("Which party, and which status?", EXAMPLE)
    head, _, last = text.rpartition(" ")
    if (
        head
        and not resolve(ctx.store.parties, text).party
        and resolve(ctx.store.parties, head).party
    ):
        return _not_a_status(last)
    party = find_party(ctx, text, "status {party}")
    if isinstance(party, Reply):
        return party
    history = status_history_section(ctx, party)
    choices = " / ".join(s for role in party.roles for s in statuses_for(role))
    hint = Section(lines=(f"Change it with: status {quote_name(party.name)} <{choices}>",))
    sections = (history, hint) if history else (hint,)
    return Reply(title=f"{party.name}: {roles_line(party)}", sections=sections)


VERBS = (
    Verb(
        "status",
        ("status",),
        status,
        "change a party's status (probation and excluded need a manager and a reason)",
        (EXAMPLE, "status Acme active", "status GreenPack approved"),
        "Customers: " + " → ".join(CUSTOMER_STATUSES) + ". Suppliers: "
        + ", ".join(SUPPLIER_STATUSES) + ". Taking a supplier off probation or exclusion "
        "needs a manager too. The history is kept and shown in show.",
    ),
)  # fmt: skip
