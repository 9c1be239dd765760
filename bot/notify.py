"""The notifier port: deliver a reply to one person of the team on their own channel.

Beside the port: the terminal's notifier, which prints, and a recording twin for tests.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from handlers.reply import Reply
from storage.models import Person


class DeliveryError(Exception):
    """The platform did not take the message; the caller retries later."""


@dataclass(frozen=True)
class Delivered:
    """Where a delivered message landed, so a button press can edit it later."""

    channel: str
    ref: str


class Notifier(Protocol):
    """One platform's way to write to a person (Slack DM, Telegram chat, terminal).

    `deliver` returns once the platform has taken the message, or raises DeliveryError when
    it certainly has not (any other failure counts as "maybe sent" and is not repeated).
    """

    channel: str

    def can_reach(self, person: Person) -> bool: ...

    async def deliver(self, person: Person, reply: Reply) -> Delivered: ...


def channel_for(person: Person, served: Iterable[str]) -> str:
    """The person's channel: `notify` when served, else Slack, else Telegram, else terminal."""
    served = list(served)
    if person.notify and person.notify in served:
        return person.notify
    if "slack" in served and person.slack:
        return "slack"
    if "telegram" in served and person.telegram is not None:
        return "telegram"
    return "terminal"


def terminal_only(person: Person) -> bool:
    """Someone with no platform id: the terminal is the only place they can be told things."""
    return not person.slack and person.telegram is None


class TerminalNotifier:
    """Prints replies, as `rapport chat` shows what fell due at its next prompt."""

    channel = "terminal"

    def __init__(
        self, out: TextIO | None = None, render: Callable[[Reply], str] = Reply.plain
    ) -> None:
        self.out = out or sys.stdout
        self.render = render
        self.shown = 0

    def can_reach(self, person: Person) -> bool:
        return True

    def show(self, reply: Reply) -> None:
        self.out.write(self.render(reply) + "\n")
        self.out.flush()
        self.shown += 1

    async def deliver(self, person: Person, reply: Reply) -> Delivered:
        self.show(reply)
        return Delivered(self.channel, f"{person.name}:{self.shown}")


@dataclass
class RecordingNotifier:
    """The in-memory twin for tests: records what it delivers; fails the next `failures` sends."""

    channel: str = "slack"
    failures: int = 0
    sent: list[tuple[Person, Reply]] = field(default_factory=list)
    attempts: int = 0

    def can_reach(self, person: Person) -> bool:
        if self.channel == "slack":
            return bool(person.slack)
        if self.channel == "telegram":
            return person.telegram is not None
        return True

    async def deliver(self, person: Person, reply: Reply) -> Delivered:
        self.attempts += 1
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryError(f"{self.channel} is down")
        self.sent.append((person, reply))
        return Delivered(self.channel, str(len(self.sent)))

    def to(self, name: str) -> list[Reply]:
        """What was delivered to one person, in order."""
        return [reply for person, reply in self.sent if person.name == name]
