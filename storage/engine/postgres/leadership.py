"""Leadership on PostgreSQL: a session-level advisory lock on a connection of its own, held
while that connection lives and released by the database the moment the worker dies."""

from __future__ import annotations

import logging
from typing import Any

import psycopg

from storage.engine.postgres.schema import SCOPE

log = logging.getLogger(__name__)


class AdvisoryLeadership:
    """A session advisory lock (`key` within this store's schema) on a dedicated connection."""

    def __init__(self, url: str, key: int, application_name: str) -> None:
        self.url = url
        self.key = key
        self.application_name = application_name
        self._conn: Any = None

    def try_take(self) -> bool:
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
