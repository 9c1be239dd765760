"""The store's refusals, in one place: the engine's (each message meant for a person, naming the
file at fault) and the change unit's (a repeat, an undo that would lose work, points not there)."""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """The store cannot do what was asked; the message says why and where."""


class StoreLocked(StoreError):
    """Another process (or another Database in this one) owns the store folder."""


class StoreCorrupt(StoreError):
    """A store file is damaged; it is left untouched for a person to inspect."""


class AlreadyProcessed(Exception):
    """A platform sent the same message again; the first one's change stands."""

    def __init__(self, entry: dict[str, Any]) -> None:
        super().__init__(entry.get("summary", ""))
        self.entry = entry


class UndoConflict(Exception):
    """What a change wrote has been changed again since, so undoing it would lose work."""


class InsufficientPoints(Exception):
    """Taking the points back would leave the party below zero."""

    def __init__(self, party_id: int, balance: int) -> None:
        super().__init__(f"party {party_id} has only {balance} points")
        self.party_id = party_id
        self.balance = balance
