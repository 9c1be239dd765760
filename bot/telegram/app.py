"""Rapport in Telegram, on python-telegram-bot: the bot's lifecycle (token check, command menu,
long polling by the leading worker or a webhook) and its notifier; the handlers of updates are
bot/telegram/listeners.py."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.config import ConfigError, TelegramConfig
from bot.dispatch import Clock, system_clock
from bot.telegram.intake import intake_bot, keep_logs_private
from bot.telegram.listeners import COMMAND_NAME, TelegramListeners
from bot.telegram.polling import PollingTurn
from bot.telegram.render import ButtonTokens
from bot.telegram.send import Sender, TelegramNotifier, retrying
from handlers.router import VERBS, Router
from storage.leadership import TELEGRAM_POLLING

log = logging.getLogger(__name__)
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LISTEN = "0.0.0.0"  # the webhook listens on all addresses; a reverse proxy usually ends TLS
POLL_TIMEOUT = 25  # seconds a getUpdates call waits for news
UPDATES = ["message", "edited_message", "callback_query"]


class TelegramStartError(ConfigError):
    """Telegram could not be started; the message says why, never showing the token."""


def build_application(config: TelegramConfig) -> Application[Any, Any, Any, Any, Any, Any]:
    """PTB's application pointed at `base_url`, with flood control retried by the rate limiter."""
    if not config.token:
        raise TelegramStartError(
            'telegram.token is empty: write token = "env:TELEGRAM_BOT_TOKEN" and set that variable'
        )
    base = config.base_url
    files = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else None
    keep_logs_private()
    bot = intake_bot(config.token, base, files)
    return Application.builder().bot(bot).job_queue(None).build()


def check_webhook(config: TelegramConfig) -> None:
    """Webhook mode needs the public URL and a secret Telegram sends back with every update."""
    if not config.webhook_url.startswith(("http://", "https://")):
        raise TelegramStartError("telegram.webhook_url: the public https:// URL of the webhook")
    if not SECRET_TOKEN.match(config.secret_token):
        raise TelegramStartError(
            "telegram.secret_token: 1-256 letters, digits, _ or -, from an env: value"
        )


class TelegramBot:
    """One Telegram bot serving the team: start it, stop it, and notify through it."""

    def __init__(self, config: TelegramConfig, router: Router, clock: Clock = system_clock) -> None:
        self.config = config
        self.router = router
        self.application = build_application(config)
        tokens = ButtonTokens()
        sender = Sender(self.application.bot, tokens)
        self.notifier = TelegramNotifier(sender)
        self.listeners = TelegramListeners(config, router, sender, tokens, clock)
        self.listeners.register(self.application)
        self.turn: PollingTurn | None = None

    # Lifecycle ------------------------------------------------------------------------------

    async def start(self) -> str:
        """Check the token, register the commands, start polling or the webhook; a ready line."""
        if self.config.mode == "webhook":
            check_webhook(self.config)
        app = self.application
        host = urlsplit(self.config.base_url).netloc
        try:
            await app.initialize()  # getMe: a wrong token raises InvalidToken
        except InvalidToken:
            raise TelegramStartError(
                f"telegram: {host} rejected the bot token; check TELEGRAM_BOT_TOKEN "
                "(BotFather's /token shows the right one)"
            ) from None
        except TelegramError as error:
            raise TelegramStartError(f"telegram: cannot reach {host}: {error.message}") from None
        await retrying(lambda: app.bot.set_my_commands(bot_commands()))
        assert app.updater is not None
        if self.config.mode == "webhook":
            where = await self._start_webhook()
        else:
            where = await self._polling_turn().begin()
        await app.start()
        return f"telegram: ready as @{app.bot.username} ({where})"

    async def _start_webhook(self) -> str:
        """Listen on all addresses at the webhook URL's path; register the URL and the secret."""
        path = urlsplit(self.config.webhook_url).path or "/"
        assert self.application.updater is not None
        await self.application.updater.start_webhook(
            listen=LISTEN,
            port=self.config.port,
            url_path=path,
            webhook_url=self.config.webhook_url,
            secret_token=self.config.secret_token,
            allowed_updates=UPDATES,
        )
        return f"webhook on port {self.config.port}, path {path}"

    def _polling_turn(self) -> PollingTurn:
        """Long polling by whichever worker holds the store's polling leadership."""
        updater = self.application.updater
        assert updater is not None

        async def poll() -> None:
            await updater.start_polling(timeout=POLL_TIMEOUT, allowed_updates=UPDATES)

        async def halt() -> None:
            if updater.running:
                await updater.stop()

        leadership = self.router.store.leadership(TELEGRAM_POLLING)
        self.turn = PollingTurn(leadership, poll, halt)
        return self.turn

    async def stop(self) -> None:
        """Stop taking updates, finish the ones taken, and close the connections."""
        app = self.application
        if self.turn is not None:
            await self.turn.end()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


def bot_commands() -> list[BotCommand]:
    """The command menu: one entry per verb."""
    return [BotCommand(v.name, v.summary[:256]) for v in VERBS if COMMAND_NAME.match(v.name)]
