"""The year's data on PostgreSQL beside the embedded store, then 1, 2 and 4 workers under load.

Run by hand from the repository root: `python benchmarks/workers.py [--scale 0.2]`.
Needs PostgreSQL installed (a private server is started in a temporary folder, with its
durable defaults: fsync and synchronous commit on). Builds the year of benchmarks/year.py
in an embedded store, copies it with `rapport migrate`'s copy, and times log, show, find,
award and digest on both stores in the same run (targets: every command ≤ 20 ms p99, log
≤ 15 ms p99 on PostgreSQL). Then starts 1, 2 and 4 `rapport run` workers (Slack over HTTP,
against the test suite's fake Slack) on the database and keeps CLIENTS people typing
commands at once for SECONDS each: commands per second and the p50/p99 from the signed
request to the reply reaching Slack.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402

from benchmarks.measure import Results, percentiles, table, timed  # noqa: E402
from benchmarks.year import NOW, REPS, SIZES, TAGS, TEAM, build, customer, supplier  # noqa: E402
from bot.progress import ProgressBar  # noqa: E402
from handlers.reply import Message  # noqa: E402
from handlers.router import Router  # noqa: E402
from storage.engine.postgres.migrate import copy_store  # noqa: E402
from storage.store import COLLECTIONS, Store  # noqa: E402
from tests.fakes.slack_api import BOT_TOKEN, Call, FakeSlack  # noqa: E402
from tests.rigs.postgres_server import PostgresServer, find_bin, free_port  # noqa: E402
from tests.rigs.processes import Rapport  # noqa: E402
from tests.rigs.slack_rig import SECRET, fixture, http_body, signed_headers  # noqa: E402

RUNS = 300
CLIENTS = 8
SECONDS = 20.0
WORKER_COUNTS = (1, 2, 4)


def measure_commands(router: Router, sizes: dict[str, int], bar: ProgressBar) -> Results:
    rng = random.Random(11)
    c = lambda: customer(rng.randrange(sizes["customers"]))  # noqa: E731
    s = lambda: supplier(rng.randrange(min(sizes["suppliers"], 600)))  # noqa: E731
    rep, buyer, manager = REPS[0], TEAM.find("buy1"), TEAM.find("mgr1")
    assert buyer is not None and manager is not None
    commands = {
        "log": (rep, lambda: f"log call with {c()}: benchmark call"),
        "show": (rep, lambda: f"show {c()}"),
        "find (two filters)": (rep, lambda: f"find customers #{rng.choice(TAGS)} owner:@rep01"),
        "award": (buyer, lambda: f"award {s()} 5 for benchmark"),
        "digest": (manager, lambda: "digest"),
    }
    results: Results = {}
    for name, (person, text) in commands.items():

        def once(person: Any = person, text: Callable[[], str] = text) -> None:
            reply = router.handle(Message(person, text(), "slack", NOW))
            assert reply.ok, reply.plain()
            bar.advance()

        results[name] = timed(once, RUNS)
    return results


class TimedSlack(FakeSlack):
    """The fake Slack, also noting when each reply reaches each direct-message channel."""

    def __init__(self) -> None:
        super().__init__()
        self.replies: dict[str, asyncio.Queue[float]] = {}

    def _record(self, call: Call) -> None:
        if call.method == "chat.postMessage":
            self.replies.setdefault(call.args["channel"], asyncio.Queue()).put_nowait(
                time.perf_counter()
            )
        super()._record(call)


def worker_config(folder: Path, api_url: str, port: int) -> Path:
    people = "\n".join(
        f'[[people]]\nname = "{p.name}"\nrole = "{p.role}"\n'
        + (f'slack = "{p.slack}"\n' if p.slack else "")
        + (f'manager = "{p.manager}"\n' if p.manager else "")
        for p in TEAM.people
    )
    path = folder / f"worker-{port}.toml"
    path.write_text(
        f'[store]\nurl = "env:RAPPORT_DATABASE_URL"\n[health]\nport = 0\n'
        f'[defaults]\ntimezone = "Europe/Berlin"\n{people}\n'
        f'[slack]\nmode = "http"\nbot_token = "env:SLACK_BOT_TOKEN"\n'
        f'signing_secret = "env:SLACK_SIGNING_SECRET"\nport = {port}\napi_url = "{api_url}"\n'
    )
    return path


async def load(workers: int, url: str, folder: Path, sizes: dict[str, int]) -> tuple[float, list]:
    """Commands per second and the latencies (ms) with this many workers under steady load."""
    fake = await TimedSlack().start()
    env = {
        "RAPPORT_DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
    }
    ports = [free_port() for _ in range(workers)]
    running = [Rapport(worker_config(folder, fake.api_url, p), env) for p in ports]
    try:
        await asyncio.gather(*(w.start() for w in running))
        await asyncio.gather(*(w.wait_for_line("scheduler: ready", 300) for w in running))
        numbers, turn = itertools.count(), itertools.count()
        latencies: list[float] = []
        stop_at = time.perf_counter() + SECONDS
        rng = random.Random(5)

        async def client(person: Any) -> None:
            channel = "D" + person.slack[1:]
            replies = fake.replies.setdefault(channel, asyncio.Queue())
            async with aiohttp.ClientSession() as session:
                while time.perf_counter() < stop_at:
                    n = next(numbers)
                    who = customer(rng.randrange(sizes["customers"]))
                    text = f"log call with {who}: load {n}" if n % 2 else f"show {who}"
                    sent = time.perf_counter()
                    await post(session, ports[next(turn) % workers], person.slack, n, text)
                    latencies.append((await replies.get() - sent) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client(p) for p in REPS[:CLIENTS]))
        return len(latencies) / (time.perf_counter() - started), latencies
    finally:
        for worker in running:
            await worker.kill()
        await fake.stop()


async def post(session: aiohttp.ClientSession, port: int, user: str, n: int, text: str) -> None:
    payload = fixture("message_im")
    payload["event_id"] = f"Ev0B{n:07d}"
    payload["event"].update(text=text, user=user, channel="D" + user[1:], ts=f"17641{n:07d}.0001")
    body, kind = http_body("events_api", payload)
    url = f"http://127.0.0.1:{port}/slack/events"
    headers = {"Content-Type": kind, **signed_headers(body)}
    async with session.post(url, data=body.encode(), headers=headers) as response:
        assert response.status == 200, await response.text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of a year's records")
    args = parser.parse_args()
    found = find_bin()
    if found is None:
        raise SystemExit("PostgreSQL is not installed (no pg_ctl found; set RAPPORT_PG_BIN)")
    sizes = {k: max(int(v * args.scale), 50) for k, v in SIZES.items()}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # the server is stopped either way
    server = PostgresServer(found).start(durable=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), server.database(), sizes)
    finally:
        server.stop()


def run(folder: Path, url: str, sizes: dict[str, int]) -> None:
    embedded = Store(folder / "year-store")
    build(Router(embedded, TEAM), sizes)
    total = sum(embedded.db.count(name) for name in COLLECTIONS)
    with ProgressBar(total, "copying into PostgreSQL") as bar:
        copy_store(embedded.db, COLLECTIONS, url, bar.advance)
    results: Results = {}
    with ProgressBar(RUNS * 10, "measuring commands on both stores") as bar:
        database = Store(url)
        for where, store in (("embedded", embedded), ("postgresql", database)):
            for name, times in measure_commands(Router(store, TEAM), sizes, bar).items():
                results[f"{name} ({where})"] = times
        database.close()
        embedded.close()
    targets = {name: 20.0 for name in results if name.endswith("(postgresql)")}
    targets["log (postgresql)"] = 15.0
    print(f"\n{sum(sizes.values()):,} records; each command {RUNS} runs, on each store")
    print(table(results, targets))
    for name in ("log", "show", "find (two filters)", "award", "digest"):
        ratio = statistics.median(results[f"{name} (postgresql)"]) / statistics.median(
            results[f"{name} (embedded)"]
        )
        print(f"{name}: PostgreSQL / embedded (p50) = {ratio:.1f}x")
    print(f"\n{CLIENTS} people typing at once over Slack HTTP for {SECONDS:.0f} s (log and show):")
    print(f"{'workers':>7} {'commands/s':>11} {'p50 ms':>8} {'p99 ms':>8}")
    for workers in WORKER_COUNTS:
        rate, latencies = asyncio.run(load(workers, url, folder, sizes))
        p50, p99 = percentiles(latencies)
        print(f"{workers:>7} {rate:>11.1f} {p50:>8.1f} {p99:>8.1f}")
    print(f"(machine: {os.cpu_count()} cores, shared by the workers, PostgreSQL and this load)")


if __name__ == "__main__":
    main()
