"""`report pipeline [period] [mine|@name|team]`: open value per stage and its weighted value.

The numbers are `pipeline_data`'s (the same as the `pipeline` verb says). Without a period
named, the report is the whole open pipeline as it stands; with one (`report pipeline this
quarter`), the open deals expected to close in that whole calendar period (the rest of the
month counts: a deal closing on the 30th is this month's business even on the 3rd).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.amounts import money
from handlers.context import Context
from handlers.deals.pipeline import Pipeline, pipeline_data
from handlers.reply import plural
from handlers.reports.scope import Period, Scope
from handlers.reports.summaries import Row

WHOLE = "open deals"  # what a pipeline report without a period covers


@dataclass(frozen=True)
class PipelineReport:
    """The pipeline of a scope, and which expected close dates it covers (None: any)."""

    pipeline: Pipeline
    scope: Scope
    closing: tuple[date, date] | None

    @property
    def stages(self) -> list[tuple[str, int, int, float]]:
        """(stage, deals, value, weighted value) of each open stage, in the pipeline's order."""
        return [(s.stage, s.count, s.value, s.weighted) for s in self.pipeline.stages]


def closing_window(period: Period) -> tuple[date, date]:
    """The whole calendar period a named period lies in: its first and last day."""
    first = period.start.date()
    if period.unit == "day":  # a week
        return first, first + timedelta(days=6)
    months = {"week": 3 if period.name == "this quarter" else 1, "month": 12}[period.unit]
    year, month = divmod(first.month - 1 + months, 12)
    return first, date(first.year + year, month + 1, 1) - timedelta(days=1)


def pipeline_report(ctx: Context, scope: Scope, period: Period | None) -> PipelineReport:
    """The scope's pipeline (everyone's when the scope is everyone), under the store's lock."""
    owners = None if scope.people is None else [p.name for p in scope.people]
    closing = None if period is None else closing_window(period)
    data = pipeline_data(ctx.store, owners, closing, ctx.now, ctx.policy.deals, ctx.tz)
    return PipelineReport(data, scope, closing)


def pipeline_summary(report: PipelineReport) -> tuple[str, str]:
    """Deals, value and weighted value, the biggest stage; late, quiet and the week's moves."""
    data, cur = report.pipeline, report.pipeline.currency
    share = f" ({round(100 * data.weighted / data.value)}%)" if data.value else ""
    biggest = max(data.stages, key=lambda s: (s.value, s.count))
    first = (
        f"{plural(data.count, 'open deal')} worth {money(data.value, cur)}, "
        f"weighted {money(data.weighted, cur)}{share}; most in {biggest.stage} "
        f"({money(biggest.value, cur)})."
    )
    week = data.changes
    delta = data.weighted - week.weighted_before
    second = (
        f"{len(data.overdue)} past close date, {len(data.stale)} gone quiet; since last week "
        f"{len(week.won)} won ({money(sum(d.value for d in week.won), cur)}), "
        f"{len(week.lost)} lost, weighted {'+' if delta >= 0 else '−'}{money(abs(delta), cur)}."
    )
    return first, second


def pipeline_rows(report: PipelineReport) -> Iterator[Row]:
    cur = report.pipeline.currency
    first, last = (d.isoformat() for d in report.closing) if report.closing else ("", "")
    for stage in report.pipeline.stages:
        yield {"stage": stage.stage, "probability": stage.probability, "deals": stage.count,
               "value": stage.value, "weighted": round(stage.weighted, 2), "currency": cur,
               "closing_from": first, "closing_to": last}  # fmt: skip
