"""Contracts with their terms: `contract` records one (or fills in a draft), `contracts` lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from handlers import carried
from handlers.amounts import money, parse_amount
from handlers.context import Context
from handlers.days import parse_day, parse_within, show_day, today
from handlers.interactions import log
from handlers.notices import notify
from handlers.parsing import quote_name, split_once
from handlers.reply import Reply, Section, changed, first_lines, plural, problem
from handlers.resolve import find_party
from handlers.verbs import Verb
from storage.contracts import ACTIVE, DRAFT, Contract
from storage.models import Party, may_manage_terms, name_key
from storage.unit_of_work import Change

EXAMPLE = 'contract GreenPack "Packaging 2027" from 1 jan 2027 to 31 dec 2027 value:120k notice:60d'
LIST_EXAMPLE = "contracts expiring in 90d"
_FIELD = re.compile(r"\b(value|notice):\s*(\S+(?:\s+(?:days?|weeks?|months?))?)", re.IGNORECASE)
DEFAULT_NOTICE = 30
EXPIRING_DAYS = 90
PAGE = 20
MAX_TITLE = 200


def keeper_refusal(ctx: Context) -> Reply | None:
    """Contracts and certificates are kept by buyers and managers."""
    if may_manage_terms(ctx.person):
        return None
    return problem("Contracts and certificates are kept by buyers and managers.")


def owner_of(ctx: Context, party: Party) -> str:
    """Who is reminded: the party's owner when they are in the team, else whoever wrote it."""
    found = ctx.team.find(party.owner) if party.owner else None
    return found.name if found else ctx.person.name


def party_text_and_title(text: str, example: str) -> tuple[str, str] | Reply:
    """`GreenPack "Packaging 2027"`: the party's text and the quoted title (checked)."""
    match = re.fullmatch(r'(.+?)\s+"([^"]+)"?', text.strip())
    if match is None:
        return problem("Which party, and what is it called (in quotes)?", example)
    title = match[2].strip()
    return title_problem(title) or (match[1].strip().strip('"'), title)


def title_problem(title: str) -> Reply | None:
    """A contract's or certificate's name is at most MAX_TITLE characters."""
    if len(title) > MAX_TITLE:
        return problem(f"That name is too long ({len(title)} characters; {MAX_TITLE} max).")
    return None


@dataclass(frozen=True)
class Term:
    """A contract's term: first and last day, its value (if given) and its notice in days."""

    start: date
    end: date
    value: int | None
    notice_days: int


def contract(ctx: Context, word: str, rest: str) -> Reply:
    """`contract <party> "<title>" from <day> to <day> [value:120k] [notice:60d]`.

    Without a quoted title the line is logged as a contract interaction, as `contract with
    Acme today: signed` always was."""
    if '"' not in rest:
        return log(ctx, word, rest)
    refusal = keeper_refusal(ctx)
    if refusal is not None:
        return refusal
    fields = {m[1].lower(): m[2] for m in _FIELD.finditer(rest)}
    text = _FIELD.sub(" ", rest).strip()
    ends = split_once(text, "to|until|till|ending")
    if ends is None:
        return problem("When does the contract end? Say from … to ….", EXAMPLE)
    head, end_text = ends
    starts = split_once(head, "from|starting")
    head, start_text = starts if starts else (head, "")
    named = party_text_and_title(head, EXAMPLE)
    if isinstance(named, Reply):
        return named
    party_text, title = named
    term = _term(ctx, start_text, end_text, fields)  # before asking: nobody else answers
    if isinstance(term, Reply):
        return term
    party = find_party(ctx, party_text, _retry(title, term))
    if isinstance(party, Reply):
        return party
    return record_contract(ctx, party, title, term)


