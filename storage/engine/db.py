"""The durable document engine: named collections of JSON documents in a folder.

Every transaction is one checksummed journal line, fsync'd before it is applied in memory;
checkpoints write the changed shards and state.json atomically and start a fresh journal.
A cold collection keeps only its newest shards in memory (see storage/engine/cold.py).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import orjson

from storage import private
from storage.engine import journal, locks, snapshots
from storage.engine.cold import ColdShards
from storage.engine.port import Applied, ChangeHook, allocate_id, notify_hooks, reserve_id
from storage.engine.shards import ShardedCollection
from storage.engine.transaction import Doc, Transaction, joined
from storage.errors import StoreError
from storage.leadership import SoleLeader

SCHEMA_VERSION = 1

Migration = Callable[["Database"], None]

log = logging.getLogger(__name__)


class Database:
    """A store folder: collections of documents, durable on commit, owned by one process.

    Collections named in `cold` keep only their newest `resident_shards` shards in memory;
    older ones are read from their files when asked for (`get`, `all`, `count`, `backup`).
    """

    folder: Path
    lock: threading.RLock
    readonly: bool
    _owner_fd: int | None
    _checkpoint_fd: int | None

    def __init__(
        self,
        folder: str | os.PathLike[str],
        collections: Iterable[str],
        *,
        shard_size: int = 1000,
        checkpoint_every: int = 2000,
        migrations: Mapping[int, Migration] | None = None,
        cold: Iterable[str] = (),
        resident_shards: int = 3,
    ) -> None:
        if shard_size < 1:
            raise ValueError("shard_size must be at least 1")
        self._setup(Path(folder), collections, False, checkpoint_every, cold, resident_shards)
        private.make_folder(self.folder, parents=True)
        self._owner_fd = locks.take_owner_lock(self.folder)
        try:
            self._open_writable(shard_size)
            self._migrate(migrations or {})
        except BaseException:
            self._release()
            raise

    @classmethod
    def open_readonly(
        cls,
        folder: str | os.PathLike[str],
        collections: Iterable[str],
        *,
        cold: Iterable[str] = (),
        resident_shards: int = 3,
    ) -> Database:
        """A consistent read-only view, even while another process owns and writes the store.

        (Should the owner rewrite an old shard of a cold collection that this view has not
        read yet, reading it raises StoreError rather than mixing two moments.)
        """
        db = cls.__new__(cls)
        db._setup(Path(folder), collections, True, 0, cold, resident_shards)
        fd = locks.open_checkpoint_lock(db.folder, create=False)
        try:
            with locks.held(fd, shared=True):
                loaded = snapshots.load(db.folder, db._names, db._cold)
        finally:
            if fd is not None:
                os.close(fd)
        if loaded is None:
            raise StoreError(f"{db.folder} is not a Rapport store (it has no {snapshots.STATE})")
        db._install(loaded)
        db._refuse_newer_schema()
        return db

    def _setup(
        self,
        folder: Path,
        collections: Iterable[str],
        readonly: bool,
        checkpoint_every: int,
        cold: Iterable[str],
        resident_shards: int,
    ) -> None:
        self.folder = folder
        self.lock = threading.RLock()
        self.readonly = readonly
        self._names = frozenset(collections)
        for name in self._names:
            if not journal.COLLECTION_NAME.fullmatch(name):
                raise ValueError(f"invalid collection name {name!r} (use a-z, 0-9 and _)")
        # cold collection -> how many of its newest shards to hold in memory
        self._cold = {name: resident_shards for name in cold}
        if not self._cold.keys() <= self._names:
            raise ValueError(f"cold collections {sorted(self._cold.keys() - self._names)} unknown")
        if resident_shards < 0:
            raise ValueError("resident_shards cannot be negative")
        self._checkpoint_every = checkpoint_every
        self._next_checkpoint = checkpoint_every
        self._view_lock = threading.Lock()  # held only while applying a commit or taking a view
        self._hooks: dict[str, list[ChangeHook]] = {}
        self._active: Transaction | None = None
        self._closed = False
        self._owner_fd = self._checkpoint_fd = None
        self._journal: journal.Journal | None = None
        self._worker = f"rapport-{os.getpid()}-{uuid.uuid4().hex[:6]}"

    def _open_writable(self, shard_size: int) -> None:
        self._checkpoint_fd = locks.open_checkpoint_lock(self.folder, create=True)
        with locks.held(self._checkpoint_fd, shared=False):
            snapshots.remove_temp_files(self.folder)
            loaded = snapshots.load(self.folder, self._names, self._cold)
            loaded = loaded or self._create(shard_size)
            journal.drop_torn_tail(self.folder / journal.JOURNAL, loaded.scan)
        self._install(loaded)
        self._journal = journal.Journal(self.folder / journal.JOURNAL, len(loaded.scan.records))

    def _create(self, shard_size: int) -> snapshots.Loaded:
        state = snapshots.State(SCHEMA_VERSION, 0, shard_size)
        snapshots.write_state(self.folder, state)
        journal.fsync_dir(self.folder.parent)
        return snapshots.Loaded(state, 0, {}, journal.Scan())

    def _install(self, loaded: snapshots.Loaded) -> None:
        state = loaded.state
        size = self._shard_size = state.shard_size
        self._schema = state.schema
        self._seq = loaded.seq
        self._next_ids = dict(state.next_ids)
        self._collections = {}
        for name in self._names | loaded.collections.keys():
            lazy = loaded.lazy.get(name, {})
            cold = ColdShards(self.folder / name, size, lazy) if name in self._cold else None
            shards = loaded.collections.get(name, {})
            touched = loaded.touched.get(name)
            self._collections[name] = ShardedCollection(size, shards, touched, cold)

    def _refuse_newer_schema(self) -> None:
        if self._schema > SCHEMA_VERSION:
            raise StoreError(
                f"the store {self.folder} was written by a newer Rapport (schema {self._schema}; "
                f"this version knows up to {SCHEMA_VERSION}); upgrade Rapport to open it"
            )

    def _migrate(self, migrations: Mapping[int, Migration]) -> None:
        self._refuse_newer_schema()
        while self._schema < SCHEMA_VERSION:
            version = self._schema
            step = migrations.get(version)
            if step is None:
                raise StoreError(
                    f"the store {self.folder} has schema {version} and no migration from it"
                )
            log.info("migrating %s from schema %d to %d", self.folder, version, version + 1)
            with self.transaction() as tx:
                step(self)
                tx._schema = version + 1

    def close(self) -> None:
        """Checkpoint (if writable and healthy) and release the locks; idempotent."""
        with self.lock:
            if self._closed:
                return
            try:
                if self._journal is not None and not self._journal.failed:
                    self._last_checkpoint()
            finally:
                self._closed = True
                self._release()

    def _last_checkpoint(self) -> None:
        """The checkpoint at close; a failed one loses nothing, the journal is replayed."""
        try:
            self.checkpoint()
        except OSError as error:
            raise StoreError(
                f"could not write the store's files at close ({error.strerror or error}); "
                "every change is kept in the journal and is replayed at the next start"
            ) from error

    def _release(self) -> None:
        if self._journal is not None:
            self._journal.close()
        for fd in (self._checkpoint_fd, self._owner_fd):
            if fd is not None:
                os.close(fd)
        self._checkpoint_fd = self._owner_fd = None

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def get(self, collection: str, doc_id: int) -> Doc | None:
        """The stored document (shared: callers must not change it), or None."""
        return self._collection(collection).get(doc_id)

    def all(self, collection: str) -> Iterator[tuple[int, Doc]]:
        """Every (id, document) in ascending id, as of this call; later writes don't disturb it.

        A cold collection's evicted shards are read from their files as the iteration reaches
        them, one at a time."""
        coll = self._collection(collection)
        with self._view_lock:
            view = coll.snapshot()
        return view.items()

    def count(self, collection: str) -> int:
        """How many documents; a cold collection's shards never counted are read once."""
        coll = self._collection(collection)
        with self._view_lock:
            view = coll.snapshot()
        return view.count()

    def on_change(self, collection: str, hook: ChangeHook) -> None:
        """Call `hook` for every document in memory now, then for every applied change.

        That is every existing document, except in a cold collection: there the hook sees the
        recent tail (the resident shards) and every change from now on.
        """
        coll = self._collection(collection)
        with self.lock:
            self._hooks.setdefault(collection, []).append(hook)
            with self._view_lock:
                view = coll.snapshot(resident_only=True)
            for doc_id, doc in view.items():
                hook(collection, doc_id, None, doc)

    def resident_shards(self, collection: str) -> list[int]:
        """The numbers of the collection's shards held in memory (all of them unless cold)."""
        coll = self._collection(collection)
        with self._view_lock:
            return coll.resident_shards()

    def next_id(self, collection: str) -> int:
        self._collection(collection)
        return self._next_ids.get(collection, 1)

    def schema_version(self) -> int:
        return self._schema

    def describe(self) -> str:
        return str(self.folder)

    def ping(self) -> None:
        self._check_writable()

    def leadership(self, job: int) -> SoleLeader:
        return SoleLeader()

    def worker_id(self) -> str:
        """This opening of the store (the folder has one owner at a time)."""
        return self._worker

    def is_alive(self, worker: str) -> bool:
        """Only the owner writes: any other worker named in the store is a process gone."""
        return worker == self.worker_id()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Hold the lock for the block; commit durably on normal exit, drop everything if not.

        A transaction opened inside another one (same thread) joins it.
        """
        with self.lock:
            outer = self._active
            if outer is not None:
                with joined(outer) as tx:
                    yield tx
                return
            self._check_writable()
            tx = self._active = Transaction(self)
            try:
                yield tx
                changes = self._commit(tx)
            finally:
                self._active = None
                tx.closed = True
            self._notify(changes)
            self._maybe_checkpoint()

    def _check_writable(self) -> None:
        if self.readonly:
            raise StoreError(f"the store {self.folder} was opened read-only")
        if self._closed or self._journal is None:
            raise StoreError(f"the store {self.folder} is closed")
        if self._journal.failed:
            raise StoreError(self._journal.failed)

    def _commit(self, tx: Transaction) -> list[Applied]:
        if tx.aborted:
            raise StoreError("part of the transaction failed, so none of it was saved")
        ops = tx._ops()
        if not ops or self._journal is None:
            return []
        parsed = [
            (kind, coll, i, None if text is None else orjson.loads(text))
            for kind, coll, i, text in ops
        ]
        self._load_back(ops)
        seq = self._seq + 1
        self._journal.append(journal.encode(seq, ops))
        try:
            return self._apply(seq, parsed)
        except Exception as exc:
            self._journal.failed = (
                f"the store {self.folder} stopped accepting changes: a saved change could not "
                f"be applied in memory ({exc!r}); restart to recover"
            )
            raise

    def _load_back(self, ops: list[journal.Op]) -> None:
        """Bring back into memory the evicted shards this commit writes into (before it is
        journaled, so that a file that cannot be read fails the commit cleanly)."""
        wanted: dict[str, list[int]] = {}
        for kind, name, doc_id, _ in ops:
            if kind != "schema" and name in self._cold:
                wanted.setdefault(name, []).append(doc_id)
        if wanted:
            with self._view_lock:
                for name, ids in wanted.items():
                    self._collections[name].load_back(ids)

    def _apply(self, seq: int, ops: list[tuple[str, str, int, Doc | None]]) -> list[Applied]:
        by_collection: dict[str, list[tuple[int, Doc | None]]] = {}
        for kind, name, doc_id, doc in ops:
            if kind == "schema":
                self._schema = doc_id
            else:
                by_collection.setdefault(name, []).append((doc_id, doc))
        changes: list[Applied] = []
        with self._view_lock:
            for name, items in by_collection.items():
                applied = self._collections[name].apply(items)
                changes.extend((name, doc_id, before, after) for doc_id, before, after in applied)
            self._seq = seq
        return changes

    def _notify(self, changes: list[Applied]) -> None:
        notify_hooks(self._hooks, changes)

    def _maybe_checkpoint(self) -> None:
        if self._journal is None or self._journal.records <= self._next_checkpoint:
            return
        try:
            self.checkpoint()
        except (OSError, StoreError) as exc:
            log.error(
                "checkpoint of %s failed; the journal still holds every change: %s",
                self.folder,
                exc,
            )
            self._next_checkpoint = self._journal.records + self._checkpoint_every

    def checkpoint(self) -> None:
        """Write the changed shards and state.json atomically, then start a fresh journal."""
        with self.lock:
            self._check_writable()
            assert self._journal is not None
            dirty = {name: coll.dirty() for name, coll in self._collections.items()}
            if not self._journal.records and not any(dirty.values()):
                return
            with locks.held(self._checkpoint_fd, shared=False):
                for name, shards in dirty.items():
                    if shards:
                        snapshots.write_shards(self.folder / name, shards.items())
                snapshots.write_state(self.folder, self._state())
                self._journal.reset()
            for coll in self._collections.values():
                coll.mark_clean()
            self._next_checkpoint = self._checkpoint_every
            with self._view_lock:
                for name, keep in self._cold.items():
                    self._collections[name].evict(keep, self._next_ids.get(name, 1))

    def _state(self) -> snapshots.State:
        return snapshots.State(self._schema, self._seq, self._shard_size, dict(self._next_ids))

    def backup(self, dest: str | os.PathLike[str]) -> None:
        """Write a consistent, compacted copy of the store into a new or empty folder.

        A cold collection's evicted shards are copied from their files."""
        target = Path(dest)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise StoreError(f"cannot back up into {target}: it is not an empty folder")
        with self._view_lock:
            state = self._state()
            views = {name: coll.snapshot() for name, coll in self._collections.items()}
        snapshots.write_copy(target, state, {n: v.shard_files() for n, v in views.items()})

    def _collection(self, name: str) -> ShardedCollection:
        if name not in self._names:
            raise ValueError(
                f"unknown collection {name!r}; known: {', '.join(sorted(self._names))}"
            )
        return self._collections[name]

    def _allocate(self, name: str) -> int:
        self._collection(name)
        return allocate_id(self._next_ids, name)

    def _reserve(self, name: str, doc_id: int) -> None:
        self._collection(name)
        reserve_id(self._next_ids, name, doc_id)
