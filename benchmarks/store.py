"""The store at a busy team's size (10,000 parties, 100,000 interactions) against stock tinydb.

Run by hand from the repository root: `python benchmarks/store.py [scratch-folder]`.
Targets: logging an interaction ≤ 10 ms p99, `show` and `find` ≤ 20 ms p99, all durable.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import Results, stock_tinydb_insert, table, timed  # noqa: E402
from bot.progress import ProgressBar  # noqa: E402
from handlers.context import Team  # noqa: E402
from handlers.reply import Message  # noqa: E402
from handlers.router import Router  # noqa: E402
from storage.models import Interaction, Party, Person, to_doc  # noqa: E402
from storage.store import Store  # noqa: E402
from storage.unit_of_work import Actor  # noqa: E402

PARTIES, INTERACTIONS, BATCH, RUNS = 10_000, 100_000, 1_000, 500
NOW = datetime(2026, 11, 25, 13, 37, tzinfo=UTC)
TAGS = [f"tag{n}" for n in range(20)]
ANA = Person("Ana", "rep", "Europe/Berlin")
TEAM = Team(people=(ANA,), timezone="Europe/Berlin")


def party(n: int) -> Party:
    return Party(
        id=0,
        name=f"Party {n:05}",
        roles=("customer",),
        customer_status="active",
        tags=(TAGS[n % 20], TAGS[(n * 7) % 20]),
        fields={"region": "EU"},
    )


def interaction(n: int) -> Interaction:
    at = (NOW - timedelta(minutes=5 * (INTERACTIONS - n))).isoformat()
    return Interaction(
        id=0,
        party_id=n % PARTIES + 1,
        kind="call",
        at=at,
        by="Ana",
        notes=f"call {n}: talked about the renewal and the late delivery",
        channel="slack",
        logged_at=at,
    )


def build(folder: Path) -> None:
    """Fill a store through its change unit, a thousand documents per durable change."""
    actor = Actor("Ana", "terminal", NOW.isoformat())
    plan = [("parties", party, PARTIES), ("interactions", interaction, INTERACTIONS)]
    with Store(folder) as store, ProgressBar(PARTIES + INTERACTIONS, "building the store") as bar:
        for collection, make, count in plan:
            for start in range(0, count, BATCH):
                with store.change(actor, f"bench {collection} {start}") as change:
                    for n in range(start, start + BATCH):
                        change.insert(collection, to_doc(make(n)))
                bar.advance(BATCH)


def measure(folder: Path) -> Results:
    started = time.perf_counter()
    store = Store(folder)
    results: Results = {"open the store": [(time.perf_counter() - started) * 1000]}
    router = Router(store, TEAM)

    def say(text: str) -> None:
        reply = router.handle(Message(ANA, text, "terminal", NOW))
        assert reply.ok, reply.title

    pick = lambda: random.randrange(PARTIES)  # noqa: E731
    results["log (durable, via the router)"] = timed(
        lambda: say(f"log call with Party {pick():05}: benchmark"), RUNS
    )
    results["show (lookup by name)"] = timed(lambda: say(f"show Party {pick():05}"), RUNS)
    results["find by tag"] = timed(lambda: say(f"find customers #{random.choice(TAGS)}"), RUNS)
    results["parties.named (repository)"] = timed(
        lambda: store.parties.named(f"party {pick():05}"), RUNS * 4
    )
    results["get interaction by id (engine)"] = timed(
        lambda: store.engine.get("interactions", random.randint(1, INTERACTIONS)), RUNS * 4
    )
    store.close()
    return results


def main() -> None:
    scratch = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        build(Path(tmp) / "store")
        results = measure(Path(tmp) / "store")
        stock_doc = lambda n: to_doc(interaction(n))  # noqa: E731
        results["stock tinydb insert (100k docs)"] = stock_tinydb_insert(
            Path(tmp), stock_doc, INTERACTIONS
        )
    targets = {"log (durable, via the router)": 10, "show (lookup by name)": 20, "find by tag": 20}
    print("\n" + table(results, targets))
    ours = statistics.median(results["log (durable, via the router)"])
    stock = statistics.median(results["stock tinydb insert (100k docs)"])
    print(f"\nstock tinydb insert / Rapport's durable log (p50): {stock / ours:.0f}x")


if __name__ == "__main__":
    main()
