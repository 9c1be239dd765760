"""Slack's server: the bolt app served over Socket Mode or HTTP on the caller's event loop.

`SlackServer.start()` checks the bot token and listens; `stop()` closes the connection or the
server. In HTTP mode every request's signature is checked before its body is read as JSON.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.config import ConfigError, SlackConfig
from bot.slack.notifier import SLACK_ERRORS, SlackNotifier
from bot.slack.requests import refusal

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class SlackServer:
    """The bolt app served in the configured mode; its notifier delivers by direct message."""

    def __init__(
        self, bolt: AsyncApp, settings: SlackConfig, notifier: SlackNotifier, host: str
    ) -> None:
        self.bolt = bolt
        self.client = bolt.client
        self.settings = settings
        self.notifier = notifier
        self.host = host
        self.verifier: SignatureVerifier | None = None  # HTTP mode only
        self.port: int | None = None
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
