"""`rapport run`'s health checks for a load balancer or an orchestrator, on `[health] port`.

GET /healthz: 200 while the process serves at all. GET /readyz: 200 once every platform has
started and while the store answers (a PostgreSQL round trip, or the embedded journal is
healthy); 503 with the reason otherwise, so traffic goes to the other workers.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.config import ConfigError
from storage.store import Store

log = logging.getLogger(__name__)
STORE_TIMEOUT = 2.0  # seconds a readiness probe waits for the store


class Health:
    """The two endpoints; `ready()` is called once the platforms and the scheduler run."""

    def __init__(self, store: Store, port: int, host: str = "0.0.0.0") -> None:
        self.store = store
        self.port = port
        self.host = host
        self._ready = False
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as error:
            await self._runner.cleanup()
            raise ConfigError(f"health.port: cannot serve on port {self.port} ({error})") from None
        port = self._runner.addresses[0][1]
        return f"health: /healthz and /readyz on port {port}"

    def ready(self) -> None:
        self._ready = True

    async def stop(self) -> None:
        self._ready = False
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, _request: web.Request) -> web.Response:
        if not self._ready:
            return web.Response(status=503, text="starting\n")
        try:
            await asyncio.wait_for(asyncio.to_thread(self.store.ping), STORE_TIMEOUT)
        except Exception as error:  # any failure means: send traffic elsewhere
            log.warning("readiness: the store does not answer: %s", error)
            return web.Response(status=503, text="store unavailable\n")
        return web.Response(text="ready\n")
