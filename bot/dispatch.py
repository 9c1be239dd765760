"""What every chat adapter does with an incoming line: who is it, answer it off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from handlers.reply import Message, Reply
from handlers.router import Router
from storage.models import Person

REFUSAL = "Sorry, I only work for the people of this team. Ask your Rapport admin to add you."

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


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
