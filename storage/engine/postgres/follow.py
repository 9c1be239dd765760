"""A worker's ear on the database: LISTEN for other workers' commits, poll each second too.

Each wake-up calls `follow(conn)` with the listening connection, which reads the new rows of
`changes`; a NOTIFY from this worker's own commit is ignored (it is applied already).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg

log = logging.getLogger(__name__)
CHANNEL = "rapport_changes"
POLL = 1.0  # seconds between looks even without a NOTIFY (one can be missed on reconnect)

Follow = Callable[[psycopg.Connection[Any]], None]


class ChangeListener:
    """A daemon thread with a connection of its own; `stop()` wakes and ends it."""

    def __init__(self, url: str, worker: str, follow: Follow) -> None:
        self.url = url
        self.worker = worker
        self.follow = follow
        self.closed = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="rapport-pg-listen")
        self._thread.daemon = True

    def start(self) -> None:
        self._thread.start()

    def stop(self, conn: psycopg.Connection[Any]) -> None:
        """Stop, woken at once by a NOTIFY sent on `conn`."""
        self.closed.set()
        conn.execute("SELECT pg_notify(%s, 'closing')", (CHANNEL,))
        self._thread.join(timeout=5)

    def _listen(self) -> None:
        while not self.closed.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._loop(conn)
            except psycopg.Error as error:
                if not self.closed.is_set():
                    log.warning("following the database's changes failed (%s); retrying", error)
                    self.closed.wait(POLL)

    def _loop(self, conn: psycopg.Connection[Any]) -> None:
        while not self.closed.is_set():
            woken = [n.payload for n in conn.notifies(timeout=POLL, stop_after=1)]
            if woken == [self.worker]:
                continue  # our own commit: already applied here
            if not self.closed.is_set():
                self.follow(conn)
