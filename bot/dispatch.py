"""What every chat adapter does with an incoming line: who is it, answer it off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from handlers.reply import Message, Reply
from handlers.router import Router
from storage.models import Person

REFUSAL = "Sorry, I only work for the people of this team. Ask your Rapport admin to add you."

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def moment_from(text: str, zone: str) -> datetime:
    """A `--now` value: ISO 8601, read in `zone` when it has no offset; ValueError says how."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--now {text}: not an ISO 8601 time like 2026-11-25T10:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


async def answer(
    router: Router,
    person: Person,
    text: str,
    channel: str,
    message_id: str | None,
    clock: Clock = system_clock,
) -> Reply:
    """The router's reply, computed in a worker thread so fsyncs never stall the event loop."""
    message = Message(person=person, text=text, channel=channel, now=clock(), message_id=message_id)
    return await asyncio.to_thread(router.handle, message)
