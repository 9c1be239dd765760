"""Telegram's listeners: commands, private messages, forwards, captions, edits and buttons.

Each handler finds the person, hands the text (or, for forwards and captions, the values) to the
core and sends the reply; no business rule lives here. A repeated update is dropped before any
handler sees it, and no exception reaches python-telegram-bot (`on_error` apologises).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import TelegramConfig
from bot.dispatch import (
    REFUSAL,
    SORRY,
    Clock,
    RecentIds,
    answer,
    edit_answer,
    failure,
    perform,
)
from bot.telegram.notes import LEGACY_FORWARD, Notes
from bot.telegram.render import ButtonTokens
from bot.telegram.send import Sender
from handlers import joins
from handlers.choices import unwrap
from handlers.log_use_case import log_note, log_note_on
from handlers.reply import Reply, problem
from handlers.router import VERBS, Action, Router
from storage.models import Party, Person

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
EXPIRED = "That button has expired (the bot restarted). Please type the command again."
NOT_HERE = "I don't work in this chat; please use your private chat with me."
NOT_HERE_INLINE = "I can't run buttons on inline messages; please use your private chat with me."


def served_chats(config: TelegramConfig) -> filters.BaseFilter:
    """Private chats, and the group chats the config lists."""
    chats: filters.BaseFilter = filters.ChatType.PRIVATE
    if config.groups:
        chats = chats | filters.Chat(chat_id=list(config.groups))
    return chats


class TelegramListeners:
    """The handlers of one bot, answering through its sender."""

    def __init__(
        self,
        config: TelegramConfig,
        router: Router,
        sender: Sender,
        tokens: ButtonTokens,
        clock: Clock,
    ) -> None:
        self.config = config
        self.router = router
        self.sender = sender
        self.tokens = tokens
        self.clock = clock
        self.notes = Notes(router.store)
        self.updates = RecentIds()
        self.presses = RecentIds()

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Every handler, on PTB's application; a repeat is dropped first (group -1)."""
        new = filters.UpdateType.MESSAGE  # edits are answered by _on_edit alone
        private = new & filters.ChatType.PRIVATE
        edited = filters.UpdateType.EDITED_MESSAGE & filters.ChatType.PRIVATE & filters.TEXT
        app.add_handler(TypeHandler(Update, self._once), group=-1)
        for verb in VERBS:
            names = [w for w in verb.words if COMMAND_NAME.match(w)]
            app.add_handler(CommandHandler(names, self._on_text, new & served_chats(self.config)))
        forwarded = filters.FORWARDED | LEGACY_FORWARD
        app.add_handler(MessageHandler(private & forwarded, self._on_forward))
        app.add_handler(MessageHandler(private & filters.REPLY & filters.TEXT, self._on_reply))
        app.add_handler(MessageHandler(private & filters.TEXT, self._on_text))
        app.add_handler(MessageHandler(private & filters.CAPTION, self._on_caption))
        app.add_handler(MessageHandler(private, self._on_other))
        app.add_handler(MessageHandler(edited, self._on_edit))
        app.add_handler(CallbackQueryHandler(self._on_press))
        app.add_error_handler(self._on_error)

    async def _once(self, update: Update, _context: Context) -> None:
        """A repeated update (a retry, a redelivery) is dropped before any handler sees it."""
        if not self.updates.add(update.update_id):
            log.info("telegram: update %s seen already; skipped", update.update_id)
            raise ApplicationHandlerStop

    async def _person(self, update: Update) -> Person | None:
        """The person of the team who sent this; anyone else is refused in one line, once."""
        user = update.effective_user
        if user is None or user.is_bot:
            return None
        person = self.router.team.by_telegram(user.id)
        if person is not None:
            return person
        first = await self._stranger(user.id, user.username or user.full_name)
        if update.callback_query is not None:
            await update.callback_query.answer(REFUSAL if first else None, show_alert=first)
        elif first and update.effective_chat is not None:
            await self.sender.send(update.effective_chat.id, Reply(title=REFUSAL, ok=False))
        return None

    async def _stranger(self, user_id: int, name: str) -> bool:
        """Ask the admins and managers about someone unknown; True the first time only."""
        store = self.router.store

        def ask() -> bool:
            with store.command():
                return joins.request(
                    store, self.router.team, "telegram", str(user_id), name, self.clock()
                )

        return await asyncio.to_thread(ask)

    async def _run(self, update: Update, person: Person, text: str) -> Reply:
        """The core's answer; a redelivered or edited message changes nothing in the store twice."""
        key = message_key(update)
        return await answer(self.router, person, text, "telegram", key, self.clock)

    async def _say(self, update: Update, reply: Reply) -> Any:
        """Send a reply to the chat of the update (in a group, as an answer to the message)."""
        message = update.effective_message
        assert message is not None
        in_group = message.chat.type != "private"
        return await self.sender.send(
            message.chat_id, reply, message.message_id if in_group else None
        )

    async def _on_text(self, update: Update, _context: Context) -> None:
        """A command (/log … or /log@Bot …) or a plain line in the private chat."""
        person = await self._person(update)
        if person is None or update.effective_message is None:
            return
        await self._say(
            update, await self._run(update, person, update.effective_message.text or "")
        )

    async def _on_forward(self, update: Update, _context: Context) -> None:
        """A forwarded message: a note on the party it names, or a question which one."""
        person = await self._person(update)
        if person is None or update.message is None:
            return
        await self._note(update, person, self.notes.forwarded(update.message))

    async def _on_caption(self, update: Update, _context: Context) -> None:
        """A photo or file with a caption: the caption is a note on the party it names."""
        person = await self._person(update)
        if person is None or update.message is None:
            return
        caption = update.message.caption or ""
        if caption.startswith("/"):  # a command typed as the caption
            await self._say(update, await self._run(update, person, caption))
            return
        await self._note(update, person, f"Photo: {caption}")

    async def _note(self, update: Update, person: Person, notes: str) -> None:
        """The text, verbatim, as a note on the party it names; else ask which party."""
        found = await self.notes.party_for(notes)
        if isinstance(found, Party):
            logged = await self._perform(update, person, notes, lambda c: log_note(c, found, notes))
            await self._say(update, logged)
            return
        sent = await self._say(update, found)
        if not found.buttons:  # nothing named: the answer to this question names the party
            self.notes.wait_for_party(sent.chat_id, sent.message_id, notes)

    async def _perform(self, update: Update, person: Person, text: str, action: Action) -> Reply:
        """A use case's reply for values from a message; a redelivery changes nothing twice."""
        said = (text, "telegram", message_key(update))
        return await perform(self.router, person, action, said, self.clock)

    async def _on_reply(self, update: Update, context: Context) -> None:
        """An answer to "which party is this about?", or else an ordinary line."""
        message = update.message
        assert message is not None and message.reply_to_message is not None
        asked = message.reply_to_message
        notes = self.notes.waiting(asked.chat_id, asked.message_id)
        if notes is None:
            await self._on_text(update, context)
            return
        person = await self._person(update)
        if person is not None:
            name = message.text or ""
            reply = await self._perform(update, person, name, lambda c: log_note_on(c, name, notes))
            if reply.changed:
                self.notes.answered(asked.chat_id, asked.message_id)
            await self._say(update, reply)

    async def _on_edit(self, update: Update, _context: Context) -> None:
        """An edited line: if its first version changed something, a note; else read anew."""
        person = await self._person(update)
        message = update.edited_message
        if person is None or message is None:
            return
        reply = await edit_answer(self.router, message_key(update))
        await self._say(update, reply or await self._run(update, person, message.text or ""))

    async def _on_other(self, update: Update, _context: Context) -> None:
        """Stickers, voice, photos without captions: say what is understood."""
        if await self._person(update) is not None:
            hint = "I read text: commands, forwarded messages and captions."
            await self._say(update, problem(hint, "help"))

    async def _on_press(self, update: Update, _context: Context) -> None:
        """A button: answered at once, run as the presser, the message edited to the outcome.

        Every press is answered (else the button keeps spinning): one on an inline message or
        in a chat Rapport does not serve gets a short note.
        """
        query = update.callback_query
        assert query is not None
        chat = query.message.chat if query.message is not None else None
        if chat is None:
            await query.answer(NOT_HERE_INLINE)
            return
        if chat.type != "private" and chat.id not in self.config.groups:
            await query.answer(NOT_HERE)
            return
        person = await self._person(update)
        if person is None:
            return
        command = self.tokens.command_for(query.data or "")
        if command is None:
            await query.answer(EXPIRED, show_alert=True)
            return
        _command, not_theirs = unwrap(self.router.team, person, command)
        if not_theirs is not None:  # someone else's question: told privately, left as it is
            await query.answer(not_theirs.title, show_alert=True)
            return
        if not self.presses.add((chat.id, query.message.message_id, query.data)):  # type: ignore[union-attr]
            await query.answer("Already done.")
            return
        await query.answer()
        reply = await self._run(update, person, command)
        await self.sender.show_outcome(query.message, chat.id, reply)

    async def _on_error(self, update: object, context: Context) -> None:
        """Log the update id and where it failed (no data); the person hears a short apology."""
        update_id = update.update_id if isinstance(update, Update) else None
        reason = failure(context.error) if context.error else "unknown"
        log.error("telegram: handling update %s failed: %s", update_id, reason)
        if not isinstance(update, Update):
            return
        if update.callback_query is not None:  # stop the button's spinner, if not done yet
            try:
                await update.callback_query.answer(SORRY)
                return
            except TelegramError:
                pass  # answered already: say it in the chat
        if update.effective_chat is not None:
            with contextlib.suppress(TelegramError):
                await self.sender.send(update.effective_chat.id, Reply(title=SORRY, ok=False))


def message_key(update: Update) -> str:
    """The message id for the store: one per chat message (its edits too), else the update's."""
    message = update.message or update.edited_message
    if message is None:  # a button press: each press is its own update
        return f"telegram:{update.update_id}"
    return f"telegram:message:{message.chat_id}:{message.message_id}"
