"""The PostgreSQL engine's command lock: this process's threads, then every worker's.

The outermost `with lock:` of a thread takes the in-process mutex, then a connection whose
transaction holds the database-wide advisory lock and has caught up with the other workers'
changes; the last `with` lets both go. Nested `with` blocks (a command that writes) join it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
Begin = Callable[[], Any]
End = Callable[[Any], None]


class CommandLock:
    """Re-entrant; holds one connection (in `connection`) for the outermost holder."""

    def __init__(self, begin: Begin, end: End, relock: End) -> None:
        self.mutex = threading.RLock()
        self._begin = begin
        self._end = end
        self._relock = relock
        self._depth = 0
        self.connection: Any = None
        self.lost = False  # the lock could not be taken again after a commit

    def __enter__(self) -> CommandLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def acquire(self) -> bool:
        self.mutex.acquire()
        if self._depth == 0:
            self.lost = False
            try:
                self.connection = self._begin()
            except BaseException:
                self.mutex.release()
                raise
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                connection, self.connection = self.connection, None
                self._end(connection)
        finally:
            self.mutex.release()

    def restart(self) -> None:
        """After a commit (or a failed one): hold the lock again while an outer block runs
        (the last release ends whatever is left)."""
        if self._depth > 1 and self.connection is not None:
            try:
                self._relock(self.connection)
            except Exception:  # what was committed stands; the rest of the command may not write
                log.exception("could not take the command lock again after a commit")
                self.lost = True
