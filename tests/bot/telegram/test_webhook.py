"""Webhook mode: Telegram posts updates with the secret token; anything else gets 403."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.telegram.app import TelegramBot, TelegramStartError
from handlers.context import Team
from handlers.router import Router
from storage.store import Store
from tests.conftest import NOW
from tests.fakes.telegram_api import FakeBotAPI
from tests.rigs.telegram_rig import BOB, api_fixture, config_for  # noqa: F401

SECRET = "s3cret-Token_for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def hook(api: FakeBotAPI, store: Store, team: Team) -> AsyncIterator[str]:
    """A bot in webhook mode; yields the local address Telegram would post to."""
    port = free_port()
    config = config_for(
        api,
        mode="webhook",
        webhook_url="https://bot.example.com/telegram/hook",
        secret_token=SECRET,
        port=port,
    )
    bot = TelegramBot(config, Router(store, team), clock=lambda: NOW)
    await bot.start()
    yield f"http://127.0.0.1:{port}/telegram/hook"
    await bot.stop()


async def post(url: str, update: dict[str, Any], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=json.dumps(update), headers=headers) as response,
    ):
        return response.status


async def test_start_registers_the_webhook_url_with_the_secret(hook: str, api: FakeBotAPI) -> None:
    assert api.webhook["url"] == "https://bot.example.com/telegram/hook"
    assert api.webhook["secret_token"] == SECRET
    assert not api.calls_to("getUpdates")


async def test_an_update_with_the_secret_is_answered(hook: str, api: FakeBotAPI) -> None:
    assert await post(hook, api.updates.text("add supplier GreenPack"), SECRET) == 200
    (sent,) = await api.wait_for("sendMessage")
    assert sent["chat_id"] == BOB
    assert api.sent_to(BOB)[-1]["text"].startswith("Added supplier GreenPack")


@pytest.mark.parametrize("secret", ["wrong-secret", None, ""])
async def test_a_wrong_or_missing_secret_gets_403(
    hook: str, api: FakeBotAPI, secret: str | None
) -> None:
    assert await post(hook, api.updates.text("add supplier Forged Ltd"), secret) == 403
    assert await post(hook, api.updates.text("whoami"), SECRET) == 200
    await api.wait_for("sendMessage")
    assert all("Forged" not in m["text"] for m in api.sent_to(BOB))


async def test_a_repeated_update_gets_200_and_is_processed_once(
    hook: str, api: FakeBotAPI, store: Store
) -> None:
    update = api.updates.text("add supplier GreenPack")
    assert await post(hook, update, SECRET) == 200
    assert await post(hook, update, SECRET) == 200
    assert await post(hook, api.updates.text("whoami"), SECRET) == 200
    await api.wait_for("sendMessage", 2)
    assert len(api.calls_to("sendMessage")) == 2  # the repeat got no answer of its own
    assert [p.name for p in store.parties.all()] == ["GreenPack"]


async def test_webhook_mode_needs_a_secret(api: FakeBotAPI, store: Store, team: Team) -> None:
    config = config_for(
        api, mode="webhook", webhook_url="https://bot.example.com/t", port=free_port()
    )
    bot = TelegramBot(config, Router(store, team))
    with pytest.raises(TelegramStartError, match="secret_token"):
        await bot.start()
    await bot.stop()
    assert not api.calls_to("setWebhook")


async def test_an_unreadable_update_is_logged_without_personal_data(
    hook: str, api: FakeBotAPI, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="telegram")
    bad = api.updates.recorded("unparsable_sender")
    assert await post(hook, bad, SECRET) in (200, 400)
    assert await post(hook, api.updates.text("add supplier GreenPack"), SECRET) == 200
    await api.wait_for("sendMessage")
    reported = [r for r in caplog.records if str(bad["update_id"]) in r.getMessage()]
    assert reported and max(r.levelno for r in reported) >= logging.WARNING
    personal = ("Jana", "jana_secret", "5550009", "777 123", "private number")
    assert all(word not in caplog.text for word in personal)
    assert [p.name for p in store.parties.all()] == ["GreenPack"]
