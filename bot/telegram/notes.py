"""Forwarded messages and captions in Telegram: their text, and the party it names.

Forwards come in two shapes: `forward_origin` (Bot API 7.0 on), and the older `forward_from`,
`forward_from_chat`, `forward_sender_name` and `forward_date` that older clients and self-hosted
Bot API servers still send. python-telegram-bot keeps the older fields only in `api_kwargs`;
both shapes are read here as forwards.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from telegram import Message, MessageOrigin
from telegram.ext import filters

from handlers.log_use_case import NO_TEXT, keep_note_command
from handlers.reply import Button, Reply, problem
from handlers.resolve import MAX_CHOICES, named_in
from storage.models import Party
from storage.store import Store

ASK = "Which party is this about? Answer this message with its name."
WAITING = 500  # questions remembered (in memory) until their answer comes
LEGACY_FIELDS = ("forward_from", "forward_from_chat", "forward_sender_name", "forward_date")


class _LegacyForward(filters.MessageFilter):
    """A forward in the pre-7.0 shape: no `forward_origin`, only the older fields."""

    def filter(self, message: Message) -> bool:
        return message.forward_origin is None and any(
            key in message.api_kwargs for key in LEGACY_FIELDS
        )


LEGACY_FORWARD = _LegacyForward(name="LEGACY_FORWARD")


def origin_name(origin: MessageOrigin | None) -> str:
    """Who a forwarded message came from, as Telegram tells it."""
    if origin is None:
        return ""
    for attr in ("sender_user", "sender_chat", "chat"):
        found = getattr(origin, attr, None)
        if found is not None:
            return str(getattr(found, "full_name", None) or getattr(found, "title", "") or "")
    return str(getattr(origin, "sender_user_name", "") or "")


def legacy_origin_name(fields: Any) -> str:
    """Who a forward in the older shape came from: the user, the chat, or the hidden name."""
    sender = fields.get("forward_from")
    if isinstance(sender, dict):
        name = " ".join(str(sender.get(k) or "") for k in ("first_name", "last_name")).strip()
        if name:
            return name
    chat = fields.get("forward_from_chat")
    if isinstance(chat, dict) and chat.get("title"):
        return str(chat["title"])
    return str(fields.get("forward_sender_name") or "")


class Notes:
    """Finds the party a forwarded text names, and remembers questions that await a name."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._waiting: OrderedDict[tuple[int, int], str] = OrderedDict()

    def forwarded(self, message: Message) -> str:
        """The note for a forwarded message: who it came from, then its text or caption."""
        text = message.text or message.caption or ""
        name = origin_name(message.forward_origin) or legacy_origin_name(message.api_kwargs)
        return f"Forwarded from {name}: {text}" if name and text else text

    def _named(self, text: str) -> list[Party]:
        with self.store.command():
            return named_in(self.store.parties, text)

    async def party_for(self, notes: str) -> Party | Reply:
        """The one party the text names; otherwise the question to ask (buttons when several)."""
        if not notes.strip():
            return problem(NO_TEXT, "note Acme: what happened")
        found = await asyncio.to_thread(self._named, notes)
        if len(found) == 1:
            return found[0]
        if found:
            buttons = tuple(
                Button(p.name, keep_note_command(p.id, notes)) for p in found[:MAX_CHOICES]
            )
            return Reply(title="Which party is this about?", buttons=buttons, ok=False)
        return Reply(title=ASK, ok=False)

    def wait_for_party(self, chat_id: int, message_id: int, notes: str) -> None:
        """Remember the notes until the answer to question `message_id` names the party."""
        self._waiting[(chat_id, message_id)] = notes
        while len(self._waiting) > WAITING:
            self._waiting.popitem(last=False)

    def waiting(self, chat_id: int, message_id: int) -> str | None:
        """The notes that question `message_id` is about, if it is one."""
        return self._waiting.get((chat_id, message_id))

    def answered(self, chat_id: int, message_id: int) -> None:
        """The question has its answer: a second answer does not log the note twice."""
        self._waiting.pop((chat_id, message_id), None)
