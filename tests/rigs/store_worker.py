"""A store writer for the crash tests, run as a subprocess: `python store_worker.py MODE FOLDER`.

write: log an interaction and its audit entry per transaction, printing "ack <id>" after each
commit. pairs: keep writing two documents per transaction (a pair, and a twin counter) for
readers to check. locked: try to open the store and print what happened.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from storage.engine.db import Database  # noqa: E402
from storage.errors import StoreLocked  # noqa: E402

COLLECTIONS = ["interactions", "audit", "pairs", "twins"]


def write(folder: str, tag: str, checkpoint_every: int, shard_size: int) -> None:
    """Commit forever; each acknowledged id is printed once its transaction is durable."""
    db = Database(folder, COLLECTIONS, checkpoint_every=checkpoint_every, shard_size=shard_size)
    while True:
        with db.transaction() as tx:
            doc_id = tx.insert("interactions", {"tag": tag, "note": "called about the renewal"})
            tx.insert("audit", {"tag": tag, "interaction": doc_id})
        print(f"ack {doc_id}", flush=True)


def pairs(folder: str) -> None:
    """Write pairs and bump two twin counters together, checkpointing often."""
    db = Database(folder, COLLECTIONS, checkpoint_every=10, shard_size=8)
    with db.transaction() as tx:
        for twin in (1, 2):
            tx.put("twins", twin, {"v": 0})
    version = 0
    while True:
        version += 1
        with db.transaction() as tx:
            first = tx.insert("pairs", {"half": 0})
            tx.put("pairs", first, {"half": 0, "pair": first})
            tx.insert("pairs", {"half": 1, "pair": first})
            for twin in (1, 2):
                tx.put("twins", twin, {"v": version})
        if version == 1:
            print("ready", flush=True)


def locked(folder: str) -> None:
    """Report whether this second process may open the store."""
    try:
        Database(folder, COLLECTIONS)
    except StoreLocked as exc:
        print(f"locked: {exc}", flush=True)
    else:
        print("opened", flush=True)


if __name__ == "__main__":
    mode, where, *rest = sys.argv[1:]
    if mode == "write":
        write(where, rest[0], int(rest[1]), int(rest[2]))
    elif mode == "pairs":
        pairs(where)
    else:
        locked(where)
