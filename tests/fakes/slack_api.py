"""A fake Slack on 127.0.0.1: the Web API, response URLs, file uploads and Socket Mode.

The real slack_sdk and slack_bolt code talks to it over HTTP and WebSocket; it records every
call, keeps the messages it was asked to post (so a test can press their buttons), can answer
with scripted failures (429 with Retry-After, 500), and delivers Socket Mode envelopes,
recording the acks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER = "UBOTRAPP1"
BOT_ID = "B0RAPP001"
TEAM = "T0ACME001"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-A0RAPP001-test"
JSON_ARGS = ("blocks", "view", "files", "attachments")


@dataclass
class Call:
    """One request the fake received: Web API method (or `response_url`), its arguments, token."""

    method: str
    args: dict[str, Any]
    token: str = ""


@dataclass
class Failure:
    """A scripted answer for the next calls of one method."""

    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    error: str = "ratelimited"


class FakeSlack:
    """The fake's server, its records, and the Socket Mode side."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.announced: dict[str, dict[str, Any]] = {}  # file id → files.getUploadURLExternal
        self.shared: list[dict[str, Any]] = []  # files completed: bytes, where, comment, alt text
        self.acks: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, Failure] = {}
        self.users: dict[str, dict[str, Any]] = {}  # users.info answers, by member id
        self.url = ""
        self._counter = itertools.count(1)
        self._changed = asyncio.Event()
        self._socket: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # users.info and other reads
        app.router.add_post("/hooks/{name}", self._hook)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._websocket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/hooks/{name}"

    # -- what tests read --------------------------------------------------------------

    def called(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call of `method`, oldest first."""
        return [c.args for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        """The `count`-th call of `method`, once it has arrived (listeners run after the ack)."""
        async with asyncio.timeout(timeout):
            while len(self.called(method)) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.called(method)[count - 1]

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until no call has arrived for `quiet` seconds."""
        while True:
            before = len(self.calls)
            await asyncio.sleep(quiet)
            if len(self.calls) == before:
                return

    def fail(
        self, method: str, status: int, times: int = 1, retry_after: str = "0", error: str = ""
    ) -> None:
        """The next `times` calls of `method` answer with this HTTP status (and Slack error)."""
        headers = {"Retry-After": retry_after} if status == 429 else {}
        error = error or ("ratelimited" if status == 429 else "internal_error")
        self.failures[method] = Failure(status, times, headers, error)

    # -- the Web API ------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = token or str(args.pop("token", ""))
        self._record(Call(method, args, token))
        failure = self.failures.get(method)
        if failure is not None and failure.times > 0:
            failure.times -= 1
            body = {"ok": False, "error": failure.error}
            return web.json_response(body, status=failure.status, headers=failure.headers)
        answer = self._answer(method, args, token)
        if method == "chat.postMessage" and answer["ok"]:
            args["ts"] = answer["ts"]  # so a test can find (and press) the posted message
        return web.json_response(answer)

    def _answer(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"{self.url.replace('http', 'ws', 1)}/link"}
        if token != BOT_TOKEN:
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://acme.slack.com/",
                "team": "Acme",
                "user": "rapport",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args["users"])[1:]}}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            problem = invalid_blocks(args.get("blocks") or [], MESSAGE_BLOCKS)
            if problem:
                return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            problem = invalid_blocks(args.get("view", {}).get("blocks") or [], VIEW_BLOCKS)
            if problem:
                return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
        if method == "chat.postMessage":
            return self._post(args)
        if method == "chat.update":
            message = self.messages[(args["channel"], args["ts"])]
            message.update(text=args.get("text", ""), blocks=args.get("blocks", []))
            return {
                "ok": True,
                "channel": args["channel"],
                "ts": args["ts"],
                "text": message["text"],
            }
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "chat.postEphemeral":
            if not args.get("user"):  # as Slack answers an ephemeral message to nobody
                return {"ok": False, "error": "user_not_in_channel"}
            return {"ok": True, "message_ts": self._ts()}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            return {
                "ok": True,
                "view": {**args.get("view", {}), "id": f"V{next(self._counter):08d}"},
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._counter):08d}"
            self.announced[file_id] = args
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return self._complete(args)
        return {"ok": True}

    def add_user(self, user_id: str, name: str, tz: str = "Europe/Berlin") -> None:
        """A workspace member as users.info describes them."""
        self.users[user_id] = {
            "id": user_id,
            "name": name.lower(),
            "real_name": name,
            "tz": tz,
            "tz_label": tz,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": name},
        }

    def _complete(self, args: dict[str, Any]) -> dict[str, Any]:
        """Share uploaded files: each must have been announced and uploaded whole."""
        for item in args["files"]:
            announced = self.announced.get(item["id"])
            data = self.uploads.get(item["id"])
            if announced is None or data is None or len(data) != int(announced["length"]):
                return {"ok": False, "error": "file_upload_incomplete"}
        for item in args["files"]:
            announced = self.announced[item["id"]]
            self.shared.append({
                "id": item["id"], "data": self.uploads[item["id"]], "title": item.get("title"),
                "filename": announced.get("filename"), "alt_txt": announced.get("alt_txt"),
                "channel": args.get("channel_id"), "thread_ts": args.get("thread_ts"),
                "initial_comment": args.get("initial_comment"),
            })  # fmt: skip
        return {
            "ok": True,
            "files": [{"id": f["id"], "title": f.get("title")} for f in args["files"]],
        }

    def _post(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = self._ts()
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "ts": ts,
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
            "thread_ts": args.get("thread_ts"),
            "channel": args["channel"],
        }
        self.messages[(args["channel"], ts)] = message
        return {"ok": True, "channel": args["channel"], "ts": ts, "message": message}

    def _ts(self) -> str:
        return f"1764077{next(self._counter):03d}.000100"

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    # -- response URLs and uploads -----------------------------------------------------

    async def _hook(self, request: web.Request) -> web.Response:
        args = await request.json()
        self._record(Call("response_url", {**args, "hook": request.match_info["name"]}))
        if invalid_blocks(args.get("blocks") or [], MESSAGE_BLOCKS):
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads)}")

    # -- Socket Mode -------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                self.acks[ack["envelope_id"]] = ack
                self._record(Call("socket_ack", ack))
        return socket

    async def connected(self, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while self._socket is None or self._socket.closed:
                await asyncio.sleep(0.01)

    async def send_envelope(
        self, kind: str, payload: dict[str, Any], retry_attempt: int = 0, envelope_id: str = ""
    ) -> str:
        """Deliver an `events_api`, `slash_commands` or `interactive` envelope; its id."""
        await self.connected()
        assert self._socket is not None
        envelope_id = envelope_id or f"env-{next(self._counter):06d}"
        await self._socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The client's ack of one envelope (Slack needs it within 3 seconds)."""
        async with asyncio.timeout(timeout):
            while envelope_id not in self.acks:
                self._changed.clear()
                await self._changed.wait()
        return self.acks[envelope_id]


async def _arguments(request: web.Request) -> dict[str, Any]:
    """A Web API call's arguments, sent as JSON, as a form, or in the query string."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        args.update(await request.json())
    elif request.can_read_body:
        args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    for key in JSON_ARGS:
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args


MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100
SECTION_TEXT, FIELD_TEXT, FIELDS, BUTTON_TEXT, BUTTON_VALUE, ELEMENTS = 3000, 2000, 10, 75, 2000, 25


def invalid_blocks(blocks: list[dict[str, Any]], most: int) -> str | None:
    """What Slack's Block Kit validation would refuse in these blocks (its documented limits)."""
    if len(blocks) > most:
        return f"no more than {most} items allowed"
    for number, block in enumerate(blocks):
        problem = _invalid_block(block)
        if problem:
            return f"{problem} [json-pointer:/blocks/{number}]"
    return None


def _invalid_block(block: dict[str, Any]) -> str | None:
    text = (block.get("text") or {}).get("text")
    if block.get("type") == "section":
        if text is not None and not 0 < len(text) <= SECTION_TEXT:
            return f"section text must be 1 to {SECTION_TEXT} characters"
        fields = block.get("fields") or []
        if len(fields) > FIELDS or any(len(f["text"]) > FIELD_TEXT for f in fields):
            return f"at most {FIELDS} fields of at most {FIELD_TEXT} characters"
    if block.get("type") == "actions":
        elements = block.get("elements") or []
        if len(elements) > ELEMENTS:
            return f"at most {ELEMENTS} elements"
        for element in elements:
            if len(element["text"]["text"]) > BUTTON_TEXT:
                return f"button text must be at most {BUTTON_TEXT} characters"
            if len(element.get("value", "")) > BUTTON_VALUE:
                return f"button value must be at most {BUTTON_VALUE} characters"
    return None
