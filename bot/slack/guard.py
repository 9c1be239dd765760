"""No Slack listener lets an exception reach bolt, and every one that must ack does.

A failure is logged with Slack's id of the request and where the error was raised
(`bot.dispatch.failure`: never the text, a name or a user id), and the person who is waiting
hears a short apology: through the response URL when there is one, else privately in the
channel, else by direct message. Strangers and other apps hear nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.dispatch import SORRY, failure
from bot.slack.events import Body, channel_of, request_id, user_of
from bot.slack.text import escape
from handlers.reply import Reply

if TYPE_CHECKING:
    from bot.slack.conversation import Conversation

log = logging.getLogger(__name__)
Listener = Callable[..., Awaitable[None]]


def guarded(conversation: Conversation, listener: Listener) -> Listener:
    """The listener, made safe; bolt still injects the arguments it names (through `wraps`)."""

    @functools.wraps(listener)
    async def run(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except Exception as error:
            body: Body = kwargs.get("body") or {}
            name = getattr(listener, "__name__", "listener")
            log.error("Slack: %s for %s failed: %s", name, request_id(body), failure(error))
            await _ack_if_not_yet(kwargs.get("ack"))
            await apologise(conversation, body, kwargs.get("event") or {})

    return run


async def _ack_if_not_yet(ack: AsyncAck | None) -> None:
    if ack is not None and ack.response is None:
        try:
            await ack()
        except Exception as error:
            log.error("Slack: the late ack failed too: %s", failure(error))


async def apologise(conversation: Conversation, body: Body, event: Body) -> None:
    """Say sorry to the person of the team who is waiting for an answer, where they wrote."""
    inner = event.get("message") if isinstance(event.get("message"), dict) else {}
    user = user_of(body) or str(event.get("user") or (inner or {}).get("user") or "")
    person = conversation.person(user)
    if person is None:
        return
    sorry = Reply(title=SORRY, ok=False)
    channel = channel_of(body) or str(event.get("channel") or "")
    try:
        if body.get("response_url"):
            await conversation.respond(str(body["response_url"]), sorry)
        elif channel:
            in_channel = event.get("type") == "app_mention"
            thread = event.get("thread_ts") or (event.get("ts") if in_channel else None)
            await conversation.client.chat_postEphemeral(
                channel=channel, user=user, text=escape(SORRY), thread_ts=thread
            )
        else:
            await conversation.notifier.deliver(person, sorry)
    except Exception as error:  # the last resort: whatever failed, the log says so once
        log.error("Slack: the apology for %s failed too: %s", request_id(body), failure(error))
