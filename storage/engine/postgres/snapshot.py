"""Reading the documents table: a worker's starting snapshot, and what memory does not hold.

A cold collection (the audit log) keeps only its newest documents in memory; the older
ones are read here by primary key, page by page, or counted, when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import psycopg
from psycopg_pool import ConnectionPool

from storage.engine.transaction import Doc

PAGE = 2000


@dataclass
class Snapshot:
    """Every document of the warm collections, the newest of the cold ones, as of `seq`."""

    seq: int = 0
    next_ids: dict[str, int] = field(default_factory=dict)
    docs: dict[str, dict[int, Doc]] = field(default_factory=dict)
    floor: dict[str, int] = field(default_factory=dict)  # cold: ids below are not in memory


def load(conn: psycopg.Connection[Any], names: Iterable[str], cold: Mapping[str, int]) -> Snapshot:
    """One repeatable-read snapshot: the documents and the change it reflects."""
    snap = Snapshot(docs={name: {} for name in names})
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        row = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()
        snap.seq = int(row[0]) if row else 0
        rows = conn.execute("SELECT collection, next_id FROM counters").fetchall()
        snap.next_ids = {name: int(next_id) for name, next_id in rows}
        warm = sorted(snap.docs.keys() - cold.keys())
        cursor = conn.cursor(name="rapport_load")
        cursor.itersize = PAGE
        cursor.execute(
            "SELECT collection, id, doc::text FROM documents WHERE collection = ANY(%s) "
            "ORDER BY collection, id",
            (warm,),
        )
        for name, doc_id, text in cursor:
            snap.docs[name][doc_id] = orjson.loads(text)
        cursor.close()
        for name, keep in cold.items():
            newest = conn.execute(
                "SELECT id, doc::text FROM documents WHERE collection = %s "
                "ORDER BY id DESC LIMIT %s",
                (name, keep),
            ).fetchall()
            for doc_id, text in reversed(newest):
                snap.docs[name][doc_id] = orjson.loads(text)
            snap.floor[name] = newest[-1][0] if newest else snap.next_ids.get(name, 1)
    return snap


def fetch(pool: ConnectionPool, collection: str, doc_id: int) -> Doc | None:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT doc::text FROM documents WHERE collection = %s AND id = %s",
            (collection, doc_id),
        ).fetchone()
    return None if row is None else orjson.loads(row[0])


def below(pool: ConnectionPool, collection: str, floor: int) -> Iterator[tuple[int, Doc]]:
    """The documents with ids under `floor`, in id order, a page at a time."""
    after = 0
    while after < floor - 1:
        with pool.connection() as conn:
            rows = conn.execute(
                "SELECT id, doc::text FROM documents WHERE collection = %s AND id > %s "
                "AND id < %s ORDER BY id LIMIT %s",
                (collection, after, floor, PAGE),
            ).fetchall()
        if not rows:
            return
        yield from ((doc_id, orjson.loads(text)) for doc_id, text in rows)
        after = rows[-1][0]


def count_below(pool: ConnectionPool, collection: str, floor: int) -> int:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT count(*) FROM documents WHERE collection = %s AND id < %s",
            (collection, floor),
        ).fetchone()
    return int(row[0]) if row else 0


def differences(
    old: dict[int, Doc], new: dict[int, Doc], cold: bool
) -> list[tuple[int, Doc | None, Doc | None]]:
    """What changed between two views of a collection (of a cold one: only what was added)."""
    if cold:
        newest = max(old, default=0)
        return [(i, None, doc) for i, doc in sorted(new.items()) if i > newest]
    changed = sorted(i for i in old.keys() | new.keys() if old.get(i) != new.get(i))
    return [(i, old.get(i), new.get(i)) for i in changed]
