"""Cold collections: only the newest shards in memory, older ones read from their files."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from storage.engine import snapshots
from storage.engine.db import Database
from storage.errors import StoreCorrupt, StoreError
from storage.store import COLLECTIONS as STORE_COLLECTIONS
from storage.store import Store

COLLECTIONS = ["parties", "audit"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "store"


def open_db(folder: Path, **options: Any) -> Database:
    options = {"shard_size": 10, "resident_shards": 2, **options}
    return Database(folder, COLLECTIONS, cold=["audit"], **options)


def entry(n: int) -> dict[str, Any]:
    return {"by": "ana", "n": n}


def fill(folder: Path, count: int = 55, **options: Any) -> None:
    """`count` audit entries (ids 1..count, shards 0..count // 10), checkpointed on close."""
    with open_db(folder, **options) as db, db.transaction() as tx:
        for n in range(1, count + 1):
            tx.insert("audit", entry(n))
        tx.insert("parties", {"name": "Acme"})


def expected(count: int = 55) -> list[tuple[int, dict[str, Any]]]:
    return [(n, entry(n)) for n in range(1, count + 1)]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shard files parsed from now on, as "collection/name"."""
    seen: list[str] = []
    real = snapshots.read_shard

    def read_shard(path: Path, *args: Any) -> Any:
        seen.append(f"{path.parent.name}/{path.stem}")
        return real(path, *args)

    monkeypatch.setattr(snapshots, "read_shard", read_shard)
    return seen


def test_a_checkpoint_evicts_all_but_the_newest_shards(folder: Path) -> None:
    with open_db(folder, checkpoint_every=10_000) as db:
        with db.transaction() as tx:
            for n in range(1, 56):
                tx.insert("audit", entry(n))
            tx.insert("parties", {"name": "Acme"})
        assert db.resident_shards("audit") == [0, 1, 2, 3, 4, 5]
        db.checkpoint()
        assert db.resident_shards("audit") == [4, 5]
        assert db.resident_shards("parties") == [0]  # not cold: everything stays
        assert db.get("audit", 3) == entry(3) and db.get("audit", 55) == entry(55)
        assert db.get("audit", 56) is None and db.get("audit", 999) is None
        assert list(db.all("audit")) == expected()
        assert db.count("audit") == 55
        with db.transaction() as tx:  # appending goes on in memory
            for n in range(56, 71):
                tx.insert("audit", entry(n))
        assert db.resident_shards("audit") == [4, 5, 6, 7]
        assert list(db.all("audit")) == expected(70) and db.count("audit") == 70
        db.checkpoint()
        assert db.resident_shards("audit") == [6, 7]
        assert list(db.all("audit")) == expected(70) and db.count("audit") == 70


def test_with_no_resident_shards_only_the_one_still_filling_stays(folder: Path) -> None:
    with open_db(folder, resident_shards=0) as db:
        with db.transaction() as tx:
            for n in range(1, 56):
                tx.insert("audit", entry(n))
        db.checkpoint()
        assert db.resident_shards("audit") == [5]  # ids 56..59 will still land in shard 5
        with db.transaction() as tx:
            for n in range(56, 60):
                tx.insert("audit", entry(n))
        db.checkpoint()
        assert db.resident_shards("audit") == []
        assert list(db.all("audit")) == expected(59)


def test_a_reopened_store_parses_only_the_newest_shards(folder: Path, reads: list[str]) -> None:
    fill(folder)
    reads.clear()
    with open_db(folder) as db:
        assert sorted(reads) == ["audit/4", "audit/5", "parties/0"]
        assert db.resident_shards("audit") == [4, 5]
        assert db.get("audit", 12) == entry(12)
        assert db.get("audit", 15) == entry(15)  # cached: not read again
        assert reads[3:] == ["audit/1"]
        assert db.count("audit") == 55  # counts the never-read shards by reading them once
        assert db.count("audit") == 55
        reads.clear()
        assert list(db.all("audit")) == expected()
        assert sorted(reads) == ["audit/0", "audit/2", "audit/3"]  # 1 is still cached


def test_a_damaged_old_shard_is_found_when_it_is_read(folder: Path) -> None:
    fill(folder)
    shard = folder / "audit" / "1.json"
    shard.write_bytes(b'{"11": {"by": ')
    with open_db(folder) as db:
        assert db.get("audit", 55) == entry(55)
        with pytest.raises(StoreCorrupt, match=r"audit/1\.json is damaged"):
            db.get("audit", 11)
        with pytest.raises(StoreCorrupt, match=r"audit/1\.json"):
            list(db.all("audit"))
        with pytest.raises(StoreCorrupt, match=r"audit/1\.json"), db.transaction() as tx:
            tx.put("audit", 12, entry(0))
        assert db.get("audit", 55) == entry(55)  # the failed commit changed nothing
    assert shard.read_bytes() == b'{"11": {"by": '


def test_a_write_into_an_evicted_shard_loads_it_back(folder: Path) -> None:
    fill(folder)
    with open_db(folder) as db:
        before = db.all("audit")  # a view from before the write
        with db.transaction() as tx:
            tx.put("audit", 3, {"by": "ana", "n": "three"})
            tx.delete("audit", 4)
        assert db.resident_shards("audit") == [0, 4, 5]
        assert db.get("audit", 3) == {"by": "ana", "n": "three"} and db.get("audit", 4) is None
        db.checkpoint()  # rewrites 0.json, then evicts it again
        assert db.resident_shards("audit") == [4, 5]
        assert list(before) == expected()
        assert db.get("audit", 3) == {"by": "ana", "n": "three"} and db.get("audit", 4) is None
    with open_db(folder) as db:
        docs = dict(db.all("audit"))
        assert docs[3] == {"by": "ana", "n": "three"} and 4 not in docs
        assert db.count("audit") == 54


def test_a_write_into_an_evicted_shard_survives_a_crash(folder: Path) -> None:
    fill(folder)
    db = open_db(folder)
    with db.transaction() as tx:
        tx.put("audit", 13, {"by": "ana", "n": "thirteen"})
        tx.insert("audit", entry(56))
    db._release()  # a crash: the change is only in the journal
    with open_db(folder) as db:
        assert db.resident_shards("audit") == [1, 4, 5]  # replayed into shard 1
        assert db.get("audit", 13) == {"by": "ana", "n": "thirteen"}
        assert db.count("audit") == 56
    with open_db(folder) as db:
        assert db.resident_shards("audit") == [4, 5]
        assert db.get("audit", 13) == {"by": "ana", "n": "thirteen"}


def test_a_backup_holds_the_evicted_shards_too(folder: Path, tmp_path: Path) -> None:
    fill(folder)
    with open_db(folder) as db:
        with db.transaction() as tx:
            tx.insert("audit", entry(56))
        db.backup(tmp_path / "backup")
        assert (tmp_path / "backup" / "audit" / "0.json").read_bytes() == (
            folder / "audit" / "0.json"
        ).read_bytes()
    view = Database.open_readonly(folder, COLLECTIONS, cold=["audit"], resident_shards=1)
    view.backup(tmp_path / "from-view")
    for copy in ("backup", "from-view"):
        with Database(tmp_path / copy, COLLECTIONS) as db:  # opened whole, not cold
            assert list(db.all("audit")) == expected(56)
            assert db.get("parties", 1) == {"name": "Acme"}
            with db.transaction() as tx:
                assert tx.insert("audit", entry(57)) == 57


def test_a_read_only_view_reads_old_shards_as_they_were(folder: Path) -> None:
    fill(folder)
    view = Database.open_readonly(folder, COLLECTIONS, cold=["audit"], resident_shards=2)
    assert view.resident_shards("audit") == [4, 5]
    assert view.get("audit", 7) == entry(7)
    with open_db(folder) as db, db.transaction() as tx:  # the owner rewrites two old shards
        tx.put("audit", 7, {"by": "bo"})
        tx.put("audit", 27, {"by": "bo"})
    assert view.get("audit", 7) == entry(7)  # read (and cached) before the rewrite
    assert view.get("audit", 35) == entry(35)  # shard 3 was not rewritten
    with pytest.raises(StoreError, match=r"audit/2\.json was rewritten after"):
        view.get("audit", 27)
    fresh = Database.open_readonly(folder, COLLECTIONS, cold=["audit"])
    assert fresh.get("audit", 27) == {"by": "bo"} and fresh.count("audit") == 55


def test_hooks_replay_only_the_resident_tail_then_every_change(folder: Path) -> None:
    fill(folder)
    with open_db(folder) as db:
        calls: list[tuple[str, int, Any, Any]] = []
        db.on_change("audit", lambda *call: calls.append(call))
        assert [doc_id for _, doc_id, _, _ in calls] == list(range(40, 56))
        calls.clear()
        with db.transaction() as tx:
            tx.insert("audit", entry(56))
            tx.put("audit", 2, {"by": "bo"})
        assert calls == [
            ("audit", 56, None, entry(56)),
            ("audit", 2, entry(2), {"by": "bo"}),
        ]


def test_old_shards_are_read_safely_from_many_threads_during_writes(folder: Path) -> None:
    fill(folder, 200)
    with open_db(folder, checkpoint_every=5) as db:
        errors: list[BaseException] = []

        def reader(offset: int) -> None:
            try:
                for n in range(300):
                    doc_id = 1 + (offset * 37 + n * 13) % 200
                    assert db.get("audit", doc_id) == entry(doc_id)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        def writer() -> None:
            try:
                for n in range(60):
                    with db.transaction() as tx:
                        tx.insert("audit", entry(201 + n))
                        if n % 10 == 0:  # rewrites an old shard now and then
                            tx.put("audit", 100 + n, entry(100 + n))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=reader, args=(t,)) for t in range(4)]
        threads.append(threading.Thread(target=writer))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert list(db.all("audit")) == expected(260)


def test_the_store_keeps_its_audit_log_cold(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with Database(folder, STORE_COLLECTIONS) as db, db.transaction() as tx:
        for n in range(1, 3501):
            summary = "undo" if n == 3499 else f"change {n}"
            undoes = 3498 if n == 3499 else None
            doc = {"by": "Ana", "summary": summary, "undoes": undoes, "message_id": f"m{n}"}
            tx.insert("audit", {**doc, "changes": []})
    with Store(folder) as store:
        assert store.engine.resident_shards("audit") == [1, 2, 3]
        assert store.audit.get(5) is not None and store.audit.get(5)["summary"] == "change 5"
        assert store.audit.by_message("m3400") == store.audit.get(3400)
        assert store.audit.by_message("m5") is None  # older than the resident tail
        assert store.audit.last_undoable("ana") == 3500
        assert store.audit.is_undone(3498)
        assert sum(1 for _ in store.audit.all()) == 3500
    with Store(folder, readonly=True) as view:
        assert view.engine.resident_shards("audit") == [1, 2, 3]
        assert view.audit.get(1) is not None and view.engine.count("audit") == 3500


def test_cold_options_are_checked(folder: Path) -> None:
    with pytest.raises(ValueError, match="unknown"):
        Database(folder, COLLECTIONS, cold=["audits"])
    with pytest.raises(ValueError, match="negative"):
        Database(folder, COLLECTIONS, cold=["audit"], resident_shards=-1)
