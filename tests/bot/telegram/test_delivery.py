"""Notifications, retries, long replies, a rejected token and restarts, against the fake Bot API."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.notify import DeliveryError
from bot.telegram.app import TelegramBot, TelegramStartError
from bot.telegram.render import html_chunks
from handlers.context import Team
from handlers.reply import Button, Reply, Section
from handlers.router import Router
from storage.store import Store
from tests.conftest import NOW
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.rigs.telegram_rig import BOB, Telegram, api_fixture, config_for, tg_fixture  # noqa: F401

REMINDER = Reply(
    title="Reminder: call GreenPack about the late pallets",
    buttons=(Button("Done", "done 1"), Button("Snooze 1h", "snooze 1 1h")),
)


async def test_the_notifier_writes_to_the_persons_private_chat(tg: Telegram, team: Team) -> None:
    bob = team.find("bob")
    assert bob is not None and tg.bot.notifier.can_reach(bob)
    assert not tg.bot.notifier.can_reach(team.find("nick"))  # type: ignore[arg-type]
    delivered = await tg.bot.notifier.deliver(bob, REMINDER)
    message = tg.last_message()
    assert delivered.channel == "telegram" and delivered.ref == f"{BOB}:{message['message_id']}"
    assert [b["text"] for b in message["reply_markup"]["inline_keyboard"][0]] == [
        "Done",
        "Snooze 1h",
    ]


async def test_network_errors_and_flood_control_are_retried(tg: Telegram, team: Team) -> None:
    bob = team.find("bob")
    assert bob is not None
    tg.api.fail("sendMessage", 502, "Bad Gateway")
    tg.api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await tg.bot.notifier.deliver(bob, REMINDER)
    assert len(tg.api.calls_to("sendMessage")) == 3
    assert tg.last_message()["text"] == REMINDER.title


async def test_a_person_who_blocked_the_bot_is_a_delivery_error(tg: Telegram, team: Team) -> None:
    tg.api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(DeliveryError, match="Bob cannot be written to"):
        await tg.bot.notifier.deliver(team.find("bob"), REMINDER)  # type: ignore[arg-type]


async def test_a_long_reply_is_split_between_lines(tg: Telegram, team: Team) -> None:
    lines = tuple(f"{n}. GreenPack & co <delivery> on time" for n in range(400))
    reply = Reply(
        title="History", sections=(Section(lines=lines),), buttons=(Button("Undo", "undo 1"),)
    )
    assert len(html_chunks(reply)) > 1
    await tg.bot.notifier.deliver(team.find("bob"), reply)  # type: ignore[arg-type]
    sent = tg.api.sent_to(BOB)
    assert len(sent) == len(html_chunks(reply))
    assert all(len(m["text"]) <= 4096 for m in sent)
    assert "reply_markup" in sent[-1] and "reply_markup" not in sent[0]


async def test_a_rejected_token_stops_the_start_without_showing_it(
    api: FakeBotAPI, store: Store, team: Team, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = TOKEN.replace("AAH", "BAD")
    bot = TelegramBot(config_for(api, token=wrong), Router(store, team))
    with pytest.raises(TelegramStartError, match="rejected the bot token") as error:
        await bot.start()
    assert wrong not in str(error.value)
    await bot.stop()


async def test_a_repeat_after_a_restart_is_not_stored_twice(
    api: FakeBotAPI, tmp_path: Path, team: Team
) -> None:
    update = api.updates.text("add supplier GreenPack")
    for _run in range(2):  # the same update delivered to two runs of the bot on one store
        store = Store(tmp_path / "data")
        bot = TelegramBot(config_for(api), Router(store, team), clock=lambda: NOW)
        await bot.start()
        before = len(api.calls_to("sendMessage"))
        await api.push(api.updates.again(update))
        await api.wait_for("sendMessage", before + 1)
        await bot.stop()
        assert [p.name for p in store.parties.all()] == ["GreenPack"]
        store.close()
    assert api.sent_to(BOB)[-1]["text"].startswith("Already done")
