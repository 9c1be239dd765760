"""The engine contract both backends keep: documents, ids, transactions, hooks, threads.

Every test here runs on the embedded engine and on PostgreSQL (one parametrised fixture).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from storage.engine.db import Database
from storage.engine.port import Engine
from storage.errors import StoreError
from storage.store import Store, is_database_url
from storage.unit_of_work import Actor

pytestmark = pytest.mark.both_backends
COLLECTIONS = ["parties", "interactions", "audit"]
Opener = Callable[[], Engine]


@pytest.fixture
def open_engine(store_location: str) -> Opener:
    """Opens the test's store with the engine its location names (again on each call)."""

    def opened() -> Engine:
        if is_database_url(store_location):
            from storage.engine.postgres.database import PostgresDatabase

            return PostgresDatabase(store_location, COLLECTIONS, cold=("audit",), resident=5)
        return Database(store_location, COLLECTIONS, cold=("audit",), resident_shards=1,
                        shard_size=5)  # fmt: skip

    return opened


def test_acme_is_still_there_after_close_and_reopen(open_engine: Opener) -> None:
    db = open_engine()
    with db.transaction() as tx:
        acme = tx.insert("parties", {"name": "Acme", "tags": ["vip"], "score": 1.5})
        tx.insert("audit", {"by": "ana", "party": acme})
    db.close()
    db = open_engine()
    assert db.get("parties", acme) == {"name": "Acme", "tags": ["vip"], "score": 1.5}
    assert db.count("parties") == 1
    assert list(db.all("audit")) == [(1, {"by": "ana", "party": acme})]
    assert db.get("parties", 99) is None
    db.close()


def test_ids_grow_and_are_never_reused_even_after_the_newest_is_deleted(
    open_engine: Opener,
) -> None:
    db = open_engine()
    with db.transaction() as tx:
        ids = [tx.insert("parties", {"n": n}) for n in range(3)]
    with db.transaction() as tx:
        tx.delete("parties", ids[-1])
    db.close()
    db = open_engine()
    with db.transaction() as tx:
        assert ids == [1, 2, 3]
        assert tx.insert("parties", {"n": 3}) == 4
        assert tx.insert("interactions", {}) == 1
    db.close()


def test_all_keeps_id_order_and_its_snapshot_while_writes_happen(open_engine: Opener) -> None:
    db = open_engine()
    with db.transaction() as tx:
        for n in range(12):
            tx.insert("parties", {"n": n})
    with db.transaction() as tx:
        tx.delete("parties", 3)
    with db.transaction() as tx:
        tx.put("parties", 3, {"n": "back"})  # an undone delete comes back in its place
    seen = []
    for doc_id, doc in db.all("parties"):
        seen.append(doc_id)
        with db.transaction() as tx:
            tx.insert("parties", {"n": "late"})
            tx.put("parties", doc_id, {"n": "changed"})
        assert doc["n"] != "changed"
    assert seen == list(range(1, 13))
    assert db.count("parties") == 24
    db.close()


def test_a_failed_block_saves_nothing(open_engine: Opener) -> None:
    db = open_engine()
    with db.transaction() as tx:
        tx.insert("parties", {"name": "Acme"})
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.insert("parties", {"name": "Globex"})
        tx.delete("parties", 1)
        raise RuntimeError("the handler failed")
    assert db.count("parties") == 1 and db.get("parties", 1) == {"name": "Acme"}
    db.close()
    db = open_engine()
    assert list(db.all("parties")) == [(1, {"name": "Acme"})]
    db.close()


