"""A Reply in Telegram's idiom: HTML with every stored string escaped, buttons as a keyboard."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.reply import Button, Reply

MAX_TEXT = 4096  # Telegram's limit for one message, counted after entity parsing
MAX_DATA = 64  # bytes of callback_data a button may carry
TOKEN_PREFIX = "~"  # starts no command: marks a token that stands for a long command
MAX_LINE = 3000  # a longer line (a long note) is cut so that one line always fits a message
MAX_LABEL = 200  # a field's label: label and value together fit one line
BUTTONS_PER_ROW = 3


def esc(text: str) -> str:
    """Text safe inside Telegram HTML: <, > and & escaped."""
    return escape(text, quote=False)


def size(text: str) -> int:
    """A text's length as Telegram counts it (UTF-16 code units, after the markup is read)."""
    return len(text.encode("utf-16-le")) // 2


def _line(plain: str, tag: str = "", limit: int = MAX_LINE) -> tuple[str, int]:
    """One line as HTML and its counted size; a line longer than `limit` is cut."""
    if size(plain) > limit:
        plain = plain[: limit // 2] + "…"
    body = esc(plain)
    return (f"<{tag}>{body}</{tag}>" if tag and plain else body), size(plain)


def lines_of(reply: Reply) -> list[tuple[str, int]]:
    """The reply as HTML lines: the title bold, section titles bold, fields as label: value."""
    out = [_line(reply.title, "b")]
    for section in reply.sections:
        out.append(("", 0))
        if section.title:
            out.append(_line(section.title, "b"))
        for label, value in section.fields:
            name, name_size = _line(label, "i", MAX_LABEL)
            text, text_size = _line(value, limit=MAX_LINE - name_size - 2)
            out.append((f"{name}: {text}", name_size + text_size + 2))
        out += [_line(line) for line in section.lines]
    return out


def html_chunks(reply: Reply, limit: int = MAX_TEXT) -> list[str]:
    """The reply's HTML in messages that each fit Telegram's limit, split between lines."""
    chunks: list[list[str]] = [[]]
    used = 0
    for html, counted in lines_of(reply):
        if chunks[-1] and used + counted + 1 > limit:
            chunks.append([])
            used = 0
        chunks[-1].append(html)
        used += counted + 1
    texts = ["\n".join(lines).strip("\n") for lines in chunks]
    return [t for t in texts if t] or ["…"]


class ButtonTokens:
    """Commands too long for callback_data, kept in memory under a short token.

    Short commands ride in the button itself and work across restarts; a token is lost on
    restart, and pressing such a button then says it has expired.
    """

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self._commands: OrderedDict[str, str] = OrderedDict()

    def data_for(self, command: str) -> str:
        """The callback_data of a button that sends `command`."""
        if len(command.encode()) <= MAX_DATA and not command.startswith(TOKEN_PREFIX):
            return command
        token = TOKEN_PREFIX + hashlib.sha256(command.encode()).hexdigest()[:24]
        self._commands[token] = command
        self._commands.move_to_end(token)
        while len(self._commands) > self.size:
            self._commands.popitem(last=False)
        return token

    def command_for(self, data: str) -> str | None:
        """The command a pressed button sends; None for a token that has expired."""
        if not data.startswith(TOKEN_PREFIX):
            return data
        return self._commands.get(data)


def keyboard(
    buttons: tuple[Button, ...], tokens: ButtonTokens, choices: bool
) -> InlineKeyboardMarkup | None:
    """An inline keyboard: choices one per row, actions side by side."""
    if not buttons:
        return None
    keys = [
        InlineKeyboardButton(b.label[:64], callback_data=tokens.data_for(b.command))
        for b in buttons
    ]
    per_row = 1 if choices else BUTTONS_PER_ROW
    rows = [keys[i : i + per_row] for i in range(0, len(keys), per_row)]
    return InlineKeyboardMarkup(rows)


def is_choice(reply: Reply) -> bool:
    """A question with one button per answer (the reply did not do anything yet)."""
    return not reply.ok and bool(reply.buttons)
