"""Slack's notifier: reminders and notices by direct message; and how slack_sdk calls retry."""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.notify import Delivered, DeliveryError
from bot.slack.blocks import fallback_text, reply_blocks
from bot.slack.images import upload_image
from handlers.reply import Reply
from storage.models import Person

SLACK_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)


def retry_handlers() -> list[AsyncRetryHandler]:
    """Connection errors, 429 with Retry-After, and 500/503 are retried by slack_sdk itself."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]


class SlackNotifier:
    """The notifier port for Slack: a direct message (conversations.open + chat.postMessage)."""

    channel = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    def can_reach(self, person: Person) -> bool:
        return bool(person.slack)

    async def deliver(self, person: Person, reply: Reply) -> Delivered:
        """Post the reply in the person's DM with the bot; DeliveryError if Slack won't take it."""
        if not person.slack:
            raise DeliveryError(f"{person.name} has no Slack user id")
        try:
            opened = await self.client.conversations_open(users=person.slack)
            channel = opened["channel"]["id"]
            if reply.image is not None:
                return Delivered(channel, await upload_image(self.client, reply, channel))
            posted = await self.client.chat_postMessage(
                channel=channel, text=fallback_text(reply), blocks=reply_blocks(reply)
            )
        except SLACK_ERRORS as error:
            raise DeliveryError(
                f"Slack did not take the message for {person.name}: {error}"
            ) from error
        return Delivered(channel=channel, ref=str(posted["ts"]))
