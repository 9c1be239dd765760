"""The numbers behind each report, read from the repositories' indexes (never a full scan).

Each function takes the store, the rules and what to cover, and returns plain data; charts
(`handlers/reports/charts.py`) and CSV rows (`handlers/reports/report.py`) are made from it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from handlers.reports.scope import Period, Scope
from handlers.terms.compliance import failures
from storage.models import SUPPLIER, Party, Person, Policy, tier_for
from storage.scoring import STANDINGS
from storage.store import Store

UNTIERED = "no tier"
TOP_PARTIES = 10
CHARTED_SUPPLIERS = 8

# Marks a supplier can carry on the suppliers report: (what it says, test at a moment).
Marker = Callable[[Store, Policy, Party, datetime], bool]


def _failing_a_policy(store: Store, policy: Policy, party: Party, at: datetime) -> bool:
    """The one policy rule (handlers/terms/compliance.py), on `at`'s day in the reader's zone."""
    return bool(failures(store, policy.supplier_policies, party, at.date().isoformat()))


MARKERS: list[tuple[str, Marker]] = [
    ("on probation", lambda _store, _policy, party, _at: party.supplier_status == "probation"),
    ("failing a policy", _failing_a_policy),
]


@dataclass(frozen=True)
class Activity:
    """Interactions per person, per kind, per bucket of the period."""

    period: Period
    scope: Scope
    counts: dict[str, dict[str, list[int]]]  # person's name → kind → count per bucket

    @property
    def people(self) -> list[str]:
        """Everyone in the scope with something logged, busiest first."""
        return sorted(self.counts, key=lambda name: (-self.total_of(name), name))

    def total_of(self, name: str) -> int:
        return sum(sum(series) for series in self.counts.get(name, {}).values())

    @property
    def total(self) -> int:
        return sum(self.total_of(name) for name in self.counts)

    def by_kind(self) -> Counter[str]:
        """Interactions per kind in the period (most common first with most_common)."""
        kinds: Counter[str] = Counter()
        for per_kind in self.counts.values():
            for kind, series in per_kind.items():
                kinds[kind] += sum(series)
        return kinds

    def per_bucket(self, kind: str, names: list[str] | None = None) -> list[int]:
        """One kind's interactions in each bucket, added up over `names` (default: all)."""
        totals = [0] * (len(self.period.edges) - 1)
        for name in self.counts if names is None else names:
            for n, value in enumerate(self.counts.get(name, {}).get(kind, ())):
                totals[n] += value
        return totals


def activity_data(store: Store, team: Sequence[Person], scope: Scope, period: Period) -> Activity:
    """Interactions logged by the scope's people (by everyone: None), from the author index.

    Everyone of the scope (of `team`, for everyone) is counted, also with nothing logged.
    """
    people = team if scope.people is None else scope.people
    authors = None if scope.people is None else [p.name for p in people]
    found = store.interactions.counts_by_kind(authors, period.utc_edges())
    names = {person.handle: person.name for person in people}
    counts: dict[str, dict[str, list[int]]] = {person.name: {} for person in people}
    for author, per_kind in found.items():
        counts[names.get(author, author)] = per_kind
    return Activity(period, scope, counts)


@dataclass(frozen=True)
class Points:
    """Points earned per tier (the party's tier now) per bucket; the parties that earned most."""

    period: Period
    scope: Scope
    tiers: tuple[str, ...]  # lowest first
    by_tier: dict[str, list[int]]
    top: list[tuple[str, int]]  # (party, points earned in the period), most first
    parties: int  # how many parties earned any

    @property
    def total(self) -> int:
        return sum(sum(series) for series in self.by_tier.values())


def points_data(store: Store, policy: Policy, scope: Scope, period: Period) -> Points:
    """From the ledger's timeline index: only the earnings inside the period are read."""
    stamps = [edge.timestamp() for edge in period.edges]
    tiers = (UNTIERED, *(name for name, _floor in sorted(policy.tiers, key=lambda t: t[1])))
    by_tier = {tier: [0] * (len(stamps) - 1) for tier in tiers}
    earned: Counter[int] = Counter()
    tier_of: dict[int, str | None] = {}  # None: the party is not in scope
    for stamp, party_id, points in store.ledger.earned_events(period.start, period.end):
        if party_id not in tier_of:
            party = store.parties.get(party_id)
            in_scope = party is not None and scope.owns(party.owner)
            reached = tier_for(store.ledger.earned(party_id), policy.tiers).name or UNTIERED
            tier_of[party_id] = reached if in_scope else None
        tier = tier_of[party_id]
        if tier is None:
            continue
        by_tier[tier][bisect_right(stamps, stamp) - 1] += points
        earned[party_id] += points
    top = [(_name(store.parties.get(p)), n) for p, n in earned.most_common(TOP_PARTIES) if n > 0]
    used = tuple(t for t in tiers if any(by_tier[t]) or t != UNTIERED)
    return Points(period, scope, used, {t: by_tier[t] for t in used}, top, len(+earned))


def _name(party: Party | None) -> str:
    return party.name if party else "?"


@dataclass(frozen=True)
class SupplierLine:
    """One supplier's score now and at the end of each bucket, and the marks it carries."""

    name: str
    score: int | None
    standing: str | None
    marks: tuple[str, ...]
    series: list[int | None]


@dataclass(frozen=True)
class Suppliers:
    """Rated suppliers of the scope: how many in each standing, and the ones worth a look."""

    period: Period
    scope: Scope
    lines: list[SupplierLine]  # the charted ones: marked first, then the lowest scores
    standings: dict[str, int]  # standing → suppliers, excellent first
    marked: dict[str, int]  # mark → suppliers carrying it
    rated: int


def suppliers_data(
    store: Store, policy: Policy, scope: Scope, period: Period, limit: int | None = None
) -> Suppliers:
    """Scorecards from the ratings index; the score over time only for the `limit` charted."""
    current: list[tuple[Party, SupplierLine]] = []
    for party_id in store.ratings.rated_parties():
        party = store.parties.get(party_id)
        if party is None or not party.is_(SUPPLIER) or not scope.owns(party.owner):
            continue
        card = store.ratings.scorecard(party_id, policy, period.end)
        marks = tuple(label for label, test in MARKERS if test(store, policy, party, period.end))
        current.append((party, SupplierLine(party.name, card.score, card.standing, marks, [])))
    current.sort(key=lambda pair: _attention(pair[1]))
    charted = current if limit is None else current[:limit]
    lines = [replace(line, series=_series(store, policy, p, period)) for p, line in charted]
    standings = Counter(line.standing for _p, line in current if line.standing)
    marked = Counter(mark for _p, line in current for mark in line.marks)
    return Suppliers(
        period,
        scope,
        lines,
        {name: standings[name] for name, _floor in STANDINGS},
        dict(marked),
        len(current),
    )


def _attention(line: SupplierLine) -> tuple[int, int, str]:
    """Marked suppliers first, then the lowest scores (no score last), then by name."""
    return (0 if line.marks else 1, 101 if line.score is None else line.score, line.name)


def _series(store: Store, policy: Policy, party: Party, period: Period) -> list[int | None]:
    """The scorecard as it stood at the end of each bucket."""
    ends = period.edges[1:]
    return [store.ratings.scorecard(party.id, policy, end, history=True).score for end in ends]
