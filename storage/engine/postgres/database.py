"""The PostgreSQL engine: the same documents, hooks and transactions, shared by many workers.

Each worker keeps the documents in memory, as the embedded engine does, and tails the
`changes` table (every committed transaction, in commit order) to keep them and the
repositories' indexes current: at the start of every command, and when LISTEN/NOTIFY (or a
one-second poll) says another worker wrote. A command holds `lock` from start to end: one
PostgreSQL transaction under a transaction-level advisory lock, caught up first, so its reads
and its writes are serialisable across every worker. Writes land in `documents` and
`changes` in one statement, committed before `transaction()` returns.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import orjson
import psycopg
from psycopg import pq

from storage.engine.port import Applied, ChangeHook, allocate_id, notify_hooks, reserve_id
from storage.engine.postgres import schema as pg_schema
from storage.engine.postgres import session as pg_session
from storage.engine.postgres import snapshot as pg_snapshot
from storage.engine.postgres.follow import ChangeListener
from storage.engine.postgres.leadership import AdvisoryLeadership
from storage.engine.postgres.lock import CommandLock
from storage.engine.transaction import Doc, Transaction, joined
from storage.errors import StoreError

log = logging.getLogger(__name__)
KEEP_CHANGES = timedelta(hours=1)  # every live worker follows within seconds
PRUNE_EVERY = 600.0  # seconds between a worker's prunes of the change log
PRUNED = "~pruned"  # the counters row holding the newest pruned seq

# New changes after {seq}; a negative first row says the log was pruned past it.
FOLLOW = (
    "SELECT seq, ops::text FROM changes WHERE seq > {seq} UNION ALL "
    f"SELECT -next_id, NULL FROM counters WHERE collection = '{PRUNED}' "
    "AND next_id > {seq} ORDER BY 1"
)
PRUNE = f"""
WITH gone AS (DELETE FROM changes WHERE at < now() - %s RETURNING seq)
INSERT INTO counters (collection, next_id) SELECT '{PRUNED}', max(seq) FROM gone HAVING count(*) > 0
ON CONFLICT (collection) DO UPDATE SET next_id = greatest(counters.next_id, EXCLUDED.next_id)
RETURNING next_id
"""

WRITE = """
WITH logged AS (INSERT INTO changes (ops) VALUES (%s::jsonb) RETURNING seq, ops),
ops AS (SELECT o.k, o.c, o.i, o.d FROM logged,
        jsonb_to_recordset(logged.ops) AS o(k text, c text, i bigint, d jsonb)),
written AS (INSERT INTO documents (collection, id, doc) SELECT c, i, d FROM ops WHERE k = 'put'
            ON CONFLICT (collection, id) DO UPDATE SET doc = EXCLUDED.doc),
removed AS (DELETE FROM documents USING ops
            WHERE ops.k = 'del' AND documents.collection = ops.c AND documents.id = ops.i),
counted AS (INSERT INTO counters (collection, next_id) SELECT c, max(i) + 1 FROM ops GROUP BY c
            ON CONFLICT (collection) DO UPDATE
            SET next_id = greatest(counters.next_id, EXCLUDED.next_id))
