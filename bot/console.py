"""The terminal adapter: a line in, the reply out as plain text, numbered choices."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.notify import TerminalNotifier
from handlers.reply import Button, Message, Reply
from handlers.router import Router
from storage.models import Person

PROMPT = "rapport> "


def render(reply: Reply) -> str:
    """Plain text: the reply, then its buttons numbered (choices one per line)."""
    out = [reply.plain()]
    if reply.buttons and not reply.ok:
        out += [f"  {n}) {b.label}" for n, b in enumerate(reply.buttons, 1)]
        out.append("  (answer with the number)")
    elif reply.buttons:
        out.append("  " + " · ".join(f"[{n}] {b.label}" for n, b in enumerate(reply.buttons, 1)))
    return "\n".join(out)


class Console:
    """One person talking to Rapport in a terminal or through a pipe."""

    def __init__(
        self,
        router: Router,
        person: Person,
        clock: Callable[[], datetime],
        out: TextIO = sys.stdout,
        files: Path = Path("."),
        pending: Callable[[Person], list[Reply]] | None = None,
    ) -> None:
        self.router = router
        self.person = person
        self.clock = clock
        self.out = out
        self.files = files
        self.buttons: tuple[Button, ...] = ()
        self.pending = pending
        self.notifier = TerminalNotifier(out, render)

    def say(self, line: str) -> Reply:
        """Answer one line; a bare number presses that button of the last reply."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            text = self.buttons[int(text) - 1].command
        message = Message(person=self.person, text=text, channel="terminal", now=self.clock())
        reply = self.router.handle(message)
        self.buttons = reply.buttons
        return reply

    def answer(self, line: str) -> None:
        """Answer a line and print the reply at once (pipes follow along)."""
        reply = self.say(line)
        self.out.write(render(reply) + "\n")
        self.save_attachments(reply)
        self.out.flush()

    def save_attachments(self, reply: Reply) -> None:
        """An export or a chart is saved in the files folder, and its path printed."""
        if reply.file is not None:
            path = self.files / reply.file[0]
            path.write_text(reply.file[1], encoding="utf-8")
            self.out.write(f"  saved {path}\n")
        if reply.image is not None:
            path = self.files / reply.image.name
            path.write_bytes(reply.image.png)
            self.out.write(f"  chart saved as {path}\n")

    def show_pending(self) -> None:
        """Print the reminders and notices that fell due for this person (before the prompt)."""
        for reply in self.pending(self.person) if self.pending else ():
            self.notifier.show(reply)
            self.save_attachments(reply)
            self.buttons = reply.buttons

    def run(self, lines: Iterable[str], interactive: bool) -> None:
        if interactive:
            self.out.write(f"Rapport — hello {self.person.name}. Type help, or Ctrl-D to leave.\n")
        self.show_pending()
        for line in lines:
            if line.strip().lower() in ("quit", "exit", "bye"):
                break
            if line.strip():
                self.answer(line)
            self.show_pending()


def terminal_lines() -> Iterable[str]:
    """Lines typed at the prompt, until end of input."""
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            print()
            return
        except KeyboardInterrupt:
            print()
            return
