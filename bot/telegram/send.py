"""Sending replies to Telegram chats, and the notifier that writes to a person's private chat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputFile,
    MaybeInaccessibleMessage,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.notify import Delivered, DeliveryError
from bot.telegram.render import ButtonTokens, html_chunks, is_choice, keyboard
from handlers.reply import Reply
from storage.models import Person

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 4
FIRST_PAUSE = 0.5  # seconds; doubled after each network error
SEPARATOR = "\n\n"
CAPTION_LIMIT = 1024  # a photo's caption, after the markup is read


async def retrying(call: Callable[[], Awaitable[T]], attempts: int = ATTEMPTS) -> T:
    """Run a Bot API call, retrying network errors (timeouts, 5xx) with back-off.

    Flood control (RetryAfter) is waited out by the application's rate limiter; a refusal
    (BadRequest, Forbidden) is not retried: it would only fail again.
    """
    pause = FIRST_PAUSE
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as error:
            if attempt == attempts:
                raise
            log.warning("telegram: %s; retrying in %.1fs", error.message, pause)
            await asyncio.sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")


class Sender:
    """Writes replies into chats: HTML in messages that fit, the keyboard on the last one."""

    def __init__(self, bot: Bot, tokens: ButtonTokens) -> None:
        self.bot = bot
        self.tokens = tokens

    def markup(self, reply: Reply) -> InlineKeyboardMarkup | None:
        return keyboard(reply.buttons, self.tokens, is_choice(reply))

    async def send(self, chat_id: int, reply: Reply, reply_to: int | None = None) -> Message:
        """Send a reply; returns the last message sent (the one that carries the buttons)."""
        if reply.image is not None:
            return await self.send_photo(chat_id, reply, reply_to)
        chunks = html_chunks(reply)
        sent: Message | None = None
        for number, text in enumerate(chunks, 1):
            markup = self.markup(reply) if number == len(chunks) else None
            sent = await retrying(partial(self._send_text, chat_id, text, markup, reply_to))
            reply_to = None
        if reply.file is not None:
            sent = await self.send_file(chat_id, *reply.file)
        assert sent is not None
        return sent

    async def _send_text(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, reply_to: int | None
    ) -> Message:
        answering = (
            ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        )
        return await self.bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            reply_parameters=answering,
        )

    async def send_photo(self, chat_id: int, reply: Reply, reply_to: int | None = None) -> Message:
        """A chart as a photo, the reply as its caption (what does not fit follows as text)."""
        image = reply.image
        assert image is not None
        caption, *rest = html_chunks(reply, CAPTION_LIMIT)
        answering = (
            ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        )
        sent = await retrying(
            lambda: self.bot.send_photo(
                chat_id,
                InputFile(image.png, filename=image.name),
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=None if rest else self.markup(reply),
                reply_parameters=answering,
            )
        )
        for number, text in enumerate(rest, 1):
            markup = self.markup(reply) if number == len(rest) else None
            sent = await retrying(partial(self._send_text, chat_id, text, markup, None))
        return sent

    async def send_file(self, chat_id: int, name: str, content: str) -> Message:
        """An export as a document in the chat."""
        data = content.encode("utf-8")
        return await retrying(
            lambda: self.bot.send_document(chat_id, InputFile(data, filename=name), caption=name)
        )

    async def show_outcome(
        self, pressed: MaybeInaccessibleMessage | None, chat_id: int, reply: Reply
    ) -> None:
        """Edit the message whose button was pressed to show what happened, without its buttons.

        The old text stays above the outcome so the chat still reads as a conversation; the
        outcome's own buttons (Undo, another choice) replace the pressed ones.
        """
        chunks = html_chunks(reply)
        head = pressed.text_html if isinstance(pressed, Message) and pressed.text else ""
        text = head + SEPARATOR + chunks[0] if head else chunks[0]
        if pressed is None or len(chunks) > 1 or len(text) > 4096 or reply.file or reply.image:
            await self._clear(pressed)
            await self.send(chat_id, reply)
            return
        try:
            await retrying(
                lambda: self.bot.edit_message_text(
                    text,
                    chat_id=chat_id,
                    message_id=pressed.message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=self.markup(reply),
                )
            )
        except BadRequest as error:  # too old to edit, or gone: say it anew
            log.info("telegram: could not edit message %s: %s", pressed.message_id, error.message)
            await self.send(chat_id, reply)

    async def _clear(self, pressed: MaybeInaccessibleMessage | None) -> None:
        if pressed is None or not isinstance(pressed, Message):
            return
        try:
            await retrying(lambda: pressed.edit_reply_markup(reply_markup=None))
        except TelegramError as error:
            log.info("telegram: could not remove the buttons: %s", error.message)


class TelegramNotifier:
    """The notifier port on Telegram: a person's private chat with the bot is their user id."""

    channel = "telegram"

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    def can_reach(self, person: Person) -> bool:
        return person.telegram is not None

    async def deliver(self, person: Person, reply: Reply) -> Delivered:
        """Send the reply to the person's chat; DeliveryError when Telegram does not take it."""
        if person.telegram is None:
            raise DeliveryError(f"{person.name} has no Telegram user id")
        try:
            sent = await self.sender.send(person.telegram, reply)
        except Forbidden as error:  # never started the bot, or blocked it
            raise DeliveryError(
                f"{person.name} cannot be written to on Telegram: {error.message}"
            ) from None
        except TelegramError as error:
            raise DeliveryError(f"Telegram did not take the message: {error.message}") from error
        return Delivered(channel=self.channel, ref=f"{sent.chat_id}:{sent.message_id}")
