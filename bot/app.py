"""The one composition root: config in, store, router and team wired together."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from handlers.router import Router
from storage.store import Store


@dataclass
class App:
    """Everything a running Rapport needs, built once."""

    config: Config
    store: Store
    router: Router

    def close(self) -> None:
        self.store.close()


def build(config: Config) -> App:
    """Open the store the config names and wire the conversation over it."""
    store = Store(config.store_path)
    return App(config=config, store=store, router=Router(store, config.team))
