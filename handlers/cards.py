"""The party card (`show`) and the one-line summary lists use."""

from __future__ import annotations

from collections.abc import Callable

from handlers.context import Context
from handlers.deals.lists import open_deals_section
from handlers.exclusion import exclusion_warning
from handlers.interactions import interaction_line
from handlers.parsing import quote_name
from handlers.points import points_section
from handlers.reminders import open_reminders_section
from handlers.reply import Button, Reply, Section
from handlers.resolve import find_party
from handlers.scorecards import scorecard_section
from handlers.terms.certs import certs_section
from handlers.terms.compliance import failing_marker, policy_section
from handlers.terms.contracts import contracts_section
from handlers.verbs import Verb
from storage.models import STANDARD_FIELDS, Party

RECENT = 3

SectionBuilder = Callable[[Context, Party], Section | None]


def roles_line(party: Party) -> str:
    """'customer (active), supplier (approved)'."""
    return ", ".join(f"{role} ({party.status_of(role)})" for role in party.roles)


def summary_line(ctx: Context, party: Party) -> str:
    """One line per party in lists: name, roles, tags, owner, last contact."""
    parts = [f"{party.name} (#{party.id})", roles_line(party)]
    if party.tags:
        parts.append(" ".join(f"#{t}" for t in party.tags))
    if party.owner:
        parts.append(f"owner {party.owner}")
    if ctx.store.ledger.has_entries(party.id):
        parts.append(f"{ctx.store.ledger.balance(party.id)} points")
    last = ctx.store.interactions.last_contact(party.id)
    parts.append(f"last contact {ctx.show_time(last)}" if last else "no contact yet")
    if failing := failing_marker(ctx, party):
        parts.append(failing)
    line = " · ".join(parts)
    return f"{exclusion_warning(party)} — {line}" if party.excluded else line


def details_section(ctx: Context, party: Party) -> Section:
    fields = [("Roles", roles_line(party))]
    if party.tags:
        fields.append(("Tags", " ".join(f"#{t}" for t in party.tags)))
    for label, value in (("Category", party.category), ("Owner", party.owner)):
        if value:
            fields.append((label, value))
    ordered = sorted(party.fields, key=lambda k: (k not in STANDARD_FIELDS, k))
    fields += [(field_label(key), party.fields[key]) for key in ordered]
    if party.aliases:
        fields.append(("Also known as", ", ".join(party.aliases)))
    if party.cadence_days:
        fields.append(("Cadence", f"every {party.cadence_days} days"))
    return Section(fields=tuple(fields))


def field_label(key: str) -> str:
    """A custom field's label: as its header said it (`Company Domain Name`), else capitalised."""
    return key if key != key.lower() else key.capitalize()


def contacts_section(_ctx: Context, party: Party) -> Section | None:
    if not party.contacts:
        return None
    lines = tuple(
        " · ".join(v for v in (c["name"], c.get("title"), c.get("email"), c.get("phone")) if v)
        for c in party.contacts
    )
    return Section(title="Contacts", lines=lines)


def recent_section(ctx: Context, party: Party) -> Section:
    recent = ctx.store.interactions.for_party(party.id, limit=RECENT)
    if not recent:
        return Section(title="Interactions", lines=("none yet",))
    total = ctx.store.interactions.count_for(party.id)
    lines = tuple(interaction_line(ctx, i) for i in recent)
    title = f"Last interactions ({len(recent)} of {total})"
    return Section(title=title, lines=lines)


def status_history_section(ctx: Context, party: Party) -> Section | None:
    if not party.status_history:
        return None
    lines = tuple(
        f"{ctx.show_time(c['at'])} · {c['role']} → {c['status']} by {c['by']}"
        + (f": {c['reason']}" if c.get("reason") else "")
        for c in party.status_history[-5:]
    )
    return Section(title="Status history", lines=lines)


CARD_SECTIONS: list[SectionBuilder] = [
    details_section,
    contacts_section,
    points_section,
    scorecard_section,
    open_deals_section,
    policy_section,
    certs_section,
    contracts_section,
    recent_section,
    open_reminders_section,
    status_history_section,
]


def show(ctx: Context, _word: str, rest: str) -> Reply:
    """`show <party>`: the party card."""
    party = find_party(ctx, rest.strip(), "show {party}")
    if isinstance(party, Reply):
        return party
    sections = [s for build in CARD_SECTIONS if (s := build(ctx, party)) is not None]
    title = f"{party.name} (#{party.id})"
    if party.excluded:
        title = f"{title} — {exclusion_warning(party)}"
    buttons = (Button(label="History", command=f"history {quote_name(party.name)}"),)
    return Reply(title=title, sections=tuple(sections), buttons=buttons)


VERBS = (
    Verb(
        "show",
        ("show", "card", "info", "lookup", "open"),
        show,
        "the party card",
        ("show acme",),
        "Roles, status, tags, fields, contacts, last interactions and more.",
    ),
)
