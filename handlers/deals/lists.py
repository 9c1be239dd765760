"""Deals to look at: `deals`, open deals on a party card, each person's late deals in the digest."""

from __future__ import annotations

from handlers.context import Context
from handlers.deals.rules import clock_of, deal_line
from handlers.reply import Reply, Section, first_lines, plural, problem
from handlers.resolve import find_party
from handlers.verbs import Verb
from storage.deals import LOST, WON, Deal
from storage.models import Party, Person

EXAMPLE = "deals mine open"
PAGE = 20
PER_PERSON = 10
STATES = ("open", WON, LOST)


def deals(ctx: Context, _word: str, rest: str) -> Reply:
    """`deals [party|mine|@ana|all] [open|won|lost]`: one line per deal, closing soonest first."""
    words = rest.split()
    state = "open"
    if words and words[-1].lower() in STATES:
        state = words.pop().lower()
    who = " ".join(words).strip()
    found = _deals_of(ctx, who)
    if isinstance(found, Reply):
        return found
    whose, candidates = found
    chosen = [d for d in candidates if (d.is_open if state == "open" else d.stage == state)]
    if not chosen:
        return Reply(title=f"No {state} deals ({whose}).")
    chosen.sort(key=lambda d: (d.close or "9999", d.id) if state == "open" else (d.id,))
    clock = clock_of(ctx)
    lines = first_lines(chosen, lambda d: deal_line(ctx, d, clock=clock), PAGE)
    title = f"{plural(len(chosen), f'{state} deal')} ({whose}):"
    return Reply(title=title, sections=(Section(lines=lines),))


def _deals_of(ctx: Context, who: str) -> tuple[str, list[Deal]] | Reply:
    """Whose deals a `deals` line asks for, as a label and the deals."""
    key = who.lower()
    if key in ("", "mine", "my", "me"):
        return "yours", ctx.store.deals.of_owner(ctx.person.name)
    if key in ("all", "everyone", "team"):
        return "everyone's", list(ctx.store.deals.all())
    if key.startswith("@"):
        person = ctx.team.find(key)
        if person is None:
            return problem(f"{who} is not in the team.", EXAMPLE)
        return f"{person.name}'s", ctx.store.deals.of_owner(person.name)
    party = find_party(ctx, who, "deals {party}")
    if isinstance(party, Reply):
        return party
    return f"with {party.name}", ctx.store.deals.of_party(party.id)


def open_deals_section(ctx: Context, party: Party) -> Section | None:
    """The party card's open deals."""
    found = [d for d in ctx.store.deals.of_party(party.id) if d.is_open]
    if not found:
        return None
    clock = clock_of(ctx)
    lines = tuple(deal_line(ctx, d, False, clock) for d in found[:PER_PERSON])
    return Section(title=f"Open deals ({len(found)})", lines=lines)


def digest_deals(ctx: Context, person: Person) -> tuple[list[str], int]:
    """The person's open deals past their close date and stale ones, as digest lines."""
    late, quiet = [], []
    clock = clock_of(ctx)
    for found in ctx.store.deals.open_of_owner(person.name):
        if clock.overdue(found):
            late.append(found)
        elif clock.stale(found):
            quiet.append(found)
    lines = [f"deal past close: {deal_line(ctx, d, clock=clock)}" for d in late[:PER_PERSON]]
    lines += [f"deal gone quiet: {deal_line(ctx, d, clock=clock)}" for d in quiet[:PER_PERSON]]
    return lines, len(late) + len(quiet)


VERBS = (
    Verb(
        "deals",
        ("deals",),
        deals,
        "deals of a customer, a person or everyone",
        (EXAMPLE, "deals Acme", "deals @ana won", "deals all lost"),
        "Open deals close soonest first; ⚠ marks a close date passed or a deal gone quiet.",
    ),
)
