"""One conversation with the team in Slack: what every listener uses to answer a person.

The listeners (bot/slack/listeners.py, bot/slack/forms.py) hold a `Conversation`, not the
server: they find the person, ask the core (off the event loop) and show the reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.dispatch import REFUSAL, Clock, Files, RecentIds, answer, perform
from bot.notify import DeliveryError
from bot.slack.blocks import Block, card_buttons, fallback_text, reply_blocks
from bot.slack.images import upload_image
from bot.slack.notifier import SLACK_ERRORS, SlackNotifier, retry_handlers
from bot.slack.people import SlackPeople
from bot.slack.text import escape
from handlers.context import Context, Team
from handlers.reply import Message, Reply, Section
from handlers.router import Action, Router
from storage.models import Person

log = logging.getLogger(__name__)
SEEN_EVENTS = 2000
T = TypeVar("T")


class Conversation:
    """How the listeners answer the team: who wrote, the core's answer, and the ways an answer
    reaches a person (in the channel, privately, by direct message, as a file)."""

    def __init__(
        self, router: Router, client: AsyncWebClient, people: SlackPeople, clock: Clock
    ) -> None:
        self.router = router
        self.team: Team = router.team  # live: people added in chat
        self.client = client
        self.people = people
        self.clock = clock
        self.notifier = SlackNotifier(client)
        self._seen = RecentIds(SEEN_EVENTS)

    def person(self, user_id: str | None) -> Person | None:
        """The person of the team with this Slack user id; None for anyone else."""
        return self.team.by_slack(user_id) if user_id else None

    def first_time(self, key: str) -> bool:
        """True once per event id or action: Slack's retries and repeats are answered once."""
        return self._seen.add(key)

    async def ask(
        self, person: Person, text: str, message_id: str | None, files: Files = ()
    ) -> Reply:
        """The router's reply to a line from this person, computed off the event loop."""
        await self.people.refresh_zone(person)
        return await answer(self.router, person, text, "slack", message_id, self.clock, files)

    async def perform(
        self, person: Person, said: str, action: Action, message_id: str | None
    ) -> Reply:
        """A use case's reply for values (a form, a message's text), computed off the loop."""
        await self.people.refresh_zone(person)
        return await perform(self.router, person, action, (said, "slack", message_id), self.clock)

    async def read(self, person: Person, look: Callable[[Context], T]) -> T:
        """A read-only look at the store as this person, under the store's lock, off the loop."""
        context = Context(self.router.store, self.team, Message(person, "", "slack", self.clock()))

        def locked() -> T:
            with self.router.store.command():
                return look(context)

        return await asyncio.to_thread(locked)

    async def post(
        self,
        channel: str,
        reply: Reply,
        thread_ts: str | None = None,
        extra: list[Block] | None = None,
    ) -> None:
        """Post a reply in a channel or DM (in a thread when given)."""
        await self.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=fallback_text(reply),
            blocks=reply_blocks(reply, extra or []),
        )

    async def show(self, person: Person, reply: Reply, channel: str, thread_ts: str | None) -> None:
        """Answer where the person wrote; a file goes to their DM (and is said so here)."""
        if reply.image is not None:
            instead = await self.send_image(person, reply, channel, thread_ts)
            if instead is None:
                return
            reply = instead
        if reply.file is not None:
            reply, dm = await self.send_file(person, reply)
            if dm == channel and thread_ts is None:
                return  # the upload in this DM carries the reply as its comment
        await self.post(channel, reply, thread_ts, extra=card_buttons(reply))

    async def send_file(self, person: Person, reply: Reply) -> tuple[Reply, str]:
        """Upload the reply's file to the person's DM; the reply that says where it went."""
        assert reply.file is not None
        name, content = reply.file
        try:
            opened = await self.client.conversations_open(users=person.slack)
            dm = opened["channel"]["id"]
            await self.client.files_upload_v2(
                channel=dm,
                content=content.encode("utf-8"),
                filename=name,
                title=name,
                initial_comment=escape(reply.title),
            )
        except SLACK_ERRORS as error:
            log.error("Slack: upload of %s failed: %s", name, error)
            note = Section(lines=(f"I couldn't upload {name}; try rapport export on the server.",))
            return Reply(title=reply.title, sections=(note,), ok=False), ""
        note = Section(lines=(f"{name} is in your direct messages with Rapport.",))
        return Reply(title=reply.title, sections=(*reply.sections, note)), dm

    async def send_image(
        self, person: Person, reply: Reply, channel: str, thread_ts: str | None = None
    ) -> Reply | None:
        """Upload the chart where it was asked for: None. Else (the app is not in that channel)
        to the person's DM: a reply to post where they asked, saying where the chart went."""
        try:
            await upload_image(self.client, reply, channel, thread_ts)
            return None
        except SLACK_ERRORS as error:  # e.g. not_in_channel, for /rapport in a channel
            log.info("Slack: chart not uploaded to %s (%s); trying the DM", channel, error)
        try:
            await self.notifier.deliver(person, reply)
        except DeliveryError as error:
            log.error("Slack: chart upload failed: %s", error)
            failed = "I couldn't upload the chart; export report gives its numbers."
            return Reply(title=reply.title, sections=(*reply.sections, Section(lines=(failed,))))
        note = Section(lines=("The chart is in your direct messages with Rapport.",))
        return Reply(title=reply.title, sections=(*reply.sections, note))

    async def respond(
        self, url: str, reply: Reply, replace: bool = False, blocks: list[Block] | None = None
    ) -> None:
        """Answer through a response_url: ephemeral, only the person sees it."""
        webhook = AsyncWebhookClient(url, retry_handlers=retry_handlers())
        await webhook.send(
            text=fallback_text(reply),
            blocks=blocks if blocks is not None else reply_blocks(reply, card_buttons(reply)),
            response_type="ephemeral",
            replace_original=replace,
        )

    async def tell(
        self,
        body: dict[str, Any],
        person: Person,
        reply: Reply,
        replace: bool = False,
        blocks: list[Block] | None = None,
    ) -> None:
        """Answer only this person: through the request's response URL, else by direct message."""
        url = body.get("response_url")
        if url:
            await self.respond(str(url), reply, replace, blocks)
        else:
            await self.notifier.deliver(person, reply)

    async def refuse(self, channel: str, user: str, thread_ts: str | None = None) -> None:
        """The polite refusal, only for the stranger's eyes and only once: the first time, the
        admins and managers are asked whether to add them."""
        if not user:
            return  # nobody to show it to (an app's post, a payload without a user)
        if not await self.people.stranger(user):
            return
        await self.client.chat_postEphemeral(
            channel=channel, user=user, text=escape(REFUSAL), thread_ts=thread_ts
        )
