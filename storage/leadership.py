"""Leadership: one worker of many does a job only one may do (Telegram long polling).

On PostgreSQL it is a session-level advisory lock on a connection of its own: held while
that connection lives, released by the database the moment the worker dies, so another
worker's next try takes it over. The embedded store has one process, always the leader.
"""

from __future__ import annotations

from typing import Protocol

# the job keys: advisory lock classes (storage/engine/postgres/schema.py has the others)
TELEGRAM_POLLING = 0x52AB


class Leadership(Protocol):
    def try_take(self) -> bool:
        """Take the leadership if nobody holds it; True while this worker holds it."""
        ...

    def release(self) -> None: ...


class SoleLeader:
    """One process owns the embedded store: it always leads."""

    def try_take(self) -> bool:
        return True

    def release(self) -> None:
        pass
