"""A fake Telegram Bot API on 127.0.0.1: answers what Rapport calls and records every call.

The real python-telegram-bot client talks to it through `telegram.base_url`. Requests arrive
form-encoded with JSON-encoded values, or multipart when a file is sent; answers are
`{"ok": true, "result": ...}` like the real server's. Sent HTML is parsed into text and
entities the way Telegram does, so bad markup, over-long texts and over-long button data
are refused with 400 as they would be.
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

from tests.fakes.telegram_updates import BOT_USER, Updates

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TOKEN = "7000000001:AAH-fake-token-for-tests_0123456789"
JSON_KEYS = {"reply_markup", "commands", "allowed_updates", "entities", "scope", "reply_parameters"}
INT_KEYS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time"}
ENTITY_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
               "s": "strikethrough", "code": "code", "pre": "pre", "a": "text_link"}  # fmt: skip


@dataclass
class Call:
    """One request the bot made: the method and its decoded parameters."""

    method: str
    params: dict[str, Any]


@dataclass
class Failure:
    """An error the fake answers instead of the next call(s) of a method."""

    status: int
    body: dict[str, Any]
    times: int = 1


class ApiError(Exception):
    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            self.body["parameters"] = parameters


@dataclass
class FakeBotAPI:
    """The server, its recorded calls, and the updates it serves to getUpdates."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self.updates = Updates()
        self._queue: list[dict[str, Any]] = []
        self._failures: dict[str, list[Failure]] = {}
        self._changed = asyncio.Condition()
        self._next_message_id = 1000
        self._runner: web.AppRunner | None = None
        self._closing = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> FakeBotAPI:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        async with self._changed:
            self._closing = True  # long polls still waiting answer at once
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # What tests do ------------------------------------------------------------------------

    async def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates."""
        async with self._changed:
            self._queue.extend(updates)
            self._changed.notify_all()

    def fail(
        self, method: str, status: int, description: str, times: int = 1, **params: Any
    ) -> None:
        """Answer the next `times` calls of `method` with this error."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if params:
            body["parameters"] = params
        self._failures.setdefault(method, []).append(Failure(status, body, times))

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = 20
    ) -> list[dict[str, Any]]:
        """The calls of `method`, once there are at least `count` of them."""

        def enough() -> bool:
            return len(self.calls_to(method)) >= count

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(enough), timeout)
            except TimeoutError:
                got = self.calls_to(method)
                raise AssertionError(
                    f"{len(got)} {method} call(s), wanted {count}: {got}"
                ) from None
        return self.calls_to(method)

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot has in a chat now (edits applied), oldest first."""
        return [m for (chat, _), m in sorted(self.messages.items()) if chat == chat_id]

    def press(self, message: dict[str, Any], label: str, user: int) -> dict[str, Any]:
        """The callback query update of `user` pressing the button `label` on a bot message."""
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        button = next((b for row in rows for b in row if b["text"] == label), None)
        assert button is not None, f"no button {label!r} in {rows}"
        return self.updates.callback(message, button["callback_data"], user)

    # The server ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await _params(request)
        async with self._changed:
            self.calls.append(Call(method, params))
            self._changed.notify_all()
        failure = self._next_failure(method)
        if failure is not None:
            return web.json_response(failure.body, status=failure.status)
        try:
            result = await self._answer(method, params)
        except ApiError as error:
            return web.json_response(error.body, status=error.status)
        return web.json_response({"ok": True, "result": result})

    def _next_failure(self, method: str) -> Failure | None:
        queued = self._failures.get(method)
        if not queued:
            return None
        failure = queued[0]
        failure.times -= 1
        if failure.times <= 0:
            queued.pop(0)
        return failure

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        simple = {"setMyCommands", "answerCallbackQuery", "deleteWebhook", "setWebhook"}
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return await self._get_updates(params)
        if method in ("setWebhook", "deleteWebhook"):
            self.webhook = dict(params) if method == "setWebhook" else {}
        if method in simple:
            return True
        if method == "sendMessage":
            return self._store(params["chat_id"], _message_body(params))
        if method == "sendDocument":
            document = params["document"]
            body = {"document": {"file_id": f"doc{self._next_message_id}", "file_unique_id": "u",
                                 "file_name": document["filename"]}}  # fmt: skip
            return self._store(params["chat_id"], body)
        if method == "sendPhoto":
            return self._store(params["chat_id"], _photo_body(params))
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._edit(method, params)
        raise ApiError(404, "Not Found: method not found")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
            if not self._queue and timeout:
                try:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._queue) or self._closing), timeout
                    )
                except TimeoutError:
                    return []
            return list(self._queue[: int(params.get("limit") or 100)])

    def _store(self, chat_id: Any, body: dict[str, Any]) -> dict[str, Any]:
        self._next_message_id += 1
        chat = {"id": int(chat_id), "type": "private" if int(chat_id) > 0 else "supergroup"}
        message = {"message_id": self._next_message_id, "from": BOT_USER, "chat": chat,
                   "date": int(time.time()), **body}  # fmt: skip
        self.messages[(int(chat_id), self._next_message_id)] = message
        return message

    def _edit(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        message = dict(self.messages[key])
        message.pop("reply_markup", None)
        if method == "editMessageText":
            message.pop("entities", None)
            message.update(_message_body(params))
        elif "reply_markup" in params:
            message["reply_markup"] = _keyboard(params)
        message["edit_date"] = int(time.time())
        self.messages[key] = message
        return message


async def _params(request: web.Request) -> dict[str, Any]:
    """The request's parameters decoded the way the Bot API reads them."""
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if hasattr(value, "file"):
            data = value.file.read()
            text = data.decode("utf-8", errors="replace")
            params[key] = {"filename": value.filename, "content": text, "data": data}
        elif key in JSON_KEYS:
            params[key] = json.loads(str(value))
        elif key in INT_KEYS and str(value).lstrip("-").isdigit():
            params[key] = int(str(value))
        else:
            params[key] = str(value)
    return params


