"""Leadership: one worker of many does a job only one may do (Telegram long polling).

On PostgreSQL it is a session-level advisory lock on a connection of its own: held while
that connection lives, released by the database the moment the worker dies, so another
worker's next try takes it over. The embedded store has one process, always the leader.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)
TELEGRAM_POLLING = 0x52AB  # the job keys (advisory lock classes; see pg_schema for the others)


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


class AdvisoryLeadership:
    """A session advisory lock (`key` within this store's schema) on a dedicated connection."""

    def __init__(self, url: str, key: int, application_name: str) -> None:
        self.url = url
        self.key = key
        self.application_name = application_name
        self._conn: Any = None

    def try_take(self) -> bool:
        import psycopg

        from storage.pg_schema import SCOPE

        try:
            if self._conn is not None:
                self._conn.execute("SELECT 1")  # still ours while this session lives
                return True
            conn = psycopg.connect(
                self.url, autocommit=True, application_name=self.application_name
            )
            row = conn.execute(f"SELECT pg_try_advisory_lock({self.key}, {SCOPE})").fetchone()
            if row and row[0]:
                self._conn = conn
                return True
            conn.close()
        except psycopg.Error as error:
            log.warning("leadership: the database did not answer (%s)", error)
            self.release()
        return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()  # the session's advisory lock goes with it
            except Exception:
                log.exception("leadership: closing its connection failed")
            self._conn = None
