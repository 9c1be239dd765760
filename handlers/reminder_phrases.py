"""How a `remind` line is read: when, what about, and which party (if one is clearly named)."""

from __future__ import annotations

import re
from datetime import datetime

from handlers.context import Context
from handlers.dates import DateContext, split_leading_when, split_trailing_when
from handlers.resolve import resolve
from storage.models import Party, name_key

_INTRO = re.compile(r"^(?:to|about|that)\s+", re.IGNORECASE)
_WORD = re.compile(r'"[^"]+"|#\d+|[\w&@.\'’-]+')
MAX_SPAN = 5


def split_when_and_text(rest: str, dates: DateContext) -> tuple[datetime | None, str] | None:
    """`<when> to <text>` or `to <text> <when>` → (when, text); None when neither shape fits."""
    when, after = split_leading_when(rest, dates, "future", short_days=True)
    if when is not None:
        return when, _INTRO.sub("", after)
    intro = _INTRO.match(rest)
    if intro is None:
        return None
    text, when = split_trailing_when(rest[intro.end() :], dates, "future", short_days=True)
    return when, text


def party_named_in(ctx: Context, text: str) -> Party | None:
    """The party the text clearly names: quoted or `#id`, an exact name, or a capitalised prefix.

    Never asks: a look-alike or a name several parties share links nothing.
    """
    words = [w.strip(".,;:!?'’") for w in _WORD.findall(text)]
    for word in words:
        if word.startswith(('"', "#")) and (found := resolve(ctx.store.parties, word).party):
            return found
    for size in range(min(MAX_SPAN, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            named = ctx.store.parties.named(" ".join(words[start : start + size]))
            if len(named) == 1:
                return named[0]
    for word in words:
        if (
            len(word) >= 3
            and word[0].isupper()
            and (found := resolve(ctx.store.parties, word).party)
        ):
            return found
    for word in words:  # "call acme": a word that starts exactly one party's name
        found = resolve(ctx.store.parties, word).party if len(word) >= 4 else None
        if found and name_key(found.name).startswith(name_key(word)):
            return found
    return None