def test_a_transaction_sees_its_own_writes_and_a_nested_one_joins_it(open_engine: Opener) -> None:
    db = open_engine()
    doc: dict[str, Any] = {"name": "Acme", "tags": ["a"]}
    with db.transaction() as tx:
        acme = tx.insert("parties", doc)
        doc["tags"].append("changed after insert")
        assert tx.get("parties", acme) == {"name": "Acme", "tags": ["a"]}
        assert db.get("parties", acme) is None
        with db.transaction() as inner:
            assert inner is tx
            inner.put("parties", acme, {"name": "Acme Ltd"})
        assert tx.get("parties", acme) == {"name": "Acme Ltd"}
    assert db.get("parties", acme) == {"name": "Acme Ltd"}
    with pytest.raises(StoreError, match="none of it was saved"), db.transaction() as outer:
        outer.insert("parties", {"name": "Globex"})
        with pytest.raises(KeyError), db.transaction():
            raise KeyError("inner failure caught by the caller")
    assert db.count("parties") == 1
    db.close()


def test_bad_names_ids_and_documents_are_refused(open_engine: Opener) -> None:
    db = open_engine()
    with pytest.raises(ValueError, match="unknown collection 'partys'"):
        db.get("partys", 1)
    with db.transaction() as tx:
        with pytest.raises(ValueError):
            tx.insert("nope", {})
        with pytest.raises(ValueError):
            tx.put("parties", 0, {})
        with pytest.raises(TypeError):
            tx.insert("parties", {"when": object()})
    assert db.count("parties") == 0
    db.close()


def test_hooks_get_every_existing_document_then_every_change(open_engine: Opener) -> None:
    db = open_engine()
    with db.transaction() as tx:
        tx.insert("parties", {"name": "Acme"})
    db.close()
    db = open_engine()
    calls: list[tuple[str, int, Any, Any]] = []
    db.on_change("parties", lambda *call: calls.append(call))
    assert calls == [("parties", 1, None, {"name": "Acme"})]
    with db.transaction() as tx:
        tx.put("parties", 1, {"name": "Acme Ltd"})
        globex = tx.insert("parties", {"name": "Globex"})
        tx.insert("audit", {"by": "ana"})
        assert len(calls) == 1
    with db.transaction() as tx:
        tx.delete("parties", globex)
    assert calls[1:] == [
        ("parties", 1, {"name": "Acme"}, {"name": "Acme Ltd"}),
        ("parties", globex, None, {"name": "Globex"}),
        ("parties", globex, {"name": "Globex"}, None),
    ]
    db.close()


def test_a_cold_collection_still_answers_for_its_oldest_documents(open_engine: Opener) -> None:
    db = open_engine()
    for n in range(1, 31):
        with db.transaction() as tx:
            tx.insert("audit", {"n": n})
    db.close()
    db = open_engine()
    seen: list[int] = []
    db.on_change("audit", lambda _c, doc_id, _b, _a: seen.append(doc_id))
    assert seen and seen[-1] == 30 and 1 not in seen  # only the newest are held
    assert db.get("audit", 1) == {"n": 1} and db.get("audit", 30) == {"n": 30}
    assert [doc["n"] for _, doc in db.all("audit")] == list(range(1, 31))
    assert db.count("audit") == 30
    db.close()


def test_eight_threads_writing_at_once_lose_nothing(open_engine: Opener) -> None:
    db = open_engine()
    errors: list[BaseException] = []

    def writer(thread: int) -> None:
        try:
            for n in range(40):
                with db.transaction() as tx:
                    tx.insert("interactions", {"thread": thread, "n": n})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    db.close()
    db = open_engine()
    assert [doc_id for doc_id, _ in db.all("interactions")] == list(range(1, 321))
    db.close()


def test_a_retried_platform_message_is_refused_at_every_change(store_location: str) -> None:
    with Store(store_location) as store:
        actor = Actor("Ana", "slack", "2026-11-25T13:37:00+00:00", message_id="M1")
        with store.change(actor, "Logged a call") as change:
            change.insert("settings", {"key": "cadence", "value": 7})
        with pytest.raises(Exception, match="Logged a call"), store.change(actor, "again") as c:
            c.insert("settings", {"key": "other", "value": 1})
    with Store(store_location) as store:
        assert store.settings.get("cadence") == 7 and store.engine.count("settings") == 1
        assert store.audit.by_message("M1") is not None
