"""Time the store engine at a busy year's size against stock tinydb.

Run by hand: `python benchmarks/store_engine.py [scratch-folder]` (from the repository root).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinydb import TinyDB  # noqa: E402

from storage.db import Database  # noqa: E402

COLLECTIONS = ["parties", "interactions", "audit"]
INTERACTIONS, PARTIES, BATCH = 100_000, 10_000, 1_000


def interaction(n: int) -> dict[str, object]:
    return {
        "party": n % PARTIES + 1,
        "kind": "call",
        "when": "2026-11-24T10:00:00+00:00",
        "by": "ana",
        "note": f"call {n}: talked about the renewal and the late delivery",
        "tags": ["renewal", "q4"],
    }


def party(n: int) -> dict[str, object]:
    return {"name": f"Party {n}", "kind": "customer", "aliases": [f"P{n}"], "tier": "B"}


def progress(label: str, done: int, total: int) -> None:
    filled = 30 * done // total
    sys.stderr.write(
        f"\r{label:<28} [{'#' * filled}{' ' * (30 - filled)}] {100 * done // total:3d}%"
    )
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def build(folder: Path) -> None:
    """Fill a store through the engine, a thousand documents per transaction."""
    plan = [("parties", party, PARTIES), ("interactions", interaction, INTERACTIONS)]
    total, done = PARTIES + INTERACTIONS, 0
    with Database(folder, COLLECTIONS) as db:
        for name, make, count in plan:
            for start in range(0, count, BATCH):
                with db.transaction() as tx:
                    for n in range(start, start + BATCH):
                        tx.insert(name, make(n))
                done += BATCH
                progress("building the store", done, total)


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds per run."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return statistics.median(times), cuts[98]


def measure_engine(folder: Path) -> dict[str, list[float]]:
    start = time.perf_counter()
    db = Database(folder, COLLECTIONS)
    results = {"open the store (100k + 10k docs)": [(time.perf_counter() - start) * 1000]}

    def log_interaction() -> None:
        with db.transaction() as tx:
            doc_id = tx.insert("interactions", interaction(7))
            tx.insert("audit", {"by": "ana", "did": "log", "interaction": doc_id})

    results["durable insert (interaction+audit)"] = timed(log_interaction, 500)
    ids = [random.randint(1, INTERACTIONS) for _ in range(2000)]
    results["get by id"] = timed(lambda: db.get("interactions", ids.pop()), 2000)
    results["full scan of 10k parties"] = timed(lambda: sum(1 for _ in db.all("parties")), 500)
    results["checkpoint after 500 inserts"] = timed(db.checkpoint, 1)
    start = time.perf_counter()
    db.close()
    results["close (nothing to write)"] = [(time.perf_counter() - start) * 1000]
    return results


def measure_stock(folder: Path) -> list[float]:
    """One insert into stock tinydb (JSONStorage) holding 100k documents."""
    path = folder / "stock.json"
    table = {str(n + 1): interaction(n) for n in range(INTERACTIONS)}
    path.write_text(json.dumps({"_default": table}))
    stock = TinyDB(path)
    times = []
    for run in range(20):
        doc = interaction(run)
        times += timed(lambda: stock.insert(doc), 1)  # noqa: B023 - called at once
        progress("stock tinydb inserts", run + 1, 20)
    stock.close()
    return times


def main() -> None:
    scratch = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        build(Path(tmp) / "store")
        results = measure_engine(Path(tmp) / "store")
        results["stock tinydb insert (100k docs)"] = measure_stock(Path(tmp))
    print(f"\n{'operation':<36} {'runs':>5} {'p50 ms':>9} {'p99 ms':>9}")
    for name, times in results.items():
        p50, p99 = percentiles(times) if len(times) > 1 else (times[0], times[0])
        print(f"{name:<36} {len(times):>5} {p50:>9.3f} {p99:>9.3f}")
    ours = statistics.median(results["durable insert (interaction+audit)"])
    stock = statistics.median(results["stock tinydb insert (100k docs)"])
    print(f"\nstock tinydb insert / durable engine insert (p50): {stock / ours:.0f}x")


if __name__ == "__main__":
    main()
