"""Questions answered by pressing a button: each answer serves only the person who asked.

A button's command is sent as whoever presses it, so in a shared channel or group anyone
could press someone else's "which party?" and act as themselves on a command they never
saw. The answers are marked with the asker's handle; a press by anyone else is refused.
"""

from __future__ import annotations

import re

from handlers.context import Team
from handlers.reply import Reply
from storage.models import Person

_MARK = re.compile(r"^for @(?P<handle>[^:]+): (?P<command>.+)$", re.DOTALL)


def for_asker(person: Person, command: str) -> str:
    """The command of an answer button that only `person` may press."""
    return f"for @{person.handle}: {command}"


def unwrap(team: Team, person: Person, text: str) -> tuple[str, Reply | None]:
    """The command an answer carries, or the refusal when it was someone else's question."""
    match = _MARK.match(text)
    if match is None:
        return text, None
    if match["handle"] == person.handle:
        return match["command"], None
    asker = team.find(match["handle"])
    name = asker.name if asker else match["handle"]
    return "", Reply(title=f"That question was {name}'s to answer; nothing was done.", ok=False)
