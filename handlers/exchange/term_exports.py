"""Export rows of deals, contracts and certificates (the same JSON-lines and CSV forms)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.deals.rules import probability
from handlers.exchange.values import local_iso, party_name
from storage.models import Policy
from storage.store import Store

Row = dict[str, Any]
KINDS = ("deals", "contracts", "certs")


def deal_rows(store: Store, tz: ZoneInfo, policy: Policy) -> Iterator[Row]:
    for deal in store.deals.all():
        yield {
            "id": deal.id,
            "party": party_name(store, deal.party_id),
            "title": deal.title,
            "value": deal.value,
            "currency": deal.currency,
            "stage": deal.stage,
            "probability": probability(policy.deals, deal.stage),
            "close": deal.close or None,
            "owner": deal.owner,
            "opened_at": local_iso(deal.opened_at, tz),
            "closed_at": local_iso(deal.closed_at, tz),
            "reason": deal.reason,
        }


def contract_rows(store: Store, tz: ZoneInfo) -> Iterator[Row]:
    for item in store.contracts.all():
        yield {
            "id": item.id,
            "party": party_name(store, item.party_id),
            "title": item.title,
            "status": item.status,
            "start": item.start or None,
            "end": item.end or None,
            "value": item.value,
            "currency": item.currency,
            "notice_days": item.notice_days,
            "owner": item.owner,
            "created_at": local_iso(item.created_at, tz),
            "created_by": item.created_by,
        }


def cert_rows(store: Store, tz: ZoneInfo, now: datetime) -> Iterator[Row]:
    day = now.astimezone(tz).date().isoformat()
    for item in store.certs.all():
        yield {
            "id": item.id,
            "party": party_name(store, item.party_id),
            "name": item.name,
            "expires": item.expires,
            "valid": item.valid_on(day),
            "owner": item.owner,
            "created_at": local_iso(item.created_at, tz),
            "created_by": item.created_by,
        }


def rows(store: Store, kind: str, tz: ZoneInfo, policy: Policy, now: datetime) -> Iterator[Row]:
    if kind == "deals":
        return deal_rows(store, tz, policy)
    if kind == "contracts":
        return contract_rows(store, tz)
    return cert_rows(store, tz, now)