def _message_body(params: dict[str, Any]) -> dict[str, Any]:
    """Text and entities of a sent text, parsed as Telegram parses HTML; 400 when it would."""
    raw = str(params.get("text", ""))
    text, entities = parse_html(raw) if params.get("parse_mode") == "HTML" else (raw, [])
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > 4096:
        raise ApiError(400, "Bad Request: message is too long")
    body: dict[str, Any] = {"text": text}
    if entities:
        body["entities"] = entities
    if "reply_markup" in params:
        body["reply_markup"] = _keyboard(params)
    return body


def _photo_body(params: dict[str, Any]) -> dict[str, Any]:
    """A sent photo as Telegram keeps it: its size read from the PNG, the caption parsed."""
    photo = params.get("photo")
    if not isinstance(photo, dict) or not photo["data"].startswith(PNG_SIGNATURE):
        raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
    width, height = png_size(photo["data"])
    raw = str(params.get("caption", ""))
    caption, entities = parse_html(raw) if params.get("parse_mode") == "HTML" else (raw, [])
    if len(caption) > 1024:
        raise ApiError(400, "Bad Request: message caption is too long")
    size = {"file_id": f"photo{len(photo['data'])}", "file_unique_id": "p", "width": width,
            "height": height, "file_size": len(photo["data"])}  # fmt: skip
    body: dict[str, Any] = {"photo": [size], "caption": caption}
    if entities:
        body["caption_entities"] = entities
    if "reply_markup" in params:
        body["reply_markup"] = _keyboard(params)
    return body


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk)."""
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _keyboard(params: dict[str, Any]) -> dict[str, Any]:
    markup: dict[str, Any] = params["reply_markup"]
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if len(button.get("callback_data", "").encode()) > 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


_TAG = re.compile(r"</?(?:b|strong|i|em|u|s|code|pre|a)(?:\s[^<>]*)?>")
_CHARREF = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class _Entities(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.open: list[tuple[str, int]] = []
        self.entities: list[dict[str, Any]] = []

    def _offset(self) -> int:
        return len(self.text.encode("utf-16-le")) // 2

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in ENTITY_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag {tag!r}")
        self.open.append((tag, self._offset()))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected end tag {tag!r}")
        _, start = self.open.pop()
        if self._offset() > start:
            kind = ENTITY_TAGS[tag]
            self.entities.append({"type": kind, "offset": start, "length": self._offset() - start})

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_html(html: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's reading of an HTML text: plain text plus entities; 400 on bad markup."""
    for match in re.finditer(r"[<&]", html):
        if not (_TAG if match[0] == "<" else _CHARREF).match(html, match.start()):
            raise ApiError(400, f"Bad Request: can't parse entities at byte offset {match.start()}")
    parser = _Entities()
    parser.feed(html)
    parser.close()
    if parser.open:
        raise ApiError(400, "Bad Request: can't parse entities: unclosed tag")
    return parser.text, sorted(parser.entities, key=lambda e: e["offset"])
