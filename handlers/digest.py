"""Contact cadence (`cadence`), parties past it (`stale`), and the digest of what needs doing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from itertools import takewhile

from handlers.context import Context
from handlers.dates import format_day
from handlers.deals.lists import digest_deals
from handlers.ownership import refusal, save_party
from handlers.parsing import split_args
from handlers.parties import parse_cadence
from handlers.reminders import reminder_line
from handlers.reply import Reply, Section, changed, first_lines, plural, problem
from handlers.resolve import find_party
from handlers.search import ROLE_WORDS
from handlers.verbs import Verb
from storage.models import Party
from storage.reminders import Reminder
from storage.settings import put_setting

CADENCE_KEY = "cadence:#"
CADENCE_EXAMPLE = "cadence #enterprise 14d"
STALE_EXAMPLE = "stale customers"
PAGE = 20
PER_PERSON = 10
CLOSED_STATUSES = {"inactive", "excluded"}


def tag_cadences(ctx: Context) -> dict[str, int]:
    """Days per tag: the config's defaults, overridden by `cadence #tag` (0 switches one off)."""
    cadences = dict(ctx.policy.tag_cadences)
    cadences.update(ctx.store.settings.with_prefix(CADENCE_KEY))
    return {tag: days for tag, days in cadences.items() if days}


def cadence_of(party: Party, by_tag: dict[str, int]) -> int | None:
    """The party's own cadence, else the shortest of its tags'."""
    if party.cadence_days:
        return party.cadence_days
    days = [by_tag[t] for t in party.tags if t in by_tag]
    return min(days) if days else None


@dataclass(frozen=True)
class Stale:
    """A party past its cadence: by how many days, since when, on which cadence."""

    party: Party
    days_over: int
    last_contact: str | None
    cadence: int


def stale_parties(ctx: Context, keep: object = None) -> list[Stale]:
    """Parties not contacted within their cadence, most overdue first (never: since added)."""
    by_tag = tag_cadences(ctx)
    found = []
    for party in ctx.store.parties.with_cadence(by_tag):
        cadence = cadence_of(party, by_tag)
        statuses = {party.customer_status, party.supplier_status} - {None}
        if not cadence or statuses <= CLOSED_STATUSES or (callable(keep) and not keep(party)):
            continue
        last = ctx.store.interactions.last_contact(party.id)
        since = last or party.created_at
        over = ctx.now - datetime.fromisoformat(since) - timedelta(days=cadence) if since else None
        if over is None or over > timedelta():
            days = over.days if over is not None else 10**6
            found.append(Stale(party, days, last, cadence))
    return sorted(found, key=lambda s: (-s.days_over, s.party.name.casefold()))


def stale_line(ctx: Context, stale: Stale) -> str:
    """'Acme (#1) · 12 days over a 14-day cadence · last contact Tue 3 Nov 2026, 09:00 CET'."""
    party = stale.party
    last = (
        f"last contact {ctx.show_time(stale.last_contact)}"
        if stale.last_contact
        else "never contacted"
    )
    days = stale.days_over
    over = f"{days} day{'' if days == 1 else 's'} over" if days < 10**6 else "overdue"
    parts = [f"{party.name} (#{party.id})", f"{over} a {stale.cadence}-day cadence", last]
    if party.owner:
        parts.append(f"owner {party.owner}")
    return " · ".join(parts)


def stale(ctx: Context, _word: str, rest: str) -> Reply:
    """`stale [customers|suppliers] [#tag] [mine|@person]`: parties past their cadence."""
    args = split_args(rest)
    role, owner = None, None
    for word in (w.lower() for w in args.words):
        if word in ROLE_WORDS:
            role = ROLE_WORDS[word]
        elif word in ("mine", "my", "me"):
            owner = ctx.person
        elif (person := ctx.team.find(word)) is not None:
            owner = person
        elif word not in ("all", "parties"):
            return problem(f"I don't know how to filter by “{word}”.", STALE_EXAMPLE)
    owner = ctx.team.find(args.fields.get("owner", "")) or owner

    def keep(party: Party) -> bool:
        return (
            (role is None or party.is_(role))
            and all(t in party.tags for t in args.add_tags)
            and (owner is None or party.owner.casefold() == owner.handle)
        )

    found = stale_parties(ctx, keep)
    if not found:
        return Reply(title="Nothing is stale: every party with a cadence was contacted in time.")
    lines = first_lines(found, lambda s: stale_line(ctx, s), PAGE)
    title = f"{plural(len(found), 'party')} past their contact cadence, most overdue first:"
    return Reply(title=title, sections=(Section(lines=lines),))


def cadence(ctx: Context, _word: str, rest: str) -> Reply:
    """`cadence #tag 14d` (or `off`), `cadence <party> 30d`, or `cadence` to list the tags'."""
    args = split_args(rest)
    if not rest.strip():
        return _list_cadences(ctx)
    words = args.words
    days = parse_cadence(words[-1]) if words else None
    if days is None:
        return problem(
            "How often? Give days or weeks, like 14d or 2w (off to stop).", CADENCE_EXAMPLE
        )
    if args.add_tags and len(words) == 1:
        return _set_tag_cadence(ctx, args.add_tags[0], days)
    party = find_party(ctx, " ".join(words[:-1]), f"cadence {{party}} {words[-1]}")
    if isinstance(party, Reply):
        return party
    updated = replace(party, cadence_days=days or None)
    refused = refusal(ctx, party, updated)
    if refused is not None:
        return refused
    with ctx.store.change(ctx.actor(), f"Set {party.name}'s cadence") as change:
        save_party(ctx, change, party, updated)
    said = f"every {days} days" if days else "no cadence"
    return changed(f"{party.name}: contact {said}.", change.entry_id)


