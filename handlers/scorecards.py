"""Supplier scorecards: `rate` a supplier on the criteria, `scorecard` to read the result."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from handlers import carried
from handlers.approvals import managers
from handlers.context import Context
from handlers.leftovers import ask_about_dates
from handlers.notices import notify
from handlers.parsing import quote_name, split_args
from handlers.reply import Reply, Section, changed, problem
from handlers.resolve import find_party
from handlers.verbs import Verb
from storage.ledger import utc_iso
from storage.models import SUPPLIER, Party
from storage.ratings import Rating
from storage.scoring import Scorecard
from storage.unit_of_work import Change

EXAMPLE = "rate GreenPack quality:4 delivery:5 price:3: good batch"
_NOTE = re.compile(r":(?:\s|$)")
_PAIR = re.compile(
    r"\b(?P<key>[A-Za-z]+)\s*(?:[:=]\s*|\s+)(?P<score>\d)(?:\s*/\s*5)?(?![\d/.,]\d)\s*,?"
)
MAX_NOTE = 1000
CRITERION_WORDS = {"comms": "communication", "cost": "price", "pricing": "price", "eco": "sustain"}
_DATED = "A rating counts from now, and “{}” looks like a date, so I stored nothing. Try:"


def card_of(ctx: Context, party: Party) -> Scorecard:
    """The party's scorecard now, with the config's weights and period."""
    return ctx.store.ratings.scorecard(party.id, ctx.policy, ctx.now)


def criteria(ctx: Context) -> tuple[str, ...]:
    return tuple(name for name, _weight in ctx.policy.scorecard_weights)


def _criterion(ctx: Context, key: str) -> str | None:
    """A criterion by its name, a prefix only it has ('comm' → communication), or a synonym."""
    key = CRITERION_WORDS.get(key, key)
    found = [c for c in criteria(ctx) if c == key] or [
        c for c in criteria(ctx) if c.startswith(key)
    ]
    return found[0] if len(found) == 1 else None


def parse_scores(ctx: Context, fields: dict[str, str]) -> dict[str, int] | Reply:
    """`quality:4 delivery:5` → {'quality': 4, 'delivery': 5}, or the problem."""
    scores: dict[str, int] = {}
    for key, value in fields.items():
        criterion = _criterion(ctx, key)
        if criterion is None:
            return _unknown_criterion(ctx, key)
        if not value.isdigit():
            return _not_a_score(value)
        scores[criterion] = int(value)
    return scores


def scores_problem(ctx: Context, scores: Mapping[str, int]) -> Reply | None:
    """Why these scores can't be a rating: none, a criterion not rated, or not 1–5."""
    if not scores:
        names = ", ".join(criteria(ctx))
        return problem(f"Rate which criteria? Any of {names}, each 1–5.", EXAMPLE)
    for criterion, score in scores.items():
        if criterion not in criteria(ctx):
            return _unknown_criterion(ctx, criterion)
        if not 1 <= score <= 5:
            return _not_a_score(str(score))
    return None


def note_problem(note: str) -> Reply | None:
    """Why this note can't be kept with a rating; None when it can."""
    if len(note) > MAX_NOTE:
        return problem(f"That note is too long ({len(note)} characters; {MAX_NOTE} max).")
    return None


def _unknown_criterion(ctx: Context, key: str) -> Reply:
    names = ", ".join(criteria(ctx))
    return problem(f"I don't rate “{key}”; the criteria are {names}.", EXAMPLE)


def _not_a_score(value: str) -> Reply:
    return problem(f"A rating is a whole number from 1 to 5, not “{value}”.", EXAMPLE)


def scores_as_fields(ctx: Context, rest: str) -> str:
    """`X quality 4, delivery=5 good batch` → `X quality:4 delivery:5: good batch`.

    The first run of criterion-and-score pairs (`quality 4`, `quality=4`, `Quality: 4,`,
    `quality 4/5`) becomes fields; what follows the run is the note.
    """
    run: list[re.Match[str]] = []
    for pair in _PAIR.finditer(rest):
        if _criterion(ctx, pair["key"].lower()) is None:
            continue
        if run and rest[run[-1].end() : pair.start()].strip(" ,;&").lower() not in ("", "and"):
            break
        run.append(pair)
    if not run:
        return rest
    head = rest[: run[0].start()].rstrip(" ,")
    fields = " ".join(f"{p['key'].lower()}:{p['score']}" for p in run)
    note = re.sub(r"^[\s,;:–—-]+", "", rest[run[-1].end() :])
    return f"{head} {fields}" + (f": {note}" if note else "")


