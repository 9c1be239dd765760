"""A collection in memory: a TinyDB whose tables are shards of `shard_size` documents by id."""

from __future__ import annotations

from typing import Any, cast

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

Doc = dict[str, Any]
Shards = dict[str, dict[str, Doc]]
Change = tuple[int, Doc | None, Doc | None]  # id, before, after


class _TrackedShards(dict[str, dict[str, Doc]]):
    """Shard tables by name; remembers which ones tinydb has rewritten since the last save."""

    def __init__(self, shards: Shards) -> None:
        super().__init__(shards)
        self.dirty: set[str] = set()

    def __setitem__(self, name: str, table: dict[str, Doc]) -> None:
        super().__setitem__(name, table)
        self.dirty.add(name)


class ShardStorage(Storage):
    """tinydb storage kept in memory; the store's checkpoint writes only the dirty shards."""

    def __init__(self, shards: Shards) -> None:
        self.shards = _TrackedShards(shards)

    def read(self) -> dict[str, dict[str, Any]]:
        return self.shards

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if data is not self.shards:  # tinydb replaced everything (e.g. drop_tables)
            fresh = _TrackedShards(data)
            fresh.dirty = {*self.shards, *data}
            self.shards = fresh


class ShardedCollection:
    """One collection's documents, sharded by id so that each tinydb write costs O(shard)."""

    def __init__(self, shard_size: int, shards: Shards, dirty: set[str] | None = None) -> None:
        self._size = shard_size
        self._db = TinyDB(shards, storage=ShardStorage)
        self._storage = cast(ShardStorage, self._db.storage)
        self._storage.shards.dirty.update(dirty or ())

    def get(self, doc_id: int) -> Doc | None:
        """The stored document, without taking any lock (shard tables are never edited in place)."""
        shard = self._storage.shards.get(str(doc_id // self._size))
        return None if shard is None else shard.get(str(doc_id))

    def apply(self, changes: list[tuple[int, Doc | None]]) -> list[Change]:
        """Store (or, for None, remove) each document; one tinydb rewrite per touched shard."""
        by_shard: dict[str, list[tuple[int, Doc | None]]] = {}
        for doc_id, doc in changes:
            by_shard.setdefault(str(doc_id // self._size), []).append((doc_id, doc))
        applied: list[Change] = []
        for name, items in by_shard.items():
            before = {doc_id: self.get(doc_id) for doc_id, _ in items}
            table = self._db.table(name)
            present = [doc_id for doc_id, doc in before.items() if doc is not None]
            if present:
                table.remove(doc_ids=present)
            fresh = [Document(doc, doc_id) for doc_id, doc in items if doc is not None]
            if fresh:
                table.insert_multiple(fresh)
            applied.extend((doc_id, before[doc_id], self.get(doc_id)) for doc_id, _ in items)
        return applied

    def shards(self) -> Shards:
        """A snapshot of the shard tables: later writes replace tables, never change them."""
        return dict(self._storage.shards)

    def dirty(self) -> Shards:
        """The shards changed since `mark_clean`, with their current tables (empty if gone)."""
        shards = self._storage.shards
        return {name: shards.get(name, {}) for name in shards.dirty}

    def mark_clean(self) -> None:
        self._storage.shards.dirty.clear()

    def count(self) -> int:
        return sum(len(table) for table in self.shards().values())
