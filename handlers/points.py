"""Points: `award`, `deduct`, `points`, `leaderboard`, and the automatic points a log earns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from operator import itemgetter

from handlers import carried
from handlers.approvals import approvers
from handlers.context import Context
from handlers.reply import Reply, Section, changed, problem
from handlers.resolve import find_party
from handlers.verbs import Verb
from storage.ledger import AWARD, DEDUCT, LedgerEntry, ledger_entry
from storage.models import CUSTOMER, SUPPLIER, Party, may_move_points, tier_for
from storage.unit_of_work import Change

AWARD_EXAMPLE = "award GreenPack 50 for on-time delivery"
DEDUCT_EXAMPLE = "deduct Acme 20 for returned order"
MAX_POINTS = 1_000_000
LEADERS = 10
RECENT = 3
_AMOUNT = r"(?P<n>[+-]?\d[\d,]*)\s*(?:points?|pts?)?"
_PARTY_FIRST = re.compile(
    rf"^(?P<party>.+?)\s+{_AMOUNT}\s*(?:(?:for|because|:)\s*(?P<why>.*))?$", re.I
)
_AMOUNT_FIRST = re.compile(
    rf"^{_AMOUNT}\s+(?:to|from)\s+(?P<party>.+?)(?:\s+(?:for|because)\s+|:\s*)(?P<why>.*)$", re.I
)
ROLE_WORDS = {
    "customers": CUSTOMER,
    "customer": CUSTOMER,
    "suppliers": SUPPLIER,
    "supplier": SUPPLIER,
}


def award(ctx: Context, _word: str, rest: str) -> Reply:
    """`award <party> <points> for <reason>`."""
    return _move(ctx, rest, AWARD)


def deduct(ctx: Context, _word: str, rest: str) -> Reply:
    """`deduct <party> <points> for <reason>`."""
    return _move(ctx, rest, DEDUCT)


def _move(ctx: Context, rest: str, kind: str) -> Reply:
    """Award or deduct, read from a chat line: parse, ask which party if need be, then move."""
    match = _PARTY_FIRST.match(rest.strip()) or _AMOUNT_FIRST.match(rest.strip())
    if match is None:
        return problem(f"How many points, to whom, and why? {_usage(kind)}", _example(kind))
    points = int(match["n"].replace(",", ""))
    reason = (match["why"] or "").strip()
    refused = move_problem(ctx, kind, points, reason)  # before asking: nobody else answers
    if refused is not None:
        return refused
    retry = carried.command(MOVE, kind, str(points), reason)
    party = find_party(ctx, match["party"].strip(), retry)
    if isinstance(party, Reply):
        return party
    return move_points(ctx, party, kind, points, reason)


def move_problem(ctx: Context, kind: str, points: int, reason: str) -> Reply | None:
    """The refusal for points that can't move whoever the party: amount, reason, limit."""
    if not 0 < points <= MAX_POINTS:
        return problem(f"Points are a whole number from 1 to {MAX_POINTS:,}.", _example(kind))
    if not reason:
        return problem(f"What for? Every {kind} needs a reason.", _example(kind))
    return _over_limit(ctx, kind, points)


def move_points(ctx: Context, party: Party, kind: str, points: int, reason: str) -> Reply:
    """Award (`kind` AWARD) or deduct `points` for `reason`: checked, written, confirmed.

    The one place for the checks, the ledger entry and the reply; `reason` is kept as given.
    """
    refused = move_problem(ctx, kind, points, reason) or _refusal(ctx, party, kind, points)
    if refused is not None:
        return refused
    summary = (
        f"Awarded {party.name} {points} points" if kind == AWARD
        else f"Deducted {points} points from {party.name}"
    )  # fmt: skip
    tier_before = tier_name(ctx, party)
    with ctx.store.change(ctx.actor(), summary) as change:
        write_entry(ctx, change, party, points if kind == AWARD else -points, reason, kind)
    lines = [points_line(ctx, party)]
    if tier_name(ctx, party) != tier_before:
        lines.append(f"{party.name} reached {tier_name(ctx, party)}.")
    reply = changed(f"{summary} for {reason}.", change.entry_id)
    return replace(reply, sections=(Section(lines=tuple(lines)),))