def rate(ctx: Context, _word: str, rest: str) -> Reply:
    """`rate <supplier> quality:4 delivery:5 …[: note]`, or `quality 4`, `quality=4`, `4/5`."""
    rest = scores_as_fields(ctx, rest)
    masked = re.sub(r'"[^"]*"', lambda m: "x" * len(m[0]), rest)
    split = _NOTE.search(masked)
    head, note = (rest[: split.start()], rest[split.end() :].strip()) if split else (rest, "")
    if too_long := note_problem(note):
        return too_long
    args = split_args(head)
    party_text = "" if ctx.store.parties.named(args.text) else args.text
    if unread := ask_about_dates([party_text, note], ctx.dates(), "past", False, EXAMPLE, _DATED):
        return unread
    scores = parse_scores(ctx, args.fields)
    if isinstance(scores, Reply):
        return scores
    if refused := scores_problem(ctx, scores):
        return refused
    given = " ".join(f"{c}:{v}" for c, v in scores.items())
    party = find_party(ctx, args.text, carried.command(RATE, given, note))
    if isinstance(party, Reply):
        return party
    return rate_supplier(ctx, party, scores, note)


def rate_supplier(ctx: Context, party: Party, scores: Mapping[str, int], note: str) -> Reply:
    """Rate supplier `party` now: the one place for a rating's checks, its write and its reply.

    `scores` are by criterion name, each 1–5; `note` is kept as given.
    """
    refused = scores_problem(ctx, scores) or note_problem(note)
    if refused is not None:
        return refused
    if not party.is_(SUPPLIER):
        return problem(f"{party.name} is not a supplier; scorecards are for suppliers.")
    rating = Rating(
        0, party.id, dict(scores), ctx.person.name, utc_iso(ctx.now), note, ctx.message.channel
    )
    return _store_rating(ctx, party, rating)


def _rated(ctx: Context, party: Party, values: carried.Values) -> Reply:
    """A pressed "which party?" button of rate: the rating, from its values."""
    scores: dict[str, int] = {}
    for pair in values.text(0).split():
        criterion, _, score = pair.partition(":")
        if not score.isdigit():
            raise carried.Unreadable(0)
        scores[criterion] = int(score)
    return rate_supplier(ctx, party, scores, values.text(1))


RATE = "rate"
CARRIED = carried.UseCase(RATE, _rated)


def _store_rating(ctx: Context, party: Party, rating: Rating) -> Reply:
    """Keep the rating; a supplier it drops to a poor standing is flagged to the managers."""
    before = card_of(ctx, party)
    after = ctx.store.ratings.scorecard(party.id, ctx.policy, ctx.now, also=(rating,))
    flag = poor_flag(party, after)
    told: list[str] = []
    with ctx.store.change(ctx.actor(), f"Rated {party.name}") as change:
        change.add(rating)
        if flag and not before.poor:
            told = _tell_managers(ctx, change, party, after)
    rated = ", ".join(f"{c} {v}" for c, v in rating.scores.items())
    title = f"Rated {party.name}: {rated} — {ctx.show_time(ctx.now)}."
    lines = [rating.note] if rating.note else []
    lines.append(f"Scorecard: {summary(ctx, after)}")
    if flag:
        lines.append(flag + (f" Told {', '.join(told)}." if told else ""))
    return replace(changed(title, change.entry_id), sections=(Section(lines=tuple(lines)),))


def _tell_managers(ctx: Context, change: Change, party: Party, card: Scorecard) -> list[str]:
    """Queue a flag for each manager: this supplier just fell to a poor standing."""
    text = (
        f"{party.name} fell to a poor standing (score {card.score}/100 after {ctx.person.name}'s "
        f"rating): a candidate for probation."
    )
    hint = f"status {quote_name(party.name)} probation because …"
    flag = Reply(title=text, sections=(Section(lines=(f"Try: {hint}",)),))
    told = [m.name for m in managers(ctx.team) if m.name != ctx.person.name]
    for name in told:
        notify(ctx, change, name, flag, kind="flag")
    return told


