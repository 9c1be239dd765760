"""A collection in memory: a TinyDB whose tables are shards of `shard_size` documents by id.

Every shard table keeps its keys in ascending id order, so reading in id order needs no sort.
A cold collection holds only some shards here; the others are in `ColdShards`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from storage.engine.cold import ColdShards, Snapshot
from storage.engine.snapshots import in_id_order

Doc = dict[str, Any]
Shards = dict[str, dict[str, Doc]]
Applied = tuple[int, Doc | None, Doc | None]  # id, before, after


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

    def __init__(
        self,
        shard_size: int,
        shards: Shards,
        dirty: set[str] | None = None,
        cold: ColdShards | None = None,
    ) -> None:
        self._size = shard_size
        self._db = TinyDB(shards, storage=ShardStorage)
        self._storage = cast(ShardStorage, self._db.storage)
        self._storage.shards.dirty.update(dirty or ())
        self._cold = cold

    def get(self, doc_id: int) -> Doc | None:
        """The stored document, without taking any lock (shard tables are never edited in place)."""
        name = str(doc_id // self._size)
        shard = self._storage.shards.get(name)
        if shard is None and self._cold is not None:
            shard = self._cold.lookup(name, self._storage.shards)
        return None if shard is None else shard.get(str(doc_id))

    def apply(self, changes: list[tuple[int, Doc | None]]) -> list[Applied]:
        """Store (or, for None, remove) each document; one tinydb rewrite per touched shard."""
        by_shard: dict[str, list[tuple[int, Doc | None]]] = {}
        for doc_id, doc in changes:
            by_shard.setdefault(str(doc_id // self._size), []).append((doc_id, doc))
        self._load_back(by_shard)
        applied: list[Applied] = []
        tables = self._storage.shards
        for name, items in by_shard.items():
            before = {doc_id: self.get(doc_id) for doc_id, _ in items}
            table = self._db.table(name)
            present = [doc_id for doc_id, doc in before.items() if doc is not None]
            if present:
                table.remove(doc_ids=present)
            fresh = [Document(doc, doc_id) for doc_id, doc in items if doc is not None]
            if fresh:
                table.insert_multiple(fresh)
            if name in tables:  # tinydb appends: a replaced or lower id lands at the end
                dict.__setitem__(tables, name, in_id_order(tables[name]))
            applied.extend((doc_id, before[doc_id], self.get(doc_id)) for doc_id, _ in items)
        return applied

    def load_back(self, doc_ids: Iterable[int]) -> None:
        """Hold in memory again the evicted shards of these ids (before writing into them)."""
        if self._cold is not None:
            self._load_back({str(doc_id // self._size) for doc_id in doc_ids})

    def _load_back(self, names: Iterable[str]) -> None:
        if self._cold is None:
            return
        for name in names:
            table = self._cold.load_back(name)
            if table is not None:  # resident first, then not evicted: `get` always finds it
                dict.__setitem__(self._storage.shards, name, table)
                del self._cold.evicted[name]

    def evict(self, keep: int, next_id: int) -> None:
        """Drop from memory every clean shard except the newest `keep` (cold collections only);
        the newest shard also stays while new ids still land in it."""
        if self._cold is None:
            return
        tables = self._storage.shards
        names = sorted({*tables, *self._cold.evicted}, key=int)
        kept = tables.dirty | set(names[max(len(names) - keep, 0) :])
        for name in [name for name in tables if name not in kept]:
            if name == names[-1] and next_id < (int(name) + 1) * self._size:
                continue
            self._cold.evict(name, tables[name])  # evicted first: `get` always finds it
            dict.__delitem__(tables, name)

    def resident_shards(self) -> list[int]:
        """The shards held in memory, by number."""
        return sorted(map(int, self._storage.shards))

    def snapshot(self, resident_only: bool = False) -> Snapshot:
        """The collection now: later writes replace tables, never change them."""
        evicted = {} if self._cold is None or resident_only else dict(self._cold.evicted)
        return Snapshot(dict(self._storage.shards), evicted, self._cold)

    def dirty(self) -> Shards:
        """The shards changed since `mark_clean`, with their current tables (empty if gone)."""
        shards = self._storage.shards
        return {name: shards.get(name, {}) for name in shards.dirty}

    def mark_clean(self) -> None:
        self._storage.shards.dirty.clear()
