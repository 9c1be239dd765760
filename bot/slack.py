"""Slack: Rapport in a workspace, over Socket Mode or HTTP, on slack-bolt's AsyncApp.

`build_slack(app)` wires the listeners (bot/slack_listeners.py, bot/slack_forms.py) to the
router; `SlackAdapter.start()` / `stop()` serve the configured mode on the caller's event loop,
and `SlackAdapter.notifier` delivers reminders by direct message.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.app import App
from bot.config import ConfigError, SlackConfig
from bot.dispatch import REFUSAL, Clock, Files, answer, perform, system_clock
from bot.notify import Delivered, DeliveryError
from bot.slack_blocks import Block, card_buttons, fallback_text, reply_blocks
from bot.slack_images import upload_image
from bot.slack_people import SlackPeople
from bot.slack_requests import refusal
from bot.slack_text import escape
from handlers.context import Context, Team
from handlers.reply import Message, Reply, Section
from handlers.router import Action, Router
from storage.models import Person

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
SEEN_EVENTS = 2000
SLACK_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)
T = TypeVar("T")


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


class SlackAdapter:
    """One Slack app serving the team: its bolt app, its mode, and the ways it answers."""

    def __init__(
        self, rapport: App, bolt: AsyncApp, settings: SlackConfig, clock: Clock, host: str
    ) -> None:
        self.router: Router = rapport.router
        self.team: Team = rapport.router.team  # live: people added in chat
        self.bolt = bolt
        self.client: AsyncWebClient = bolt.client
        self.settings = settings
        self.clock = clock
        self.host = host
        self.notifier = SlackNotifier(self.client)
        self.people = SlackPeople(self.client, rapport.router.store, self.team, clock)
        self.verifier: SignatureVerifier | None = None  # HTTP mode only
        self.port: int | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None

    async def start(self) -> str:
        """Check the bot token, then listen (HTTP server or Socket Mode); the ready line."""
        try:
            me = await self.client.auth_test()
        except SLACK_ERRORS as error:
            raise ConfigError(f"slack.bot_token: Slack refused it ({error})") from error
        ready = f"slack: ready ({self.settings.mode} mode) as @{me.get('user')} in {me.get('team')}"
        if self.settings.mode == "http":
            await self._serve_http()
            return f"{ready}, serving {EVENTS_PATH} on port {self.port}"
        await self._connect_socket()
        return ready

    async def stop(self) -> None:
        """Close the connection or the server; safe to call twice."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _serve_http(self) -> None:
        self.verifier = SignatureVerifier(self.settings.signing_secret)
        server = web.Application()
        server.router.add_post(EVENTS_PATH, self._on_request)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.settings.port).start()
        self.port = self._runner.addresses[0][1]

    async def _on_request(self, request: web.Request) -> web.Response:
        """Events, commands and interactions alike: signature first, then shape, then bolt."""
        body = await request.read()
        assert self.verifier is not None
        refused = refusal(self.verifier, body, request.headers)
        if refused is not None:
            status, why = refused
            log.warning("slack: refused a request to %s (%d): %s", EVENTS_PATH, status, why)
            return web.Response(status=status, text=why)
        response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _connect_socket(self) -> None:
        self._socket = AsyncSocketModeHandler(self.bolt, self.settings.app_token)
        try:  # fail at start on a bad app token, rather than retrying forever inside connect()
            self._socket.client.wss_uri = await self._socket.client.issue_new_wss_url()
        except SLACK_ERRORS as error:
            await self.stop()
            raise ConfigError(f"slack.app_token: Slack refused it ({error})") from error
        await self._socket.connect_async()

    # -- what the listeners use ---------------------------------------------------------

    def person(self, user_id: str | None) -> Person | None:
        """The person of the team with this Slack user id; None for anyone else."""
        return self.team.by_slack(user_id) if user_id else None

    def first_time(self, key: str) -> bool:
        """True once per event id or action: Slack's retries and repeats are answered once."""
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > SEEN_EVENTS:
            self._seen.popitem(last=False)
        return True

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
            with self.router.store.lock:
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


def _wire(adapter: SlackAdapter) -> None:
    """The listeners, imported here because they are typed against the adapter above."""
    from bot.slack_forms import SlackForms
    from bot.slack_listeners import SlackListeners

    SlackListeners(adapter).register(adapter.bolt)
    SlackForms(adapter).register(adapter.bolt)


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


def build_slack(rapport: App, clock: Clock = system_clock, host: str = "0.0.0.0") -> SlackAdapter:
    """The Slack adapter for this Rapport, listeners registered; `await start()` to serve."""
    settings = check_settings(rapport.config.slack)
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
    adapter = SlackAdapter(rapport, bolt, settings, clock, host)
    _wire(adapter)
    return adapter