def _moved(ctx: Context, party: Party, values: carried.Values) -> Reply:
    """A pressed "which party?" button of award or deduct: the points, from its values."""
    kind = values.text(0)
    if kind not in (AWARD, DEDUCT):
        raise carried.Unreadable(0)
    return move_points(ctx, party, kind, values.number(1), values.text(2))


MOVE = "points"
CARRIED = carried.UseCase(MOVE, _moved)


def _refusal(ctx: Context, party: Party, kind: str, points: int) -> Reply | None:
    """Why these points can't move to or from this party: excluded, or the balance."""
    if kind == AWARD and party.excluded:
        return problem(f"{party.name} is an excluded supplier: it can't receive points.")
    balance = ctx.store.ledger.balance(party.id)
    if kind == DEDUCT and points > balance:
        return problem(f"{party.name} has only {balance} points; a deduction can't go below zero.")
    return None


def _over_limit(ctx: Context, kind: str, points: int) -> Reply | None:
    """The refusal when these points are above what this person may move alone."""
    if may_move_points(ctx.person, points, ctx.policy):
        return None
    what = "Awards" if kind == AWARD else "Deductions"
    limit = ctx.policy.award_limit
    return problem(f"{what} over {limit} points need a manager: {approvers(ctx)}.")


def _example(kind: str) -> str:
    return AWARD_EXAMPLE if kind == AWARD else DEDUCT_EXAMPLE


def _usage(kind: str) -> str:
    return f"{kind} <party> <points> for <reason>."


def write_entry(
    ctx: Context, change: Change, party: Party, delta: int, reason: str, kind: str
) -> int:
    """One ledger entry by the person answered, carrying the id of their message."""
    entry = ledger_entry(
        party.id, delta, reason, kind, ctx.person.name, ctx.now, message_id=ctx.message.message_id
    )
    return change.add(entry)


def auto_points(ctx: Context, change: Change, party: Party, kind: str) -> str | None:
    """The points `[points] auto` gives for logging this kind, written in the log's change."""
    points = int(dict(ctx.policy.auto_points).get(kind, 0))
    if points <= 0 or party.excluded:
        return None
    write_entry(ctx, change, party, points, f"{kind} logged", AWARD)
    balance = ctx.store.ledger.balance(party.id) + points
    return f"+{points} points for the {kind} (balance {balance})."


def points_line(ctx: Context, party: Party) -> str:
    """'150 points · tier silver · 350 more for gold'."""
    tier = tier_for(ctx.store.ledger.earned(party.id), ctx.policy.tiers)
    parts = [f"{ctx.store.ledger.balance(party.id)} points"]
    if tier.name:
        parts.append(f"tier {tier.name}")
    if tier.next_name:
        parts.append(f"{tier.to_next} more for {tier.next_name}")
    return " · ".join(parts)


def entry_line(ctx: Context, entry: LedgerEntry) -> str:
    """'Wed 25 Nov 2026, 14:37 CET · +50 award by Bob: on-time delivery'."""
    return (
        f"{ctx.show_time(entry.at)} · {entry.delta:+d} {entry.kind} by {entry.by}: {entry.reason}"
    )


def points(ctx: Context, _word: str, rest: str) -> Reply:
    """`points <party>`: balance, tier, the next tier, and the last entries."""
    party = find_party(ctx, rest.strip(), "points {party}")
    if isinstance(party, Reply):
        return party
    section = points_section(ctx, party)
    return Reply(
        title=f"{party.name} (#{party.id}): {points_line(ctx, party)}", sections=(section,)
    )


def points_section(ctx: Context, party: Party) -> Section:
    """The card's points section: balance, tier and next tier, then the last entries."""
    line = points_line(ctx, party)
    if party.excluded:
        line += " · excluded: no new points or rewards"
    earned = ctx.store.ledger.earned(party.id)
    if earned:
        line += f" · {earned} earned in all"
    recent = ctx.store.ledger.for_party(party.id, limit=RECENT)
    return Section(title="Points", lines=(line, *(entry_line(ctx, e) for e in recent)))


