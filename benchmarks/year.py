"""A year of a 30-person team, built through the conversation, then every command timed.

Run by hand from the repository root: `python benchmarks/year.py [--scale 0.1] [--keep DIR]`.
Builds 10,000 parties, 100,000 interactions, 50,000 ledger entries, 20,000 reminders and
5,000 ratings (times --scale) through the router, as people would type them, then measures
p50/p99 of each command over RUNS runs, the scheduler's due check, `rapport chat` start to
first reply, peak memory and the store's size, with stock tinydb's insert as the baseline.
Targets: every command ≤ 20 ms p99, log/award ≤ 10 ms p99, start ≤ 1.5 s, memory ≤ 500 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import year_terms  # noqa: E402
from benchmarks.measure import Results, stock_tinydb_insert, table, timed  # noqa: E402
from bot.progress import ProgressBar  # noqa: E402
from bot.scheduler.loop import Scheduler  # noqa: E402
from handlers.context import Team  # noqa: E402
from handlers.reply import Message  # noqa: E402
from handlers.router import Router  # noqa: E402
from storage.models import Interaction, Person, Policy, SupplierPolicy, to_doc  # noqa: E402
from storage.store import Store  # noqa: E402

NOW = datetime(2026, 11, 25, 13, 37, tzinfo=UTC)
YEAR_AGO = NOW - timedelta(days=365)
RUNS = 300
SIZES = {"customers": 7_000, "suppliers": 3_000, "interactions": 100_000, "ledger": 50_000,
         "reminders": 20_000, "ratings": 5_000, **year_terms.SIZES}  # fmt: skip
MANAGERS = [Person(f"mgr{n}", "manager", "Europe/Berlin", slack=f"UM{n}") for n in range(1, 4)]
REPS = [Person(f"rep{n:02}", "rep", "Europe/Berlin", slack=f"UR{n:02}",
               manager=f"mgr{n % 3 + 1}") for n in range(1, 21)]  # fmt: skip
BUYERS = [Person(f"buy{n}", "buyer", "Europe/Berlin", telegram=1000 + n,
                 manager=f"mgr{n % 3 + 1}") for n in range(1, 7)]  # fmt: skip
ECO = SupplierPolicy("eco", ("ISO 14001",), category="cat0")
TEAM = Team(people=(*MANAGERS, *REPS, *BUYERS, Person("admin", "admin", "UTC")),
            timezone="Europe/Berlin", policy=Policy(supplier_policies=(ECO,)))  # fmt: skip
TAGS = [f"tag{n}" for n in range(25)]


class Talk:
    """Says lines to the router as a person, on a clock the build moves through the year."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.now = YEAR_AGO

    def __call__(self, person: Person, text: str) -> None:
        reply = self.router.handle(Message(person, text, "slack", self.now))
        if not reply.ok:
            raise SystemExit(f"{person.name}: {text!r} → {reply.plain()}")


def customer(n: int) -> str:
    return f"Customer {n:05}"


def supplier(n: int) -> str:
    return f"Supplier {n:05}"


def build(router: Router, sizes: dict[str, int]) -> None:
    """Every record a year produces, typed through the router in the order a year makes them."""
    talk = Talk(router)
    rng = random.Random(7)
    total = sum(sizes.values())
    with ProgressBar(total, "building a year") as bar:
        for n in range(sizes["customers"]):
            rep = REPS[n % len(REPS)]
            talk(rep, f"add customer {customer(n)} #{TAGS[n % 25]} owner:@{rep.name} region:EU")
            bar.advance()
        for n in range(sizes["suppliers"]):
            buyer = BUYERS[n % len(BUYERS)]
            talk(buyer, f"add supplier {supplier(n)} #{TAGS[n % 25]} owner:@{buyer.name} "
                        f"category:cat{n % 12}")  # fmt: skip
            bar.advance()
        _spread(talk, bar, sizes["interactions"], lambda n: _log_line(n, sizes, rng))
        _spread(talk, bar, sizes["ledger"], lambda n: _award_line(n, sizes, rng))
        talk.now = NOW - timedelta(days=180)
        _spread(talk, bar, sizes["ratings"], lambda n: _rate_line(n, sizes, rng), days=179)
        _terms(talk, bar, sizes)
        talk.now = NOW - timedelta(days=2)
        for n in range(sizes["reminders"]):
            rep = REPS[n % len(REPS)]
            when = "in 1 hour" if n % 40 == 0 else f"in {rng.randint(3, 120)} days"
            talk(rep, f"remind me {when} to call {customer(rng.randrange(sizes['customers']))}")
            bar.advance()


