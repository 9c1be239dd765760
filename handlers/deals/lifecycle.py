"""Deals with customers: `deal` opens one, `stage`, `won` and `lost … because` move it on."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from handlers import carried
from handlers.amounts import looks_like_amount, money, parse_amount
from handlers.context import Context
from handlers.days import parse_day, show_day
from handlers.deals.rules import (
    deal_buttons,
    deal_line,
    find_deal,
    next_stage,
    open_stages,
    probability,
    stage_names,
)
from handlers.notices import notify
from handlers.parsing import quote_name, split_once
from handlers.reply import Reply, Section, changed, problem
from handlers.resolve import find_party, resolve
from handlers.verbs import Verb
from storage.deals import LOST, WON, Deal
from storage.models import CUSTOMER, Party, may_change_deal
from storage.unit_of_work import Change

EXAMPLE = 'deal Acme "Q1 renewal" 48k stage:proposal close:15 jan'
STAGE_EXAMPLE = "stage #3 negotiation"
LOST_EXAMPLE = "lost #3 because went with a cheaper offer"
KEYS = ("stage", "close", "owner", "value")
_FIELD = re.compile(rf"\b({'|'.join(KEYS)}):\s*(\"[^\"]*\"|.*?)(?=\s+\w+:|$)", re.IGNORECASE)
MAX_TITLE = 200
MAX_REASON = 1000


def deal(ctx: Context, _word: str, rest: str) -> Reply:
    """`deal <party> "<title>" <value> [stage:…] [close:…] [owner:@…]`: opens a deal."""
    fields = {m[1].lower(): m[2].strip().strip('"') for m in _FIELD.finditer(rest)}
    words = _FIELD.sub(" ", rest).strip()
    if not words:
        return problem("Which customer, what deal and how much?", EXAMPLE)
    if "value" not in fields:
        head, _, last = words.rpartition(" ")
        if head and looks_like_amount(last):
            words, fields["value"] = head.strip(), last
    terms = _terms(ctx, fields)  # before asking which party: nobody else answers
    if isinstance(terms, Reply):
        return terms
    split = _party_and_title(ctx, words, terms)
    if isinstance(split, Reply):
        return split
    party, title = split
    return open_deal(ctx, party, title, terms)


@dataclass(frozen=True)
class Terms:
    """A new deal's terms: its first stage, close day, owner (a team member's name) and value."""

    stage: str
    close: date | None
    owner: str
    value: int


def open_deal(ctx: Context, party: Party, title: str, terms: Terms) -> Reply:
    """Open a deal with customer `party`: the one place for its checks, its write and its reply.

    `title` is kept as given; the owner hears of it when someone else opened it.
    """
    refused = _terms_problem(ctx, terms)
    if refused is not None:
        return refused
    if not party.is_(CUSTOMER):
        return problem(f"{party.name} is not a customer.", f"add customer {quote_name(party.name)}")
    if not title or len(title) > MAX_TITLE:
        return problem("What is the deal called? Put its title in quotes.", EXAMPLE)
    at = ctx.now.isoformat()
    new = Deal(
        id=0,
        party_id=party.id,
        title=title,
        value=terms.value,
        currency=ctx.policy.deals.currency,
        stage=terms.stage,
        owner=terms.owner,
        close=terms.close.isoformat() if terms.close else "",
        opened_at=at,
        opened_by=ctx.person.name,
        history=({"stage": terms.stage, "at": at, "by": ctx.person.name},),
    )
    with ctx.store.change(ctx.actor(), f"Opened deal {title} with {party.name}") as change:
        deal_id = change.add(new)
        _tell_owner(ctx, change, terms.owner, f"{ctx.person.name} opened a deal for you: {title}.")
    opened = replace(new, id=deal_id)
    reply = changed(f"Opened deal #{deal_id}: {deal_line(ctx, opened)}.", change.entry_id)
    return replace(reply, buttons=deal_buttons(ctx, opened) + reply.buttons)


def _opened(ctx: Context, party: Party, values: carried.Values) -> Reply:
    """A pressed "which party?" button of deal: the deal, from its values."""
    terms = Terms(values.text(1), values.day(3), values.text(4), values.number(2))
    return open_deal(ctx, party, values.text(0), terms)


OPEN = "deal"
CARRIED = carried.UseCase(OPEN, _opened)


def _party_and_title(ctx: Context, words: str, terms: Terms) -> tuple[Party, str] | Reply:
    """`Acme "Q1 renewal"`, `"Acme Corp" "Q1"`, or `Acme Q1 renewal` (longest party name first)."""
    quoted = re.fullmatch(r'(.+?)\s+"([^"]+)"?\s*', words)
    if quoted:
        title = quoted[2].strip()
        party = find_party(ctx, quoted[1].strip().strip('"'), _retry(title, terms))
        return party if isinstance(party, Reply) else (party, title)
    parts = words.split()
    for cut in range(len(parts) - 1, 0, -1):
        found = resolve(ctx.store.parties, " ".join(parts[:cut])).party
        if found is not None:
            return found, " ".join(parts[cut:])
    party = find_party(ctx, parts[0], _retry(" ".join(parts[1:]), terms))
    return party if isinstance(party, Reply) else problem("What is the deal called?", EXAMPLE)


def _retry(title: str, terms: Terms) -> str:
    """The command of a "which party?" button: the deal's values, carried as they are."""
    close = terms.close.isoformat() if terms.close else ""
    return carried.command(OPEN, title, terms.stage, str(terms.value), close, terms.owner)