def _set_tag_cadence(ctx: Context, tag: str, days: int) -> Reply:
    key = CADENCE_KEY + tag
    with ctx.store.change(ctx.actor(), f"Set the cadence of #{tag}") as change:
        put_setting(change, ctx.store.settings, key, days)
    if not days:
        return changed(f"#{tag} parties have no contact cadence now.", change.entry_id)
    return changed(
        f"#{tag} parties: contact every {days} days (a party's own cadence comes first).",
        change.entry_id,
    )


def _list_cadences(ctx: Context) -> Reply:
    by_tag = tag_cadences(ctx)
    if not by_tag:
        return Reply(
            title="No tag has a contact cadence.",
            sections=(Section(lines=(f"Try: {CADENCE_EXAMPLE}",)),),
        )
    lines = tuple(f"#{tag}: every {days} days" for tag, days in sorted(by_tag.items()))
    return Reply(title="Contact cadences by tag:", sections=(Section(lines=lines),))


def build_digest(ctx: Context) -> tuple[Reply, int]:
    """The reader's digest and how many items it lists: per person, overdue and due-today
    reminders and stale parties; a manager's covers the team (and parties with no owner)."""
    people = ctx.team.team_of(ctx.person) if ctx.team.leads(ctx.person) else [ctx.person]
    stale_by_owner: dict[str, list[Stale]] = {}
    for item in stale_parties(ctx):
        stale_by_owner.setdefault(item.party.owner.casefold(), []).append(item)
    end_of_day = _end_of_day(ctx)
    sections, total = [], 0
    for person in people:
        soonest_first = ctx.store.reminders.open_for(person.name)
        due = list(takewhile(lambda r: r.due_at < end_of_day, soonest_first))
        deal_lines, deal_count = digest_deals(ctx, person)
        stale_ones = stale_by_owner.get(person.handle, [])
        section = _person_section(ctx, person.name, due, stale_ones, deal_lines)
        if section is not None:
            sections.append(section)
            total += len(due) + len(stale_ones) + deal_count
    unowned = _person_section(ctx, "No owner", [], stale_by_owner.get("", []))
    if len(people) > 1 and unowned is not None:
        sections.append(unowned)
        total += len(stale_by_owner[""])
    day = format_day(ctx.now, ctx.tz)
    if not total:
        return Reply(
            title=f"Digest for {ctx.person.name}, {day}: nothing overdue, due today or stale."
        ), 0
    title = f"Digest for {ctx.person.name}, {day}: {plural(total, 'item')} to look at."
    return Reply(title=title, sections=tuple(s for s in sections if s)), total


def _end_of_day(ctx: Context) -> datetime:
    today = ctx.now.astimezone(ctx.tz).date()
    midnight = datetime.combine(today + timedelta(days=1), time(0), tzinfo=ctx.tz)
    return midnight.astimezone(UTC)  # comparing in UTC skips a zone look-up per reminder


def _person_section(
    ctx: Context,
    name: str,
    due: list[Reminder],
    stale_ones: list[Stale],
    deal_lines: list[str] | None = None,
) -> Section | None:
    overdue = [r for r in due if r.due_at < ctx.now]
    today = [r for r in due if r.due_at >= ctx.now]
    if not (due or stale_ones or deal_lines):
        return None
    counts = [f"{len(overdue)} overdue", f"{len(today)} due today", f"{len(stale_ones)} stale"]
    lines = [reminder_line(ctx, r) for r in overdue[:PER_PERSON] + today[:PER_PERSON]]
    lines += [f"stale: {stale_line(ctx, s)}" for s in stale_ones[:PER_PERSON]]
    lines += deal_lines or []
    return Section(title=f"{name} — {', '.join(counts)}", lines=tuple(lines))


def digest(ctx: Context, _word: str, _rest: str) -> Reply:
    """`digest`: a manager's team, or your own: overdue and due-today reminders, stale parties."""
    return build_digest(ctx)[0]


VERBS = (
    Verb(
        "digest",
        ("digest",),
        digest,
        "what needs doing: overdue and due-today reminders, stale parties and deals",
        ("digest",),
        "A manager's digest covers their team, grouped by person; it also arrives daily.",
    ),
    Verb(
        "stale",
        ("stale",),
        stale,
        "parties past their contact cadence, most overdue first",
        (STALE_EXAMPLE, "stale #enterprise", "stale suppliers mine"),
    ),
    Verb(
        "cadence",
        ("cadence",),
        cadence,
        "how often parties of a tag should be contacted",
        (CADENCE_EXAMPLE, "cadence #enterprise off", "cadence Acme 30d"),
        "A party's own cadence (edit Acme cadence:30d) comes before its tags'.",
    ),
)
