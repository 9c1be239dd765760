"""The store engine: documents, transactions, hooks, locking, threads, migrations, backups."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import storage.engine.db as engine
from storage.engine.db import Database
from storage.errors import StoreError, StoreLocked

COLLECTIONS = ["parties", "interactions", "audit"]
WORKER = Path(__file__).parents[1] / "rigs" / "store_worker.py"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "store"


def open_db(folder: Path, **options: Any) -> Database:
    return Database(folder, COLLECTIONS, **options)


def contents(db: Database) -> dict[str, list[tuple[int, Any]]]:
    return {name: list(db.all(name)) for name in COLLECTIONS}


def test_all_is_in_id_order_across_shards_and_after_replacing_a_document(folder: Path) -> None:
    with open_db(folder, shard_size=3) as db:
        with db.transaction() as tx:
            for n in range(10):
                tx.insert("parties", {"n": n})
        with db.transaction() as tx:
            tx.put("parties", 2, {"n": "two"})
        assert [doc_id for doc_id, _ in db.all("parties")] == list(range(1, 11))
        assert db.get("parties", 2) == {"n": "two"}


def test_all_keeps_its_snapshot_while_writes_happen_during_the_iteration(folder: Path) -> None:
    with open_db(folder, shard_size=4) as db:
        with db.transaction() as tx:
            for n in range(20):
                tx.insert("parties", {"n": n})
        seen = []
        for doc_id, doc in db.all("parties"):
            seen.append(doc_id)
            with db.transaction() as tx:
                tx.insert("parties", {"n": "late"})
                tx.put("parties", doc_id, {"n": "changed"})
            assert doc["n"] != "changed"
        assert seen == list(range(1, 21))
        assert db.count("parties") == 40


def test_a_failed_block_saves_nothing_and_journals_nothing(folder: Path) -> None:
    with open_db(folder) as db:
        with db.transaction() as tx:
            tx.insert("parties", {"name": "Acme"})
        size = (folder / "journal.log").stat().st_size
        with pytest.raises(RuntimeError), db.transaction() as tx:
            tx.insert("parties", {"name": "Globex"})
            tx.delete("parties", 1)
            raise RuntimeError("the handler failed")
        assert (folder / "journal.log").stat().st_size == size
        assert db.count("parties") == 1 and db.get("parties", 1) == {"name": "Acme"}


def test_a_transaction_sees_its_own_pending_writes_and_stores_copies(folder: Path) -> None:
    with open_db(folder) as db:
        doc: dict[str, Any] = {"name": "Acme", "tags": ["a"]}
        with db.transaction() as tx:
            acme = tx.insert("parties", doc)
            doc["tags"].append("changed after insert")
            assert tx.get("parties", acme) == {"name": "Acme", "tags": ["a"]}
            assert db.get("parties", acme) is None
            tx.put("parties", acme, {"name": "Acme Ltd"})
            assert tx.get("parties", acme) == {"name": "Acme Ltd"}
            tx.delete("parties", acme)
            assert tx.get("parties", acme) is None
            tx.put("parties", acme, doc)
        doc["name"] = "mutated"
        assert db.get("parties", acme) == {"name": "Acme", "tags": ["a", "changed after insert"]}


def test_a_nested_transaction_joins_the_outer_one(folder: Path) -> None:
    with open_db(folder) as db:
        with db.transaction() as outer:
            with db.transaction() as inner:
                assert inner is outer
                inner.insert("parties", {"name": "Acme"})
            assert db.count("parties") == 0
        assert db.count("parties") == 1
        with pytest.raises(StoreError, match="none of it was saved"), db.transaction() as outer:
            outer.insert("parties", {"name": "Globex"})
            with pytest.raises(KeyError), db.transaction():
                raise KeyError("inner failure caught by the caller")
        assert db.count("parties") == 1


def test_bad_names_ids_and_documents_are_refused(folder: Path) -> None:
    with open_db(folder) as db:
        with pytest.raises(ValueError, match="unknown collection 'partys'"):
            db.get("partys", 1)
        with db.transaction() as tx:
            with pytest.raises(ValueError):
                tx.insert("nope", {})
            with pytest.raises(ValueError):
                tx.put("parties", 0, {})
            with pytest.raises(TypeError):
                tx.insert("parties", {"when": object()})
            with pytest.raises(TypeError):
                tx.insert("parties", ["not", "a", "dict"])  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            Database(folder / "other", ["Bad Name"])


def test_a_failing_hook_does_not_undo_the_saved_change(folder: Path) -> None:
    with open_db(folder) as db:
        seen: list[int] = []

        def broken(_coll: str, _id: int, _before: Any, _after: Any) -> None:
            raise RuntimeError("index bug")

        db.on_change("parties", broken)
        db.on_change("parties", lambda _c, doc_id, _b, _a: seen.append(doc_id))
        with pytest.raises(RuntimeError), db.transaction() as tx:
            tx.insert("parties", {"name": "Acme"})
        assert seen == [1] and db.count("parties") == 1


def test_a_second_database_on_the_same_folder_is_refused(folder: Path) -> None:
    with open_db(folder), pytest.raises(StoreLocked, match=rf"{folder}.*process \d+"):
        open_db(folder)
    with open_db(folder):
        pass


def test_a_second_process_is_refused_with_the_owner_pid(folder: Path) -> None:
    import os

    with open_db(folder):
        run = subprocess.run(
            [sys.executable, str(WORKER), "locked", str(folder)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert run.stdout.startswith("locked:"), run.stderr
    assert str(folder) in run.stdout and f"process {os.getpid()}" in run.stdout


def test_eight_threads_writing_at_once_lose_nothing(folder: Path) -> None:
    with open_db(folder, checkpoint_every=300, shard_size=100) as db:
        errors: list[BaseException] = []
        counts: list[int] = []

        def writer(thread: int) -> None:
            try:
                for n in range(500):
                    with db.transaction() as tx:
                        tx.insert("interactions", {"thread": thread, "n": n})
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        def reader() -> None:
            while any(t.is_alive() for t in threads):
                counts.append(db.count("interactions"))
                assert all(doc["n"] >= 0 for _, doc in db.all("interactions"))
                time.sleep(0.002)  # a busy-looping reader would starve the writers of the GIL

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        reading = threading.Thread(target=reader)
        reading.start()
        for thread in [*threads, reading]:
            thread.join()
        assert not errors
        assert db.count("interactions") == 4000
        assert counts == sorted(counts) and len(counts) > 10
    with open_db(folder) as db:
        ids = [doc_id for doc_id, _ in db.all("interactions")]
        assert ids == list(range(1, 4001))


def test_read_only_view_sees_the_data_but_cannot_write(folder: Path) -> None:
    with open_db(folder) as db:
        with db.transaction() as tx:
            tx.insert("parties", {"name": "Acme"})
        view = Database.open_readonly(folder, COLLECTIONS)
        assert view.readonly and view.get("parties", 1) == {"name": "Acme"}
        with pytest.raises(StoreError, match="read-only"), view.transaction():
            pass
        view.close()
    with pytest.raises(StoreError, match="not a Rapport store"):
        Database.open_readonly(folder.parent / "nothing-here", COLLECTIONS)


def add_region(db: Database) -> None:
    with db.transaction() as tx:
        for doc_id, doc in db.all("parties"):
            tx.put("parties", doc_id, {**doc, "region": "EU"})


def test_a_migration_runs_once_and_bumps_the_schema(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_db(folder) as db, db.transaction() as tx:
        tx.insert("parties", {"name": "Acme"})
    runs: list[int] = []

    def migrate(db: Database) -> None:
        runs.append(db.schema_version())
        add_region(db)

    monkeypatch.setattr(engine, "SCHEMA_VERSION", 2)
    with open_db(folder, migrations={1: migrate}) as db:
        assert db.schema_version() == 2
        assert db.get("parties", 1) == {"name": "Acme", "region": "EU"}
    with open_db(folder, migrations={1: migrate}) as db:
        assert db.schema_version() == 2
    assert runs == [1]
    monkeypatch.setattr(engine, "SCHEMA_VERSION", 1)
    with pytest.raises(StoreError, match="newer Rapport"):
        open_db(folder)
    with pytest.raises(StoreError, match="newer Rapport"):
        Database.open_readonly(folder, COLLECTIONS)
    open_db(folder.parent / "other").close()  # the refused store left no lock behind
    monkeypatch.setattr(engine, "SCHEMA_VERSION", 2)
    open_db(folder).close()


def test_a_migration_survives_a_crash_before_checkpoint(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_db(folder) as db, db.transaction() as tx:
        tx.insert("parties", {"name": "Acme"})
    monkeypatch.setattr(engine, "SCHEMA_VERSION", 2)
    db = open_db(folder, migrations={1: add_region})
    db._release()  # a crash: no checkpoint, the schema bump is only in the journal
    with open_db(folder) as db:
        assert db.schema_version() == 2
        assert db.get("parties", 1) == {"name": "Acme", "region": "EU"}
    with pytest.raises(StoreError, match="no migration"):
        monkeypatch.setattr(engine, "SCHEMA_VERSION", 3)
        open_db(folder)


def test_a_backup_opens_with_identical_content(folder: Path, tmp_path: Path) -> None:
    with open_db(folder, shard_size=5, checkpoint_every=7) as db:
        with db.transaction() as tx:
            for n in range(23):
                tx.insert("interactions", {"n": n})
        with db.transaction() as tx:
            tx.delete("interactions", 3)
            tx.insert("parties", {"name": "Acme"})
        db.backup(tmp_path / "backup")
        with pytest.raises(StoreError, match="not an empty folder"):
            db.backup(tmp_path / "backup")
        expected = contents(db)
    with Database(tmp_path / "backup", COLLECTIONS) as copy:
        assert contents(copy) == expected
        with copy.transaction() as tx:
            assert tx.insert("interactions", {}) == 24
    view = Database.open_readonly(folder, COLLECTIONS)
    view.backup(tmp_path / "from-view")
    with Database(tmp_path / "from-view", COLLECTIONS) as copy:
        assert contents(copy) == expected


def test_a_checkpoint_writes_only_changed_shards_and_starts_a_fresh_journal(folder: Path) -> None:
    with open_db(folder, shard_size=10, checkpoint_every=5) as db:
        with db.transaction() as tx:
            for n in range(30):
                tx.insert("interactions", {"n": n})
        db.checkpoint()
        assert (folder / "journal.log").stat().st_size == 0
        before = {p.name: p.stat().st_mtime_ns for p in (folder / "interactions").iterdir()}
        for n in range(6):
            with db.transaction() as tx:
                tx.put("interactions", 25, {"n": n})
        assert (folder / "journal.log").stat().st_size == 0
        after = {p.name: p.stat().st_mtime_ns for p in (folder / "interactions").iterdir()}
        assert [name for name in after if after[name] != before[name]] == ["2.json"]


def test_documents_are_stored_as_strict_json(folder: Path) -> None:
    with open_db(folder) as db:
        with db.transaction() as tx:
            with pytest.raises(ValueError, match="Out of range float"):
                tx.insert("parties", {"score": [1.0, float("nan")]})
            with pytest.raises(TypeError):
                tx.insert("parties", {"when": datetime.now(UTC)})
            acme = tx.insert("parties", {"name": "Acmé ☕", 7: "seven", "n": 0.1})
        assert db.get("parties", acme) == {"name": "Acmé ☕", "7": "seven", "n": 0.1}
    with open_db(folder) as db:
        assert db.get("parties", acme) == {"name": "Acmé ☕", "7": "seven", "n": 0.1}
    assert "Acmé ☕".encode() in (folder / "parties" / "0.json").read_bytes()


def test_shards_are_written_in_id_order_and_older_unordered_ones_still_load(
    folder: Path,
) -> None:
    with open_db(folder) as db:
        with db.transaction() as tx:
            for n in range(5):
                tx.insert("parties", {"n": n})
        with db.transaction() as tx:
            tx.put("parties", 2, {"n": "two"})
            tx.put("parties", 9, {"n": "nine"})
    shard = folder / "parties" / "0.json"
    assert list(json.loads(shard.read_bytes())) == ["1", "2", "3", "4", "5", "9"]
    # as an earlier version wrote it: ASCII escapes, keys in the order they were changed
    shard.write_text(json.dumps({"3": {"n": "caf\u00e9"}, "1": {"n": 1}, "2": {"n": 2}}))
    with open_db(folder) as db:
        assert list(db.all("parties")) == [(1, {"n": 1}), (2, {"n": 2}), (3, {"n": "café"})]
        with db.transaction() as tx:
            tx.insert("parties", {"n": "last"})
    assert list(json.loads(shard.read_bytes())) == ["1", "2", "3", "10"]