def _terms(ctx: Context, fields: dict[str, str]) -> Terms | Reply:
    """The terms the fields give (stage, close, owner, value), or what was not understood."""
    rules = ctx.policy.deals
    close = None
    if "close" in fields:
        close = parse_day(fields["close"], ctx.dates())
        if close is None:
            return problem(f"I can't read the close date “{fields['close']}”.", EXAMPLE)
    owner = ctx.team.find(fields["owner"]) if "owner" in fields else ctx.person
    if owner is None:
        return problem(f"{fields['owner']} is not in the team.", EXAMPLE)
    value = parse_amount(fields.get("value", "")) if "value" in fields else None
    if value is None:
        return problem("How much is the deal worth? Give a value like 48k or 1.2m.", EXAMPLE)
    terms = Terms(fields.get("stage", open_stages(rules)[0]).lower(), close, owner.name, value)
    return _terms_problem(ctx, terms) or terms


def _terms_problem(ctx: Context, terms: Terms) -> Reply | None:
    """Why a deal can't open with these terms whoever the customer (stage, owner), or None."""
    stages = open_stages(ctx.policy.deals)
    if terms.stage not in stages:
        return problem(f"“{terms.stage}” is not an open stage; they are {', '.join(stages)}.")
    if ctx.team.find(terms.owner) is None:
        return problem(f"{terms.owner} is not in the team.", EXAMPLE)
    return None


def stage(ctx: Context, _word: str, rest: str) -> Reply:
    """`stage <deal> <stage|next>`: moves an open deal; won and lost close it."""
    head, _, wanted = rest.strip().rpartition(" ")
    wanted = wanted.lower()
    if not head or wanted not in (*stage_names(ctx.policy.deals), "next"):
        names = ", ".join(stage_names(ctx.policy.deals))
        return problem(f"Move which deal to which stage ({names}, or next)?", STAGE_EXAMPLE)
    if wanted == LOST:
        return lost(ctx, "lost", head)
    found = find_deal(ctx, head, f"stage {{deal}} {wanted}")
    if isinstance(found, Reply):
        return found
    if wanted == "next":
        upcoming = next_stage(ctx.policy.deals, found.stage)
        if upcoming is None:
            return problem(f"#{found.id} {found.title} has no next stage: won or lost?")
        wanted = upcoming
    return _move(ctx, found, wanted)


