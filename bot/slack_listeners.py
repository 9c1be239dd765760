"""Slack's conversation surfaces: /rapport, @mentions, direct messages, buttons and App Home.

Each listener finds the person, hands the text to the core and shows the reply; no business rule
lives here. Message ids given to the core are Slack's own (`slack:<event_id>`,
`slack:action:<action_ts>`…), so a retry never stores twice, also across a restart.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.dispatch import REFUSAL
from bot.slack_blocks import COMMAND_ACTION, fallback_text, home_view, outcome_blocks, reply_blocks
from bot.slack_text import escape, incoming_text
from handlers.home import overview
from handlers.reply import Reply
from storage.models import Person

if TYPE_CHECKING:
    from bot.slack import SlackAdapter

log = logging.getLogger(__name__)
SLASH_COMMAND = "/rapport"
Body = dict[str, Any]


class SlackListeners:
    """The listeners of one adapter, as bound methods bolt calls with the arguments they name."""

    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter

    def register(self, bolt: AsyncApp) -> None:
        bolt.command(SLASH_COMMAND)(self.command)
        bolt.event("app_mention")(self.mention)
        bolt.event("message")(self.direct_message)
        bolt.action(re.compile(rf"^{COMMAND_ACTION}:\d+$"))(self.button)
        bolt.event("app_home_opened")(self.home)

    async def command(self, ack: AsyncAck, body: Body) -> None:
        """`/rapport <anything>`: answered only to the person, through the response URL."""
        person = self.adapter.person(body.get("user_id"))
        if person is None:
            await ack(text=escape(REFUSAL))
            return
        await ack()
        text = incoming_text(body.get("text", ""), self.adapter.team)
        reply = await self.adapter.ask(person, text, f"slack:command:{body['trigger_id']}")
        if reply.image is not None:  # a chart goes into the conversation it was asked in
            instead = await self.adapter.send_image(person, reply, body.get("channel_id", ""))
            if instead is None:
                return
            reply = instead
        if reply.file is not None:
            reply, _dm = await self.adapter.send_file(person, reply)
        await self.adapter.respond(body["response_url"], reply)

    async def mention(self, body: Body, event: Body, context: Body) -> None:
        """`@Rapport show acme` in a channel: answered in the message's thread."""
        await self._converse(body, event, context, event.get("thread_ts") or event["ts"])

    async def direct_message(self, body: Body, event: Body, context: Body) -> None:
        """A message in the DM with the app (people's own messages only, not edits or bots)."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await self._converse(body, event, context, event.get("thread_ts"))

    async def _converse(self, body: Body, event: Body, context: Body, thread: str | None) -> None:
        if not self.adapter.first_time(body["event_id"]):
            log.info("Slack: event %s again (retry %s)", body["event_id"], event.get("ts"))
            return
        person = self.adapter.person(event.get("user"))
        if person is None:
            await self.adapter.refuse(event["channel"], event.get("user", ""), thread)
            return
        bot = context.get("bot_user_id") or ""
        text = incoming_text(event.get("text", ""), self.adapter.team, bot)
        reply = await self.adapter.ask(person, text, f"slack:{body['event_id']}")
        await self.adapter.show(person, reply, event["channel"], thread)

    async def button(self, ack: AsyncAck, body: Body, action: Body) -> None:
        """A pressed button runs its command as the presser, then the message shows the outcome."""
        await ack()
        user = body["user"]["id"]
        person = self.adapter.person(user)
        container = body.get("container", {})
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
        if person is None:
            if channel:
                await self.adapter.refuse(channel, user)
            return
        stamp = f"slack:action:{action['action_ts']}"
        where = container.get("message_ts") or container.get("view_id")
        pressed = f"slack:press:{channel}:{where}:{action['value']}"  # a double click
        if not (self.adapter.first_time(pressed) and self.adapter.first_time(stamp)):
            return
        reply = await self.adapter.ask(person, action["value"], stamp)
        if reply.file is not None:
            reply, _dm = await self.adapter.send_file(person, reply)
        await self._show_outcome(body, person, action["text"]["text"], reply)

    async def _show_outcome(self, body: Body, person: Person, label: str, reply: Reply) -> None:
        """Edit the pressed message: no old buttons, so it cannot be pressed twice."""
        container = body.get("container", {})
        if container.get("type") == "view":  # App Home: answer by DM, refresh the tab
            await self.adapter.notifier.deliver(person, reply)
            await self._publish_home(person.slack)
            return
        original = (body.get("message") or {}).get("blocks", [])
        blocks = outcome_blocks(original, label, person.name, reply)
        if container.get("is_ephemeral") or "message" not in body:
            await self.adapter.respond(body["response_url"], reply, replace=True, blocks=blocks)
            return
        await self.adapter.client.chat_update(
            channel=container["channel_id"],
            ts=container["message_ts"],
            text=fallback_text(reply),
            blocks=blocks,
        )

    async def home(self, event: Body) -> None:
        """The App Home tab, published afresh each time it is opened."""
        if event.get("tab", "home") == "home":
            await self._publish_home(event["user"])

    async def _publish_home(self, user: str) -> None:
        person = self.adapter.person(user)
        if person is None:
            view = {"type": "home", "blocks": reply_blocks(Reply(title=REFUSAL, ok=False))}
        else:
            view = home_view(await self.adapter.read(person, overview))
        await self.adapter.client.views_publish(user_id=user, view=view)
