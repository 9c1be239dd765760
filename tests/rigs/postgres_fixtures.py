"""Fixtures that run the store on PostgreSQL too: a private server per test session, a fresh
schema per test, and `backend`, which a module marked `both_backends` gets in both kinds.

Without PostgreSQL these tests are skipped, and the summary says so; with
RAPPORT_REQUIRE_POSTGRES=1 (as in .ci/run) a missing PostgreSQL fails them instead.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rigs.postgres_server import PostgresServer, find_bin

BACKENDS = ("embedded", "postgres")
SKIP_REASON = "PostgreSQL is not installed (no pg_ctl found; set RAPPORT_PG_BIN to its folder)"
_schemas = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run the module's store on both engines")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_backends"
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    found = find_bin()
    if found is None:
        if os.environ.get("RAPPORT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{SKIP_REASON}, and RAPPORT_REQUIRE_POSTGRES=1 requires it")
        pytest.skip(SKIP_REASON)
    server = PostgresServer(found).start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """A URL whose tables live in a new, empty schema of the session's database."""
    import psycopg

    schema = f"t{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{postgres_server.url()}?options=-csearch_path%3D{schema}"


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "embedded"))


@pytest.fixture
def store_location(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the test's store lives: a folder, or a PostgreSQL schema."""
    if backend == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "data")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    missing = sum(1 for report in skipped if SKIP_REASON in str(report.longrepr))
    if missing:
        terminalreporter.write_line(
            f"NOTE: {missing} PostgreSQL tests were SKIPPED: {SKIP_REASON}.", yellow=True
        )