def poor_flag(party: Party, card: Scorecard) -> str | None:
    """The flag a supplier in poor standing carries, unless already on probation or excluded."""
    if not card.poor or party.supplier_status in ("probation", "excluded"):
        return None
    return f"⚠ Poor standing: {party.name} is a candidate for probation."


def standing_warning(ctx: Context, party: Party) -> str | None:
    """The poor-standing flag for replies about a supplier (the log reply shows it)."""
    if not party.is_(SUPPLIER) or not ctx.store.ratings.has_ratings(party.id):
        return None
    return poor_flag(party, card_of(ctx, party))


def summary(ctx: Context, card: Scorecard) -> str:
    """'72/100 · good · 3 ratings in 180 days · ▲ +8 on the 180 days before'."""
    days = ctx.policy.scorecard_period_days
    if card.score is None:
        return f"no ratings in the last {days} days"
    ratings = f"{card.ratings} rating{'s' if card.ratings != 1 else ''} in {days} days"
    return " · ".join((f"{card.score}/100", str(card.standing), ratings, _trend(ctx, card)))


def _trend(ctx: Context, card: Scorecard) -> str:
    days = ctx.policy.scorecard_period_days
    if card.trend is None:
        return f"no ratings in the {days} days before"
    arrow = "▲" if card.trend > 0 else "▼" if card.trend < 0 else "="
    return f"{arrow} {card.trend:+d} on the {days} days before ({card.previous})"


def scorecard(ctx: Context, _word: str, rest: str) -> Reply:
    """`scorecard <supplier>`: averages per criterion, the weighted score, standing and trend."""
    party = find_party(ctx, rest.strip(), "scorecard {party}")
    if isinstance(party, Reply):
        return party
    if not party.is_(SUPPLIER):
        return problem(f"{party.name} is not a supplier; scorecards are for suppliers.")
    card = card_of(ctx, party)
    title = f"{party.name} scorecard: {summary(ctx, card)}"
    if card.score is None:
        return Reply(title=title, sections=(Section(lines=(f"Try: {EXAMPLE}",)),))
    weight_of = dict(card.weights)
    total = sum(weight_of.values()) or 1
    fields = tuple(
        (c, f"{mean:.1f} (weight {weight_of[c] / total:.0%})" if mean is not None else "no data")
        for c, mean in card.averages
    )
    lines = []
    if any(mean is None for _c, mean in card.averages):
        lines.append("Criteria with no data don't count; the others' weights are rescaled.")
    if flag := poor_flag(party, card):
        lines.append(flag)
    return Reply(title=title, sections=(Section(fields=fields, lines=tuple(lines)),))


def scorecard_section(ctx: Context, party: Party) -> Section | None:
    """The card's scorecard section, for suppliers."""
    if not party.is_(SUPPLIER):
        return None
    card = card_of(ctx, party)
    lines = [summary(ctx, card)]
    rated = [f"{c} {mean:.1f}" for c, mean in card.averages if mean is not None]
    if rated:
        lines.append(" · ".join(rated))
    if flag := poor_flag(party, card):
        lines.append(flag)
    return Section(title="Scorecard", lines=tuple(lines))


def has_standing(ctx: Context, party: Party, value: str) -> bool:
    """`find suppliers standing:poor`."""
    if not party.is_(SUPPLIER) or not ctx.store.ratings.has_ratings(party.id):
        return False
    return card_of(ctx, party).standing == value.lower()


def score_of(ctx: Context, party: Party) -> object:
    """`find … sort:score`: the score, parties without one last."""
    if not party.is_(SUPPLIER) or not ctx.store.ratings.has_ratings(party.id):
        return -1
    score = card_of(ctx, party).score
    return -1 if score is None else score


VERBS = (
    Verb(
        "rate",
        ("rate", "rating"),
        rate,
        "rate a supplier 1–5 on the scorecard's criteria",
        (EXAMPLE, "rate GreenPack sustainability:5"),
        "Criteria: quality, delivery, price, communication, sustainability (any subset), "
        "or those [scorecard] weights names.",
    ),
    Verb(
        "scorecard",
        ("scorecard", "score"),
        scorecard,
        "a supplier's weighted score, standing and trend",
        ("scorecard greenpack",),
        "Averages over [scorecard] period_days; standing: excellent ≥ 80, good ≥ 50, "
        "watch ≥ 30, poor below.",
    ),
)
