"""What only PostgreSQL has: several workers on one database, migrations, the config's URL."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from bot.config import ConfigError, load_config
from handlers.context import Team
from handlers.router import Router
from storage.engine.postgres import schema as pg_schema
from storage.store import Store
from tests.conftest import Chat
from tests.rigs.cli import rapport


def test_a_change_made_by_one_worker_is_seen_by_the_next_command_of_another(
    pg_url: str, team: Team
) -> None:
    with Store(pg_url) as first, Store(pg_url) as second:
        ana, maria = Chat(Router(first, team), team), Chat(Router(second, team), team)
        assert ana("add customer Acme #vip").ok
        assert "Acme" in maria.text("show Acme", as_="Maria")
        assert maria("log call Acme talked prices", as_="Maria").ok
        assert "talked prices" in ana.text("show Acme")
        assert "already" in ana.text("add customer Acme").lower()  # not a second Acme
        assert len(first.parties.named("Acme")) == len(second.parties.named("Acme")) == 1


def test_two_workers_awarding_at_once_never_lose_an_award(pg_url: str, team: Team) -> None:
    with Store(pg_url) as first, Store(pg_url) as second:
        Chat(Router(first, team), team)("add customer Acme")
        chats = [Chat(Router(s, team), team) for s in (first, second)]
        errors: list[str] = []

        def award(chat: Chat, worker: int) -> None:
            for n in range(15):
                reply = chat(f"award Acme 2 for visit {worker}-{n}", as_="Maria")
                if not reply.ok:
                    errors.append(reply.plain())

        threads = [threading.Thread(target=award, args=(c, i)) for i, c in enumerate(chats)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
    with Store(pg_url) as again:
        acme = again.parties.named("Acme")[0].id
        assert again.ledger.balance(acme) == 60
        ids = [doc_id for doc_id, _ in again.engine.all("ledger")]
        assert ids == list(range(1, 31))


def test_a_retry_reaching_another_worker_is_stored_once(pg_url: str, team: Team) -> None:
    with Store(pg_url) as first, Store(pg_url) as second:
        ana_here = Chat(Router(first, team), team)
        ana_there = Chat(Router(second, team), team)
        assert ana_here("add customer Acme", message_id="slack:M1").ok
        retried = ana_there("add customer Acme", message_id="slack:M1")
        assert retried.title.startswith("Already done")
        assert second.engine.count("parties") == 1
    with psycopg.connect(pg_url) as conn:  # and the database itself refuses a second one
        row = conn.execute("SELECT doc::text FROM documents WHERE collection = 'audit'").fetchone()
        assert row is not None
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO documents VALUES ('audit', 99, %s::jsonb)", (row[0],))


def test_workers_starting_together_apply_the_migrations_once(pg_url: str) -> None:
    opened: list[Store] = []
    failures: list[BaseException] = []

    def start() -> None:
        try:
            opened.append(Store(pg_url))
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and len(opened) == 4
    assert {s.engine.schema_version() for s in opened} == {pg_schema.SCHEMA_VERSION}
    for store in opened:
        store.close()
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [r[0] for r in rows] == list(range(1, pg_schema.SCHEMA_VERSION + 1))


def test_a_newer_schema_is_refused_with_a_reason(pg_url: str) -> None:
    Store(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO schema_migrations (version) VALUES (999)")
    with pytest.raises(Exception, match="newer Rapport"):
        Store(pg_url)


def test_check_and_export_work_on_the_database(pg_url: str, tmp_path: Path) -> None:
    (tmp_path / "rapport.toml").write_text(
        '[store]\nurl = "env:RAPPORT_DATABASE_URL"\n[[people]]\nname = "Ana"\nrole = "rep"\n'
    )
    env = {"RAPPORT_DATABASE_URL": pg_url}
    missing = rapport("check", cwd=tmp_path, env=env)
    assert missing.returncode == 2 and "holds no Rapport store" in missing.stderr
    added = rapport("chat", "--as", "Ana", cwd=tmp_path, env=env, stdin="add customer Acme\n")
    assert added.returncode == 0, added.stderr
    check = rapport("check", cwd=tmp_path, env=env)
    assert check.returncode == 0, check.stderr
    assert f"OK (schema version {pg_schema.SCHEMA_VERSION})" in check.stdout
    assert "postgresql://127.0.0.1" in check.stdout
    (tmp_path / "crm.csv").write_text("Company,Tags\nGlobex,vip\nAcme,renewal\n")
    imported = rapport("import", "customers", "crm.csv", "--as", "Ana", cwd=tmp_path, env=env)
    assert imported.returncode == 0, imported.stderr
    exported = rapport("export", "parties", cwd=tmp_path, env=env)
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert sorted(r["name"] for r in rows) == ["Acme", "Globex"]  # Acme updated, not doubled


def test_the_url_comes_from_the_environment_and_never_holds_a_password(tmp_path: Path) -> None:
    path = tmp_path / "rapport.toml"
    path.write_text('[store]\nurl = "env:DB"\n')
    url = "postgresql://rapport:secret@db.internal:5432/rapport"
    config = load_config(path, {"DB": url})
    assert config.store_location == url and config.health_port == 8080
    path.write_text(f'[store]\nurl = "{url}"\n')
    with pytest.raises(ConfigError, match="store.url: a password never lives in the file"):
        load_config(path, {})
    path.write_text('[store]\nurl = "postgresql://db.internal:5432/rapport"\n[health]\nport = 9\n')
    assert load_config(path, {}).health_port == 9
    path.write_text('[store]\nurl = "mysql://x"\n')
    with pytest.raises(ConfigError, match="postgresql://"):
        load_config(path, {})


def test_migrate_copies_an_embedded_store_exactly_and_refuses_to_copy_twice(
    pg_url: str, tmp_path: Path
) -> None:
    (tmp_path / "rapport.toml").write_text(
        '[store]\npath = "data"\n[[people]]\nname = "Maria"\nrole = "manager"\n'
    )
    lines = [
        "add customer Acme #vip",
        "add supplier GreenPack",
        "log call with Acme: pricing, follow up tomorrow",
        "award Acme 120 for the pilot",
        "remind me tomorrow 9am to call GreenPack",
        "add customer Gone",
        "undo",
    ]
    chat = rapport("chat", "--as", "Maria", cwd=tmp_path, stdin="\n".join(lines) + "\n")
    assert chat.returncode == 0, chat.stderr
    env = {"RAPPORT_DATABASE_URL": pg_url}
    moved = rapport("migrate", "--to", "env:RAPPORT_DATABASE_URL", cwd=tmp_path, env=env)
    assert moved.returncode == 0, moved.stderr
    assert "counts checked" in moved.stdout and "copying" in moved.stderr
    with Store(tmp_path / "data", readonly=True) as embedded, Store(pg_url) as database:
        for name in ("parties", "interactions", "ledger", "reminders", "audit"):
            assert list(database.engine.all(name)) == list(embedded.engine.all(name)), name
            assert database.engine.next_id(name) == embedded.engine.next_id(name), name
        acme = database.parties.named("Acme")[0].id
        assert database.ledger.balance(acme) == 120
        assert database.engine.next_id("parties") == 4  # "Gone" (#3) was undone: 3 stays used
    again = rapport("migrate", "--to", "env:RAPPORT_DATABASE_URL", cwd=tmp_path, env=env)
    assert again.returncode == 2 and "only into an empty one" in again.stderr
    exported = [
        rapport("export", "interactions", *where, cwd=tmp_path, env=env).stdout
        for where in ((), ("--config", str(_url_config(tmp_path))))
    ]
    assert exported[0] == exported[1] and "pricing" in exported[0]


def _url_config(tmp_path: Path) -> Path:
    path = tmp_path / "database.toml"
    path.write_text(
        '[store]\nurl = "env:RAPPORT_DATABASE_URL"\n[[people]]\nname = "Maria"\nrole = "manager"\n'
    )
    return path


def test_a_worker_behind_the_pruned_change_log_reloads_and_answers_right(
    pg_url: str, team: Team
) -> None:
    with Store(pg_url) as writer:
        ana = Chat(Router(writer, team), team)
        ana("add customer Acme")
        behind = Store(pg_url, readonly=True)  # no listener: it follows only when it runs
        try:
            assert [p.name for p in behind.parties.all()] == ["Acme"]
            assert writer.engine.prune(timedelta(0)) > 0  # type: ignore[attr-defined]
            ana("add customer Globex")  # the log continues after the pruned part
            with behind.command():
                assert sorted(p.name for p in behind.parties.all()) == ["Acme", "Globex"]
            ana("rename Acme to Acme Ltd")
            ana("add customer Initech")
            writer.engine.prune(timedelta(0))  # type: ignore[attr-defined]
            with behind.command():  # what it missed is gone from the log: it reloads
                names = sorted(p.name for p in behind.parties.all())
                assert names == ["Acme Ltd", "Globex", "Initech"]
                assert behind.parties.named("Acme")[0].name == "Acme Ltd"  # indexes follow
                assert behind.engine.next_id("parties") == 4
        finally:
            behind.close()
