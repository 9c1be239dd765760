"""Calendar days and periods in chat (`close:end of quarter`, `expires 1 mar 2027`, `this quarter`).

Deals close, contracts end and certificates expire on a day, not at a moment: a phrase is read
by the date module and only its day, in the reader's zone, is kept.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from handlers.dates import DateContext, parse_when

_END_OF = re.compile(r"(?:the )?end of (?:the )?(this|next|last)? ?(quarter|year)|eo(q|y)")
_PERIOD = re.compile(r"(this|next|last) (week|month|quarter|year)")
_WITHIN = re.compile(r"(?:in |within |next )?(\d{1,4}) ?(d|days?|w|weeks?|m|months?)")


def today(ctx: DateContext) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def parse_day(text: str, ctx: DateContext) -> date | None:
    """The day a phrase names, looking ahead ('15 jan' is the next 15 January); else None."""
    words = " ".join(text.lower().split())
    if end := _END_OF.fullmatch(words):
        unit = end[2] or {"q": "quarter", "y": "year"}[end[3]]
        return period(unit, end[1] or "this", today(ctx))[1]
    when = parse_when(words, ctx, "future")
    return None if when is None else when.astimezone(ctx.tz).date()


def period(unit: str, which: str, day: date) -> tuple[date, date]:
    """The first and last day of this/next/last week, month, quarter or year around `day`."""
    step = {"this": 0, "next": 1, "last": -1}[which]
    if unit == "week":
        first = day - timedelta(days=day.weekday()) + timedelta(weeks=step)
        return first, first + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    first = date(day.year, 1 if months == 12 else (day.month - 1) // months * months + 1, 1)
    first += relativedelta(months=months * step)
    return first, first + relativedelta(months=months) - timedelta(days=1)


def parse_period(text: str, day: date) -> tuple[date, date] | None:
    """'this quarter', 'next month' → (first day, last day); else None."""
    match = _PERIOD.fullmatch(" ".join(text.lower().split()))
    return None if match is None else period(match[2], match[1], day)


def parse_within(text: str) -> int | None:
    """'in 90d', '90 days', '3 months', '2w' → days ahead; else None."""
    match = _WITHIN.fullmatch(" ".join(text.lower().split()))
    if match is None:
        return None
    unit = match[2][0]
    return int(match[1]) * {"d": 1, "w": 7, "m": 30}[unit]


def day_start(day: date, ctx: DateContext, at: time | None = None) -> datetime:
    """The moment a day's alert is due: the working hour (or `at`) in the zone of `ctx`."""
    return datetime.combine(day, at or ctx.work_hour, tzinfo=ctx.tz)


def show_day(day: str | date) -> str:
    """'Fri 15 Jan 2027'."""
    found = date.fromisoformat(day) if isinstance(day, str) else day
    return found.strftime("%a %-d %b %Y")
