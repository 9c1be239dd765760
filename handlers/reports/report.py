"""`report activity|pipeline|points|suppliers [period] [mine|@name|team]`: a chart and two lines.

Each kind of report is a `Report`: its data (handlers/reports/data.py, the pipeline's in
handlers/reports/pipeline.py), its chart (handlers/reports/charts.py), its summary and its rows
(handlers/reports/summaries.py). The data is read under the store's lock; the chart is drawn from it
later, outside the lock (`handlers.reply.drawn`), so a chart never holds up other commands.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from typing import Any

from handlers.context import Context
from handlers.exchange import exports
from handlers.reply import Image, Reply, Section, problem
from handlers.reports import summaries
from handlers.reports.data import CHARTED_SUPPLIERS, activity_data, points_data, suppliers_data
from handlers.reports.pipeline import (
    WHOLE,
    closing_window,
    pipeline_report,
    pipeline_rows,
    pipeline_summary,
)
from handlers.reports.scope import PERIODS, Period, Scope, period_of, scope_of, span, team_scope
from handlers.verbs import Verb

KINDS = ("activity", "pipeline", "points", "suppliers")
DEFAULT_PERIOD = "this month"
USAGE = "report activity this month team"
_PERIOD = re.compile(r"\b(?:(this|last)\s+)?(week|month|quarter|year)\b")


@dataclass(frozen=True)
class Report:
    """One kind of report: how to get its data, draw it, sum it up and list it as rows."""

    title: str
    data: Callable[[Context, Request], Any]
    chart: str  # the drawing function's name in handlers/reports/charts.py
    summary: Callable[[Any], tuple[str, str]]
    rows: Callable[[Any], Iterator[exports.Row]]
    empty: Callable[[Any], bool]
    nothing: str  # what an empty one says, after its title
    mine_by_default: bool = False  # for people who lead nobody: their own work, not everyone's
    snapshot: bool = False  # how things stand now: no period named means everything open


@dataclass(frozen=True)
class Request:
    """What a `report` line asks for (`named`: the period was said, not the default)."""

    kind: str
    period: Period
    scope: Scope
    named: bool = True


def _activity(ctx: Context, request: Request) -> Any:
    return activity_data(ctx.store, ctx.team.people, request.scope, request.period)


def _pipeline(ctx: Context, request: Request) -> Any:
    return pipeline_report(ctx, request.scope, request.period if request.named else None)


REPORTS: dict[str, Report] = {
    "activity": Report(
        "Activity", _activity, "activity_chart", summaries.activity_summary,
        summaries.activity_rows, lambda data: data.total == 0, "no interactions logged",
        mine_by_default=True,
    ),
    "points": Report(
        "Points", lambda ctx, r: points_data(ctx.store, ctx.policy, r.scope, r.period),
        "points_chart", summaries.points_summary, summaries.points_rows,
        lambda data: data.total == 0, "no points earned",
    ),
    "suppliers": Report(
        "Suppliers",
        lambda ctx, r: suppliers_data(ctx.store, ctx.policy, r.scope, r.period, CHARTED_SUPPLIERS),
        "suppliers_chart", summaries.suppliers_summary, summaries.suppliers_rows,
        lambda data: data.rated == 0, "no rated suppliers",
    ),
    "pipeline": Report(
        "Pipeline", _pipeline, "pipeline_chart", pipeline_summary, pipeline_rows,
        lambda data: data.pipeline.count == 0, "no open deals", snapshot=True,
    ),
}  # fmt: skip


def read_request(ctx: Context, rest: str) -> Request | Reply:
    """The kind, period and scope of a `report …` line; a friendly problem when unclear."""
    text = rest.strip().lower()
    kind, _, text = text.partition(" ")
    if kind not in KINDS:
        return problem(f"Report what? One of: {', '.join(KINDS)}.", USAGE)
    period_name, named = DEFAULT_PERIOD, False
    if (found := _PERIOD.search(text)) is not None:
        named = True
        period_name = f"{found[1] or 'this'} {found[2]}"
        text = text[: found.start()] + text[found.end() :]
    if period_name not in PERIODS:
        return problem(f"I can report on {', '.join(PERIODS)}.", USAGE)
    words = text.split()
    if len(words) > 1 or (words and scope_of(ctx, words[0]) is None):
        return problem(f"I don't understand “{' '.join(words)}”: say mine, team or @name.", USAGE)
    scope = scope_of(ctx, words[0]) if words else _default_scope(ctx, kind)
    assert scope is not None
    return Request(kind, period_of(period_name, ctx.now, ctx.tz), scope, named)


def _default_scope(ctx: Context, kind: str) -> Scope:
    report = REPORTS.get(kind)
    if report is not None and report.mine_by_default and not ctx.team.leads(ctx.person):
        return Scope(ctx.person.name, (ctx.person,))
    return team_scope(ctx.team, ctx.person)


def has_data(ctx: Context, request: Request) -> bool:
    """Would the report show anything?"""
    report = REPORTS[request.kind]
    return not report.empty(report.data(ctx, request))


def chart_reply(ctx: Context, request: Request, heading: str = "") -> Reply:
    """The report as a reply: title, two summary lines, and the chart as its image: the data
    is read now (under the store's lock), the drawing waits for `drawn`."""
    report = REPORTS[request.kind]
    data = report.data(ctx, request)
    title = f"{heading}{report.title} of {request.scope.label}, {_covers(ctx, report, request)}"
    if report.empty(data):
        return Reply(title=f"{title}: {report.nothing}.")
    lines = report.summary(data)
    draw = getattr(
        import_module("handlers.reports.charts"), report.chart
    )  # matplotlib loads on first use
    chart_title = _chart_title(ctx, report, request)
    name = f"rapport-{request.kind}-{ctx.now.astimezone(ctx.tz):%Y%m%d-%H%M}.png"
    image = Image(name=name, alt="\n".join((title, *lines)), draw=partial(draw, data, chart_title))
    return Reply(title=title, sections=(Section(lines=lines),), image=image)


def _covers(ctx: Context, report: Report, request: Request) -> str:
    """`this month (1–25 Nov 2026)`; a snapshot: `open deals on 25 Nov 2026` or `closing this
    quarter (1 Oct–31 Dec 2026)`."""
    period = request.period
    if not report.snapshot:
        return f"{period.name} ({period.span()})"
    if not request.named:
        return f"{WHOLE} on {ctx.now.astimezone(ctx.tz):%-d %b %Y}"
    first, last = closing_window(period)
    return f"closing {period.name} ({span(first, last)})"


def _chart_title(ctx: Context, report: Report, request: Request) -> str:
    label = summaries.short(request.scope.label, 28)
    return f"{report.title} · {label} · {_covers(ctx, report, request)}"


def report(ctx: Context, _word: str, rest: str) -> Reply:
    """`report activity this month team`: a chart with a two-line summary."""
    request = read_request(ctx, rest)
    return request if isinstance(request, Reply) else chart_reply(ctx, request)


def export_report(ctx: Context, rest: str) -> Reply:
    """`export report points this quarter`: the numbers behind the chart, as CSV (or jsonl)."""
    fmt = next((f for f in exports.FORMATS if re.search(rf"\b{f}\b", rest.lower())), "csv")
    request = read_request(ctx, re.sub(r"\b(csv|jsonl)\b", " ", rest, flags=re.IGNORECASE))
    if isinstance(request, Reply):
        return request
    found = REPORTS[request.kind]
    data = found.data(ctx, request)
    content = exports.render(found.rows(data), fmt)
    name = f"rapport-report-{request.kind}-{ctx.now:%Y%m%d}.{fmt}"
    covers = _covers(ctx, found, request).split(" (")[0]
    title = f"Exported the {request.kind} report of {request.scope.label}, {covers}"
    return Reply(title=f"{title} as {name}.", file=(name, content))


VERBS = (
    Verb(
        "report",
        ("report", "chart"),
        report,
        "a chart: activity, pipeline, points or suppliers",
        (
            USAGE,
            "report pipeline",
            "report points this quarter",
            "report suppliers this year",
            "report activity mine",
        ),  # fmt: skip
        "Periods: " + ", ".join(PERIODS) + " (default this month; the pipeline: every open "
        "deal, or those closing in the period named). Whose: mine, @name or team. "
        "The numbers behind a chart: export report activity this month.",
    ),
)
