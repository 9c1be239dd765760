"""Marks of what the scheduler has already announced (a close date, a lapse, a policy failing).

A mark is written in the same change as the notice it stands for, so each alert is queued
exactly once, however often the scheduler restarts or looks again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storage.engine.port import Engine

if TYPE_CHECKING:
    from storage.unit_of_work import Change

COLLECTION = "alerts"


class AlertRepository:
    """The keys already announced, in memory, with the ids of their marks."""

    def __init__(self, db: Engine) -> None:
        self._marks: dict[str, int] = {}
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, before: Any, after: Any) -> None:
        if before is not None:
            self._marks.pop(before["key"], None)
        if after is not None:
            self._marks[after["key"]] = doc_id

    def sent(self, key: str) -> bool:
        return key in self._marks

    def mark(self, change: Change, key: str, at: str) -> None:
        if key not in self._marks:
            change.insert(COLLECTION, {"key": key, "at": at})

    def unmark(self, change: Change, key: str) -> None:
        if key in self._marks:
            change.delete(COLLECTION, self._marks[key])
