"""A worker's sessions on PostgreSQL: its name, its connection pool, who else is alive."""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from storage.errors import StoreError


def new_worker_id() -> str:
    """This process's name in pg_stat_activity: host, pid and a random tail."""
    return f"rapport-{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def describe(url: str) -> str:
    """The database, without its password."""
    parts = conninfo_to_dict(url)
    where = f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}"
    return f"postgresql://{where}/{parts.get('dbname', '')}"


def open_pool(url: str, worker: str, size: int) -> ConnectionPool:
    """Autocommit sessions named after the worker; StoreError when the database is out of reach."""
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        kwargs={"autocommit": True, "application_name": worker},
        configure=_configure,
        open=False,
    )
    try:
        pool.open(wait=True, timeout=30)
    except Exception as error:  # the pool's timeout names no cause; say where we looked
        pool.close()
        raise StoreError(f"cannot reach the database {describe(url)}: {error}") from None
    return pool


def _configure(conn: psycopg.Connection[Any]) -> None:
    """Every pooled session: a stuck worker cannot hold the command lock for ever."""
    conn.execute("SET lock_timeout = '20s'; SET idle_in_transaction_session_timeout = '5min'")


def is_alive(pool: ConnectionPool, worker: str) -> bool:
    """Whether that worker still has a session on the database (a killed one has none)."""
    if not worker:
        return False
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = %s)",
            (worker,),
        ).fetchone()
    return bool(row and row[0])
