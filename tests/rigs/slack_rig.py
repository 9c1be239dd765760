"""Rapport's Slack app running against the fake Slack, in HTTP or Socket Mode, for tests.

`slack_rig(tmp_path, mode)` starts the fake, a store, the real bolt app and its server or
socket; the rig then sends real-shaped payloads (from tests/fixtures/slack/) the way Slack
does: signed HTTP requests to /slack/events, or envelopes over the WebSocket.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.app import App, build
from bot.config import Config, SlackConfig
from bot.slack.app import build_slack
from bot.slack.server import EVENTS_PATH, SlackServer
from handlers.context import Team
from tests.conftest import NOW, PEOPLE, POLICY
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack

FIXTURES = Path(__file__).parent.parent / "fixtures" / "slack"
SECRET = "test-signing-secret"
USERS = {"Ana": "U0ANA0001", "Maria": "U0MAR0003", "Nick": "U0NIC0004", "Eve": "U0STRANGE9"}
SLACK_ENV = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
TEAM = Team(people=PEOPLE, timezone="Europe/Berlin", policy=POLICY)
Payload = dict[str, Any]


def fixture(name: str) -> Payload:
    """A recorded payload from tests/fixtures/slack/, as a fresh dict."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def signed_headers(body: str, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    """The headers Slack signs a request with (v0 HMAC-SHA256 of `v0:<ts>:<body>`)."""
    stamp = str(int(time.time() if at is None else at))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def http_body(kind: str, payload: Payload) -> tuple[str, str]:
    """How Slack encodes each kind over HTTP: events as JSON, the rest form-encoded."""
    if kind == "events_api":
        return json.dumps(payload), "application/json"
    if kind == "slash_commands":
        return urlencode(payload), "application/x-www-form-urlencoded"
    return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"


class SlackRig:
    """One running app, its fake Slack, and a clock the test moves."""

    def __init__(self, mode: str, fake: FakeSlack, rapport: App) -> None:
        self.mode = mode
        self.fake = fake
        self.rapport = rapport
        self.now: datetime = NOW
        self.adapter: SlackServer | None = None
        self.ready = ""  # what start() said
        self._ids = itertools.count(1)
        self._cursor: dict[str, int] = {}

    @property
    def events_url(self) -> str:
        assert self.adapter is not None and self.adapter.port is not None
        return f"http://127.0.0.1:{self.adapter.port}{EVENTS_PATH}"

    def later(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    # -- transport ----------------------------------------------------------------------

    async def send(
        self, kind: str, payload: Payload, retry: int = 0, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """Deliver a payload as Slack would in this mode; the status and the ack's body."""
        if self.mode == "socket":
            envelope = await self.fake.send_envelope(kind, payload, retry_attempt=retry)
            ack = await self.fake.wait_ack(envelope)
            return 200, ack.get("payload") or {}
        body, content_type = http_body(kind, payload)
        sent = {"Content-Type": content_type, **signed_headers(body)}
        if retry:
            sent |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post_raw(body, {**sent, **(headers or {})})

    async def post_raw(self, body: str, headers: dict[str, str]) -> tuple[int, Any]:
        """POST exactly this body and these headers to /slack/events."""
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.events_url, data=body.encode(), headers=headers) as response,
        ):
            text = await response.text()
            try:
                return response.status, json.loads(text) if text else {}
            except ValueError:
                return response.status, text

    async def expect(self, method: str, timeout: float = 5.0, **match: Any) -> Payload:
        """The next call of `method` (with these argument values) this test has not seen yet."""
        key = f"{method} {sorted(match.items())}"
        seen = self._cursor.get(key, 0)

        def matching() -> list[Payload]:
            calls = self.fake.called(method)
            return [c for c in calls if all(c.get(k) == v for k, v in match.items())]

        async with asyncio.timeout(timeout):
            while len(matching()) <= seen:
                await asyncio.sleep(0.01)
        self._cursor[key] = seen + 1
        return matching()[seen]

    def message(self, post: Payload) -> Payload:
        """A posted message as the fake keeps it now (after any chat.update)."""
        return self.fake.messages[(post["channel"], post["ts"])]

    # -- what people do -----------------------------------------------------------------

    def _id(self) -> str:
        return f"{next(self._ids):04d}"

    def event(self, name: str, text: str, who: str, event_id: str = "") -> Payload:
        payload = fixture(name)
        number = self._id()
        payload["event_id"] = event_id or f"Ev0TEST{number}"
        payload["event"].update(text=text, user=USERS.get(who, who), ts=f"1764078{number}.000100")
        if name == "message_im":
            payload["event"]["channel"] = "D" + USERS.get(who, who)[1:]
        return payload

    async def say(self, text: str, who: str = "Ana", event_id: str = "", retry: int = 0) -> Any:
        """A direct message to the app."""
        return await self.send("events_api", self.event("message_im", text, who, event_id), retry)

    async def mention(self, text: str, who: str = "Ana") -> Any:
        """`@Rapport …` in #sales."""
        return await self.send("events_api", self.event("app_mention", f"<@UBOTRAPP1> {text}", who))

    async def slash(self, text: str, who: str = "Ana") -> tuple[int, Any]:
        """`/rapport <text>` in #sales."""
        payload = fixture("slash_command")
        number = self._id()
        payload.update(text=text, user_id=USERS.get(who, who), trigger_id=f"{number}.7938.trig")
        payload["response_url"] = self.fake.response_url(f"command-{number}")
        return await self.send("slash_commands", payload)

    async def press(self, message: Payload, label: str, who: str = "Ana") -> tuple[int, Any]:
        """Press the button labelled `label` on a posted message or an ephemeral answer."""
        if "hook" not in message:
            message = self.fake.messages[(message["channel"], message["ts"])]
        element = find_button(message.get("blocks", []), label)
        payload = fixture("block_actions")
        payload["user"]["id"] = USERS.get(who, who)
        number = self._id()
        payload["response_url"] = self.fake.response_url(f"action-{number}")
        action = {**element, "block_id": "b1", "action_ts": f"1764079{self._id()}.412345"}
        payload["actions"] = [action]
        if "hook" in message:  # an ephemeral answer: no message in the payload, only its URL
            stamp = f"1764080{number}.000100"
            payload["container"] = {"type": "message", "message_ts": stamp, "is_ephemeral": True}
            payload["container"]["channel_id"] = "C0SALES01"
            payload["channel"] = {"id": "C0SALES01", "name": "sales"}
            del payload["message"]
        else:
            channel, ts = message["channel"], message["ts"]
            payload["container"].update(channel_id=channel, message_ts=ts)
            payload["channel"] = {"id": channel, "name": "directmessage"}
            payload["message"] = copy.deepcopy(self.fake.messages[(channel, ts)])
        return await self.send("interactive", payload)

    async def submit(
        self, values: dict[str, str | None], who: str = "Ana", view_id: str = ""
    ) -> Any:
        """Submit the "Log interaction" modal with these inputs (party by id)."""
        payload = fixture("view_submission")
        payload["user"]["id"] = USERS.get(who, who)
        payload["view"]["id"] = view_id or f"V0LOG{self._id()}"
        state = payload["view"]["state"]["values"]
        for block_id, value in values.items():
            element = state[block_id][block_id]
            if "selected_option" in element:
                element["selected_option"]["value"] = value
            else:
                element["value"] = value
        return await self.send("interactive", payload)


