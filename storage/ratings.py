"""Supplier ratings: who rated which criteria 1–5 and when, indexed by party in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from storage.engine.port import Engine
from storage.models import Policy, from_doc
from storage.scoring import Scorecard, scorecard

COLLECTION = "ratings"


@dataclass(frozen=True)
class Rating:
    """One person's rating of a supplier: a 1–5 value for each criterion they rated."""

    COLLECTION: ClassVar[str] = COLLECTION

    id: int
    party_id: int
    scores: dict[str, int]
    by: str
    at: str  # UTC ISO 8601
    note: str = ""
    channel: str = ""


class RatingRepository:
    """Every rating in memory (a busy year holds a few thousand), grouped by party."""

    def __init__(self, db: Engine) -> None:
        self._all: dict[int, Rating] = {}
        self._by_party: dict[int, set[int]] = {}
        self._rated: dict[int, tuple[datetime, dict[str, int]]] = {}  # parsed, for the maths
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, before: Any, after: Any) -> None:
        old = self._all.pop(doc_id, None)
        self._rated.pop(doc_id, None)
        if old is not None:
            self._by_party.get(old.party_id, set()).discard(doc_id)
        if after is not None:
            rating = from_doc(Rating, doc_id, after)
            self._all[doc_id] = rating
            self._rated[doc_id] = (datetime.fromisoformat(rating.at), rating.scores)
            self._by_party.setdefault(rating.party_id, set()).add(doc_id)

    def get(self, rating_id: int) -> Rating | None:
        return self._all.get(rating_id)

    def for_party(self, party_id: int) -> list[Rating]:
        """The party's ratings, newest first."""
        found = [self._all[i] for i in self._by_party.get(party_id, ())]
        return sorted(found, key=lambda r: (r.at, r.id), reverse=True)

    def rated_parties(self) -> list[int]:
        """Every party with at least one rating."""
        return [party_id for party_id, ids in self._by_party.items() if ids]

    def has_ratings(self, party_id: int) -> bool:
        return bool(self._by_party.get(party_id))

    def scorecard(
        self,
        party_id: int,
        policy: Policy,
        now: datetime,
        also: Iterable[Rating] = (),
        history: bool = False,
    ) -> Scorecard:
        """The party's scorecard as of `now` (counting `also`, not yet kept), per the config;
        `history`: as it stood then, without the ratings given after `now`."""
        rated = [self._rated[i] for i in self._by_party.get(party_id, ())]
        rated += [(datetime.fromisoformat(r.at), r.scores) for r in also]
        if history:
            rated = [(at, scores) for at, scores in rated if at < now]
        return scorecard(rated, policy.scorecard_weights, now, policy.scorecard_period_days)

    def all(self) -> Iterator[Rating]:
        return iter(sorted(self._all.values(), key=lambda r: r.id))
