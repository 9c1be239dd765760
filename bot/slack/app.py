"""Slack: Rapport in a workspace, on slack-bolt's AsyncApp.

`build_slack(settings, router, clock)` makes the client and the bolt app, registers the
listeners on one `Conversation` (as bolt's starter template does with `register_listeners`),
and returns the `SlackServer` to start; its `notifier` delivers reminders by direct message.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import ConfigError, SlackConfig
from bot.dispatch import Clock, system_clock
from bot.slack.conversation import Conversation
from bot.slack.forms import SlackForms
from bot.slack.listeners import SlackListeners
from bot.slack.notifier import retry_handlers
from bot.slack.people import SlackPeople
from bot.slack.server import SlackServer
from handlers.router import Router


def register_listeners(bolt: AsyncApp, conversation: Conversation) -> None:
    """Every listener Rapport has, on one bolt app, answering through `conversation`."""
    SlackListeners(conversation).register(bolt)
    SlackForms(conversation).register(bolt)


def check_settings(
    settings: SlackConfig | None, env: dict[str, str] | Any = os.environ
) -> SlackConfig:
    """The [slack] table has what its mode needs; ConfigError names what is missing."""
    if settings is None:
        raise ConfigError("slack: no [slack] table in the config")
    needed = {"socket": ("bot_token", "app_token"), "http": ("bot_token", "signing_secret")}
    for key in needed[settings.mode]:
        if not getattr(settings, key):
            raise ConfigError(f"slack.{key}: {settings.mode} mode needs it (write env:NAME)")
    if env.get("SLACK_CLIENT_ID") and env.get("SLACK_CLIENT_SECRET"):
        raise ConfigError(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set: slack-bolt would switch to its "
            "multi-workspace OAuth flow. Rapport runs in one workspace; unset them."
        )
    return settings


class _UnusedTokenNotice(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN goes unused whenever it is set; we hand it the client."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _UnusedTokenNotice) for f in logger.filters):
        logger.addFilter(_UnusedTokenNotice())
    return logger


def build_slack(
    settings: SlackConfig | None,
    router: Router,
    clock: Clock = system_clock,
    host: str = "0.0.0.0",
) -> SlackServer:
    """Slack for this router's team, listeners registered; `await start()` to serve."""
    settings = check_settings(settings)
    client = AsyncWebClient(
        token=settings.bot_token, base_url=settings.api_url, retry_handlers=retry_handlers()
    )
    bolt = AsyncApp(
        name="rapport",
        client=client,
        logger=_bolt_logger(),
        signing_secret=settings.signing_secret,
        request_verification_enabled=settings.mode == "http",
    )
    people = SlackPeople(client, router.store, router.team, clock)
    conversation = Conversation(router, client, people, clock)
    register_listeners(bolt, conversation)
    return SlackServer(bolt, settings, conversation.notifier, host)
