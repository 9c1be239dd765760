"""The pipeline: open deals by stage (count, value, weighted value), what is late, what changed.

`pipeline_data` is plain data, so a report or chart can draw the same numbers `pipeline` says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.amounts import money
from handlers.context import Context
from handlers.days import parse_period, show_day, today
from handlers.deals.rules import deal_clock, deal_line, open_stages
from handlers.reply import Button, Reply, Section, plural, problem
from handlers.verbs import Verb
from storage.deals import LOST, WON, Deal
from storage.models import DealRules
from storage.store import Store

EXAMPLE = "pipeline team this quarter"
WEEK = timedelta(days=7)
LISTED = 5


@dataclass(frozen=True)
class StageTotals:
    stage: str
    probability: float
    count: int = 0
    value: int = 0
    weighted: float = 0.0


@dataclass(frozen=True)
class WeekChanges:
    """Since a week ago: deals opened, moved to another open stage, won and lost."""

    opened: tuple[Deal, ...] = ()
    moved: tuple[Deal, ...] = ()
    won: tuple[Deal, ...] = ()
    lost: tuple[Deal, ...] = ()
    weighted_before: float = 0.0


@dataclass(frozen=True)
class Pipeline:
    stages: tuple[StageTotals, ...]
    overdue: tuple[Deal, ...]
    stale: tuple[Deal, ...]
    changes: WeekChanges = field(default_factory=WeekChanges)
    currency: str = "EUR"

    @property
    def count(self) -> int:
        return sum(s.count for s in self.stages)

    @property
    def value(self) -> int:
        return sum(s.value for s in self.stages)

    @property
    def weighted(self) -> float:
        return sum(s.weighted for s in self.stages)


def pipeline_data(
    store: Store,
    owners: Iterable[str] | None,
    period: tuple[date, date] | None,
    now: datetime,
    rules: DealRules,
    tz: ZoneInfo,
) -> Pipeline:
    """The pipeline of these owners' deals (None: everyone's) closing in `period` (None: any)."""
    first, last = (period[0].isoformat(), period[1].isoformat()) if period else ("", "~")
    chosen = [
        d for d in _deals(store, owners) if period is None or (d.close and first <= d.close <= last)
    ]
    weights = dict(rules.stages)
    totals = {s: [0, 0, 0.0] for s in open_stages(rules)}
    clock = deal_clock(store, now, tz, rules)
    overdue, stale = [], []
    for deal in chosen:
        row = totals.get(deal.stage)
        if row is None:  # closed, or a stage no longer configured
            continue
        row[0] += 1
        row[1] += deal.value
        row[2] += deal.value * weights[deal.stage]
        if clock.overdue(deal):
            overdue.append(deal)
        if clock.stale(deal):
            stale.append(deal)
    stages = tuple(StageTotals(s, weights[s], int(c), int(v), w) for s, (c, v, w) in totals.items())
    changes = _week_changes(chosen, now, weights)
    return Pipeline(stages, tuple(overdue), tuple(stale), changes, rules.currency)


def _deals(store: Store, owners: Iterable[str] | None) -> list[Deal]:
    if owners is None:
        return list(store.deals.all())
    return [d for owner in owners for d in store.deals.of_owner(owner)]


def _week_changes(deals: list[Deal], now: datetime, weights: dict[str, float]) -> WeekChanges:
    since = (now - WEEK).isoformat()
    opened, moved, won, lost, before = [], [], [], [], 0.0
    for deal in deals:
        then = deal.stage_at(since)
        if then is None:
            opened.append(deal)
        elif then not in (WON, LOST):
            before += deal.value * weights.get(then, 0.0)
            if deal.stage == WON:
                won.append(deal)
            elif deal.stage == LOST:
                lost.append(deal)
            elif deal.stage != then:
                moved.append(deal)
    return WeekChanges(tuple(opened), tuple(moved), tuple(won), tuple(lost), before)


def pipeline(ctx: Context, _word: str, rest: str) -> Reply:
    """`pipeline [mine|@ana|team] [this quarter]`: per stage, late and quiet deals, the week."""
    words = rest.lower().split()
    who = words.pop(0) if words and not parse_period(" ".join(words), today(ctx.dates())) else ""
    period = parse_period(" ".join(words), today(ctx.dates())) if words else None
    if words and period is None:
        return problem(f"I can't read the period “{' '.join(words)}”.", EXAMPLE)
    owners = _owners(ctx, who)
    if isinstance(owners, Reply):
        return owners
    label, names = owners
    data = pipeline_data(ctx.store, names, period, ctx.now, ctx.policy.deals, ctx.tz)
    return pipeline_reply(ctx, data, label, period)


def _owners(ctx: Context, who: str) -> tuple[str, list[str]] | Reply:
    if who in ("", "mine", "my", "me"):
        default_team = who == "" and ctx.person.is_manager
        if not default_team:
            return "yours", [ctx.person.name]
        who = "team"
    if who in ("team", "all"):
        return "the team's", [p.name for p in ctx.team.team_of(ctx.person)]
    person = ctx.team.find(who)
    if person is None:
        return problem(f"Whose pipeline? “{who}” is not in the team.", EXAMPLE)
    return f"{person.name}'s", [person.name]


def pipeline_reply(
    ctx: Context, data: Pipeline, label: str, period: tuple[date, date] | None
) -> Reply:
    """One section per stage, then what is late or quiet, then the week's changes."""
    cur = data.currency
    span = f", closing {show_day(period[0])} – {show_day(period[1])}" if period else ""
    title = (
        f"Pipeline ({label}{span}): {plural(data.count, 'open deal')}, "
        f"{money(data.value, cur)}, weighted {money(data.weighted, cur)}"
    )
    sections = [
        Section(
            title=f"{s.stage} ({round(s.probability * 100)}%)",
            fields=(
                ("Deals", str(s.count)),
                ("Value", money(s.value, cur)),
                ("Weighted", money(s.weighted, cur)),
            ),
        )
        for s in data.stages
    ]
    for heading, found in (("Past close date", data.overdue), ("Gone quiet", data.stale)):
        if found:
            lines = tuple(deal_line(ctx, d) for d in found[:LISTED])
            more = (f"and {len(found) - LISTED} more",) if len(found) > LISTED else ()
            sections.append(Section(title=f"{heading} ({len(found)})", lines=lines + more))
    sections.append(_week_section(data))
    buttons = (Button("Open deals", "deals mine" if label == "yours" else "deals all"),)
    return Reply(title=title, sections=tuple(sections), buttons=buttons)


def _week_section(data: Pipeline) -> Section:
    cur, week = data.currency, data.changes
    delta = data.weighted - week.weighted_before
    lines = [
        f"opened {len(week.opened)} ({money(sum(d.value for d in week.opened), cur)})",
        f"moved stage {len(week.moved)}",
        f"won {len(week.won)} ({money(sum(d.value for d in week.won), cur)})",
        f"lost {len(week.lost)} ({money(sum(d.value for d in week.lost), cur)})",
        f"weighted value {'+' if delta >= 0 else '−'}{money(abs(delta), cur)}",
    ]
    return Section(title="Since last week", lines=(", ".join(lines),))


VERBS = (
    Verb(
        "pipeline",
        ("pipeline", "forecast"),
        pipeline,
        "open deals by stage: count, value, weighted value, late and quiet ones",
        ("pipeline", "pipeline mine this quarter", "pipeline @ana", EXAMPLE),
        "A manager's pipeline covers their team. Weighted value = value × the stage's "
        "probability ([deals] stages). Since last week: deals opened, moved, won, lost.",
    ),
)
