"""Time the scheduler's index with 20,000 open reminders: what is due, and when to wake next.

Run by hand: `python benchmarks/scheduler.py [scratch-folder]` (from the repository root).
Target: finding the due reminders and the next wake-up in at most 1 ms.
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import table, timed  # noqa: E402
from bot.notify import RecordingNotifier  # noqa: E402
from bot.progress import ProgressBar  # noqa: E402
from bot.scheduler.loop import Scheduler  # noqa: E402
from handlers.context import Team  # noqa: E402
from storage.contracts import Certificate, Contract  # noqa: E402
from storage.deals import Deal  # noqa: E402
from storage.models import Person, to_doc  # noqa: E402
from storage.reminders import Reminder  # noqa: E402
from storage.store import Store  # noqa: E402
from storage.unit_of_work import Actor  # noqa: E402

REMINDERS, BATCH, RUNS, DUE_AT_ONCE = 20_000, 1_000, 2_000, 10
DEALS, CONTRACTS, CERTS = 5_000, 2_000, 3_000
NOW = datetime(2026, 11, 25, 13, 37, tzinfo=UTC)
PEOPLE = tuple(
    Person(f"rep{n}", "rep", "Europe/Berlin", slack=f"U{n}", manager="boss") for n in range(40)
)
TEAM = Team(people=(*PEOPLE, Person("boss", "manager", "Europe/Berlin", slack="U0")))


def reminder(n: int, rng: random.Random) -> Reminder:
    due = NOW + timedelta(minutes=rng.randrange(1, 365 * 24 * 60))
    weekly = n % 10 == 0
    return Reminder(
        id=0,
        owner=PEOPLE[n % len(PEOPLE)].name,
        text=f"call customer {n} about the renewal",
        due=due.isoformat(),
        created_by="rep0",
        created_at=NOW.isoformat(),
        recurrence=f"DTSTART:{due:%Y%m%dT%H%M%S}\nRRULE:FREQ=WEEKLY" if weekly else None,
        recurrence_text="every week" if weekly else "",
        timezone="UTC",
        kind="follow_up" if n % 3 == 0 else "reminder",
    )


def build(folder: Path) -> Store:
    """A store with 20,000 open reminders, a thousand per change, and a year's deals,
    contracts and certificates (each with dated alerts in the agenda)."""
    store, rng = Store(folder), random.Random(4)
    actor = Actor("bench", "terminal", NOW.isoformat())
    with ProgressBar(REMINDERS, "building 20,000 reminders") as bar:
        for start in range(0, REMINDERS, BATCH):
            with store.change(actor, "bench") as change:
                for n in range(start, start + BATCH):
                    change.insert("reminders", to_doc(reminder(n, rng)))
            bar.advance(BATCH)
    with store.change(actor, "bench terms") as change:
        for coll, doc in term_docs(rng):
            change.insert(coll, to_doc(doc))
    return store


def term_docs(rng: random.Random) -> Iterator[tuple[str, object]]:
    """5,000 open deals, 2,000 contracts, 3,000 certificates, dated over the next year."""
    made = (NOW - timedelta(days=1)).isoformat()

    def day() -> str:
        return (NOW + timedelta(days=rng.randrange(1, 365))).date().isoformat()

    for n in range(DEALS):
        owner = PEOPLE[n % len(PEOPLE)].name
        yield "deals", Deal(0, n % 500 + 1, f"deal {n}", 1000, "EUR", "proposal", owner,
                            close=day(), opened_at=made)  # fmt: skip
    for n in range(CONTRACTS):
        owner = PEOPLE[n % len(PEOPLE)].name
        yield "contracts", Contract(0, n % 500 + 1, f"contract {n}", owner, start=made[:10],
                                    end=day(), created_at=made)  # fmt: skip
    for n in range(CERTS):
        owner = PEOPLE[n % len(PEOPLE)].name
        yield "certs", Certificate(0, n % 500 + 1, f"cert {n}", day(), owner, created_at=made)


def main(scratch: str | None = None) -> None:
    folder = Path(scratch or tempfile.mkdtemp(prefix="rapport-bench-")) / "store"
    store = build(folder)
    scheduler = Scheduler(store, TEAM, lambda: NOW, [RecordingNotifier("slack")])
    load = timed(scheduler.load, 1)
    agenda = scheduler.agenda
    open_all = store.reminders.open_all()
    when = sorted(r.due_at for r in open_all)[DUE_AT_ONCE - 1]  # exactly 10 are due
    taken: list[object] = []

    def due_and_next() -> None:
        taken[:] = agenda.take_due(when)
        agenda.next_time()

    def put_back() -> None:
        for key in taken:
            kind, rid = key  # type: ignore[misc]
            found = store.reminders.get(rid) if kind == "reminder" else None
            agenda.set(key, found.due_at if found else when)

    def scan() -> None:  # what the index saves: one pass over every reminder
        due, upcoming = [], None
        for item in store.reminders.all():
            if item.is_open and (at := item.due_at) <= when:
                due.append(item)
            elif item.is_open and (upcoming is None or at < upcoming):
                upcoming = at

    def idle() -> None:
        agenda.take_due(NOW)
        agenda.next_time()

    def move() -> None:
        agenda.set(("reminder", 7), when + timedelta(days=random.random()))

    results = {
        "10 due + next wake-up (agenda)": timed(due_and_next, RUNS, put_back),
        "nothing due + next wake-up (agenda)": timed(idle, RUNS),
        "reschedule one reminder (agenda)": timed(move, RUNS),
        "for comparison: one scan of all reminders": timed(scan, 50),
    }
    print(f"\n{REMINDERS:,} open reminders, {DEALS:,} deals, {CONTRACTS:,} contracts, {CERTS:,} "
          f"certificates; {len(agenda):,} agenda entries")  # fmt: skip
    print(f"indexing them all at start (load): {load[0]:.0f} ms\n")
    targets = {"10 due + next wake-up (agenda)": 1.0, "nothing due + next wake-up (agenda)": 1.0}
    print(table(results, targets))
    store.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