def _terms(talk: Talk, bar: ProgressBar, sizes: dict[str, int]) -> None:
    """Deals through the last 90 days; contracts and certificates recorded in the last 30."""
    for start, lines in (
        (90, year_terms.deal_lines(sizes, REPS, customer, NOW)),
        (30, year_terms.contract_lines(sizes, BUYERS, supplier, NOW)),
        (20, year_terms.cert_lines(sizes, BUYERS, supplier, NOW)),
    ):
        talk.now = NOW - timedelta(days=start)
        for person, text in lines:
            talk(person, text)
            if text.startswith(("deal ", "contract ", "cert ")):
                bar.advance()
                talk.now += timedelta(minutes=5)


def _spread(
    talk: Talk,
    bar: ProgressBar,
    count: int,
    line: Callable[[int], tuple[Person, str]],
    days: int = 363,
) -> None:
    """Say `count` lines spread evenly over `days`, moving the clock."""
    start = talk.now if days != 363 else YEAR_AGO
    for n in range(count):
        talk.now = start + timedelta(days=days) * n / max(count, 1)
        talk(*line(n))
        bar.advance()


def _log_line(n: int, sizes: dict[str, int], rng: random.Random) -> tuple[Person, str]:
    which = rng.randrange(sizes["customers"])
    kind = ("call", "meeting", "email", "visit")[n % 4]
    return REPS[which % len(REPS)], f"log {kind} with {customer(which)}: talked about order {n}"


def _award_line(n: int, sizes: dict[str, int], rng: random.Random) -> tuple[Person, str]:
    which = rng.randrange(sizes["suppliers"])
    return BUYERS[which % len(BUYERS)], f"award {supplier(which)} {rng.randint(1, 40)} for lot {n}"


def _rate_line(n: int, sizes: dict[str, int], rng: random.Random) -> tuple[Person, str]:
    which = rng.randrange(min(sizes["suppliers"], 600))
    scores = " ".join(f"{c}:{rng.randint(2, 5)}" for c in ("quality", "delivery", "price"))
    return BUYERS[which % len(BUYERS)], f"rate {supplier(which)} {scores}: batch {n}"


def measure(router: Router, sizes: dict[str, int]) -> Results:
    """p50/p99 of each command at NOW, as the people who use it would type it."""
    rng = random.Random(11)
    c = lambda: customer(rng.randrange(sizes["customers"]))  # noqa: E731
    s = lambda: supplier(rng.randrange(min(sizes["suppliers"], 600)))  # noqa: E731
    rep, buyer, manager = REPS[0], BUYERS[0], MANAGERS[0]
    commands: dict[str, tuple[Person, Callable[[], str]]] = {
        "log": (rep, lambda: f"log call with {c()}: benchmark call"),
        "show": (rep, lambda: f"show {c()}"),
        "find (two filters)": (rep, lambda: f"find customers #{rng.choice(TAGS)} owner:@rep01"),
        "award": (buyer, lambda: f"award {s()} 5 for benchmark"),
        "points": (buyer, lambda: f"points {s()}"),
        "leaderboard": (buyer, lambda: "leaderboard suppliers"),
        "remind": (rep, lambda: f"remind me tomorrow 10am to call {c()}"),
        "digest": (manager, lambda: "digest"),
        "scorecard": (buyer, lambda: f"scorecard {s()}"),
    }
    people = {"rep": rep, "buyer": buyer, "manager": manager}
    commands |= year_terms.commands(router.store, sizes, people, c, s, NOW, RUNS)
    results: Results = {}
    with ProgressBar(len(commands) * RUNS, "measuring commands") as bar:
        for name, (person, text) in commands.items():

            def once(person: Person = person, text: Callable[[], str] = text) -> None:
                reply = router.handle(Message(person, text(), "slack", NOW))
                assert reply.ok, reply.plain()
                bar.advance()

            results[name] = timed(once, RUNS)
    return results


