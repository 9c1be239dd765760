"""The one composition root: config in, store, router, team and scheduler wired together."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.dispatch import Clock, system_clock
from bot.scheduler.loop import Scheduler
from handlers import roster
from handlers.router import Router
from storage.store import Store


@dataclass
class App:
    """Everything a running Rapport needs, built once."""

    config: Config
    store: Store
    router: Router
    scheduler: Scheduler

    def close(self) -> None:
        self.store.close()


def build(config: Config, clock: Clock = system_clock) -> App:
    """Open the store the config names and wire the conversation and the scheduler over it.

    `rapport run` gives the scheduler its notifiers (bot.run); in
    `rapport chat` it only shows what fell due at the prompt.
    """
    store = Store(config.store_location)
    roster.seed(store, config.team.people, clock().isoformat())
    team = config.team.bound_to(store.people)  # people added in chat are served at once
    return App(config, store, Router(store, team), Scheduler(store, team, clock))