def won(ctx: Context, _word: str, rest: str) -> Reply:
    """`won <deal>`: the deal is won and closed."""
    found = find_deal(ctx, rest, "won {deal}")
    return found if isinstance(found, Reply) else _move(ctx, found, WON)


def lost(ctx: Context, _word: str, rest: str) -> Reply:
    """`lost <deal> because <reason>`: the reason is required; without it, asks for it."""
    split = split_once(rest, "because|due to|for the reason")
    ref, reason = split if split else (rest.strip(), "")
    found = find_deal(ctx, ref, "lost {deal}" + (f" because {reason}" if reason else ""))
    if isinstance(found, Reply):
        return found
    if not reason:
        return problem(
            f"Why was #{found.id} {found.title} lost? Say it with the reason.",
            f"lost #{found.id} because <reason>",
        )
    if len(reason) > MAX_REASON:
        return problem(f"That reason is too long ({len(reason)} characters; {MAX_REASON} max).")
    return _move(ctx, found, LOST, reason.rstrip("."))


def _move(ctx: Context, found: Deal, wanted: str, reason: str = "") -> Reply:
    if not may_change_deal(ctx.person, found.owner):
        return problem(f"Only {found.owner} or a manager can change #{found.id} {found.title}.")
    if not found.is_open:
        return problem(f"#{found.id} {found.title} is already {found.stage}.")
    if wanted == found.stage:
        return Reply(title=f"#{found.id} {found.title} is already at {wanted}.")
    at = ctx.now.isoformat()
    closing = wanted in (WON, LOST)
    moved = replace(
        found,
        stage=wanted,
        reason=reason,
        closed_at=at if closing else None,
        history=(*found.history, {"stage": wanted, "at": at, "by": ctx.person.name}),
    )
    summary = f"Moved deal {found.title} to {wanted}"
    with ctx.store.change(ctx.actor(), summary) as change:
        change.save(moved)
        _tell_owner(ctx, change, found.owner, f"{ctx.person.name}: {deal_line(ctx, moved)}.")
    percent = round(probability(ctx.policy.deals, wanted) * 100)
    said = {WON: "won 🎉", LOST: f"lost because {reason}"}.get(wanted, f"{wanted} ({percent}%)")
    title = f"#{found.id} {found.title}: {found.stage} → {said}."
    reply = changed(title, change.entry_id)
    value = Section(lines=(f"{money(found.value, found.currency)}" + _closes(found, closing),))
    return replace(reply, sections=(value,), buttons=deal_buttons(ctx, moved) + reply.buttons)


def _closes(found: Deal, closing: bool) -> str:
    return f" · closes {show_day(found.close)}" if found.close and not closing else ""


def _tell_owner(ctx: Context, change: Change, owner: str, text: str) -> None:
    """A deal changed by someone else: its owner hears of it."""
    if owner.casefold() != ctx.person.handle:
        notify(ctx, change, owner, Reply(title=text))


VERBS = (
    Verb(
        "deal",
        ("deal",),
        deal,
        "open a deal with a customer",
        (EXAMPLE, 'deal Acme "Support 2027" 1.2m close:end of quarter owner:@nick'),
        "Values take k and m; the stage starts at the first one unless stage: says; "
        "close: reads dates like 15 jan or end of quarter.",
    ),
    Verb(
        "stage",
        ("stage",),
        stage,
        "move a deal to another stage",
        (STAGE_EXAMPLE, 'stage "Q1 renewal" proposal', "stage Q1 next"),
        "Name a deal by #id, title or the start of it. Only its owner or a manager moves it.",
    ),
    Verb("won", ("won", "win"), won, "close a deal as won", ("won #3", 'won "Q1 renewal"')),
    Verb(
        "lost",
        ("lost", "lose"),
        lost,
        "close a deal as lost (the reason is required)",
        (LOST_EXAMPLE,),
    ),
)
