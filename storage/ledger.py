"""The points ledger: append-only entries, with each party's balance and points earned in memory.

Entries are never edited or deleted: a mistake is taken back by a reversal entry. Balances,
points earned (what tiers follow) and per-month earnings are kept up to date from the engine's
change hook, so `points` is O(1) and a leaderboard O(parties × months), never a ledger scan.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from storage.engine.port import Engine
from storage.errors import InsufficientPoints
from storage.models import from_doc

if TYPE_CHECKING:
    from storage.unit_of_work import Change

COLLECTION = "ledger"
AWARD, DEDUCT, REDEEM, REVERSAL = "award", "deduct", "redeem", "reversal"
KINDS = (AWARD, DEDUCT, REDEEM, REVERSAL)


@dataclass(frozen=True)
class LedgerEntry:
    """One movement of points: `delta` is signed; `reverses` names the entry a reversal undoes."""

    COLLECTION: ClassVar[str] = COLLECTION

    id: int
    party_id: int
    delta: int
    reason: str
    by: str
    at: str  # UTC ISO 8601
    kind: str
    message_id: str | None = None
    reverses: int | None = None


def utc_iso(moment: datetime | str) -> str:
    """A moment as the UTC ISO 8601 text the ledger stores."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).isoformat()


def ledger_entry(
    party_id: int, delta: int, reason: str, kind: str, by: str, at: datetime | str, **extra: Any
) -> LedgerEntry:
    """A new entry for `Change.add`, its time in UTC (extra: message_id, reverses)."""
    return LedgerEntry(0, party_id, delta, reason, by, utc_iso(at), kind, **extra)


def _month_start(moment: datetime) -> datetime:
    utc = moment.astimezone(UTC)
    return _month_named(f"{utc.year:04}-{utc.month:02}")


@cache
def _month_named(year_month: str) -> datetime:
    """The first of a UTC month, from its 'YYYY-MM' (cached: a load meets each month often)."""
    return datetime(int(year_month[:4]), int(year_month[5:7]), 1, tzinfo=UTC)


class LedgerRepository:
    """Ledger entries on the engine; balances, points earned and their timeline in memory."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self._balance: dict[int, int] = {}
        self._earned: dict[int, int] = {}
        self._by_party: dict[int, list[int]] = {}
        self._monthly: dict[datetime, Counter[int]] = {}
        self._timeline: list[tuple[float, int, int, int]] = []  # (UTC stamp, id, party, earned)
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, before: Any, after: Any) -> None:
        # Only inserts happen (the ledger is append-only); a removal is still counted out.
        if before is not None:
            self._count(doc_id, before, -1)
        if after is not None:
            self._count(doc_id, after, 1)

    def _count(self, doc_id: int, doc: dict[str, Any], sign: int) -> None:
        party_id, delta = doc["party_id"], doc["delta"] * sign
        self._balance[party_id] = self._balance.get(party_id, 0) + delta
        ids = self._by_party.setdefault(party_id, [])
        if sign > 0:
            insort(ids, doc_id)
        elif doc_id in ids:
            ids.remove(doc_id)
        own = self._earned_delta(doc)
        if own:
            moment = datetime.fromisoformat(doc["at"])
            self._earned[party_id] = self._earned.get(party_id, 0) + own * sign
            month = _month_named(doc["at"][:7])  # stored in UTC, so its text names the month
            self._monthly.setdefault(month, Counter())[party_id] += own * sign
            point = (moment.timestamp(), doc_id, party_id, own)
            if sign > 0:
                insort(self._timeline, point)
            elif point in self._timeline:
                self._timeline.remove(point)

    def _earned_delta(self, doc: dict[str, Any]) -> int:
        """Points earned: awards count, and so do reversals of awards (negatively); nothing else."""
        if doc["kind"] == AWARD:
            return int(doc["delta"])
        if doc["kind"] == REVERSAL and doc.get("reverses") is not None:
            reversed_doc = self._db.get(COLLECTION, doc["reverses"])
            if reversed_doc is not None and reversed_doc["kind"] == AWARD:
                return int(doc["delta"])
        return 0

    def has_entries(self, party_id: int) -> bool:
        return bool(self._by_party.get(party_id))

    def balance(self, party_id: int) -> int:
        return self._balance.get(party_id, 0)

    def earned(self, party_id: int) -> int:
        """Points earned in all: awards less reversed awards (redeeming doesn't lower it)."""
        return self._earned.get(party_id, 0)

    def balances(self) -> dict[int, int]:
        return dict(self._balance)

    def earned_all(self) -> dict[int, int]:
        return dict(self._earned)

    def earned_between(self, start: datetime, end: datetime | None = None) -> Counter[int]:
        """Points each party earned from `start` until `end` (or ever after)."""
        totals = self._earned_since(start)
        if end is not None:
            totals.subtract(self._earned_since(end))
        return +totals

    def _earned_since(self, start: datetime) -> Counter[int]:
        """Whole months from the one `start` falls in, less what came before `start` in it.

        Summed forwards, or taken from the totals backwards, whichever touches fewer months.
        """
        first = _month_start(start)
        later = [month for month in self._monthly if month >= first]
        earlier = [month for month in self._monthly if month < first]
        totals: Counter[int] = Counter()
        if len(later) <= len(earlier):
            for month in later:
                totals.update(self._monthly[month])
        else:
            totals.update(self._earned)
            for month in earlier:
                totals.subtract(self._monthly[month])
        lo = bisect_left(self._timeline, (first.timestamp(),))
        hi = bisect_left(self._timeline, (start.timestamp(),))
        for _stamp, _id, party_id, earned in self._timeline[lo:hi]:
            totals[party_id] -= earned
        return totals

    def earned_events(self, start: datetime, end: datetime) -> list[tuple[float, int, int]]:
        """(UTC timestamp, party, points earned) of every earning from `start` until `end`,
        in time order: a slice of the timeline index."""
        lo = bisect_left(self._timeline, (start.timestamp(),))
        hi = bisect_left(self._timeline, (end.timestamp(),))
        return [(stamp, party, earned) for stamp, _id, party, earned in self._timeline[lo:hi]]

    def get(self, entry_id: int) -> LedgerEntry | None:
        doc = self._db.get(COLLECTION, entry_id)
        return None if doc is None else from_doc(LedgerEntry, entry_id, doc)

    def for_party(self, party_id: int, limit: int | None = None) -> list[LedgerEntry]:
        """The party's entries, newest first."""
        ids = self._by_party.get(party_id, [])
        chosen = ids[::-1] if limit is None else ids[: -limit - 1 : -1]
        return [entry for i in chosen if (entry := self.get(i)) is not None]

    def all(self) -> Iterator[LedgerEntry]:
        for doc_id, doc in self._db.all(COLLECTION):
            yield from_doc(LedgerEntry, doc_id, doc)

    def reverse(self, change: Change, entry_id: int, entry: dict[str, Any]) -> None:
        """Undo's way with the ledger: a reversal entry, refused if it would go below zero."""
        party_id, delta = entry["party_id"], -int(entry["delta"])
        pending = sum(
            item["after"]["delta"]
            for item in change.changes
            if item["coll"] == COLLECTION and item["after"]["party_id"] == party_id
        )
        balance = self.balance(party_id) + pending
        if balance + delta < 0:
            raise InsufficientPoints(party_id, balance)
        reason = f"undo: {entry['reason']}"
        actor = change.actor
        reversal = ledger_entry(
            party_id,
            delta,
            reason,
            REVERSAL,
            actor.name,
            actor.at,
            message_id=actor.message_id,
            reverses=entry_id,
        )
        change.add(reversal)