def measure_scheduler(store: Store) -> list[float]:
    """The scheduler's due check: the due keys and the next wake-up, from its index."""
    scheduler = Scheduler(store, TEAM, lambda: NOW)
    scheduler.load()
    agenda = scheduler.agenda
    return timed(lambda: (agenda.take_due(NOW), agenda.next_time()), RUNS * 10)


def chat_start(folder: Path, runs: int = 5) -> tuple[list[float], float]:
    """`rapport chat` on this store: milliseconds to the first reply, and its peak memory (MB)."""
    config = folder.parent / "rapport.toml"
    people = "\n".join(f'[[people]]\nname = "{p.name}"\nrole = "{p.role}"\n' for p in TEAM.people)
    config.write_text(f'[store]\npath = "{folder.name}"\n\n{people}')
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--config", str(config), "--as", "mgr1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("whoami\n")
        proc.stdin.flush()
        proc.stdout.readline()
        times.append((time.perf_counter() - started) * 1000)
        proc.stdin.close()
        proc.wait(timeout=60)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return times, peak


def size_on_disk(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of a year's records")
    parser.add_argument("--keep", help="build the store in this folder and keep it")
    parser.add_argument(
        "--full-terms", action="store_true", help="deals, contracts and certs at full size anyway"
    )
    args = parser.parse_args()
    sizes = {k: max(int(v * args.scale), 50) for k, v in SIZES.items()}
    if args.full_terms:
        sizes.update(year_terms.SIZES)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp) / "year-store"
        store = Store(folder)
        router = Router(store, TEAM)
        started = time.perf_counter()
        build(router, sizes)
        built = time.perf_counter() - started
        results = measure(router, sizes)
        results["scheduler due check"] = measure_scheduler(store)
        store.close()
        results["rapport chat: start to first reply"], chat_peak = chat_start(folder)
        results["stock tinydb insert (100k docs)"] = stock_tinydb_insert(
            Path(tmp), lambda n: to_doc(_sample_interaction(n)), 100_000
        )
        disk = size_on_disk(folder)
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    targets = {name: 20.0 for name in results if name not in ("stock tinydb insert (100k docs)",)}
    targets.update({"log": 10, "award": 10, "scheduler due check": 1})
    targets["rapport chat: start to first reply"] = 1500
    print(f"\nbuilt {sum(sizes.values()):,} records through the router in {built:.0f} s")
    print(table(results, targets))
    ratio = statistics.median(results["stock tinydb insert (100k docs)"]) / statistics.median(
        results["log"]
    )
    print(f"\nstock tinydb insert / Rapport's durable log (p50): {ratio:.0f}x")
    print(f"peak memory: rapport chat {chat_peak:.0f} MB (target ≤ 500), this benchmark "
          f"{own_peak:.0f} MB; store on disk {disk:.0f} MB")  # fmt: skip


def _sample_interaction(n: int) -> Interaction:
    at = (NOW - timedelta(minutes=n)).isoformat()
    return Interaction(id=0, party_id=n % 10_000 + 1, kind="call", at=at, notes=f"order {n}",
                       by="rep01", channel="slack", logged_at=at)  # fmt: skip


if __name__ == "__main__":
    main()
