"""The platform-neutral message that comes in and reply that goes out."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from storage.models import Person

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """A person said `text` on `channel` at `now`; `message_id` identifies platform retries.

    `files` are the (name, link) of files the person attached to the message, if any.
    """

    person: Person
    text: str
    channel: str
    now: datetime
    message_id: str | None = None
    files: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Button:
    """A choice the reader can press; pressing it sends `command` as the same person."""

    label: str
    command: str
    style: str = ""  # "", "primary" or "danger"


@dataclass(frozen=True)
class Section:
    """A block of the reply: an optional heading, lines of text, and label/value fields."""

    title: str = ""
    lines: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Image:
    """A picture that goes with a reply (a chart): a file name, its text alternative for people
    who cannot see it (Slack's alt text, Telegram's caption), and how to draw it.

    A command gathers the numbers under the store's lock and leaves the drawing (`draw`, a
    function of those numbers) for `drawn`, which runs after the lock is let go; the PNG bytes
    are there from then on (`png`)."""

    name: str
    alt: str
    draw: Callable[[], bytes] | None = None
    drawn_png: bytes | None = None

    @property
    def png(self) -> bytes:
        if self.drawn_png is None:
            raise RuntimeError(f"{self.name} is not drawn: pass the reply through drawn() first")
        return self.drawn_png


def drawn(reply: Reply) -> Reply:
    """The reply with its chart drawn. THE place charts are drawn: call it outside the store's
    lock (the router, the scheduler's notices and the terminal's prompt do), and off the event
    loop, as matplotlib takes a few hundred milliseconds. A chart that fails to draw is left
    out (logged); the reply's summary still says the numbers."""
    image = reply.image
    if image is None or image.draw is None:
        return reply
    try:
        png = image.draw()
    except Exception:
        log.exception("drawing %s failed; the reply goes without it", image.name)
        return replace(reply, image=None)
    return replace(reply, image=replace(image, draw=None, drawn_png=png))


@dataclass(frozen=True)
class Reply:
    """What the bot answers. All strings are plain text: each adapter escapes and styles them."""

    title: str
    sections: tuple[Section, ...] = ()
    buttons: tuple[Button, ...] = ()
    ok: bool = True
    changed: bool = False
    file: tuple[str, str] | None = None  # (file name, content) for exports
    image: Image | None = None  # a chart; each surface shows it with the reply as its text

    def plain(self) -> str:
        """The reply as plain text lines, as the terminal shows it."""
        out = [self.title]
        for section in self.sections:
            if section.title:
                out.append(f"{section.title}:")
            out.extend(f"  {label}: {value}" for label, value in section.fields)
            out.extend(f"  {line}" for line in section.lines)
        return "\n".join(out)


def problem(text: str, example: str = "") -> Reply:
    """A short friendly answer to input that was not understood; nothing was stored."""
    sections = (Section(lines=(f"Try: {example}",)),) if example else ()
    return Reply(title=text, sections=sections, ok=False)


def changed(title: str, entry_id: int | None, buttons: tuple[Button, ...] = ()) -> Reply:
    """A reply for a stored change: it carries an Undo button for exactly that change."""
    undo = Button(label="Undo", command=f"undo {entry_id}", style="danger")
    return Reply(title=title, buttons=(*buttons, undo), changed=True)


def first_lines(items: Sequence[T], line: Callable[[T], str], page: int) -> tuple[str, ...]:
    """A list's first `page` items as lines, then "and N more" when there are more."""
    lines = tuple(line(item) for item in items[:page])
    return lines + ((f"and {len(items) - page} more",) if len(items) > page else ())


def plural(count: int, word: str, many: str = "") -> str:
    """'1 party', '3 parties'."""
    if count == 1:
        return f"1 {word}"
    if not many:
        consonant_y = word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u")
        many = word[:-1] + "ies" if consonant_y else word + "s"
    return f"{count} {many}"
