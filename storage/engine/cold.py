"""Cold collections: only the newest shards stay in memory; older ones are read from their files.

A cold collection (the audit log: appended to, hardly ever read back) keeps its newest shards
in memory like any collection. After a checkpoint its older clean shards are evicted, and when
the store opens they are not parsed at all. An evicted shard's file is never rewritten while it
is evicted: a transaction that writes into it first loads it back (`ColdShards.load_back`), and
only a later checkpoint writes it again. So reading an evicted shard's file, at any time, gives
what the shard held when it was evicted (or, for a shard left unparsed at open, when the store
was opened: its file's stamp is checked, in case the owning process rewrote it since).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.engine import snapshots
from storage.engine.snapshots import Stamp

Doc = dict[str, Any]
Shards = dict[str, dict[str, Doc]]


@dataclass(eq=False)
class Evicted:
    """A shard whose documents are only in its file."""

    path: Path
    count: int | None = None  # None until counted (a shard left unparsed at open)
    stamp: Stamp | None = None  # the file as found at open
    # Set when the shard is loaded back for a write: what it held until then, for the views
    # (`Snapshot`) taken before, since its file may be rewritten from now on.
    table: dict[str, Doc] | None = None


class ColdShards:
    """One cold collection's evicted shards, and a small cache of the ones read lately.

    The owner (`ShardedCollection`) changes `evicted` only under the database's view lock;
    reading a file, the cache and `Evicted.table` are guarded by `lock`.
    """

    def __init__(
        self, folder: Path, shard_size: int, lazy: Mapping[str, Stamp], cache_size: int = 4
    ) -> None:
        self.folder = folder
        self.evicted = {name: Evicted(self._path(name), None, s) for name, s in lazy.items()}
        self.lock = threading.Lock()
        self._size = shard_size
        self._cache: OrderedDict[str, dict[str, Doc]] = OrderedDict()
        self._cache_size = cache_size

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def lookup(self, name: str, resident: Mapping[str, dict[str, Doc]]) -> dict[str, Doc] | None:
        """The shard `name` when it is not in `resident`: read (and cached) if evicted."""
        record = self.evicted.get(name)
        if record is None:  # no such shard, or loaded back since the caller looked
            return resident.get(name)
        return self.read(record)

    def read(self, record: Evicted, keep: bool = True) -> dict[str, Doc]:
        """An evicted shard's documents; `keep` puts them in the cache (a lookup, not a scan)."""
        with self.lock:
            return self._read(record, keep)

    def _read(self, record: Evicted, keep: bool) -> dict[str, Doc]:
        if record.table is not None:
            return record.table
        name = record.path.stem
        table = self._cache.get(name)
        if table is not None:
            self._cache.move_to_end(name)
            return table
        table = snapshots.read_shard(record.path, self._size, record.stamp)
        record.count = len(table)
        if keep:
            self._cache[name] = table
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return table

    def count(self, record: Evicted) -> int:
        """How many documents an evicted shard holds (read once if it was never counted)."""
        if record.count is None:
            return len(self.read(record, keep=False))
        return record.count

    def raw(self, record: Evicted) -> bytes:
        """An evicted shard's file content, for a backup."""
        with self.lock:
            if record.table is not None:
                return snapshots.dumps(record.table)
            return snapshots.read_bytes(record.path, record.stamp)

    def evict(self, name: str, table: dict[str, Doc]) -> None:
        """Remember a clean shard (its file holds `table`) that is leaving memory."""
        self.evicted[name] = Evicted(self._path(name), len(table))

    def load_back(self, name: str) -> dict[str, Doc] | None:
        """An evicted shard's documents, to hold in memory again before a write; None if it is
        not evicted. The caller removes it from `evicted` once it is resident."""
        record = self.evicted.get(name)
        if record is None:
            return None
        with self.lock:
            record.table = self._read(record, keep=False)
            self._cache.pop(name, None)
            return record.table


@dataclass
class Snapshot:
    """A collection as of one moment: the resident tables, and the evicted shards to read."""

    resident: Shards
    evicted: dict[str, Evicted]
    cold: ColdShards | None

    def _tables(self) -> Iterator[tuple[str, dict[str, Doc] | Evicted]]:
        for name in sorted({*self.resident, *self.evicted}, key=int):
            table = self.resident.get(name)
            yield name, self.evicted[name] if table is None else table

    def items(self) -> Iterator[tuple[int, Doc]]:
        """Every (id, document), in ascending id (each table's keys are kept in id order)."""
        for _, table in self._tables():
            if isinstance(table, Evicted):
                assert self.cold is not None
                table = self.cold.read(table, keep=False)
            for key, doc in table.items():
                yield int(key), doc

    def count(self) -> int:
        total = sum(map(len, self.resident.values()))
        if self.cold is not None:
            total += sum(self.cold.count(record) for record in self.evicted.values())
        return total

    def shard_files(self) -> Iterator[tuple[str, dict[str, Doc] | bytes]]:
        """Every non-empty shard, for a copy: documents, or an evicted shard's file content."""
        for name, table in self._tables():
            if isinstance(table, Evicted):
                assert self.cold is not None
                if table.count != 0:
                    yield name, self.cold.raw(table)
            elif table:
                yield name, table
