"""The store after crashes, torn writes, damaged files and a full disk, and read-only views."""

from __future__ import annotations

import errno
import logging
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from storage.engine.db import Database
from storage.errors import StoreCorrupt, StoreError

WORKER = Path(__file__).parents[1] / "rigs" / "store_worker.py"
COLLECTIONS = ["interactions", "audit", "pairs", "twins"]


def worker(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def acknowledged(output: bytes) -> list[int]:
    """The ids in complete "ack <id>" lines."""
    lines = output.split(b"\n")[:-1]
    return [int(line.split()[1]) for line in lines if line.startswith(b"ack ")]


def assert_all_present(db: Database, acked: dict[int, str], crashes: int = 1) -> None:
    """Every acknowledged change is there; each crash may add one unacknowledged one."""
    for doc_id, tag in acked.items():
        assert db.get("interactions", doc_id) == {"tag": tag, "note": "called about the renewal"}
    audit = {doc["interaction"] for _, doc in db.all("audit")}
    assert set(acked) <= audit
    ids = [doc_id for doc_id, _ in db.all("interactions")]
    assert ids == sorted(set(ids)) and len(ids) <= len(acked) + crashes


def test_a_writer_killed_at_random_moments_loses_no_acknowledged_change(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    folder = tmp_path / "store"
    acked: dict[int, str] = {}
    for round_no in range(12):
        tag = f"round {round_no} (seed {seed})"
        checkpoint_every, shard_size = ("3", "4") if round_no % 2 else ("2000", "1000")
        proc = worker("write", str(folder), tag, checkpoint_every, shard_size)
        time.sleep(rng.uniform(0.02, 0.4))
        proc.kill()
        out, err = proc.communicate(timeout=30)
        assert b"Traceback" not in err, err.decode()
        acked.update((doc_id, tag) for doc_id in acknowledged(out))
        if not (folder / "state.json").exists():  # killed before the store was created
            assert not acked
            continue
        view = Database.open_readonly(folder, COLLECTIONS)
        assert_all_present(view, acked, round_no + 1)
        if round_no % 3 == 0:
            with Database(folder, COLLECTIONS) as db:
                assert_all_present(db, acked, round_no + 1)
    assert len(acked) > 50, f"the writer barely ran (seed {seed})"


class Crash(BaseException):
    """Stands for the process dying at a sync point."""


def crash_at(
    monkeypatch: pytest.MonkeyPatch, point: int | None, error: type[BaseException] = Crash
) -> list[int]:
    """Make the `point`-th fsync, rename or truncate raise `error`; returns the call counter."""
    calls = [0]
    for name in ("fsync", "replace", "ftruncate"):
        real = getattr(os, name)

        def dying(*args: Any, _real: Any = real) -> Any:
            calls[0] += 1
            if calls[0] == point:
                raise error(errno.EIO, os.strerror(errno.EIO))
            return _real(*args)

        monkeypatch.setattr(os, name, dying)
    return calls


def busy_writer(folder: Path, acked: dict[int, str], **options: Any) -> None:
    db = Database(folder, COLLECTIONS, checkpoint_every=3, shard_size=2, **options)
    try:
        for n in range(8):
            with db.transaction() as tx:
                doc_id = tx.insert("interactions", {"tag": "t", "note": "called about the renewal"})
                tx.insert("audit", {"interaction": doc_id})
                if n % 4 == 3:  # rewrite the previous one, and the first (evicted if cold)
                    for old in (doc_id - 1, 1):
                        tx.put("interactions", old, tx.get("interactions", old) or {})
            acked[doc_id] = "t"
        db.close()
    finally:
        db._release()


@pytest.mark.parametrize("cold", [(), ("interactions", "audit")])
def test_a_crash_at_every_sync_point_loses_no_acknowledged_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cold: tuple[str, ...]
) -> None:
    options: dict[str, Any] = {"cold": cold, "resident_shards": 1}  # cold: old shards evicted
    with monkeypatch.context() as patch:
        calls = crash_at(patch, None)
        busy_writer(tmp_path / "reference", {}, **options)
    assert calls[0] > 30
    for point in range(1, calls[0] + 1):
        folder = tmp_path / str(point)
        acked: dict[int, str] = {}
        with monkeypatch.context() as patch, pytest.raises(Crash):
            crash_at(patch, point)
            busy_writer(folder, acked, **options)
        for _ in range(2):  # recover, write, checkpoint on close, and read that back
            with Database(folder, COLLECTIONS, **options) as db:
                assert_all_present(db, acked)
                with db.transaction() as tx:
                    doc_id = tx.insert(
                        "interactions", {"tag": "after", "note": "called about the renewal"}
                    )
                    tx.insert("audit", {"interaction": doc_id})
                assert doc_id not in acked and doc_id > max(acked, default=0)
                acked[doc_id] = "after"


def test_a_read_only_view_during_writes_and_checkpoints_sees_whole_transactions(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "store"
    proc = worker("pairs", str(folder))
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        sizes = []
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            view = Database.open_readonly(folder, COLLECTIONS)
            halves: dict[int, set[int]] = {}
            for _, doc in view.all("pairs"):
                halves.setdefault(doc["pair"], set()).add(doc["half"])
            assert all(h == {0, 1} for h in halves.values())
            assert view.get("twins", 1) == view.get("twins", 2)
            sizes.append(len(halves))
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert len(sizes) >= 5 and sizes[-1] > sizes[0] > 0


def fill(folder: Path, count: int = 3) -> None:
    with Database(folder, COLLECTIONS) as db:
        for n in range(count):
            with db.transaction() as tx:
                tx.insert("interactions", {"tag": "t", "note": "called about the renewal"})
                tx.insert("audit", {"interaction": n + 1})


def leave_journal(folder: Path, count: int = 3) -> None:
    """Write `count` transactions and crash (no checkpoint), so they live in the journal only."""
    db = Database(folder, COLLECTIONS)
    for n in range(count):
        with db.transaction() as tx:
            tx.insert("interactions", {"tag": "t", "note": "called about the renewal"})
            tx.insert("audit", {"interaction": n + 1})
    db._release()


@pytest.mark.parametrize("tail", [b'1a2b3c4d {"seq":4,"ops":[["put', b"\x00" * 40, b"zz\n"])
def test_a_torn_last_line_is_dropped_with_a_warning(
    tmp_path: Path, tail: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "store"
    leave_journal(folder)
    journal = folder / "journal.log"
    good = journal.read_bytes()
    journal.write_bytes(good + tail)
    with caplog.at_level(logging.WARNING):
        view = Database.open_readonly(folder, COLLECTIONS)
        assert journal.read_bytes() == good + tail
        db = Database(folder, COLLECTIONS)
    assert "incomplete last record" in caplog.text
    assert journal.read_bytes() == good
    assert view.count("interactions") == db.count("interactions") == 3
    with db.transaction() as tx:
        tx.insert("interactions", {"tag": "t", "note": "called about the renewal"})
        tx.insert("audit", {"interaction": 4})
    db._release()
    with Database(folder, COLLECTIONS) as db:
        assert_all_present(db, {n: "t" for n in range(1, 5)})


def test_a_damaged_line_in_the_middle_stops_the_start_and_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    leave_journal(folder)
    journal = folder / "journal.log"
    lines = journal.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"renewal", b"renewaI")
    damaged = b"\n".join(lines)
    journal.write_bytes(damaged)
    with pytest.raises(StoreCorrupt, match=r"journal\.log line 2 is damaged"):
        Database(folder, COLLECTIONS)
    with pytest.raises(StoreCorrupt, match=r"journal\.log line 2"):
        Database.open_readonly(folder, COLLECTIONS)
    assert journal.read_bytes() == damaged
    Database(tmp_path / "elsewhere", COLLECTIONS).close()  # the lock was released


@pytest.mark.parametrize(
    "damage",
    [
        b'{"1": {"tag": ',
        b"[1, 2]",
        b'{"7777": {}}',
        b'{"1": {}, "01": {}}',
        b'{"-1": {}}',
        b'{" 1": {}}',
        b'{"\\u0661": {}}',
        b'{"1": {}, "2": [1]}',
        b'{"1": {}, "": {}}',
        b'{"+1": {}}',
        b'{"1": {}, "1_0": {}}',
        b'{"1": {}, "2 ": {}}',
    ],
)
def test_a_damaged_shard_file_stops_the_start_and_is_left_alone(
    tmp_path: Path, damage: bytes
) -> None:
    folder = tmp_path / "store"
    fill(folder)
    shard = folder / "interactions" / "0.json"
    shard.write_bytes(damage)
    with pytest.raises(StoreCorrupt, match=r"interactions/0\.json"):
        Database(folder, COLLECTIONS)
    assert shard.read_bytes() == damage


def test_a_damaged_state_file_stops_the_start(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    fill(folder)
    (folder / "state.json").write_text('{"schema": 1}')
    with pytest.raises(StoreCorrupt, match=r"state\.json"):
        Database(folder, COLLECTIONS)
    (folder / "state.json").unlink()
    leave_journal(folder, 1)
    (folder / "state.json").unlink()
    with pytest.raises(StoreCorrupt, match=r"state\.json is missing"):
        Database(folder, COLLECTIONS)


def enospc(*_args: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def half_then_enospc(real_write: Any) -> Any:
    def write(fd: int, data: Any) -> int:
        if len(data) > 20:
            return int(real_write(fd, bytes(data[: len(data) // 2])))
        return enospc()

    return write


def once(failing: Any, real: Any) -> Any:
    calls = [0]

    def call(*args: Any) -> Any:
        calls[0] += 1
        return failing(*args) if calls[0] == 1 else real(*args)

    return call


@pytest.mark.parametrize("broken", ["write", "half-write", "fsync"])
def test_a_full_disk_saves_nothing_and_the_store_still_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    folder = tmp_path / "store"
    fill(folder)
    db = Database(folder, COLLECTIONS)
    journal = folder / "journal.log"
    size = journal.stat().st_size
    with monkeypatch.context() as patch:
        if broken == "half-write":
            patch.setattr(os, "write", half_then_enospc(os.write))
        elif broken == "write":
            patch.setattr(os, "write", enospc)
        else:
            patch.setattr(os, "fsync", once(enospc, os.fsync))
        with pytest.raises(StoreError, match="No space left on device"), db.transaction() as tx:
            tx.insert("interactions", {"tag": "lost", "note": "called about the renewal"})
    assert journal.stat().st_size == size
    assert db.count("interactions") == 3 and db.get("interactions", 4) is None
    with db.transaction() as tx:
        assert tx.insert("interactions", {"tag": "t", "note": "called about the renewal"}) == 5
        tx.insert("audit", {"interaction": 5})
    db._release()
    with Database(folder, COLLECTIONS) as db:
        assert_all_present(db, {1: "t", 2: "t", 3: "t", 5: "t"})


def test_a_write_that_cannot_be_undone_stops_further_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "store"
    fill(folder)
    db = Database(folder, COLLECTIONS)
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", half_then_enospc(os.write))
        patch.setattr(os, "ftruncate", enospc)
        with pytest.raises(StoreError), db.transaction() as tx:
            tx.insert("interactions", {"tag": "lost", "note": "called about the renewal"})
    with pytest.raises(StoreError, match="stopped accepting changes"), db.transaction() as tx:
        tx.insert("interactions", {"tag": "t", "note": "called about the renewal"})
    db.close()
    with Database(folder, COLLECTIONS) as db:
        assert_all_present(db, {1: "t", 2: "t", 3: "t"})
        assert db.get("interactions", 4) is None


def test_a_checkpoint_failing_at_any_step_never_loses_a_later_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for point in range(1, 30):
        folder = tmp_path / str(point)
        fill(folder)
        db = Database(folder, COLLECTIONS, shard_size=2)
        with db.transaction() as tx:
            tx.insert("interactions", {"tag": "t", "note": "called about the renewal"})
            tx.insert("audit", {"interaction": 4})
        with monkeypatch.context() as patch:
            calls = crash_at(patch, point, OSError)
            failed = True
            try:
                db.checkpoint()
                failed = False
            except OSError:
                pass
        if not failed:
            assert calls[0] < point
            db._release()
            break
        acked = {n: "t" for n in range(1, 5)}
        try:
            with db.transaction() as tx:
                tx.insert("interactions", {"tag": "t", "note": "called about the renewal"})
                tx.insert("audit", {"interaction": 5})
            acked[5] = "t"
        except StoreError as exc:
            assert "stopped accepting changes" in str(exc)
        db._release()
        with Database(folder, COLLECTIONS) as db:
            assert_all_present(db, acked)
    else:
        pytest.fail("the checkpoint never succeeded")
