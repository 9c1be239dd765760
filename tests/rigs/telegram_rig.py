"""What the Telegram tests share: the fake Bot API, a running bot on a temporary store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.config import TelegramConfig
from bot.telegram.app import TelegramBot
from handlers.context import Team
from handlers.router import Router
from storage.store import Store
from tests.conftest import NOW
from tests.fakes.telegram_api import TOKEN, FakeBotAPI

BOB = 1002  # a buyer of the test team
STRANGER = 4242  # nobody of the team
GROUP = -1001234567890


@dataclass
class Telegram:
    """The fake server and the bot under test, with a way to talk to it."""

    api: FakeBotAPI
    bot: TelegramBot
    store: Store

    async def say(self, update: dict[str, Any], method: str = "sendMessage") -> dict[str, Any]:
        """Deliver an update and return the bot's next call of `method`."""
        before = len(self.api.calls_to(method))
        await self.api.push(update)
        return (await self.api.wait_for(method, before + 1))[before]

    async def text(self, text: str, user: int = BOB) -> dict[str, Any]:
        """Bob (or `user`) types a line in the private chat; the bot's answer."""
        return await self.say(self.api.updates.text(text, user))

    def last_message(self, chat: int = BOB) -> dict[str, Any]:
        """The bot's latest message in a chat, as the chat shows it now."""
        return self.api.sent_to(chat)[-1]


def config_for(api: FakeBotAPI, **changes: Any) -> TelegramConfig:
    values: dict[str, Any] = {"token": TOKEN, "base_url": api.base_url, **changes}
    return TelegramConfig(**values)


@pytest.fixture(name="api")
async def api_fixture() -> AsyncIterator[FakeBotAPI]:
    server = await FakeBotAPI().start()
    yield server
    await server.stop()


@pytest.fixture(name="tg")
async def tg_fixture(api: FakeBotAPI, store: Store, team: Team) -> AsyncIterator[Telegram]:
    bot = TelegramBot(config_for(api, groups=(GROUP,)), Router(store, team), clock=lambda: NOW)
    await bot.start()
    yield Telegram(api, bot, store)
    await bot.stop()
