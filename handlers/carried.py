"""Answers that carry values: a "which party?" button finishes its use case as first asked.

Pressing a button sends its command back as a chat line. A command rebuilt from the first message
(`award {party} 50 for <reason>`) would be read by the grammar a second time, and a reason, a
note or a status's "because" is free text: a second reading can take a "for", a ":", a date or a
"follow up" in it differently, and braces in it broke the question outright. So the button of a
use case names it and carries its values instead: `usecase <name> #<party id> <value> …`, each
value one token (whitespace, `%`, braces and control characters percent-encoded; an empty value
is `-`). Pressing it turns the tokens back into exactly those values and calls the use case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote, unquote

from handlers.context import Context
from handlers.parsing import party_id_ref
from handlers.reply import Reply, problem
from handlers.verbs import Verb
from storage.models import Party

WORD = "usecase"
PARTY = "{party}"  # where the "which party?" question puts `#<id>`
EMPTY = "-"
GONE = "That party isn't here any more."
UNREADABLE = "That button's values don't read any more; please say it again."


def encode(value: str) -> str:
    """One token for `value`: what could split it, or be read into, percent-encoded."""
    if not value:
        return EMPTY
    if value == EMPTY:
        return quote(EMPTY, safe="")
    return "".join(
        quote(c, safe="") if c.isspace() or c in "%{}" or not c.isprintable() else c for c in value
    )


def decode(token: str) -> str:
    """The value a token of `encode` stands for."""
    return "" if token == EMPTY else unquote(token)


def command(name: str, *values: str) -> str:
    """The command of a button that runs use case `name` on the chosen party with `values`."""
    return " ".join((WORD, name, PARTY, *(encode(v) for v in values)))


def for_party(command_for: str, party_id: int) -> str:
    """The command with the party chosen: `#<id>` in place of its first `{party}` (what follows
    may be a person's own text, braces and all)."""
    return command_for.replace(PARTY, f"#{party_id}", 1)


class Unreadable(Exception):
    """A carried value is missing or not of its kind (a hand-typed or damaged command)."""


@dataclass(frozen=True)
class Values:
    """The values a button carried, read back by position as the use case takes them."""

    texts: tuple[str, ...]

    def text(self, index: int) -> str:
        if index >= len(self.texts):
            raise Unreadable(index)
        return self.texts[index]

    def number(self, index: int) -> int:
        text = self.text(index)
        if not text.isdigit():
            raise Unreadable(index)
        return int(text)

    def time(self, index: int) -> datetime | None:
        """An ISO 8601 time with its offset; None for an empty value."""
        text = self.text(index)
        try:
            moment = datetime.fromisoformat(text) if text else None
        except ValueError:
            raise Unreadable(index) from None
        if moment is not None and moment.tzinfo is None:
            raise Unreadable(index)
        return moment

    def day(self, index: int) -> date | None:
        """An ISO 8601 day; None for an empty value."""
        text = self.text(index)
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            raise Unreadable(index) from None

    def optional_number(self, index: int) -> int | None:
        """A whole number, or None for an empty value."""
        return self.number(index) if self.text(index) else None


Run = Callable[[Context, Party, Values], Reply]


@dataclass(frozen=True)
class UseCase:
    """A use case a button can finish: its name in the command, and how it takes the values."""

    name: str
    run: Run


def verb(use_cases: Sequence[UseCase], older: Mapping[str, str]) -> Verb:
    """The verb pressed buttons reach (kept out of help and menus). `older` maps the first word
    of an earlier button form (`lognote #<id> <value>`) to the use case it stands for, so
    buttons sent before a use case moved here still work."""
    by_name = {use_case.name: use_case for use_case in use_cases}

    def pressed(ctx: Context, word: str, rest: str) -> Reply:
        """`usecase <name> #<id> <value> …`: the use case, with exactly the values carried."""
        if word in older:
            rest = f"{older[word]} {rest.strip()}"
        name, _, carried = rest.strip().partition(" ")
        ref, _, tokens = carried.partition(" ")
        use_case = by_name.get(name)
        party_id = party_id_ref(ref)
        if use_case is None or party_id is None:
            return problem(UNREADABLE)
        party = ctx.store.parties.get(party_id)
        if party is None:
            return problem(GONE)
        values = Values(tuple(decode(token) for token in tokens.split(" ") if token))
        try:
            return use_case.run(ctx, party, values)
        except Unreadable:
            return problem(UNREADABLE)

    example = f"{WORD} points #12 award 50 on-time%20delivery"
    summary = "a use case with its values (from a button)"
    return Verb(WORD, (WORD, *older), pressed, summary, (example,))
