"""Scorecards: the maths, `rate` and `scorecard`, the poor-standing flag, filters and export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from storage.models import Policy
from storage.scoring import Rated, Scorecard, scorecard, standing_of
from storage.store import Store
from tests.conftest import NOW, Chat

WEIGHTS = Policy().scorecard_weights
ALL = ("quality", "delivery", "price", "communication", "sustainability")


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def card(*ratings: Rated, period: int = 180) -> Scorecard:
    return scorecard(ratings, WEIGHTS, NOW, period)


@pytest.fixture
def supplier(chat: Chat) -> Chat:
    """GreenPack, a supplier Bob owns."""
    assert chat("add supplier GreenPack owner:@bob", as_="Bob").ok
    return chat


def test_all_ones_score_0_and_all_fives_score_100() -> None:
    assert card((days_ago(1), dict.fromkeys(ALL, 1))).score == 0
    assert card((days_ago(1), dict.fromkeys(ALL, 5))).score == 100
    assert card((days_ago(1), dict.fromkeys(ALL, 3))).score == 50


def test_the_weighted_mean_uses_each_criterion_average() -> None:
    result = card(
        (days_ago(1), {"quality": 5, "delivery": 3, "price": 1, "communication": 4}),
        (days_ago(2), {"quality": 3, "delivery": 3, "price": 3, "communication": 4}),
        (days_ago(3), {"sustainability": 5}),
    )
    averages = dict(result.averages)
    assert averages == {
        "quality": 4.0, "delivery": 3.0, "price": 2.0, "communication": 4.0, "sustainability": 5.0
    }  # fmt: skip
    # 0.3·4 + 0.3·3 + 0.2·2 + 0.1·4 + 0.1·5 = 3.4 → (3.4 − 1) / 4 × 100 = 60
    assert (result.score, result.standing, result.ratings) == (60, "good", 3)


def test_a_criterion_nobody_rated_is_no_data_and_the_other_weights_are_rescaled() -> None:
    result = card((days_ago(1), {"quality": 5, "price": 1}))
    averages = dict(result.averages)
    assert averages["delivery"] is None and averages["sustainability"] is None
    # quality 0.3 and price 0.2 rescaled to 0.6 and 0.4: 0.6·5 + 0.4·1 = 3.4 → 60
    assert result.score == 60
    assert card((days_ago(1), {"delivery": 5})).score == 100  # never dragged to 0 by gaps


def test_ratings_outside_the_period_are_left_out_and_give_the_trend() -> None:
    result = card(
        (days_ago(10), {"quality": 5}),
        (days_ago(179), {"quality": 5}),
        (days_ago(200), {"quality": 1}),  # the previous period
        (days_ago(400), {"quality": 1}),  # older than both: ignored
    )
    assert (result.score, result.ratings, result.previous, result.trend) == (100, 2, 0, 100)
    assert card((days_ago(200), {"quality": 4})).score is None
    assert card((days_ago(1), {"quality": 4})).trend is None


def test_standing_thresholds() -> None:
    cases = {100: "excellent", 80: "excellent", 79: "good", 50: "good", 49: "watch", 30: "watch"}
    cases |= {29: "poor", 0: "poor"}
    assert {score: standing_of(score) for score in cases} == cases
    assert standing_of(None) is None


def test_bob_rates_greenpack_the_reply_shows_the_scorecard(supplier: Chat, store: Store) -> None:
    reply = supplier("rate GreenPack quality:4 delivery:5 price:3: good batch", as_="Bob")
    assert reply.changed
    assert (
        reply.title
        == "Rated GreenPack: quality 4, delivery 5, price 3 — Wed 25 Nov 2026, 14:37 CET."
    )
    text = reply.plain()
    assert "good batch" in text
    assert "Scorecard: 78/100 · good · 1 rating in 180 days" in text
    [rating] = store.ratings.all()
    assert (rating.scores, rating.by, rating.note) == (
        {"quality": 4, "delivery": 5, "price": 3}, "Bob", "good batch"
    )  # fmt: skip


@pytest.mark.parametrize(
    "text, says",
    [
        ("rate GreenPack quality:6", "whole number from 1 to 5"),
        ("rate GreenPack quality:0", "whole number from 1 to 5"),
        ("rate GreenPack quality:good", "whole number from 1 to 5"),
        ("rate GreenPack taste:4", "I don't rate “taste”"),
        ("rate GreenPack", "Rate which criteria?"),
        ("rate GreenPack: fine", "Rate which criteria?"),
    ],
)
def test_bad_ratings_are_answered_and_nothing_is_stored(
    supplier: Chat, store: Store, text: str, says: str
) -> None:
    reply = supplier(text, as_="Bob")
    assert not reply.ok and says in reply.plain()
    assert list(store.ratings.all()) == []


def test_criteria_may_be_shortened_and_customers_are_not_rated(supplier: Chat) -> None:
    assert supplier("rate GreenPack comm:4 sust:5", as_="Bob").changed
    supplier("add customer Acme")
    refused = supplier("rate Acme quality:4")
    assert not refused.ok and "not a supplier" in refused.title


def test_a_repeated_rating_message_is_stored_once(supplier: Chat, store: Store) -> None:
    assert supplier("rate GreenPack quality:4", as_="Bob", message_id="u9").changed
    again = supplier("rate GreenPack quality:4", as_="Bob", message_id="u9")
    assert again.title == "Already done: Rated GreenPack."
    assert len(list(store.ratings.all())) == 1


def test_falling_to_poor_is_flagged_and_the_managers_are_told_once(
    supplier: Chat, store: Store
) -> None:
    supplier("rate GreenPack quality:4 delivery:4", as_="Bob")
    assert not store.deliveries.pending_for("Maria")
    reply = supplier("rate GreenPack quality:1 delivery:1 price:1", as_="Bob")
    assert "⚠ Poor standing: GreenPack is a candidate for probation. Told Maria." in reply.plain()
    [flag] = store.deliveries.pending_for("Maria")
    assert flag.kind == "flag"
    assert "GreenPack fell to a poor standing" in flag.reply["title"]
    again = supplier("rate GreenPack quality:1", as_="Bob")
    assert "candidate for probation" in again.plain() and "Told" not in again.plain()
    assert len(store.deliveries.pending_for("Maria")) == 1
    assert "candidate for probation" in supplier.text("show greenpack")
    assert "candidate for probation" in supplier.text("log delivery from GreenPack: late again")


def test_a_supplier_on_probation_is_not_flagged_again(supplier: Chat) -> None:
    supplier("status GreenPack probation because late deliveries", as_="Maria")
    reply = supplier("rate GreenPack quality:1", as_="Bob")
    assert "poor" in reply.plain() and "candidate" not in reply.plain()


def test_scorecard_shows_averages_weights_no_data_and_trend(supplier: Chat) -> None:
    supplier("rate GreenPack quality:2 delivery:2", as_="Bob")
    supplier.later(days=181)
    supplier("rate GreenPack quality:4 delivery:5 price:3", as_="Bob")
    text = supplier.text("scorecard greenpack")
    assert text.startswith("GreenPack scorecard: 78/100 · good · 1 rating in 180 days")
    assert "▲ +53 on the 180 days before (25)" in text
    assert "quality: 4.0 (weight 30%)" in text
    assert "communication: no data" in text
    assert "weights are rescaled" in text


def test_scorecard_without_ratings_says_so(supplier: Chat) -> None:
    text = supplier.text("scorecard greenpack")
    assert text.startswith("GreenPack scorecard: no ratings in the last 180 days")
    assert "Scorecard:\n  no ratings in the last 180 days" in supplier.text("show greenpack")


def test_find_by_standing_and_sort_by_score(supplier: Chat) -> None:
    supplier("add supplier BoxCo")
    supplier("add supplier Idle Ltd")
    supplier("rate GreenPack quality:1", as_="Bob")
    supplier("rate BoxCo quality:5", as_="Bob")
    poor = supplier.text("find suppliers standing:poor")
    assert "GreenPack" in poor and "BoxCo" not in poor
    ranked = supplier.text("find suppliers sort:score")
    assert ranked.index("BoxCo") < ranked.index("GreenPack") < ranked.index("Idle Ltd")


def test_export_parties_carries_score_and_standing(supplier: Chat) -> None:
    supplier("rate GreenPack quality:4 delivery:5 price:3", as_="Bob")
    exported = supplier("export suppliers jsonl").file
    assert exported is not None
    [row] = [json.loads(line) for line in exported[1].splitlines()]
    assert (row["score"], row["standing"]) == (78, "good")


def test_undo_takes_a_rating_back(supplier: Chat, store: Store) -> None:
    reply = supplier("rate GreenPack quality:4", as_="Bob")
    assert supplier.press(reply, "Undo", as_="Bob").title == "Undone: Rated GreenPack."
    assert list(store.ratings.all()) == []
