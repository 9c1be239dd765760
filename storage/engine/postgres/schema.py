"""The PostgreSQL schema, as numbered migrations applied once, at start, under an advisory lock.

Tables live in the connection's current schema (`search_path`), so one database can hold
several Rapport stores; the advisory lock keys are scoped by that schema's name too.
"""

from __future__ import annotations

import logging
from typing import Any

from storage.errors import StoreError

log = logging.getLogger(__name__)

# Advisory lock classes (the first key); the second key is hashtext(current_schema()).
COMMAND_LOCK = 0x52A9
MIGRATION_LOCK = 0x52AA
SCOPE = "hashtext(current_schema())"

MIGRATIONS: dict[int, str] = {
    1: """
        CREATE TABLE documents (
            collection text NOT NULL,
            id bigint NOT NULL,
            doc jsonb NOT NULL,
            PRIMARY KEY (collection, id)
        );
        -- a platform's retry reaching another worker is stored once
        CREATE UNIQUE INDEX documents_audit_message_id ON documents ((doc->>'message_id'))
            WHERE collection = 'audit' AND doc->>'message_id' IS NOT NULL;
        CREATE TABLE counters (collection text PRIMARY KEY, next_id bigint NOT NULL);
        -- every committed transaction, in commit order: what each worker tails
        CREATE TABLE changes (
            seq bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            ops jsonb NOT NULL
        );
    """,
}
SCHEMA_VERSION = max(MIGRATIONS)


def migrate(conn: Any) -> int:
    """Bring the schema up to SCHEMA_VERSION (once, however many workers start together)."""
    with conn.transaction():
        conn.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK}, {SCOPE})")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        version = current_version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the database was written by a newer Rapport (schema {version}; this "
                f"version knows up to {SCHEMA_VERSION}); upgrade Rapport to open it"
            )
        for step in range(version + 1, SCHEMA_VERSION + 1):
            log.info("migrating the database to schema %d", step)
            conn.execute(MIGRATIONS[step])
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (step,))
    return SCHEMA_VERSION


def current_version(conn: Any) -> int:
    """The newest applied migration; 0 for a database Rapport never opened."""
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0])
