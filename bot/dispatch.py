"""What every chat adapter does with an incoming line: who is it, answer it off the event loop.

Also the few answers every adapter gives the same way: the refusal, the apology after a failure
(logged by `failure`, which names the error and where it happened, never the data), and the note
that an edited message is not applied twice, and the memory of recent ids that answers a
platform's repeats once.
"""

from __future__ import annotations

import asyncio
import traceback
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from handlers.reply import Button, Message, Reply, Section
from handlers.router import Action, Router
from storage.models import Person

REFUSAL = "Sorry, I only work for the people of this team. Ask your Rapport admin to add you."
SORRY = "Sorry, something went wrong; nothing more was stored."
EDIT_NOTE = "Edits aren't applied, so I kept the first version: {summary}."
EDIT_HINT = "To change it, press Undo and send the corrected message again."
Files = tuple[tuple[str, str], ...]
PROJECT = Path(__file__).resolve().parent.parent

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
    files: Files = (),
) -> Reply:
    """The router's reply, computed in a worker thread so fsyncs never stall the event loop."""
    message = Message(person, text, channel, clock(), message_id, files)
    return await asyncio.to_thread(router.handle, message)


async def perform(
    router: Router,
    person: Person,
    action: Action,
    message: tuple[str, str, str | None],
    clock: Clock = system_clock,
) -> Reply:
    """A use case's reply for values from a form or a message, off the event loop.

    `message` is (what the person sent, the channel, its id for retries), as `answer` takes them.
    """
    text, channel, message_id = message
    said = Message(person, text, channel, clock(), message_id)
    return await asyncio.to_thread(router.perform, said, action)


async def edit_answer(router: Router, message_id: str) -> Reply | None:
    """For an edited message: the note, if the first version made a change; else None (run it).

    A change is never applied twice: the edit is answered with what was kept and an Undo button,
    and the person sends the corrected line again. An edit of a message that changed nothing (a
    look-up, a typo Rapport didn't understand) is simply read as a new message.
    """

    def first_change() -> tuple[int | None, dict[str, Any] | None]:
        with router.store.command():
            entry_id = router.store.audit.id_by_message(message_id)
            return entry_id, router.store.audit.get(entry_id) if entry_id else None

    entry_id, entry = await asyncio.to_thread(first_change)
    if entry_id is None or entry is None:
        return None
    undo = Button(label="Undo", command=f"undo {entry_id}", style="danger")
    title = EDIT_NOTE.format(summary=entry.get("summary", "that change"))
    return Reply(title=title, sections=(Section(lines=(EDIT_HINT,)),), buttons=(undo,), ok=False)


def failure(error: BaseException) -> str:
    """An error for the log: its type and where it was raised, never its message or the data."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        f
        for f in frames
        if Path(f.filename).is_relative_to(PROJECT) and "site-packages" not in f.filename
    ]
    where = [f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in (frames[-1:] + ours[-1:])]
    described = type(error).__name__
    if where:
        described += f" at {where[0]}"
    if len(where) > 1 and where[1] != where[0]:
        described += f" (from {where[1]})"
    return described


class RecentIds:
    """A bounded set of recently seen keys (event ids, updates, presses): repeats are answered
    once; the oldest are forgotten first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._seen: OrderedDict[Hashable, None] = OrderedDict()

    def add(self, key: Hashable) -> bool:
        """Remember `key`; False when it was already there."""
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True