SELECT seq, pg_notify('rapport_changes', %s) FROM logged
"""


class PostgresDatabase:
    """Collections of documents in one PostgreSQL schema, mirrored in this worker's memory.

    Collections named in `cold` hold only their newest `resident` documents in memory; older
    ones are read from the database when asked for (as the embedded engine's cold shards).
    """

    def __init__(
        self,
        url: str,
        collections: Iterable[str],
        *,
        readonly: bool = False,
        cold: Iterable[str] = (),
        resident: int = 3000,
        pool_size: int = 4,
    ) -> None:
        self.url = url
        self.readonly = readonly
        self._names = frozenset(collections)
        self._cold = {name: resident for name in cold}
        self._worker = pg_session.new_worker_id()
        self._hooks: dict[str, list[ChangeHook]] = {}
        self._active: Transaction | None = None
        self._view_lock = threading.Lock()
        self._closed = threading.Event()
        self._pruned_at = time.monotonic()
        self._pool = pg_session.open_pool(url, self._worker, pool_size)
        self.lock = CommandLock(self._begin_command, self._end_command, self._lock_and_catch_up)
        try:
            self._open()
        except BaseException:
            self._pool.close()
            raise
        self._listener: ChangeListener | None = None
        if not readonly:
            self._listener = ChangeListener(url, self._worker, self._follow)
            self._listener.start()

    def _open(self) -> None:
        with self._pool.connection() as conn:
            if self.readonly:
                self._schema = pg_schema.current_version(conn)
                if self._schema == 0:
                    raise StoreError(f"the database {self.describe()} holds no Rapport store")
            else:
                self._schema = pg_schema.migrate(conn)
            self._load(conn)

    def _load(self, conn: psycopg.Connection[Any]) -> None:
        snap = pg_snapshot.load(conn, self._names, self._cold)
        self._seq, self._next_ids = snap.seq, snap.next_ids
        self._docs, self._floor = snap.docs, snap.floor

    # -- reading -----------------------------------------------------------------------

    def get(self, collection: str, doc_id: int) -> Doc | None:
        """The document (shared: callers must not change it), or None."""
        docs = self._collection(collection)
        if doc_id < self._floor.get(collection, 0):
            return pg_snapshot.fetch(self._pool, collection, doc_id)
        return docs.get(doc_id)

    def all(self, collection: str) -> Iterator[tuple[int, Doc]]:
        """Every (id, document) in ascending id, as of this call."""
        docs = self._collection(collection)
        with self._view_lock:
            view = sorted(docs.items())
        if collection in self._cold:
            return self._cold_all(collection, view)
        return iter(view)

    def _cold_all(
        self, collection: str, resident: list[tuple[int, Doc]]
    ) -> Iterator[tuple[int, Doc]]:
        yield from pg_snapshot.below(self._pool, collection, self._floor[collection])
        yield from resident

    def count(self, collection: str) -> int:
        docs = self._collection(collection)
        if collection not in self._cold:
            return len(docs)
        return pg_snapshot.count_below(self._pool, collection, self._floor[collection]) + len(docs)

    def on_change(self, collection: str, hook: ChangeHook) -> None:
        """Call `hook` for every document in memory now, then for every applied change."""
        docs = self._collection(collection)
        with self.lock.mutex:
            self._hooks.setdefault(collection, []).append(hook)
            for doc_id, doc in sorted(docs.items()):
                hook(collection, doc_id, None, doc)

    def next_id(self, collection: str) -> int:
        self._collection(collection)
        return self._next_ids.get(collection, 1)

    def schema_version(self) -> int:
        return self._schema

    def ping(self) -> None:
        if self._closed.is_set():
            raise StoreError(f"the database {self.describe()} is closed")
        try:
            with self._pool.connection(timeout=2) as conn:
                conn.execute("SELECT 1")
        except Exception as error:
            raise StoreError(f"the database {self.describe()} does not answer: {error}") from None

    def describe(self) -> str:
        return pg_session.describe(self.url)

    def worker_id(self) -> str:
        return self._worker

    def is_alive(self, worker: str) -> bool:
        return worker == self._worker or pg_session.is_alive(self._pool, worker)

    def leadership(self, job: int) -> AdvisoryLeadership:
        return AdvisoryLeadership(self.url, job, self._worker)

    # -- writing -----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Commit the block's writes in the command's PostgreSQL transaction, or none of them.

        A transaction opened inside another one (same thread) joins it."""
        if self.readonly:
            raise StoreError(f"the database {self.describe()} was opened read-only")
        with self.lock:
            outer = self._active
            if outer is not None:
                with joined(outer) as tx:
                    yield tx
                return
            tx = self._active = Transaction(self)
            try:
                yield tx
                changes = self._commit(tx)
            finally:
                self._active = None
                tx.closed = True
            self._notify(changes)

    def _commit(self, tx: Transaction) -> list[Applied]:
        if tx.aborted:
            raise StoreError("part of the transaction failed, so none of it was saved")
        if self.lock.lost:
            raise StoreError(f"the database {self.describe()} stopped answering; not saved")
        ops = [op for op in tx._ops() if op[0] != "schema"]
        if not ops:
            return []
        conn = self.lock.connection
        assert conn is not None
        payload = b"[" + b",".join(_encode(op) for op in ops) + b"]"
        try:
            with conn.pipeline():
                written = conn.execute(WRITE, (payload.decode(), self._worker))
                conn.execute("COMMIT")
            row = written.fetchone()
        except psycopg.Error as error:
            self.lock.restart()
            if isinstance(error, psycopg.errors.UniqueViolation):
                raise StoreError("another worker already stored this message") from None
            raise StoreError(f"the database refused the change: {error}") from None
        assert row is not None
        parsed = [(c, i, None if text is None else orjson.loads(text)) for _, c, i, text in ops]
        changes = self._apply(int(row[0]), parsed)
        self.lock.restart()
        return changes

    def _allocate(self, name: str) -> int:
        self._collection(name)
        return allocate_id(self._next_ids, name)

    def _reserve(self, name: str, doc_id: int) -> None:
        self._collection(name)
        reserve_id(self._next_ids, name, doc_id)

    # -- following the other workers ---------------------------------------------------

    def _begin_command(self) -> psycopg.Connection[Any]:
        """A connection in a transaction that holds the command lock, caught up."""
        conn = self._pool.getconn()
        try:
            self._lock_and_catch_up(conn)
        except psycopg.Error as error:
            self._pool.putconn(conn)
            raise StoreError(f"the database {self.describe()} did not answer: {error}") from None
        except BaseException:
            self._pool.putconn(conn)
            raise
        return conn

    def _lock_and_catch_up(self, conn: psycopg.Connection[Any]) -> None:
        if conn.info.transaction_status != pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
        cursor = conn.execute(
            f"BEGIN; SELECT pg_advisory_xact_lock({pg_schema.COMMAND_LOCK}, {pg_schema.SCOPE});"
            + FOLLOW.format(seq=int(self._seq))
        )
        while cursor.nextset():
            pass
        self._replay(cursor.fetchall())

    def _end_command(self, conn: psycopg.Connection[Any] | None) -> None:
        if conn is None:
            return
        try:
            if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                conn.execute("COMMIT")  # nothing pending: this only lets the lock go
        finally:
            self._pool.putconn(conn)

    def _replay(self, rows: list[tuple[int, str]]) -> None:
        """Apply other workers' committed transactions, in their order, and tell the hooks."""
        if rows and rows[0][0] < 0:  # the log was pruned past this worker's position
            self._resync()
            return
        for seq, text in rows:
            parsed = [(op["c"], op["i"], op["d"]) for op in orjson.loads(text)]
            try:
                self._notify(self._apply(seq, parsed))
            except Exception:  # the change is in; an index hook's bug is logged, not fatal
                log.exception("a change hook failed while following change %d", seq)

    def _apply(self, seq: int, ops: list[tuple[str, int, Doc | None]]) -> list[Applied]:
        changes: list[Applied] = []
        with self._view_lock:
            for name, doc_id, doc in ops:
                docs = self._docs.get(name)
                if docs is None:  # a collection a newer version added
                    continue
                reserve_id(self._next_ids, name, doc_id)
                before = docs.pop(doc_id, None) if doc is None else docs.get(doc_id)
                if doc is not None and doc_id >= self._floor.get(name, 0):
                    docs[doc_id] = doc
                changes.append((name, doc_id, before, doc))
            self._seq = max(self._seq, seq)
        return changes

    def _resync(self) -> None:
        """Reload every document and tell the hooks what differs (a worker asleep too long)."""
        log.warning("this worker fell behind the pruned change log; reloading the documents")
        with self._pool.connection() as conn:
            snap = pg_snapshot.load(conn, self._names, self._cold)
        with self._view_lock:
            changes = [
                (name, doc_id, before, after)
                for name, docs in snap.docs.items()
                for doc_id, before, after in pg_snapshot.differences(
                    self._docs[name], docs, name in self._cold
                )
            ]
            for name in self._cold:
                snap.docs[name] = {**self._docs[name], **snap.docs[name]}
                snap.floor[name] = self._floor[name]
            self._docs, self._floor, self._next_ids = snap.docs, snap.floor, snap.next_ids
            self._seq = snap.seq
        with contextlib.suppress(Exception):  # logged by _notify; the documents are current
            self._notify(changes)

    def prune(self, keep: timedelta = KEEP_CHANGES) -> int:
        """Drop change log rows older than `keep` (every worker has long applied them)."""
        with self._pool.connection() as conn:
            row = conn.execute(PRUNE, (keep,)).fetchone()
        return int(row[0]) if row else 0

    def _notify(self, changes: list[Applied]) -> None:
        notify_hooks(self._hooks, changes)

    def _follow(self, conn: psycopg.Connection[Any]) -> None:
        # Writers commit in seq order under the command lock, so what is visible is a prefix.
        if time.monotonic() - self._pruned_at > PRUNE_EVERY:
            self.checkpoint()
        if not self.lock.mutex.acquire(timeout=0.5):
            return  # a command is running here; it catches up itself
        try:
            self._replay(conn.execute(FOLLOW.format(seq=int(self._seq))).fetchall())
        finally:
            self.lock.mutex.release()

    # -- the rest of the engine's surface ------------------------------------------------

    def backup(self, dest: str | os.PathLike[str]) -> None:
        raise StoreError(
            "a PostgreSQL store is backed up with the database's own tools (pg_dump, or your "
            "provider's snapshots); `rapport backup` copies the embedded store"
        )

    def checkpoint(self) -> None:
        """Every commit is already in the database; the change log's old rows are dropped."""
        self.prune()
        self._pruned_at = time.monotonic()

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        if self._listener is not None:
            with self._pool.connection() as conn:
                self._listener.stop(conn)
        self._pool.close()

    def __enter__(self) -> PostgresDatabase:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _collection(self, name: str) -> dict[int, Doc]:
        docs = self._docs.get(name)
        if docs is None:
            raise ValueError(
                f"unknown collection {name!r}; known: {', '.join(sorted(self._names))}"
            )
        return docs


def _encode(op: tuple[str, str, int, bytes | None]) -> bytes:
    kind, collection, doc_id, text = op
    head = orjson.dumps({"k": kind, "c": collection, "i": doc_id})[:-1]
    return head + b',"d":' + (text if text is not None else b"null") + b"}"
