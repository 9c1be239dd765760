"""The store: the engine, one repository per collection, and `change()`, the one way to write."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from storage.alerts import AlertRepository
from storage.audit import AuditRepository
from storage.contracts import cert_repository, contract_repository
from storage.db import Database, Transaction
from storage.deals import DealRepository
from storage.deliveries import DeliveryRepository
from storage.engine import Engine, is_database_url
from storage.interactions import InteractionRepository
from storage.ledger import LedgerRepository
from storage.models import to_doc
from storage.parties import PartyRepository
from storage.people import PeopleRepository
from storage.ratings import RatingRepository
from storage.reminders import ReminderRepository
from storage.settings import SettingsRepository

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
Reverser = Callable[["Change", int, dict[str, Any]], None]


class AlreadyProcessed(Exception):
    """A platform sent the same message again; the first one's change stands."""

    def __init__(self, entry: dict[str, Any]) -> None:
        super().__init__(entry.get("summary", ""))
        self.entry = entry


class UndoConflict(Exception):
    """What a change wrote has been changed again since, so undoing it would lose work."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change, from where, when, and the platform's id of the message."""

    name: str
    channel: str
    at: str
    message_id: str | None = None


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

    db: Engine

    def __init__(self, location: str | os.PathLike[str], *, readonly: bool = False) -> None:
        with _no_collection_while_loading():
            self._open(location, readonly)

    def _open(self, location: str | os.PathLike[str], readonly: bool) -> None:
        self.location = str(location)  # opened again as Store(store.location)
        # the audit log is cold: only its newest entries are held in memory
        if is_database_url(location):
            from storage.postgres import PostgresDatabase  # psycopg loads only when used

            self.db = PostgresDatabase(str(location), COLLECTIONS, readonly=readonly, cold=COLD)
        elif readonly:
            self.db = Database.open_readonly(location, COLLECTIONS, cold=COLD)
        else:
            self.db = Database(location, COLLECTIONS, cold=COLD)
        self.lock = self.db.lock
        self.parties = PartyRepository(self.db)
        self.interactions = InteractionRepository(self.db)
        self.audit = AuditRepository(self.db)
        self.people = PeopleRepository(self.db)
        self.reminders = ReminderRepository(self.db)
        self.deliveries = DeliveryRepository(self.db)
        self.settings = SettingsRepository(self.db)
        self.ledger = LedgerRepository(self.db)
        self.ratings = RatingRepository(self.db)
        self.deals = DealRepository(self.db)
        self.contracts = contract_repository(self.db)
        self.certs = cert_repository(self.db)
        self.alerts = AlertRepository(self.db)
        self.reversers: dict[str, Reverser] = {
            "ledger": self.ledger.reverse,
            "deliveries": self.deliveries.reverse,
        }

    def close(self) -> None:
        self.db.close()
        gc.unfreeze()  # what the load froze may be collected again

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def change(self, actor: Actor, summary: str, undoes: int | None = None) -> Iterator[Change]:
        """Everything written in the block lands atomically with its audit entry, or nothing."""
        with self.db.transaction() as tx:
            self.refuse_repeat(actor.message_id)
            change = Change(tx, actor)
            yield change
            if change.changes or undoes is not None:
                change.entry_id = tx.insert("audit", change.audit_entry(summary, undoes))

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
        if change.tx.get(coll, doc_id) != after:
            raise UndoConflict(coll)
        if before is None:
            change.delete(coll, doc_id)
        else:
            change.put(coll, doc_id, before)


class Change:
    """One person's change in progress: every write is recorded with before and after."""

    def __init__(self, tx: Transaction, actor: Actor) -> None:
        self.tx = tx
        self.actor = actor
        self.changes: list[dict[str, Any]] = []
        self.entry_id: int | None = None

    def add(self, coll: str, obj: Any) -> int:
        """Insert a dataclass (its `id` is ignored) and return the new id."""
        return self.insert(coll, to_doc(obj))

    def insert(self, coll: str, doc: dict[str, Any]) -> int:
        doc_id = self.tx.insert(coll, doc)
        self.changes.append({"coll": coll, "id": doc_id, "before": None, "after": doc})
        return doc_id

    def save(self, coll: str, obj: Any) -> None:
        """Replace the stored document of a dataclass that has an `id`."""
        self.put(coll, obj.id, to_doc(obj))

    def put(self, coll: str, doc_id: int, doc: dict[str, Any]) -> None:
        before = self.tx.get(coll, doc_id)
        self.tx.put(coll, doc_id, doc)
        self.changes.append({"coll": coll, "id": doc_id, "before": before, "after": doc})

    def delete(self, coll: str, doc_id: int) -> None:
        before = self.tx.get(coll, doc_id)
        self.tx.delete(coll, doc_id)
        self.changes.append({"coll": coll, "id": doc_id, "before": before, "after": None})

    def audit_entry(self, summary: str, undoes: int | None) -> dict[str, Any]:
        return {
            "at": self.actor.at,
            "by": self.actor.name,
            "channel": self.actor.channel,
            "message_id": self.actor.message_id,
            "summary": summary,
            "undoes": undoes,
            "changes": self.changes,
        }