def leaderboard(ctx: Context, _word: str, rest: str) -> Reply:
    """`leaderboard [customers|suppliers] [this week|this month|this year|last month|…]`."""
    words = rest.lower().split()
    role = next((ROLE_WORDS[w] for w in words if w in ROLE_WORDS), None)
    period_text = " ".join(w for w in words if w not in ROLE_WORDS)
    period = _period(ctx, period_text)
    if period is None:
        return problem(
            f"I can't read the period “{period_text}”.", "leaderboard suppliers this month"
        )
    label, start, end = period
    earned = (
        ctx.store.ledger.earned_all() if start is None
        else ctx.store.ledger.earned_between(start, end)
    )  # fmt: skip
    ranked = _leaders(ctx, earned, role)
    who = f"{role}s" if role else "everyone"
    if not ranked:
        return Reply(title=f"No points earned {label} ({who}).")
    lines = tuple(
        f"{n}. {party.name} — {total} · {tier_name(ctx, party)}"
        for n, (party, total) in enumerate(ranked[:LEADERS], 1)
    )
    title = f"Leaderboard — {who}, points earned {label}:"
    return Reply(title=title, sections=(Section(lines=lines),))


def _leaders(ctx: Context, earned: Mapping[int, int], role: str | None) -> list[tuple[Party, int]]:
    """The best LEADERS parties of the role by points, ties by name; excluded ones left out."""
    ranked: list[tuple[Party, int]] = []
    for party_id, total in sorted(earned.items(), key=itemgetter(1), reverse=True):
        if total <= 0 or (len(ranked) >= LEADERS and total < ranked[-1][1]):
            break
        party = ctx.store.parties.get(party_id)
        if party and not party.excluded and (role is None or party.is_(role)):
            ranked.append((party, total))
    ranked.sort(key=lambda pair: (-pair[1], pair[0].name.casefold()))
    return ranked[:LEADERS]


def _period(ctx: Context, text: str) -> tuple[str, datetime | None, datetime | None] | None:
    """(label, start, end) of a leaderboard period, in the reader's zone; None if unreadable."""
    text = " ".join(text.replace("-", " ").split())
    if text in ("", "all", "all time", "ever", "overall"):
        return "so far", None, None
    local = ctx.now.astimezone(ctx.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = {
        "week": local - timedelta(days=local.weekday()),
        "month": local.replace(day=1),
        "year": local.replace(month=1, day=1),
    }
    which, _, unit = text.partition(" ")
    if unit not in starts or which not in ("this", "last"):
        return None
    start = starts[unit]
    if which == "this":
        return text, start, None
    previous = {
        "week": start - timedelta(days=7),
        "month": (start - timedelta(days=1)).replace(day=1),
        "year": start.replace(year=start.year - 1),
    }[unit]
    return text, previous, start


def tier_name(ctx: Context, party: Party) -> str:
    """The party's tier by points earned, or 'no tier' below the lowest."""
    return tier_for(ctx.store.ledger.earned(party.id), ctx.policy.tiers).name or "no tier"


def has_tier(ctx: Context, party: Party, value: str) -> bool:
    """`find … tier:gold`."""
    return tier_name(ctx, party) == value.lower()


def balance_of(ctx: Context, party: Party) -> object:
    """`find … sort:points`: the balance."""
    return ctx.store.ledger.balance(party.id)


VERBS = (
    Verb(
        "award",
        ("award", "give"),
        award,
        "give a party points, with the reason",
        (AWARD_EXAMPLE, "award 20 to Acme for the referral"),
        "Over [points] award_limit a manager must award. Excluded suppliers get no points.",
    ),
    Verb("deduct", ("deduct",), deduct, "take points from a party, with the reason",
         (DEDUCT_EXAMPLE,), "The balance never goes below zero; undo reverses an award."),
    Verb("points", ("points", "balance"), points, "a party's balance, tier and next tier",
         ("points acme",)),
    Verb(
        "leaderboard",
        ("leaderboard", "leaders", "top"),
        leaderboard,
        "parties ranked by points earned",
        ("leaderboard suppliers", "leaderboard customers this month", "leaderboard this year"),
        "Periods: this week, this month, this year, last month, last year (default: all time).",
    ),
)  # fmt: skip