def _term(ctx: Context, start_text: str, end_text: str, fields: dict[str, str]) -> Term | Reply:
    """The term the line gives (days read as of now), or what was not understood."""
    dates = ctx.dates()
    start = parse_day(start_text, dates) if start_text else today(dates)
    end = parse_day(end_text, dates)
    if start is None or end is None:
        unread = start_text if start is None else end_text
        return problem(f"I can't read the date “{unread}”.", EXAMPLE)
    value = parse_amount(fields["value"]) if "value" in fields else None
    notice = parse_within(fields["notice"]) if "notice" in fields else DEFAULT_NOTICE
    if ("value" in fields and value is None) or notice is None:
        return problem("Give the value like 120k and the notice like 60d or 3 months.", EXAMPLE)
    term = Term(start, end, value, notice)
    return _term_problem(term) or term


def _term_problem(term: Term) -> Reply | None:
    """A term ends on or after the day it starts."""
    if term.end < term.start:
        ends, starts = show_day(term.end), show_day(term.start)
        return problem(f"It ends ({ends}) before it starts ({starts}).", EXAMPLE)
    return None


def record_contract(ctx: Context, party: Party, title: str, term: Term) -> Reply:
    """Record a contract with `party` (or fill in its draft of that title): the one place for
    its checks, its write and its reply. `title` is kept as given."""
    refused = keeper_refusal(ctx) or title_problem(title) or _term_problem(term)
    if refused is not None:
        return refused
    draft = next(
        (
            c
            for c in ctx.store.contracts.of_party(party.id)
            if c.status == DRAFT and name_key(c.title) == name_key(title)
        ),
        None,
    )
    new = Contract(
        id=draft.id if draft else 0,
        party_id=party.id,
        title=title,
        owner=owner_of(ctx, party),
        start=term.start.isoformat(),
        end=term.end.isoformat(),
        value=term.value,
        currency=ctx.policy.deals.currency,
        notice_days=term.notice_days,
        status=ACTIVE,
        created_at=ctx.now.isoformat(),
        created_by=ctx.person.name,
        source=draft.source if draft else "",
    )
    with ctx.store.change(ctx.actor(), f"Recorded contract {title} with {party.name}") as change:
        if draft is not None:
            change.save(new)
        else:
            new = replace(new, id=change.add(new))
    said = "Filled in the draft" if draft else "Recorded"
    reply = changed(f"{said} contract #{new.id}: {contract_line(ctx, new)}.", change.entry_id)
    reminder = show_day(term.end - timedelta(days=term.notice_days))
    note = f"{new.owner} (and their manager) will be reminded on {reminder}."
    return replace(reply, sections=(Section(lines=(note,)),))


def _retry(title: str, term: Term) -> str:
    """The command of a "which party?" button: the contract's values, carried as they are."""
    value = "" if term.value is None else str(term.value)
    days = (term.start.isoformat(), term.end.isoformat())
    return carried.command(RECORD, title, *days, value, str(term.notice_days))


def _recorded(ctx: Context, party: Party, values: carried.Values) -> Reply:
    """A pressed "which party?" button of contract: the contract, from its values."""
    start, end = values.day(1), values.day(2)
    if start is None or end is None:
        raise carried.Unreadable(1)
    term = Term(start, end, values.optional_number(3), values.number(4))
    return record_contract(ctx, party, values.text(0), term)


RECORD = "contract"
CARRIED = carried.UseCase(RECORD, _recorded)


def contract_line(ctx: Context, item: Contract, with_party: bool = True) -> str:
    """'#4 Packaging 2027 · GreenPack · Fri 1 Jan 2027 – Fri 31 Dec 2027 · 120,000 EUR · …'."""
    parts = [f"#{item.id} {item.title}"]
    party = ctx.store.parties.get(item.party_id)
    if with_party and party is not None:
        parts.append(party.name)
    if item.status == DRAFT:
        parts.append("draft: no term yet")
    else:
        parts.append(f"{show_day(item.start)} – {show_day(item.end)}")
    if item.value is not None:
        parts.append(money(item.value, item.currency))
    if item.status != DRAFT:
        parts.append(f"notice {item.notice_days}d")
        if item.end < today(ctx.dates()).isoformat():
            parts.append("ended")
    parts.append(item.owner)
    return " · ".join(parts)


