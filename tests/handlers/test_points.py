"""Points: awards, deductions, limits by role, rewards, tiers, undo, idempotency, concurrency."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_config
from handlers.context import Team
from handlers.reply import Message
from handlers.router import Router
from storage.checks import check_store
from storage.ledger import AWARD, ledger_entry
from storage.models import Policy, tier_for
from storage.store import Store
from storage.unit_of_work import Actor
from tests.conftest import NOW, Chat

pytestmark = pytest.mark.both_backends  # every test here runs on both engines


@pytest.fixture
def parties(chat: Chat) -> Chat:
    """GreenPack, a supplier Bob owns, and Acme, a customer Ana owns."""
    assert chat("add supplier GreenPack owner:@bob", as_="Bob").ok
    assert chat("add customer Acme owner:@ana").ok
    return chat


def balance(store: Store, name: str) -> int:
    return store.ledger.balance(store.parties.named(name)[0].id)


def test_bob_awards_greenpack_50_the_reply_shows_the_balance_and_one_entry_is_kept(
    parties: Chat, store: Store
) -> None:
    reply = parties("award GreenPack 50 for on-time delivery", as_="Bob", message_id="m1")
    assert reply.changed
    assert reply.title == "Awarded GreenPack 50 points for on-time delivery."
    assert "50 points · tier bronze · 450 more for silver" in reply.plain()
    assert any(b.label == "Undo" for b in reply.buttons)
    [entry] = list(store.ledger.all())
    assert (entry.delta, entry.reason, entry.by, entry.kind) == (
        50,
        "on-time delivery",
        "Bob",
        AWARD,
    )
    assert entry.message_id == "m1"
    assert entry.at == NOW.isoformat()


@pytest.mark.parametrize(
    "text",
    [
        "award 20 to GreenPack for the referral",
        "award GreenPack 20 points: the referral",
        "give GreenPack 20 because the referral",
    ],
)
def test_award_reads_the_natural_orders(parties: Chat, store: Store, text: str) -> None:
    assert parties(text, as_="Bob").changed
    assert balance(store, "GreenPack") == 20
    assert next(store.ledger.all()).reason == "the referral"


@pytest.mark.parametrize(
    "text, says",
    [
        ("award GreenPack 50", "What for?"),
        ("award GreenPack 50 for", "What for?"),
        ("award GreenPack for nothing", "How many points"),
        ("award GreenPack 0 for x", "whole number from 1"),
        ("award GreenPack -5 for x", "whole number from 1"),
        ("award Nobody 5 for x", "I don't know a party"),
    ],
)
def test_bad_awards_are_answered_and_nothing_is_stored(
    parties: Chat, store: Store, text: str, says: str
) -> None:
    reply = parties(text, as_="Bob")
    assert not reply.ok
    assert says in reply.plain()
    assert list(store.ledger.all()) == []


def test_over_the_limit_a_buyer_is_refused_and_told_who_can_a_manager_may(
    parties: Chat, store: Store
) -> None:
    refused = parties("award GreenPack 150 for a great quarter", as_="Bob")
    assert not refused.ok
    assert refused.title == "Awards over 100 points need a manager: Maria."
    assert parties("award GreenPack 100 for the limit itself", as_="Bob").changed
    assert parties("award GreenPack 150 for a great quarter", as_="Maria").changed
    assert parties("award GreenPack 150 for admin", as_="Root").changed
    assert balance(store, "GreenPack") == 400
    assert parties("deduct GreenPack 120 for x", as_="Bob").title == (
        "Deductions over 100 points need a manager: Maria."
    )


def test_a_deduction_beyond_the_balance_is_refused_with_the_balance(
    parties: Chat, store: Store
) -> None:
    parties("award Acme 30 for the referral")
    reply = parties("deduct Acme 50 for returned order")
    assert not reply.ok
    assert "Acme has only 30 points" in reply.title
    assert parties("deduct Acme 30 for returned order").changed
    assert balance(store, "Acme") == 0


def test_an_excluded_supplier_gets_no_points_and_no_rewards(parties: Chat, store: Store) -> None:
    parties("award GreenPack 100 for before", as_="Maria")
    parties("status GreenPack excluded because false certificates", as_="Maria")
    refused = parties("award GreenPack 10 for anything", as_="Maria")
    assert not refused.ok and "excluded" in refused.title
    assert not parties("redeem gift box for GreenPack", as_="Maria").ok
    assert "can't redeem" in parties("rewards GreenPack").title
    assert balance(store, "GreenPack") == 100


def test_a_repeated_message_id_never_awards_twice(parties: Chat, store: Store) -> None:
    first = parties("award GreenPack 50 for delivery", as_="Bob", message_id="tg-77")
    again = parties("award GreenPack 50 for delivery", as_="Bob", message_id="tg-77")
    assert first.changed and not again.changed
    assert again.title == "Already done: Awarded GreenPack 50 points."
    assert balance(store, "GreenPack") == 50
    assert len(list(store.ledger.all())) == 1


def test_a_repeated_redeem_is_not_refused_nor_applied_twice(parties: Chat, store: Store) -> None:
    parties("award GreenPack 100 for a", as_="Maria")
    parties("award GreenPack 100 for b", as_="Maria")
    assert parties("redeem gift box for GreenPack", as_="Maria", message_id="r1").changed
    again = parties("redeem gift box for GreenPack", as_="Maria", message_id="r1")
    assert again.title == "Already done: Redeemed gift box for GreenPack."
    assert balance(store, "GreenPack") == 0


def test_redeeming_never_drops_the_tier(parties: Chat, store: Store) -> None:
    parties("award Acme 600 for a big order", as_="Maria")
    assert "tier silver" in parties("points acme").title
    reply = parties('redeem "gift box" for Acme', as_="Maria")
    assert reply.changed
    assert reply.title == "Redeemed gift box for Acme: −200 points."
    assert "400 points · tier silver · 1400 more for gold" in reply.plain()
    assert store.ledger.earned(store.parties.named("Acme")[0].id) == 600


def test_rewards_list_what_a_party_can_afford_and_redeem_checks_everything(
    parties: Chat, store: Store
) -> None:
    parties("award Acme 60 for the referral")
    text = parties("rewards acme").plain()
    assert "coffee voucher — 50 points" in text
    assert "gift box — 140 more needed" in text
    assert "priority review" not in text  # for suppliers only
    catalog = parties("rewards").plain()
    assert "priority review — 1000 points · suppliers" in catalog
    assert "is for suppliers" in parties("redeem priority review for Acme", as_="Maria").title
    assert "costs 200 (140 more needed)" in parties("redeem gift box for Acme").title
    parties("award Acme 200 for more", as_="Maria")
    assert "need a manager" in parties("redeem gift box for Acme").title
    assert "Redeem which reward" in parties("redeem a yacht for Acme").title
    assert parties("redeem coffee for Acme").changed  # a prefix names one reward
    assert balance(store, "Acme") == 210


def test_a_reward_above_the_limit_needs_a_manager(parties: Chat, store: Store) -> None:
    parties("award GreenPack 1000 for a year of service", as_="Maria")
    refused = parties("redeem priority review for GreenPack", as_="Bob")
    assert refused.title == "Rewards over 100 points need a manager: Maria."
    assert parties("redeem priority review for GreenPack", as_="Maria").changed


def test_redeeming_tells_the_party_owner(parties: Chat, store: Store) -> None:
    parties("award GreenPack 100 for a", as_="Maria")
    parties("award GreenPack 100 for b", as_="Maria")
    parties("redeem gift box for GreenPack", as_="Maria")
    [told] = store.deliveries.pending_for("Bob")
    assert told.reply["title"] == "Maria redeemed “gift box” for GreenPack (0 points left)."


def test_undo_of_an_award_writes_a_reversal_and_drops_the_points_earned(
    parties: Chat, store: Store
) -> None:
    parties("award GreenPack 60 for a", as_="Bob")
    award = parties("award GreenPack 40 for b", as_="Bob")
    undone = parties.press(award, "Undo", as_="Bob")
    assert undone.title == "Undone: Awarded GreenPack 40 points."
    entries = list(store.ledger.all())
    assert [(e.kind, e.delta) for e in entries] == [("award", 60), ("award", 40), ("reversal", -40)]
    assert entries[-1].reverses == entries[1].id
    assert entries[-1].reason == "undo: b"
    party_id = entries[0].party_id
    assert store.ledger.balance(party_id) == 60
    assert store.ledger.earned(party_id) == 60


def test_undo_of_a_redeem_gives_the_points_back_but_not_the_earned(
    parties: Chat, store: Store
) -> None:
    parties("award Acme 60 for a")
    parties("redeem coffee voucher for Acme")
    assert parties("undo").title == "Undone: Redeemed coffee voucher for Acme."
    acme = store.parties.named("Acme")[0].id
    assert (store.ledger.balance(acme), store.ledger.earned(acme)) == (60, 60)


def test_undo_of_an_award_already_spent_is_refused(parties: Chat, store: Store) -> None:
    award = parties("award Acme 60 for a")
    parties("redeem coffee voucher for Acme", as_="Maria")
    refused = parties.press(award, "Undo")
    assert not refused.ok
    assert "only 10 points are left" in refused.title
    assert balance(store, "Acme") == 10


def test_points_shows_balance_tier_next_tier_and_the_last_entries(parties: Chat) -> None:
    parties("award Acme 30 for the referral")
    text = parties.text("points acme")
    assert text.startswith("Acme (#2): 30 points · tier bronze · 470 more for silver")
    assert "Wed 25 Nov 2026, 14:37 CET · +30 award by Ana: the referral" in text
    assert "Whose" not in text
    assert not parties("points").ok


def test_the_leaderboard_ranks_by_points_earned_in_the_period(parties: Chat, store: Store) -> None:
    parties("add customer Zeta")
    parties("award Acme 90 for october", as_="Maria")
    parties.later(days=30)  # 25 December
    parties("award Zeta 50 for december")
    parties("award GreenPack 70 for december", as_="Bob")
    parties("redeem coffee voucher for Acme")
    everyone = parties.text("leaderboard")
    assert everyone.index("1. Acme — 90") < everyone.index("2. GreenPack — 70")
    assert "3. Zeta — 50" in everyone
    month = parties.text("leaderboard customers this month")
    assert "Leaderboard — customers, points earned this month:" in month
    assert "1. Zeta — 50" in month and "Acme" not in month and "GreenPack" not in month
    assert "1. Acme — 90" in parties.text("leaderboard last month")
    assert not parties("leaderboard next century").ok


def test_earned_between_counts_month_edges_in_the_reader_zone(store: Store) -> None:
    """An award at 02:00 UTC on 1 Dec is still November in New York."""
    actor = Actor("Ana", "terminal", NOW.isoformat())
    with store.change(actor, "seed") as change:
        pid = change.insert("parties", {"name": "Acme", "roles": ["customer"]})
        for day, hour, points in ((30, 12, 5), (1, 2, 7), (1, 12, 11)):
            month = 11 if day == 30 else 12
            at = datetime(2026, month, day, hour, tzinfo=UTC)
            change.add(ledger_entry(pid, points, "x", AWARD, "Ana", at))
    york = ZoneInfo("America/New_York")
    december_ny = datetime(2026, 12, 1, tzinfo=york)
    assert store.ledger.earned_between(december_ny)[pid] == 11
    november_ny = datetime(2026, 11, 1, tzinfo=york)
    assert store.ledger.earned_between(november_ny, december_ny)[pid] == 12
    assert store.ledger.earned_between(datetime(2026, 12, 1, tzinfo=UTC))[pid] == 18


def test_tier_follows_points_earned_with_the_next_tier() -> None:
    tiers = Policy().tiers
    assert tier_for(0, tiers).name == "bronze"
    assert (tier_for(499, tiers).next_name, tier_for(499, tiers).to_next) == ("silver", 1)
    assert tier_for(500, tiers).name == "silver"
    assert tier_for(9999, tiers) == tier_for(5000, tiers)
    assert tier_for(9999, tiers).next_name is None
    assert tier_for(10, (("gold", 100),)).name is None


def test_logging_an_order_earns_the_configured_automatic_points(store: Store, team: Team) -> None:
    policy = replace(team.policy, auto_points=(("order", 5),))
    chat = Chat(Router(store, replace(team, policy=policy)), team)
    chat("add customer Acme")
    reply = chat("log order from Acme yesterday: 10 boxes")
    assert "+5 points for the order (balance 5)." in reply.plain()
    assert "points" not in chat("log call with Acme").plain()
    [entry] = list(store.ledger.all())
    assert (entry.kind, entry.reason) == ("award", "order logged")
    chat.press(reply, "Undo")  # the log and its points go together
    assert balance(store, "Acme") == 0


def test_find_filters_by_tier_and_sorts_by_points(parties: Chat) -> None:
    parties("add customer Zeta")
    parties("award Zeta 600 for a big year", as_="Maria")
    parties("award Acme 20 for a small one")
    gold = parties.text("find tier:silver")
    assert "Zeta" in gold and "Acme" not in gold
    ranked = parties.text("find customers sort:points")
    assert ranked.index("Zeta") < ranked.index("Acme")


def test_exports_carry_points_tier_and_the_ledger(parties: Chat) -> None:
    parties("award Acme 600 for a big year", as_="Maria", message_id="s1")
    parties_file = parties("export customers jsonl").file
    assert parties_file is not None
    [row] = [json.loads(line) for line in parties_file[1].splitlines()]
    assert (row["points"], row["tier"], row["score"], row["standing"]) == (
        600,
        "silver",
        None,
        None,
    )
    ledger_file = parties("export points jsonl").file
    assert ledger_file is not None
    [entry] = [json.loads(line) for line in ledger_file[1].splitlines()]
    assert entry["party"] == "Acme" and entry["delta"] == 600 and entry["kind"] == "award"
    assert entry["by"] == "Maria" and entry["message_id"] == "s1"
    assert entry["at"] == "2026-11-25T14:37:00+01:00"


def test_balances_are_rebuilt_when_the_store_is_opened_again(
    parties: Chat, store_location: str
) -> None:
    parties("award Acme 60 for a")
    parties("redeem coffee voucher for Acme")
    parties.router.store.close()
    with Store(store_location) as reopened:
        acme = reopened.parties.named("Acme")[0].id
        assert (reopened.ledger.balance(acme), reopened.ledger.earned(acme)) == (10, 60)
        assert check_store(reopened, ["Ana"]) == []


def test_the_check_finds_a_ledger_that_goes_below_zero(store: Store) -> None:
    actor = Actor("Ana", "terminal", NOW.isoformat())
    with store.change(actor, "broken on purpose") as change:
        pid = change.insert("parties", {"name": "Acme", "roles": ["customer"]})
        change.add(ledger_entry(pid, -5, "x", "deduct", "Ana", NOW))
    assert check_store(store, []) == [f"ledger entry 1 took party {pid} below zero"]


def test_concurrent_awards_from_many_threads_sum_exactly(store: Store, team: Team) -> None:
    router = Router(store, team)
    bob = team.find("Bob")
    assert bob is not None
    router.handle(Message(bob, "add supplier GreenPack", "telegram", NOW))
    threads, each = 8, 25

    def award(worker: int) -> None:
        for n in range(each):
            text = f"award GreenPack 1 for shift {worker}-{n}"
            at = NOW + timedelta(seconds=n)
            reply = router.handle(Message(bob, text, "telegram", at, f"{worker}-{n}"))
            assert reply.changed, reply.title

    workers = [threading.Thread(target=award, args=(w,)) for w in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert balance(store, "GreenPack") == threads * each
    assert len(list(store.ledger.all())) == threads * each
    assert check_store(store, ["Bob"]) == []


def test_the_config_reads_automatic_points_and_names_a_wrong_kind(tmp_path: Path) -> None:
    path = tmp_path / "rapport.toml"
    path.write_text("[points]\nauto = { order = 5, delivery = 2 }\n", encoding="utf-8")
    assert load_config(path).team.policy.auto_points == (("delivery", 2), ("order", 5))
    path.write_text("[points]\nauto = { oder = 5 }\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="points.auto.oder: not an interaction kind"):
        load_config(path)
