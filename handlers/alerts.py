"""Dated alerts: a deal's close date, a contract's notice period, a certificate's expiry.

Each alert has a key that names the document and the date it is about, so it is announced
once per date (a contract extended to a new end is announced again). The scheduler asks
`pending_alerts` when each is due, and `alert_notices` what to send when it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.amounts import money
from handlers.approvals import managers
from handlers.context import Team
from handlers.days import show_day
from handlers.deals.rules import deal_buttons, deal_line
from handlers.notices import context_for
from handlers.reply import Reply, Section
from storage.contracts import ACTIVE, CERTS, CONTRACTS
from storage.store import Store

DEALS = "deals"
CERT_WARNING_DAYS = 30


@dataclass(frozen=True)
class Alert:
    key: str  # "<collection>:<id>:<what>:<day>"
    due: datetime
    what: str  # close | notice | expiring | lapsed


def pending_alerts(store: Store, team: Team, coll: str, doc: Any, now: datetime) -> list[Alert]:
    """The document's alerts not announced yet, soonest first.

    An alert already due when the document was written is left out: its writer saw the date."""
    found = [a for a in _alerts(store, team, coll, doc, now) if not store.alerts.sent(a.key)]
    written = datetime.fromisoformat(_written_at(coll, doc) or "1970-01-01T00:00:00+00:00")
    return sorted((a for a in found if a.due > written), key=lambda a: a.due)


def _written_at(coll: str, doc: Any) -> str:
    return str(doc.opened_at if coll == DEALS else doc.created_at)


def _alerts(store: Store, team: Team, coll: str, doc: Any, now: datetime) -> list[Alert]:
    zone, work_hour = _owner_clock(store, team, doc.owner, now)

    def alert(what: str, day: str, before: int) -> Alert:
        """Due at the owner's working hour (the team's zone without one), `before` days early."""
        moment = date.fromisoformat(day) - timedelta(days=before)
        due = datetime.combine(moment, work_hour, tzinfo=zone)
        return Alert(f"{coll}:{doc.id}:{what}:{day}", due, what)

    if coll == DEALS and doc.is_open and doc.close:
        return [alert("close", doc.close, 0)]
    if coll == CONTRACTS and doc.status == ACTIVE and doc.end:
        return [alert("notice", doc.end, doc.notice_days)]
    if coll == CERTS:
        return [alert("expiring", doc.expires, CERT_WARNING_DAYS), alert("lapsed", doc.expires, 0)]
    return []


def _owner_clock(store: Store, team: Team, owner: str, now: datetime) -> tuple[ZoneInfo, time]:
    """The owner's zone and the working hour (the team's zone when the owner is not in it)."""
    person = team.find(owner)
    if person is None:
        return ZoneInfo(team.timezone), team.work_hour
    return context_for(store, team, person, now).tz, team.work_hour


def alert_notices(
    store: Store, team: Team, coll: str, doc: Any, alert: Alert, now: datetime
) -> list[tuple[str, Reply]]:
    """Who hears of the alert, and what: the owner; their manager of a contract's notice; every
    manager of a lapsed certificate."""
    party = store.parties.get(doc.party_id)
    name = party.name if party else f"party #{doc.party_id}"
    owner = team.find(doc.owner)
    to = [doc.owner]
    if alert.what == "notice" and owner is not None and owner.manager:
        to.append(owner.manager)
    if alert.what == "lapsed":
        to += [m.name for m in managers(team)]
    unique = list(dict.fromkeys(p.casefold() for p in to))
    out = []
    for person in (team.find(p) for p in unique):
        if person is not None:
            ctx = context_for(store, team, person, now)
            out.append((person.name, _message(ctx, coll, doc, alert, name)))
    return out


def _message(ctx: Any, coll: str, doc: Any, alert: Alert, party: str) -> Reply:
    if coll == DEALS:
        title = f"Deal #{doc.id} {doc.title} with {party} was due to close {show_day(doc.close)}."
        lines = (deal_line(ctx, doc), "Won, lost, or a new stage?")
        return Reply(title=title, sections=(Section(lines=lines),), buttons=deal_buttons(ctx, doc))
    if coll == CONTRACTS:
        value = f" · {money(doc.value, doc.currency)}" if doc.value is not None else ""
        title = (
            f"Contract “{doc.title}” with {party} ends {show_day(doc.end)}: "
            f"its {doc.notice_days}-day notice period starts now."
        )
        term = f"Term {show_day(doc.start)} – {show_day(doc.end)}{value} · owner {doc.owner}"
        return Reply(title=title, sections=(Section(lines=(term,)),))
    if alert.what == "expiring":
        title = f"{party}'s certificate “{doc.name}” expires {show_day(doc.expires)}."
        hint = f'Once renewed: cert {party} "{doc.name}" expires <new date>'
        return Reply(title=title, sections=(Section(lines=(hint,)),))
    title = f"{party}'s certificate “{doc.name}” lapsed on {show_day(doc.expires)}."
    return Reply(title=title, sections=(Section(lines=(f"Owner: {doc.owner}",)),), ok=False)