def contracts(ctx: Context, _word: str, rest: str) -> Reply:
    """`contracts [party|expiring [in 90d]]`: running contracts, soonest ending first."""
    text = rest.strip()
    day = today(ctx.dates()).isoformat()
    if text.lower().startswith("expiring"):
        within = text[len("expiring") :].strip()
        days = parse_within(within) if within else EXPIRING_DAYS
        if days is None:
            return problem(f"Expiring within how long? “{within}” is not a span.", LIST_EXAMPLE)
        last = (today(ctx.dates()) + timedelta(days=days)).isoformat()
        chosen = [c for c in ctx.store.contracts.by_day(day, last) if c.status == ACTIVE]
        label = f"ending within {days} days"
    elif text:
        party = find_party(ctx, text, "contracts {party}")
        if isinstance(party, Reply):
            return party
        chosen, label = ctx.store.contracts.of_party(party.id), f"with {party.name}"
    else:
        chosen = [c for c in ctx.store.contracts.all() if c.status == DRAFT or c.end >= day]
        label = "running and drafts"
    if not chosen:
        return Reply(
            title=f"No contracts {label}.", sections=(Section(lines=(f"Try: {EXAMPLE}",)),)
        )
    chosen.sort(key=lambda c: (c.status != DRAFT, c.end, c.id))
    lines = first_lines(chosen, lambda c: contract_line(ctx, c), PAGE)
    return Reply(
        title=f"{plural(len(chosen), 'contract')} {label}:", sections=(Section(lines=lines),)
    )


def contracts_section(ctx: Context, party: Party) -> Section | None:
    """The card's contracts that have not ended."""
    day = today(ctx.dates()).isoformat()
    found = [c for c in ctx.store.contracts.of_party(party.id) if c.status == DRAFT or c.end >= day]
    if not found:
        return None
    return Section(title="Contracts", lines=tuple(contract_line(ctx, c, False) for c in found))


VERBS = (
    Verb(
        "contract",
        ("contract",),
        contract,
        "record a contract with its term (buyers and managers)",
        (EXAMPLE, f'contract Acme "Support" to end of year notice:{DEFAULT_NOTICE}d'),
        "The owner of the party (and their manager) is reminded notice days before the end; "
        "without notice: it is 30 days. Naming a draft's title fills the draft in. Without a "
        "quoted title (contract with Acme today: signed) it is logged as an interaction.",
    ),
    Verb(
        "contracts",
        ("contracts",),
        contracts,
        "running contracts, or a party's, or those ending soon",
        ("contracts", "contracts GreenPack", LIST_EXAMPLE),
    ),
)


def open_draft(ctx: Context, change: Change, party: Party, title: str, source: str) -> str:
    """A draft contract for the party (a contract reward redeemed); its owner is told. The line
    to say back."""
    owner = owner_of(ctx, party)
    draft = Contract(
        id=0,
        party_id=party.id,
        title=title,
        owner=owner,
        currency=ctx.policy.deals.currency,
        status=DRAFT,
        created_at=ctx.now.isoformat(),
        created_by=ctx.person.name,
        source=source,
    )
    draft_id = change.add(draft)
    fill_in = f'contract {quote_name(party.name)} "{title}" from <day> to <day> value:<amount>'
    if owner.casefold() != ctx.person.handle:
        told = Reply(
            title=f"{ctx.person.name} opened draft contract #{draft_id} “{title}” "
            f"for {party.name}.",
            sections=(Section(lines=(f"Fill it in: {fill_in}",)),),
        )
        notify(ctx, change, owner, told)
    return f"Draft contract #{draft_id} “{title}” opened for {owner}; fill it in: {fill_in}"
