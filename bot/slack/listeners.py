"""Slack's conversation surfaces: /rapport, @mentions, direct messages, buttons and App Home.

Each listener finds the person, hands the text to the core and shows the reply; no business rule
lives here. Message ids given to the core are Slack's own (`slack:message:<channel>:<ts>`,
`slack:action:<action_ts>`…), so a retry or an edit never stores twice, also across a restart.
Every listener is wrapped by `bot.slack.guard.guarded`: no exception reaches bolt.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.dispatch import REFUSAL, edit_answer
from bot.slack.blocks import COMMAND_ACTION, fallback_text, home_view, outcome_blocks, reply_blocks
from bot.slack.events import Said, channel_of, said_in, user_of
from bot.slack.guard import guarded
from bot.slack.text import escape, incoming_text
from handlers.choices import unwrap
from handlers.home import overview
from handlers.reply import Reply, problem
from storage.models import Person

if TYPE_CHECKING:
    from bot.slack.conversation import Conversation

log = logging.getLogger(__name__)
SLASH_COMMAND = "/rapport"
FILE_ALONE = "I keep a file with the command it comes with: write both in one message."
Body = dict[str, Any]


class SlackListeners:
    """The listeners, as bound methods bolt calls with the arguments they name."""

    def __init__(self, conversation: Conversation) -> None:
        self.slack = conversation

    def register(self, bolt: AsyncApp) -> None:
        safe = functools.partial(guarded, self.slack)
        bolt.command(SLASH_COMMAND)(safe(self.command))
        bolt.event("app_mention")(safe(self.mention))
        bolt.event("message")(safe(self.direct_message))
        bolt.action(re.compile(rf"^{COMMAND_ACTION}:\d+$"))(safe(self.button))
        bolt.event("app_home_opened")(safe(self.home))

    async def command(self, ack: AsyncAck, body: Body) -> None:
        """`/rapport <anything>`: answered only to the person, through the response URL."""
        person = self.slack.person(user_of(body))
        if person is None:
            first = await self.slack.people.stranger(user_of(body))
            await (ack(text=escape(REFUSAL)) if first else ack())
            return
        await ack()
        said = await self.slack.people.name_strangers(str(body.get("text") or ""))
        text = incoming_text(said, self.slack.team)
        stamp = f"slack:command:{body.get('trigger_id') or body.get('command_ts', '')}"
        reply = await self.slack.ask(person, text, stamp)
        if reply.image is not None:  # a chart goes into the conversation it was asked in
            instead = await self.slack.send_image(person, reply, body.get("channel_id", ""))
            if instead is None:
                return
            reply = instead
        if reply.file is not None:
            reply, _dm = await self.slack.send_file(person, reply)
        await self.slack.tell(body, person, reply)

    async def mention(self, body: Body, event: Body, context: Body) -> None:
        """`@Rapport show acme` in a channel: answered in the message's thread."""
        said = said_in(body, event, context.get("bot_user_id") or "")
        if said is not None:
            await self._converse(said, context, said.thread_ts or said.ts)

    async def direct_message(self, body: Body, event: Body, context: Body) -> None:
        """A message in the DM with the app: a person's own words, typed, edited or with a file."""
        said = said_in(body, event, context.get("bot_user_id") or "")
        if said is not None and event.get("channel_type") == "im":
            await self._converse(said, context, said.thread_ts)

    async def _converse(self, said: Said, context: Body, thread: str | None) -> None:
        if not self.slack.first_time(said.event_id):
            log.info("Slack: event %s again", said.event_id)
            return
        person = self.slack.person(said.user)
        if person is None:
            await self.slack.refuse(said.channel, said.user, thread)
            return
        bot = context.get("bot_user_id") or ""
        reply = await edit_answer(self.slack.router, said.message_id) if said.edited else None
        named = await self.slack.people.name_strangers(said.text, bot)
        text = incoming_text(named, self.slack.team, bot)
        if reply is None and said.files and not text:
            reply = problem(FILE_ALONE, "log email with Acme today: the quote")
        if reply is None:
            reply = await self.slack.ask(person, text, said.message_id, said.files)
        await self.slack.show(person, reply, said.channel, thread)

    async def button(self, ack: AsyncAck, body: Body, action: Body) -> None:
        """A pressed button runs its command as the presser, then the message shows the outcome."""
        await ack()
        user = user_of(body)
        person = self.slack.person(user)
        channel = channel_of(body)
        if person is None:
            if channel:
                await self.slack.refuse(channel, user)
            return
        command = str(action.get("value") or "")
        _command, not_theirs = unwrap(self.slack.team, person, command)
        if not_theirs is not None:  # someone else's question: told privately, left as it is
            await self._tell_presser(person, not_theirs, channel, body)
            return
        stamp = f"slack:action:{action.get('action_ts') or body.get('trigger_id', '')}"
        container = body.get("container") or {}
        where = container.get("message_ts") or container.get("view_id")
        pressed = f"slack:press:{channel}:{where}:{command}"  # a double click
        if not command or not (self.slack.first_time(pressed) and self.slack.first_time(stamp)):
            return
        reply = await self.slack.ask(person, command, stamp)
        if reply.file is not None:
            reply, _dm = await self.slack.send_file(person, reply)
        label = str((action.get("text") or {}).get("text") or command)
        await self._show_outcome(body, person, label, reply)

    async def _tell_presser(self, person: Person, reply: Reply, channel: str, body: Body) -> None:
        if channel and "message" in body:
            thread = (body.get("message") or {}).get("thread_ts")
            await self.slack.client.chat_postEphemeral(
                channel=channel, user=person.slack, text=fallback_text(reply), thread_ts=thread
            )
        else:
            await self.slack.notifier.deliver(person, reply)

    async def _show_outcome(self, body: Body, person: Person, label: str, reply: Reply) -> None:
        """Edit the pressed message: no old buttons, so it cannot be pressed twice."""
        container = body.get("container") or {}
        if container.get("type") == "view":  # App Home: answer by DM, refresh the tab
            await self.slack.notifier.deliver(person, reply)
            await self._publish_home(person.slack)
            return
        original = (body.get("message") or {}).get("blocks", [])
        blocks = outcome_blocks(original, label, person.name, reply)
        if container.get("is_ephemeral") or not body.get("message"):
            await self.slack.tell(body, person, reply, replace=True, blocks=blocks)
            return
        await self.slack.client.chat_update(
            channel=channel_of(body),
            ts=container.get("message_ts") or body["message"].get("ts"),
            text=fallback_text(reply),
            blocks=blocks,
        )

    async def home(self, body: Body, event: Body) -> None:
        """The App Home tab, published afresh each time it is opened."""
        if event.get("tab", "home") == "home" and event.get("user"):
            await self._publish_home(str(event["user"]))

    async def _publish_home(self, user: str) -> None:
        person = self.slack.person(user)
        if person is None:
            view = {"type": "home", "blocks": reply_blocks(Reply(title=REFUSAL, ok=False))}
        else:
            view = home_view(await self.slack.read(person, overview))
        await self.slack.client.views_publish(user_id=user, view=view)
