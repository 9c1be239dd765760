"""The notifier port: deliver a reply to one person of the team on their own channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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
    """One platform's way to write to a person (Slack DM, Telegram chat, terminal)."""

    channel: str

    def can_reach(self, person: Person) -> bool: ...

    async def deliver(self, person: Person, reply: Reply) -> Delivered: ...


def channel_for(person: Person, served: list[str]) -> str:
    """The person's channel: `notify` when served, else Slack, else Telegram, else terminal."""
    if person.notify and person.notify in served:
        return person.notify
    if "slack" in served and person.slack:
        return "slack"
    if "telegram" in served and person.telegram is not None:
        return "telegram"
    return "terminal"
