"""The words and numbers of each report: its two-line summary and its rows for `export report`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from handlers.reply import plural
from handlers.reports.data import Activity, Points, Suppliers

Row = dict[str, Any]
NAME_LENGTH = 22


def short(name: str, length: int = NAME_LENGTH) -> str:
    """A party's or person's name cut to fit a legend, an axis or a chart's title."""
    return name if len(name) <= length else name[: length - 1].rstrip() + "…"


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def activity_summary(activity: Activity) -> tuple[str, str]:
    """Totals, the weekly rate and the commonest kinds; who did most and least (or when)."""
    total, people = activity.total, activity.people
    per_week = total / activity.period.weeks
    rate = f"{per_week:.1f}" if per_week < 10 else f"{per_week:,.0f}"
    kinds = ", ".join(f"{_share(n, total)} {kind}" for kind, n in activity.by_kind().most_common(3))
    first = (
        f"{plural(total, 'interaction')} by {plural(len(people), 'person', 'people')} "
        f"({rate} a week): {kinds}."
    )
    if len(people) > 1:
        most, least = people[0], people[-1]
        second = (
            f"Most: {most} {activity.total_of(most):,}; "
            f"least: {least} {activity.total_of(least):,}."
        )
        return first, second
    buckets = [sum(col) for col in zip(*(activity.per_bucket(k) for k in activity.by_kind()),
                                       strict=True)]  # fmt: skip
    labels = activity.period.labels()
    busiest = max(range(len(buckets)), key=lambda n: (buckets[n], -n))
    quietest = min(range(len(buckets)), key=lambda n: (buckets[n], n))
    unit = activity.period.unit
    return first, (
        f"Busiest {unit}: {labels[busiest]} with {buckets[busiest]:,}; "
        f"quietest: {labels[quietest]} with {buckets[quietest]:,}."
    )


def activity_rows(activity: Activity) -> Iterator[Row]:
    starts = [edge.date().isoformat() for edge in activity.period.edges[:-1]]
    for name in activity.people:
        for kind, series in sorted(activity.counts[name].items()):
            for start, count in zip(starts, series, strict=True):
                if count:
                    yield {"person": name, "from": start, "kind": kind, "interactions": count}


def points_summary(points: Points) -> tuple[str, str]:
    """Points earned, by tier (highest first); the parties that earned most."""
    tiers = ", ".join(
        f"{tier} {sum(points.by_tier[tier]):,}" for tier in reversed(points.tiers)
        if sum(points.by_tier[tier])
    )  # fmt: skip
    first = f"{points.total:,} points earned by {plural(points.parties, 'party')}: {tiers}."
    top = ", ".join(f"{name} {n:,}" for name, n in points.top[:3])
    return first, f"Top: {top}."


def points_rows(points: Points) -> Iterator[Row]:
    starts = [edge.date().isoformat() for edge in points.period.edges[:-1]]
    for tier in points.tiers:
        for start, earned in zip(starts, points.by_tier[tier], strict=True):
            yield {"what": "tier", "name": tier, "from": start, "points": earned}
    for name, earned in points.top:
        yield {"what": "party", "name": name, "from": starts[0], "points": earned}


def suppliers_summary(suppliers: Suppliers) -> tuple[str, str]:
    """How many in each standing and carrying each mark; the ones that need a look first."""
    standings = ", ".join(f"{n} {name}" for name, n in suppliers.standings.items())
    marks = "".join(f"; {n} {mark}" for mark, n in suppliers.marked.items())
    first = f"{plural(suppliers.rated, 'rated supplier')}: {standings}{marks}."
    worst = ", ".join(_line(line.name, line.score, line.standing, line.marks)
                      for line in suppliers.lines[:3])  # fmt: skip
    return first, f"Needing a look: {worst}."


def _line(name: str, score: int | None, standing: str | None, marks: tuple[str, ...]) -> str:
    notes = ", ".join((standing or "no score", *marks))
    return f"{name} {score if score is not None else '–'} ({notes})"


def suppliers_rows(suppliers: Suppliers) -> Iterator[Row]:
    ends = [edge.isoformat() for edge in suppliers.period.edges[1:]]
    for line in suppliers.lines:
        for end, score in zip(ends, line.series, strict=True):
            yield {"supplier": line.name, "at": end, "score": score,
                   "marks": "; ".join(line.marks)}  # fmt: skip
