"""`rapport run`: every configured platform and the reminder scheduler, on one asyncio loop."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from bot import app as composition
from bot.config import Config, ConfigError
from bot.dispatch import Clock, moment_from, system_clock
from bot.health import Health
from bot.notify import Notifier

log = logging.getLogger(__name__)
QUIET = ("httpx", "httpcore", "telegram", "slack_bolt", "slack_sdk", "aiohttp.access")


class Service(Protocol):
    """Something `rapport run` starts and stops: a platform adapter or the scheduler."""

    async def start(self) -> Any: ...

    async def stop(self) -> None: ...


class Redact(logging.Filter):
    """Blanks out secrets (bot tokens appear in Bot API URLs) in every log line."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if any(secret in text for secret in self.secrets):
            for secret in self.secrets:
                text = text.replace(secret, "***")
            record.msg, record.args = text, None
        return True


def quiet_logging(config: Config) -> None:
    """Our lines at INFO; the HTTP clients' request lines (URLs with the token) held back."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("bot").setLevel(logging.INFO)
    secrets = [
        getattr(section, key, "")
        for section in (config.telegram, config.slack)
        for key in ("token", "secret_token", "bot_token", "app_token", "signing_secret")
    ]
    redact = Redact(secrets)
    stamped = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
        handler.setFormatter(stamped)


def clock_from(now: str | None, zone: str) -> Clock:
    """The system clock, or one that starts at `now` and runs on (for demos and scripted checks)."""
    if not now:
        return system_clock
    try:
        offset = moment_from(now, zone) - datetime.now(UTC)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    return lambda: datetime.now(UTC) + offset


def platforms(app: composition.App, clock: Clock) -> list[tuple[str, Any]]:
    """An adapter for every platform the config has a table for (not started yet)."""
    found: list[tuple[str, Any]] = []
    if app.config.slack is not None:
        from bot.slack.app import build_slack

        found.append(("slack", build_slack(app.config.slack, app.router, clock)))
    if app.config.telegram is not None:
        from bot.telegram.app import TelegramBot

        found.append(("telegram", TelegramBot(app.config.telegram, app.router, clock)))
    if not found:
        raise ConfigError("nothing to serve: the config has no [slack] or [telegram] table")
    return found


def ready_line(name: str, adapter: Any, said: Any) -> str:
    """One line saying a platform is serving, and how."""
    if isinstance(said, str):
        return said
    mode = getattr(getattr(adapter, "settings", None), "mode", "")
    return f"{name}: ready ({mode} mode)" if mode else f"{name}: ready"


async def serve(
    config: Config, clock: Clock = system_clock, stop: asyncio.Event | None = None
) -> None:
    """Start everything, wait for SIGINT/SIGTERM (or `stop`), then stop it all in reverse."""
    stop = stop or asyncio.Event()
    _on_signals(stop.set)
    try:
        await _serve(composition.build(config, clock), clock, stop)
    finally:
        _on_signals(None)
    log.info("stopped; the store is closed")


async def _serve(app: composition.App, clock: Clock, stop: asyncio.Event) -> None:
    started: list[Service] = []
    health = Health(app.store, app.config.health_port) if app.config.health_port else None
    try:
        if health is not None:
            started.append(health)
            log.info("%s", await health.start())
        adapters = platforms(app, clock)
        for name, adapter in adapters:
            started.append(adapter)  # stopped even if its start fails half-way
            said = await adapter.start()
            log.info("%s", ready_line(name, adapter, said))
        notifiers: dict[str, Notifier] = {name: a.notifier for name, a in adapters}
        scheduler = app.scheduler
        for notifier in notifiers.values():
            scheduler.add_notifier(notifier)
        await scheduler.start()
        started.append(scheduler)
        log.info("scheduler: ready, delivering on %s", " and ".join(notifiers))
        if health is not None:
            health.ready()
        await stop.wait()
        log.info("stopping")
    finally:
        await _stop_all(started)  # the scheduler first, then the platforms
        app.close()  # takes the store's lock: a change in progress finishes first


async def _stop_all(started: list[Service]) -> None:
    for service in reversed(started):
        try:
            await service.stop()
        except Exception:  # one platform failing to stop must not keep the store open
            log.exception("stopping %s failed", type(service).__name__)


def _on_signals(callback: Callable[[], None] | None) -> None:
    """Call `callback` on SIGINT or SIGTERM (None: the default handling again)."""
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        if callback is None:
            loop.remove_signal_handler(number)
        else:
            loop.add_signal_handler(number, callback)


def run(config: Config, now: str | None = None) -> int:
    """The `rapport run` command: serve until SIGINT or SIGTERM; 0 after a clean stop."""
    quiet_logging(config)
    clock = clock_from(now, config.team.timezone)
    asyncio.run(serve(config, clock))
    return 0
