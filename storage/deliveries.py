"""The outbox: durable notices for people of the team, kept until the scheduler delivers them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from storage.engine.port import Engine
from storage.models import from_doc

if TYPE_CHECKING:
    from storage.unit_of_work import Change

COLLECTION = "deliveries"


@dataclass(frozen=True)
class Delivery:
    """One message for one person (`reply` as a document), and how far its sending has got."""

    COLLECTION: ClassVar[str] = COLLECTION

    id: int
    to: str
    reply: dict[str, Any] = field(default_factory=dict)
    kind: str = "notice"  # notice | digest | escalation | flag
    created_at: str = ""
    created_by: str = ""
    sending_at: str | None = None
    sending_by: str = ""  # the worker that set sending_at
    delivered_at: str | None = None
    delivered_ref: str = ""

    @property
    def pending(self) -> bool:
        return self.delivered_at is None


Watcher = Callable[["Delivery | None", "Delivery | None"], None]


class DeliveryRepository:
    """Pending deliveries in memory, by id and by recipient; delivered ones stay on the engine."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self._pending: dict[int, Delivery] = {}
        self._watchers: list[Watcher] = []
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, _before: Any, after: Any) -> None:
        old = self._pending.pop(doc_id, None)
        new = None if after is None else from_doc(Delivery, doc_id, after)
        if new is not None and new.pending:
            self._pending[doc_id] = new
        for watcher in self._watchers:
            watcher(old, new)

    def watch(self, watcher: Watcher) -> None:
        """Call `watcher(before, after)` for every later change (the scheduler's index)."""
        self._watchers.append(watcher)

    def get(self, delivery_id: int) -> Delivery | None:
        found = self._pending.get(delivery_id)
        if found is not None:
            return found
        doc = self._db.get(COLLECTION, delivery_id)
        return None if doc is None else from_doc(Delivery, delivery_id, doc)

    def reverse(self, change: Change, doc_id: int, after: dict[str, Any] | None) -> None:
        """Undoing a change that queued a notice drops it while unsent; a sent one stays sent."""
        current = change.current(COLLECTION, doc_id)
        if after is None or current is None:
            return
        if current.get("sending_at") is None and current.get("delivered_at") is None:
            change.delete(COLLECTION, doc_id)

    def pending(self) -> list[Delivery]:
        """Every undelivered notice, oldest first."""
        return [self._pending[i] for i in sorted(self._pending)]

    def pending_for(self, name: str) -> list[Delivery]:
        key = name.casefold()
        return [d for d in self.pending() if d.to.casefold() == key]