def find_button(blocks: list[Payload], label: str) -> Payload:
    """The button element with this label in a message's blocks."""
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element["text"]["text"] == label:
                return dict(element)
    raise AssertionError(f"no button {label!r} in {json.dumps(blocks)[:500]}")


def texts(blocks: list[Payload]) -> str:
    """Everything a reader sees in some blocks, one string."""
    return json.dumps(blocks, ensure_ascii=False)


@asynccontextmanager
async def slack_rig(
    tmp_path: Path, mode: str, team: Team = TEAM, **settings_: Any
) -> AsyncIterator[SlackRig]:
    """The fake Slack, a store and the real app, started in `mode`; all stopped after.

    The store lives in `tmp_path/data`, so a second rig on the same path is a restart.
    """
    saved = {name: os.environ.pop(name) for name in SLACK_ENV if name in os.environ}
    fake = await FakeSlack().start()
    values = {"bot_token": BOT_TOKEN, "app_token": APP_TOKEN, "signing_secret": SECRET}
    settings = SlackConfig(mode=mode, port=0, api_url=fake.api_url, **{**values, **settings_})
    rapport = build(Config(store_path=tmp_path / "data", team=team, slack=settings))
    rig = SlackRig(mode, fake, rapport)
    rig.adapter = build_slack(settings, rapport.router, clock=lambda: rig.now, host="127.0.0.1")
    try:
        rig.ready = await rig.adapter.start()
        if mode == "socket":
            await fake.connected()
        yield rig
    finally:
        await rig.adapter.stop()
        await fake.stop()
        rapport.close()
        os.environ.update(saved)
