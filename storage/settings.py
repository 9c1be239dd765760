"""Team-wide settings changed in chat (tag cadences) and the scheduler's daily marks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storage.engine.port import Engine

if TYPE_CHECKING:
    from storage.unit_of_work import Change

COLLECTION = "settings"


class SettingsRepository:
    """One document per key: {"key": …, "value": …}, looked up by key."""

    def __init__(self, db: Engine) -> None:
        self._by_key: dict[str, tuple[int, Any]] = {}
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, _doc_id: int, before: Any, after: Any) -> None:
        if before is not None:
            self._by_key.pop(before["key"], None)
        if after is not None:
            self._by_key[after["key"]] = (_doc_id, after["value"])

    def get(self, key: str, default: Any = None) -> Any:
        return self._by_key.get(key, (None, default))[1]

    def id_of(self, key: str) -> int | None:
        return self._by_key.get(key, (None, None))[0]

    def with_prefix(self, prefix: str) -> dict[str, Any]:
        """Every setting whose key starts with `prefix`, by the rest of the key."""
        return {k[len(prefix) :]: v for k, (_, v) in self._by_key.items() if k.startswith(prefix)}


def put_setting(change: Change, settings: SettingsRepository, key: str, value: Any) -> None:
    """Set (or, with None, remove) one setting inside a change."""
    doc_id = settings.id_of(key)
    if value is None:
        if doc_id is not None:
            change.delete(COLLECTION, doc_id)
    elif doc_id is None:
        change.insert(COLLECTION, {"key": key, "value": value})
    else:
        change.put(COLLECTION, doc_id, {"key": key, "value": value})
