"""The export format (a stable contract): rows per kind, written as CSV or JSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.exchange import term_exports
from handlers.exchange.spreadsheet import list_cell, neutralise
from handlers.exchange.values import local_iso, party_name
from storage.models import SUPPLIER, Policy, files_text, tier_for
from storage.store import Store

Row = dict[str, Any]
KINDS = (
    "parties",
    "customers",
    "suppliers",
    "interactions",
    "points",
    "reminders",
    "audit",
    "people",
    *term_exports.KINDS,
)
FORMATS = ("jsonl", "csv")


def party_rows(
    store: Store, tz: ZoneInfo, policy: Policy, now: datetime, role: str | None = None
) -> Iterator[Row]:
    for party in store.parties.all():
        if role and not party.is_(role):
            continue
        row: Row = {
            "id": party.id,
            "name": party.name,
            "aliases": list(party.aliases),
            "roles": list(party.roles),
            "status": party.status,
            "customer_status": party.customer_status,
            "supplier_status": party.supplier_status,
            "tags": list(party.tags),
            "category": party.category,
            "owner": party.owner,
            "fields": dict(party.fields),
            "contacts": [dict(c) for c in party.contacts],
            "points": store.ledger.balance(party.id),
            "tier": tier_for(store.ledger.earned(party.id), policy.tiers).name,
            "score": None,
            "standing": None,
            "last_contact": local_iso(store.interactions.last_contact(party.id), tz),
        }
        if party.is_(SUPPLIER) and store.ratings.has_ratings(party.id):
            card = store.ratings.scorecard(party.id, policy, now)
            row.update(score=card.score, standing=card.standing)
        yield row


def interaction_rows(store: Store, tz: ZoneInfo) -> Iterator[Row]:
    for i in store.interactions.all():
        yield {
            "id": i.id,
            "party": party_name(store, i.party_id),
            "party_id": i.party_id,
            "kind": i.kind,
            "at": local_iso(i.at, tz),
            "notes": i.notes,
            "by": i.by,
            "channel": i.channel,
            "follow_up": local_iso(i.follow_up, tz),
            "files": [files_text((file,)) for file in i.files],  # "name link" each
        }


def reminder_rows(store: Store, tz: ZoneInfo) -> Iterator[Row]:
    for r in sorted(store.reminders.all(), key=lambda r: r.id):
        yield {
            "id": r.id,
            "for": r.owner,
            "text": r.text,
            "party": party_name(store, r.party_id),
            "due": local_iso(r.due, tz),
            "recurrence": r.recurrence,
            "status": r.status,
            "delivered_at": local_iso(r.delivered_at, tz),
        }


def audit_rows(store: Store, tz: ZoneInfo) -> Iterator[Row]:
    for entry_id, entry in store.audit.all():
        yield {"id": entry_id, **entry, "at": local_iso(entry["at"], tz)}


def ledger_rows(store: Store, tz: ZoneInfo) -> Iterator[Row]:
    for entry in store.ledger.all():
        yield {
            "id": entry.id,
            "party": party_name(store, entry.party_id),
            "party_id": entry.party_id,
            "delta": entry.delta,
            "reason": entry.reason,
            "by": entry.by,
            "at": local_iso(entry.at, tz),
            "kind": entry.kind,
            "reverses": entry.reverses,
            "message_id": entry.message_id,
        }


def people_rows(store: Store, _tz: ZoneInfo) -> Iterator[Row]:
    """Everyone the store knows, removed people too (active false); zone as set for them."""
    for person, active, _source in store.people.stored():
        yield {
            "name": person.name,
            "role": person.role,
            "slack": person.slack,
            "telegram": person.telegram,
            "manager": person.manager,
            "timezone": store.people.settings(person.handle)[1].get("timezone") or person.timezone,
            "active": active,
        }


def rows(store: Store, kind: str, tz: ZoneInfo, policy: Policy, now: datetime) -> Iterator[Row]:
    """Every row of an export kind (see KINDS); tiers and scorecards follow `policy` at `now`."""
    if kind in ("customers", "suppliers", "parties"):
        return party_rows(store, tz, policy, now, None if kind == "parties" else kind[:-1])
    if kind in term_exports.KINDS:
        return term_exports.rows(store, kind, tz, policy, now)
    makers: dict[str, Callable[[Store, ZoneInfo], Iterator[Row]]] = {
        "interactions": interaction_rows,
        "points": ledger_rows,
        "reminders": reminder_rows,
        "audit": audit_rows,
        "people": people_rows,
    }
    return makers[kind](store, tz)


def render(found: Iterator[Row], fmt: str) -> str:
    """Rows as JSON lines, or CSV with lists joined by '; ', dicts as JSON, formulas defused."""
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in found)
    out = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for row in found:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return neutralise(list_cell(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return neutralise(value)
