"""The store: the engine, one repository per collection, and `change()`, the one way to write."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from storage.alerts import AlertRepository
from storage.audit import AuditRepository
from storage.contracts import cert_repository, contract_repository
from storage.deals import DealRepository
from storage.deliveries import DeliveryRepository
from storage.engine.db import Database
from storage.engine.port import ChangeHook, CommandScope, Engine
from storage.errors import AlreadyProcessed, UndoConflict
from storage.interactions import InteractionRepository
from storage.leadership import Leadership
from storage.ledger import LedgerRepository
from storage.parties import PartyRepository
from storage.people import PeopleRepository
from storage.ratings import RatingRepository
from storage.reminders import ReminderRepository
from storage.settings import SettingsRepository
from storage.unit_of_work import Actor, Change

COLLECTIONS = (
    "parties",
    "interactions",
    "ledger",
    "ratings",
    "reminders",
    "people",
    "audit",
    "deliveries",
    "settings",
    "deals",
    "contracts",
    "certs",
    "alerts",
)

COLD = ("audit",)
Reverser = Callable[[Change, int, dict[str, Any]], None]


def is_database_url(location: str | os.PathLike[str]) -> bool:
    """Whether a store location names a PostgreSQL database rather than a folder."""
    return str(location).startswith(("postgresql://", "postgres://"))


@contextmanager
def _no_collection_while_loading() -> Iterator[None]:
    """Loading builds millions of objects that live as long as the store; letting the cyclic
    collector rescan them again and again during the load costs a third of the start."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # what was loaded is never rescanned either
        if was_enabled:
            gc.enable()


class Store:
    """Opens a store (a folder, or a PostgreSQL URL) and gives the repositories and the change
    unit over it."""

    _engine: Engine

    def __init__(self, location: str | os.PathLike[str], *, readonly: bool = False) -> None:
        with _no_collection_while_loading():
            self._open(location, readonly)

    def _open(self, location: str | os.PathLike[str], readonly: bool) -> None:
        self.location = str(location)  # opened again as Store(store.location)
        # the audit log is cold: only its newest entries are held in memory
        if is_database_url(location):
            from storage.engine.postgres.database import (
                PostgresDatabase,  # psycopg loads only when used
            )

            self._engine = PostgresDatabase(
                str(location), COLLECTIONS, readonly=readonly, cold=COLD
            )
        elif readonly:
            self._engine = Database.open_readonly(location, COLLECTIONS, cold=COLD)
        else:
            self._engine = Database(location, COLLECTIONS, cold=COLD)
        self.parties = PartyRepository(self._engine)
        self.interactions = InteractionRepository(self._engine)
        self.audit = AuditRepository(self._engine)
        self.people = PeopleRepository(self._engine)
        self.reminders = ReminderRepository(self._engine)
        self.deliveries = DeliveryRepository(self._engine)
        self.settings = SettingsRepository(self._engine)
        self.ledger = LedgerRepository(self._engine)
        self.ratings = RatingRepository(self._engine)
        self.deals = DealRepository(self._engine)
        self.contracts = contract_repository(self._engine)
        self.certs = cert_repository(self._engine)
        self.alerts = AlertRepository(self._engine)
        self.reversers: dict[str, Reverser] = {
            "ledger": self.ledger.reverse,
            "deliveries": self.deliveries.reverse,
        }

    def close(self) -> None:
        self._engine.close()
        gc.unfreeze()  # what the load froze may be collected again

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def change(self, actor: Actor, summary: str, undoes: int | None = None) -> Iterator[Change]:
        """Everything written in the block lands atomically with its audit entry, or nothing."""
        with self._engine.transaction() as tx:
            self.refuse_repeat(actor.message_id)
            change = Change(tx, actor)
            yield change
            if change.changes or undoes is not None:
                change.entry_id = tx.insert("audit", change.audit_entry(summary, undoes))

    @property
    def engine(self) -> Engine:
        """The engine beneath, for the storage layer's own tests and tools. `bot/` and
        `handlers/` use only the repositories, `change()` and the methods below (a test of the
        house rules, tests/test_architecture.py, holds them to it)."""
        return self._engine

    def command(self) -> CommandScope:
        """Held for a whole command (re-entrant, `with store.command():`): its reads and writes
        see one moment of the store, and no other command's change lands in between."""
        return self._engine.lock

    def on_change(self, collection: str, hook: ChangeHook) -> None:
        """Call `hook(collection, id, None, doc)` for every document held now, then
        `hook(collection, id, before, after)` for every change applied from now on."""
        self._engine.on_change(collection, hook)

    def count(self, collection: str) -> int:
        return self._engine.count(collection)

    def describe(self) -> str:
        """Where the store is, for a person: its folder, or its database without the password."""
        return self._engine.describe()

    def schema_version(self) -> int:
        return self._engine.schema_version()

    def ping(self) -> None:
        """Raise StoreError unless the store can take a change now (readiness)."""
        self._engine.ping()

    def backup(self, dest: str | os.PathLike[str]) -> None:
        """A consistent copy of the whole store into the new folder `dest`."""
        self._engine.backup(dest)

    def copy_into(self, url: str, advance: Callable[[int], None]) -> dict[str, int]:
        """Copy every document into the empty PostgreSQL database at `url`, checked; the counts
        per collection (`advance` is told of each batch copied)."""
        from storage.engine.postgres.migrate import copy_store  # psycopg loads only when used

        return copy_store(self._engine, COLLECTIONS, url, advance)

    def worker_id(self) -> str:
        """This process's name among the workers sharing the store."""
        return self._engine.worker_id()

    def is_alive(self, worker: str) -> bool:
        """Whether the worker of that name still holds its session (always, on a folder)."""
        return self._engine.is_alive(worker)

    def leadership(self, job: int) -> Leadership:
        """The right to do `job` (a key of storage.leadership) alone among the workers."""
        return self._engine.leadership(job)

    def refuse_repeat(self, message_id: str | None) -> None:
        """Raise AlreadyProcessed when this platform message already made a change."""
        done = self.audit.by_message(message_id) if message_id else None
        if done is not None:
            raise AlreadyProcessed(done)

    def undo(self, actor: Actor, entry_id: int, summary: str) -> None:
        """Take back an audited change: restore what it replaced, or reverse append-only entries."""
        entry = self.audit.get(entry_id)
        assert entry is not None
        with self.change(actor, summary, undoes=entry_id) as change:
            for item in reversed(entry["changes"]):
                self._undo_one(change, item)

    def _undo_one(self, change: Change, item: dict[str, Any]) -> None:
        coll, doc_id, before, after = item["coll"], item["id"], item["before"], item["after"]
        if coll in self.reversers:
            self.reversers[coll](change, doc_id, after)
            return
        if change.current(coll, doc_id) != after:
            raise UndoConflict(coll)
        if before is None:
            change.delete(coll, doc_id)
        else:
            change.put(coll, doc_id, before)
