"""What a report covers: a period in the reader's zone cut into buckets, and whose work it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.context import Context, Team
from storage.models import Person

# The periods a report can cover, and the bucket each is cut into.
UNITS = {
    "this week": "day",
    "last week": "day",
    "this month": "week",
    "this quarter": "week",
    "this year": "month",
}
PERIODS = tuple(UNITS)


@dataclass(frozen=True)
class Period:
    """From `start` until `end`, in the reader's zone, cut at each `unit` (day, week, month)."""

    name: str
    edges: tuple[datetime, ...]  # the buckets' starts, then the end
    unit: str

    @property
    def start(self) -> datetime:
        return self.edges[0]

    @property
    def end(self) -> datetime:
        return self.edges[-1]

    @property
    def weeks(self) -> float:
        """How many weeks the period has run (at least one day's worth)."""
        return max((self.end - self.start).total_seconds(), 86400.0) / (7 * 86400)

    def utc_edges(self) -> list[str]:
        """The edges as the UTC ISO text the store keeps times in."""
        return [edge.astimezone(UTC).isoformat() for edge in self.edges]

    def labels(self) -> list[str]:
        """One short label per bucket, in the reader's zone: `Mon 23`, `23 Nov`, `Nov`."""
        shapes = {"day": "{0:%a} {0.day}", "week": "{0.day} {0:%b}", "month": "{0:%b}"}
        return [shapes[self.unit].format(edge) for edge in self.edges[:-1]]

    def span(self) -> str:
        """`1–25 Nov 2026`: the dates covered, for the summary."""
        return span(self.start.date(), (self.end - timedelta(seconds=1)).date())


def span(first: date, last: date) -> str:
    """`1–25 Nov 2026`, `1 Oct–31 Dec 2026`, `1 Dec 2026–6 Jan 2027`: first to last day."""
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b}–{last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y}–{last.day} {last:%b %Y}"


def period_of(name: str, now: datetime, zone: ZoneInfo) -> Period:
    """The named period (see PERIODS) as of `now`, in `zone`; the current one runs to `now`."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    first, last = {
        "this week": (monday, None),
        "last week": (monday - timedelta(days=7), monday),
        "this month": (today.replace(day=1), None),
        "this quarter": (today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), None),
        "this year": (today.replace(month=1, day=1), None),
    }[name]
    unit = UNITS[name]
    # a current period includes what happened at `now` itself
    end = _midnight(last, zone) if last else now.astimezone(zone) + timedelta(microseconds=1)
    cuts = [_midnight(first, zone)]
    day = _next_cut(first, unit)
    while (moment := _midnight(day, zone)) < end:
        cuts.append(moment)
        day = _next_cut(day, unit)
    return Period(name, (*cuts, end), unit)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _next_cut(day: date, unit: str) -> date:
    """The first day of the next bucket after the one `day` is in."""
    if unit == "day":
        return day + timedelta(days=1)
    if unit == "week":
        return day + timedelta(days=7 - day.weekday())
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Scope:
    """Whose work: some people (and, for a team, the parties nobody owns), or everyone (None)."""

    label: str
    people: tuple[Person, ...] | None
    unowned: bool = False

    def owns(self, owner: str) -> bool:
        """Does a party with this owner fall in the scope?"""
        if self.people is None:
            return True
        if not owner:
            return self.unowned
        return any(p.handle == owner.casefold() for p in self.people)


def team_scope(team: Team, person: Person) -> Scope:
    """A lead's team (they and everyone reporting to them, and unowned parties); else all."""
    if team.leads(person):
        return Scope(f"{person.name}'s team", tuple(team.team_of(person)), unowned=True)
    return Scope("the whole team", None)


def scope_of(ctx: Context, word: str) -> Scope | None:
    """`mine`, `team`, `all` or `@name` (a person of the team, the @ optional); None when it
    is none of those."""
    lowered = word.casefold()
    if lowered in ("mine", "me", "my"):
        return Scope(ctx.person.name, (ctx.person,))
    if lowered == "team":
        return team_scope(ctx.team, ctx.person)
    if lowered in ("all", "everyone", "everybody"):
        return Scope("the whole team", None)
    person = ctx.team.find(word)  # `@nick`, or `nick`
    return Scope(person.name, (person,)) if person else None
