"""Opening a year-sized store: time and peak memory, engine alone and with the repositories.

Run by hand from the repository root: `python benchmarks/store_engine.py STORE-FOLDER [engine]`
(one measurement per process, since peak memory cannot be reset). The folder is opened
read-only, so it is left as it is. Targets for the whole app: start ≤ 1.5 s, memory ≤ 500 MB.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.engine.db import Database  # noqa: E402
from storage.store import COLLECTIONS, Store  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, run: object) -> object:
    start = time.perf_counter()
    result = run() if callable(run) else run
    print(f"{label:<34} {time.perf_counter() - start:7.3f} s   peak {peak_mb():6.0f} MB")
    return result


def main(folder: str, engine_only: bool) -> None:
    if engine_only:
        db = timed(
            "open engine (audit cold)",
            lambda: Database.open_readonly(folder, COLLECTIONS, cold=("audit",)),
        )
    else:
        store = timed("open Store (read-only)", lambda: Store(folder, readonly=True))
        assert isinstance(store, Store)
        db = store.engine
    assert isinstance(db, Database)
    print("audit shards in memory:", db.resident_shards("audit"))
    timed("get the first audit entry", lambda: db.get("audit", 1))
    timed("count audit (reads old shards once)", lambda: db.count("audit"))
    timed("all audit, streamed", lambda: sum(1 for _ in db.all("audit")))
    timed("all interactions", lambda: sum(1 for _ in db.all("interactions")))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:] == ["engine"])
