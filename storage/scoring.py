"""Supplier scorecard maths, in one pure function: ratings in, score, standing and trend out."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

# (standing, lowest score that reaches it), best first.
STANDINGS = (("excellent", 80), ("good", 50), ("watch", 30), ("poor", 0))
POOR = "poor"
SCALE = (1, 5)


@dataclass(frozen=True)
class Scorecard:
    """A supplier's scorecard over one period, with the period before it for the trend."""

    averages: tuple[tuple[str, float | None], ...]  # per criterion, None: nobody rated it
    weights: tuple[tuple[str, float], ...]  # as configured
    ratings: int  # ratings in the period
    score: int | None  # 0–100, None without any rated criterion
    standing: str | None
    previous: int | None  # the score of the period before

    @property
    def trend(self) -> int | None:
        """Score change against the previous period; None when either has no score."""
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous

    @property
    def poor(self) -> bool:
        return self.standing == POOR


Rated = tuple[datetime, Mapping[str, int]]  # when, and the 1–5 value per criterion


def scorecard(
    ratings: Iterable[Rated], weights: Iterable[tuple[str, float]], now: datetime, period_days: int
) -> Scorecard:
    """Per-criterion means over the last `period_days`, their weighted mean put on 0–100.

    A criterion nobody rated in the period is "no data": it counts neither as 0 nor as 100,
    and the weights of the rated ones are rescaled to sum to one.
    """
    weights = tuple(weights)
    start = now - timedelta(days=period_days)
    before = start - timedelta(days=period_days)
    current: list[Mapping[str, int]] = []
    earlier: list[Mapping[str, int]] = []
    for at, scores in ratings:
        if at >= start:  # a rating stamped ahead of `now` (a skewed clock) still counts
            current.append(scores)
        elif before <= at < start:
            earlier.append(scores)
    averages = _averages(current, weights)
    score = _score(averages, weights)
    previous = _score(_averages(earlier, weights), weights)
    return Scorecard(averages, weights, len(current), score, standing_of(score), previous)


def _averages(
    rated: list[Mapping[str, int]], weights: tuple[tuple[str, float], ...]
) -> tuple[tuple[str, float | None], ...]:
    sums: dict[str, int] = {}
    counts: dict[str, int] = {}
    for scores in rated:
        for criterion, value in scores.items():
            sums[criterion] = sums.get(criterion, 0) + value
            counts[criterion] = counts.get(criterion, 0) + 1
    return tuple((c, sums[c] / counts[c] if c in counts else None) for c, _weight in weights)


def _score(
    averages: tuple[tuple[str, float | None], ...], weights: tuple[tuple[str, float], ...]
) -> int | None:
    """(weighted mean − 1) / 4 × 100 over the rated criteria, rounded half up."""
    weight_of = dict(weights)
    rated = [(mean, weight_of[c]) for c, mean in averages if mean is not None and weight_of[c] > 0]
    total = sum(weight for _mean, weight in rated)
    if not rated or total <= 0:
        return None
    mean = sum(m * w for m, w in rated) / total
    low, high = SCALE
    return math.floor(round((mean - low) / (high - low) * 100, 9) + 0.5)


def standing_of(score: int | None) -> str | None:
    """excellent ≥ 80, good ≥ 50, watch ≥ 30, poor below; None without a score."""
    if score is None:
        return None
    return next(name for name, floor in STANDINGS if score >= floor)
