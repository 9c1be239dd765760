"""`rapport migrate`: an embedded store copied into an empty PostgreSQL database, checked.

The copy is one transaction under the command lock: a worker that starts meanwhile sees all
of it or none. Ids and the next id of every collection are kept, so audit entries, undo and
links between documents stay valid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
import psycopg

from storage.engine.port import Engine
from storage.engine.postgres import schema as pg_schema
from storage.errors import StoreError

Advance = Callable[[int], None]
BATCH = 500


def copy_store(
    source: Engine, collections: Iterable[str], url: str, advance: Advance
) -> dict[str, int]:
    """Copy every document of `source` into the database at `url`; the counts per collection.

    Refuses a database that already holds documents, or that other workers are connected to."""
    names = list(collections)
    expected = {name: source.count(name) for name in names}
    try:
        with psycopg.connect(url, autocommit=True, application_name="rapport-migrate") as conn:
            pg_schema.migrate(conn)
            with conn.transaction():
                conn.execute(
                    f"SELECT pg_advisory_xact_lock({pg_schema.COMMAND_LOCK}, {pg_schema.SCOPE})"
                )
                _refuse_unless_empty(conn)
                for name in names:
                    _copy_collection(conn, name, source, advance)
                _set_counters(conn, names, source)
                copied = _counts(conn)
    except psycopg.Error as error:
        raise StoreError(f"the database refused the copy: {error}") from None
    for name in names:
        if copied.get(name, 0) != expected[name]:
            raise StoreError(
                f"{name}: {expected[name]} documents in the store but {copied.get(name, 0)} "
                "in the database"
            )
    return {name: copied.get(name, 0) for name in names}


def _refuse_unless_empty(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute("SELECT EXISTS (SELECT 1 FROM documents)").fetchone()
    if row and row[0]:
        raise StoreError(
            "the database already holds a Rapport store; migrate only into an empty one"
        )
    workers = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'rapport-%%' "
        "AND application_name <> 'rapport-migrate' AND datname = current_database()"
    ).fetchone()
    if workers and workers[0]:
        raise StoreError(
            f"{workers[0]} Rapport worker session(s) are connected to the database; stop the "
            "workers, migrate, then start them again"
        )


def _copy_collection(
    conn: psycopg.Connection[Any], name: str, source: Engine, advance: Advance
) -> None:
    with conn.cursor().copy("COPY documents (collection, id, doc) FROM STDIN") as copy:
        pending = 0
        for doc_id, doc in source.all(name):
            copy.write_row((name, doc_id, orjson.dumps(doc).decode()))
            pending += 1
            if pending == BATCH:
                advance(pending)
                pending = 0
        advance(pending)


def _set_counters(conn: psycopg.Connection[Any], names: list[str], source: Engine) -> None:
    for name in names:
        conn.execute(
            "INSERT INTO counters (collection, next_id) VALUES (%s, %s)",
            (name, source.next_id(name)),
        )


def _counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    rows = conn.execute("SELECT collection, count(*) FROM documents GROUP BY collection")
    return {name: int(count) for name, count in rows.fetchall()}
