"""Dated alerts through the scheduler and the outbox: once only, late after downtime, restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.notify import RecordingNotifier
from bot.scheduler.loop import Scheduler
from handlers.router import Router
from storage.models import SupplierPolicy
from storage.store import Store
from tests.conftest import Chat

ECO = SupplierPolicy("eco packaging", ("ISO 14001",), category="packaging")


@pytest.fixture
def slack() -> RecordingNotifier:
    return RecordingNotifier("slack")


@pytest.fixture
def telegram() -> RecordingNotifier:
    return RecordingNotifier("telegram")


def governed(chat: Chat) -> None:
    """The same chat, with the eco packaging policy in its config."""
    team = chat.team
    chat.team = replace(team, policy=replace(team.policy, supplier_policies=(ECO,)))
    chat.router = Router(chat.router.store, chat.team)


def restart(chat: Chat, tmp_path: Path, *notifiers: RecordingNotifier) -> Scheduler:
    chat.router.store.close()
    chat.router = Router(Store(tmp_path / "data"), chat.team)
    return Scheduler(chat.router.store, chat.team, lambda: chat.now, notifiers)


def titles(notifier: RecordingNotifier, name: str) -> list[str]:
    return [reply.title for reply in notifier.to(name)]


async def test_the_owner_hears_on_a_deals_close_date_once(
    chat: Chat, slack: RecordingNotifier, telegram: RecordingNotifier
) -> None:
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now, [slack, telegram])
    chat("add customer Acme")
    chat('deal Acme "Q1 renewal" 48k close:1 dec')
    await scheduler.run_due()
    close = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    assert (
        slack.to("Ana") == []
        and scheduler.agenda.when(("alert", ("deals", 1))) == close.timestamp()
    )
    chat.now = close
    await scheduler.run_due()
    [message] = slack.to("Ana")
    assert message.title == "Deal #1 Q1 renewal with Acme was due to close Tue 1 Dec 2026."
    assert [b.label for b in message.buttons][:2] == ["Won", "Lost"]
    chat.later(days=3)
    await scheduler.run_due()
    assert len(slack.to("Ana")) == 1


async def test_a_won_deal_is_not_reminded(chat: Chat, slack: RecordingNotifier) -> None:
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now, [slack])
    chat("add customer Acme")
    chat('deal Acme "Q1 renewal" 48k close:1 dec')
    await scheduler.run_due()
    chat("won #1")
    chat.later(days=10)
    await scheduler.run_due()
    assert slack.to("Ana") == []


async def test_a_contract_notice_missed_while_down_goes_to_owner_and_manager_once(
    chat: Chat, tmp_path: Path, slack: RecordingNotifier, telegram: RecordingNotifier
) -> None:
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now, [slack, telegram])
    chat("add supplier GreenPack owner:@bob", as_="Bob")
    chat('contract GreenPack "Boxes" from 1 jan 2026 to 31 jan 2027 notice:30d', as_="Bob")
    await scheduler.run_due()
    assert telegram.sent == [] and slack.sent == []
    chat.now = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)  # down since before 1 Jan
    scheduler = restart(chat, tmp_path, slack, telegram)
    await scheduler.run_due()
    expected = (
        "Contract “Boxes” with GreenPack ends Sun 31 Jan 2027: its 30-day notice period starts now."
    )
    assert titles(telegram, "Bob") == [expected]
    assert titles(slack, "Maria") == [expected]
    scheduler = restart(chat, tmp_path, slack, telegram)
    chat.later(days=1)
    await scheduler.run_due()
    assert len(telegram.sent) == 1 and len(slack.sent) == 1


async def test_a_certificate_warns_then_lapses_and_the_supplier_starts_failing(
    chat: Chat, tmp_path: Path, slack: RecordingNotifier, telegram: RecordingNotifier
) -> None:
    governed(chat)
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now, [slack, telegram])
    chat("add supplier GreenPack category:packaging owner:@bob", as_="Bob")
    chat('cert GreenPack "ISO 14001" expires 1 mar 2027', as_="Bob")
    await scheduler.run_due()
    assert slack.sent == [] and telegram.sent == []  # it holds the certificate
    chat.now = datetime(2027, 1, 30, 8, 0, tzinfo=UTC)
    await scheduler.run_due()
    assert titles(telegram, "Bob") == [
        "GreenPack's certificate “ISO 14001” expires Mon 1 Mar 2027."
    ]
    chat.now = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)
    scheduler = restart(chat, tmp_path, slack, telegram)
    await scheduler.run_due()
    lapsed = "GreenPack's certificate “ISO 14001” lapsed on Mon 1 Mar 2027."
    assert titles(telegram, "Bob")[1:] == [lapsed]
    failing = "GreenPack now fails the policy eco packaging (no valid ISO 14001)."
    assert sorted(titles(slack, "Maria")) == sorted([lapsed, failing])
    scheduler = restart(chat, tmp_path, slack, telegram)
    chat.later(days=2)
    await scheduler.run_due()
    assert len(telegram.sent) == 2 and len(slack.sent) == 2


async def test_a_policy_added_at_start_tells_the_managers_once(
    chat: Chat, tmp_path: Path, slack: RecordingNotifier
) -> None:
    chat("add supplier GreenPack category:packaging")
    chat("add supplier BoxCo category:boxes")
    governed(chat)
    scheduler = restart(chat, tmp_path, slack)
    await scheduler.run_due()
    assert titles(slack, "Maria") == [
        "GreenPack now fails the policy eco packaging (no valid ISO 14001)."
    ]
    scheduler = restart(chat, tmp_path, slack)
    await scheduler.run_due()
    assert len(slack.sent) == 1
    chat("edit BoxCo category:packaging")  # a category change makes BoxCo fall under it
    await scheduler.run_due()
    assert (
        titles(slack, "Maria")[1]
        == "BoxCo now fails the policy eco packaging (no valid ISO 14001)."
    )
    chat('cert BoxCo "ISO 14001" expires 1 mar 2028', as_="Bob")
    await scheduler.run_due()
    assert "BoxCo" not in chat.text("find suppliers policy:failing")
    assert len(slack.sent) == 2
