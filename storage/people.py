"""Per-person settings a person changes in chat (time zone), kept over the config's defaults."""

from __future__ import annotations

from typing import Any

from storage.engine import Engine

COLLECTION = "people"


class PeopleRepository:
    """One settings document per person, looked up by handle."""

    def __init__(self, db: Engine) -> None:
        self._by_handle: dict[str, tuple[int, dict[str, Any]]] = {}
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, before: Any, after: Any) -> None:
        if before is not None:
            self._by_handle.pop(before["handle"], None)
        if after is not None:
            self._by_handle[after["handle"]] = (doc_id, after)

    def settings(self, handle: str) -> tuple[int | None, dict[str, Any]]:
        """The settings document id (None when there is none yet) and its content."""
        doc_id, doc = self._by_handle.get(handle.casefold(), (None, {}))
        return doc_id, doc
