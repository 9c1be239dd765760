"""How every export writes a time and names a row's party: one rule for all the kinds."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage.store import Store


def local_iso(iso: str | None, tz: ZoneInfo) -> str | None:
    """A stored UTC time as ISO 8601 with the reader's offset."""
    return datetime.fromisoformat(iso).astimezone(tz).isoformat() if iso else None


def party_name(store: Store, party_id: int | None) -> str | None:
    """The name of the row's party (None when there is none, or it is gone)."""
    party = store.parties.get(party_id) if party_id is not None else None
    return party.name if party else None
