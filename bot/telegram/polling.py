"""Telegram long polling by one worker at a time (Telegram allows one poller per bot).

The worker holding the store's polling leadership polls; the others stand by and try again
every CHECK_EVERY seconds, so when the poller dies another one polls within about 10 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from storage.leadership import Leadership

log = logging.getLogger(__name__)
CHECK_EVERY = 10.0  # seconds: how soon a standing-by worker notices the poller is gone
Action = Callable[[], Awaitable[None]]


class PollingTurn:
    """Starts and stops polling as this worker gains or loses the leadership."""

    def __init__(self, leadership: Leadership, start: Action, stop: Action) -> None:
        self.leadership = leadership
        self._start = start
        self._stop = stop
        self.polling = False
        self._task: asyncio.Task[None] | None = None

    async def begin(self) -> str:
        """Poll now if no other worker does; keep watching either way. Says which."""
        await self._check()
        self._task = asyncio.create_task(self._watch(), name="rapport-polling-turn")
        return "long polling" if self.polling else "long polling by another worker; standing by"

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(CHECK_EVERY)
            try:
                await self._check()
            except Exception:  # a failed start is tried again at the next check
                log.exception("telegram: starting or stopping polling failed")

    async def _check(self) -> None:
        leads = await asyncio.to_thread(self.leadership.try_take)
        if leads and not self.polling:
            await self._start()
            self.polling = True
            log.info("telegram: this worker polls now")
        elif not leads and self.polling:
            self.polling = False
            await self._stop()
            log.warning("telegram: lost the polling turn (database unreachable); standing by")

    async def end(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await asyncio.to_thread(self.leadership.release)
