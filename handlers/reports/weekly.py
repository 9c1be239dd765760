"""The weekly report: every lead gets their team's charts at `[reports] weekly`, in their zone.

The scheduler asks `weekly_time` when the next one is due and calls `queue_weekly` then: it
records the week as sent and puts one notice per chart in the outbox, in one change, so the
report goes out exactly once per week (also across restarts) and a refused send is retried
like any notice. A notice keeps what to draw, not the picture: `delivered_reply` draws it
when it is sent, as of the moment it was due.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from handlers.context import Context, Team
from handlers.notices import SYSTEM, context_for, reply_from_doc, reply_to_doc
from handlers.reply import Reply
from handlers.reports.report import REPORTS, Request, chart_reply, has_data
from handlers.reports.scope import period_of, team_scope
from storage.deliveries import Delivery
from storage.models import Person
from storage.settings import put_setting
from storage.store import Store
from storage.unit_of_work import Change

KINDS = ("activity", "pipeline")  # the charts a lead gets
PERIOD = "last week"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OFF = "off"
HEADING = "Weekly report: "


def read_weekly(text: str) -> tuple[int, time] | None:
    """`mon 08:00` → (0, 08:00); `off` → None; ValueError for anything else."""
    if text.strip().lower() in (OFF, ""):
        return None
    found = re.fullmatch(r"([a-z]{3})[a-z]*\s+([01]?\d|2[0-3]):([0-5]\d)", text.strip().lower())
    if found is None or found[1] not in DAYS:
        raise ValueError(f"should be a day and a time like mon 08:00 (or off), not {text!r}")
    return DAYS.index(found[1]), time(int(found[2]), int(found[3]))


def weekly_key(person: Person) -> str:
    """The setting that holds the week (ISO, in their zone) the person's report last went."""
    return f"weekly:{person.handle}"


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02}"


def weekly_time(
    store: Store, team: Team, person: Person, now: datetime, first_load: bool = False
) -> datetime | None:
    """This week's report time in the person's zone unless it went already (then next week's);
    one missed this week is due now, but a store that never sent one starts with the next.
    None when the weekly report is off."""
    when = read_weekly(team.policy.weekly_report)
    if when is None:
        return None
    weekday, at = when
    zone = context_for(store, team, person, now).tz
    today = now.astimezone(zone).date()
    day = today - timedelta(days=today.weekday()) + timedelta(days=weekday)
    this_week = datetime.combine(day, at, tzinfo=zone)
    last = store.settings.get(weekly_key(person))
    sent = last is not None and last >= _week(day)
    if sent or (first_load and last is None and this_week <= now):
        return datetime.combine(day + timedelta(days=7), at, tzinfo=zone)
    return this_week


def queue_weekly(store: Store, team: Team, person: Person, due: datetime, change: Change) -> None:
    """Record this week's report as sent and queue its charts for the person (not the empty
    ones: a quiet week sends nothing, as an empty digest does)."""
    ctx = context_for(store, team, person, due)
    put_setting(change, store.settings, weekly_key(person), _week(due.astimezone(ctx.tz).date()))
    for kind in KINDS:
        request = _request(ctx, kind, due, person)
        if request is None or not has_data(ctx, request):
            continue
        spec = {"kind": kind, "period": PERIOD, "as_of": due.isoformat()}
        reply = {**reply_to_doc(Reply(title=f"{HEADING}{kind}")), "report": spec}
        change.add(Delivery(0, person.name, reply, "weekly", due.isoformat(), SYSTEM))


def _request(ctx: Context, kind: str, as_of: datetime, person: Person) -> Request | None:
    """A lead's weekly chart of one kind: the week before `as_of` (the pipeline: every open deal
    as of then, with the week's moves); None if no such report."""
    if kind not in REPORTS:
        return None
    period = period_of(PERIOD, as_of, ctx.tz)
    return Request(kind, period, team_scope(ctx.team, person), named=not REPORTS[kind].snapshot)


def delivered_reply(store: Store, team: Team, person: Person, doc: dict[str, Any]) -> Reply:
    """What a queued notice says: a weekly chart is drawn now, as of when it was due."""
    spec = doc.get("report")
    if not spec or spec.get("kind") not in REPORTS:
        return reply_from_doc(doc)
    as_of = datetime.fromisoformat(spec["as_of"])
    ctx = context_for(store, team, person, as_of)
    request = _request(ctx, spec["kind"], as_of, person)
    return reply_from_doc(doc) if request is None else chart_reply(ctx, request, heading=HEADING)
