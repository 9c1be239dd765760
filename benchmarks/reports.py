"""Each report at a year's size: the chart with its summary, through the router, and memory.

Run by hand from the repository root: `python benchmarks/reports.py [--scale 0.1] [--store DIR]`.
Builds the year of benchmarks/year.py (10,000 parties, 100,000 interactions, 50,000 ledger
entries, 5,000 ratings; times --scale) as documents (`--router`: typed through the router with
year.py's builder, which takes far longer), or opens one kept with `year.py --keep DIR`
(`--store DIR/year-store`), then times every report as a manager and a rep would ask for it,
rendering included. Baselines, measured in the same run: the activity numbers counted by a scan
of every interaction, which the author index replaces; and each chart drawn from the same
numbers by the charts module of `--before` (a git commit; default the first charts, 63ff454),
interleaved run by run with today's drawing, in CPU milliseconds.
Targets: every report ≤ 300 ms p99 with its chart; the process's memory growth per report
≤ 20 MB (resident set, after the first report has loaded matplotlib).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import Results, percentiles, table, timed  # noqa: E402
from benchmarks.year import (  # noqa: E402
    BUYERS,
    MANAGERS,
    NOW,
    REPS,
    SIZES,
    TEAM,
    YEAR_AGO,
    build,
    customer,
    supplier,
)
from handlers.reply import Message  # noqa: E402
from handlers.reports.data import activity_data  # noqa: E402
from handlers.reports.scope import Period, Scope, period_of  # noqa: E402
from handlers.router import Router  # noqa: E402
from storage.deals import Deal  # noqa: E402
from storage.ledger import AWARD, ledger_entry  # noqa: E402
from storage.models import Interaction, Party, to_doc  # noqa: E402
from storage.ratings import Rating  # noqa: E402
from storage.store import Store  # noqa: E402
from storage.unit_of_work import Actor  # noqa: E402

RUNS = 100
REPORTS = {  # name: (who asks, what they type)
    "activity, a manager's team, this month": (MANAGERS[0], "report activity this month"),
    "activity, everyone, this year": (MANAGERS[0], "report activity this year all"),
    "activity, one rep, this year": (REPS[0], "report activity this year"),
    "points, everyone, this year": (MANAGERS[0], "report points this year all"),
    "points, a manager's team, this quarter": (MANAGERS[0], "report points this quarter"),
    "suppliers, everyone, this year": (MANAGERS[0], "report suppliers this year all"),
    "pipeline, a manager's team, open deals": (MANAGERS[0], "report pipeline"),
    "pipeline, everyone, closing this quarter": (MANAGERS[0], "report pipeline this quarter all"),
    "export report activity this year (CSV)": (MANAGERS[0], "export report activity this year"),
}


def resident_mb() -> float:
    """The process's resident set now (not its peak), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1e6


BATCH = 2_000


def write_year(store: Store, sizes: dict[str, int]) -> None:
    """The same year as year.py's `build`, written as documents in batches of BATCH per change
    (the router takes the better part of an hour on a shared machine); same people, parties,
    kinds, spread over the year and random choices of the same shape."""
    rng = random.Random(7)
    year = (NOW - YEAR_AGO).total_seconds()
    customers, suppliers = sizes["customers"], sizes["suppliers"]
    docs: list[tuple[str, dict[str, object]]] = []
    for n in range(customers):
        owner = REPS[n % len(REPS)].name
        party = Party(0, customer(n), ("customer",), customer_status="active", owner=owner)
        docs.append(("parties", to_doc(party)))
    for n in range(suppliers):
        owner = BUYERS[n % len(BUYERS)].name
        status = "probation" if n % 97 == 0 else "approved"
        party = Party(0, supplier(n), ("supplier",), supplier_status=status, owner=owner)
        docs.append(("parties", to_doc(party)))
    for n in range(sizes["interactions"]):
        which = rng.randrange(customers)
        at = (YEAR_AGO + timedelta(seconds=year * n / sizes["interactions"])).isoformat()
        kind = ("call", "meeting", "email", "visit")[n % 4]
        by = REPS[which % len(REPS)].name
        docs.append(("interactions", to_doc(Interaction(0, which + 1, kind, at, f"order {n}", by,
                                                        "slack", at))))  # fmt: skip
    for n in range(sizes["ledger"]):
        which = rng.randrange(suppliers)
        at = YEAR_AGO + timedelta(seconds=year * n / sizes["ledger"])
        by = BUYERS[which % len(BUYERS)].name
        docs.append(("ledger", to_doc(ledger_entry(customers + which + 1, rng.randint(1, 40),
                                                   f"lot {n}", AWARD, by, at))))  # fmt: skip
    for n in range(sizes["ratings"]):
        which = rng.randrange(min(suppliers, 600))
        at = (NOW - timedelta(days=180) + timedelta(days=179) * n / sizes["ratings"]).isoformat()
        scores = {c: rng.randint(2, 5) for c in ("quality", "delivery", "price")}
        docs.append(("ratings", to_doc(Rating(0, customers + which + 1, scores, "buy1", at))))
    stages = ("lead", "qualified", "proposal", "negotiation", "won", "lost")
    for n in range(sizes["deals"]):
        which = rng.randrange(customers)
        opened = (YEAR_AGO + timedelta(seconds=year * n / sizes["deals"])).isoformat()
        close = (NOW + timedelta(days=rng.randint(-60, 180))).date().isoformat()
        stage, owner = stages[n % len(stages)], REPS[which % len(REPS)].name
        history = ({"stage": stage, "at": opened, "by": owner},)
        deal = Deal(0, which + 1, f"Deal {n:05}", rng.randint(5, 400) * 1000, "EUR", stage,
                    owner, close, opened, owner, history=history)  # fmt: skip
        docs.append(("deals", to_doc(deal)))
    actor = Actor("benchmark", "terminal", NOW.isoformat())
    for start in range(0, len(docs), BATCH):
        with store.change(actor, f"year, records {start}+") as change:
            for coll, doc in docs[start : start + BATCH]:
                change.insert(coll, doc)


YEAR: Period = period_of("this year", NOW, ZoneInfo("Europe/Berlin"))


def scan_activity(store: Store) -> Counter[tuple[str, str, str]]:
    """The baseline: interactions per author, month and kind this year, by reading them all."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for item in store.interactions.all():
        moment = datetime.fromisoformat(item.at)
        if YEAR.start <= moment < YEAR.end:
            month = moment.astimezone(YEAR.start.tzinfo).strftime("%Y-%m")
            counts[(item.by, month, item.kind)] += 1
    return counts


def measure(router: Router) -> tuple[Results, Results, dict[str, float]]:
    """Wall-clock and CPU milliseconds of each report, and the resident memory each run of it
    added on average. CPU time is what the report costs when the machine is shared."""
    wall: Results = {}
    cpu: Results = {}
    growth: dict[str, float] = {}
    for name, (person, text) in REPORTS.items():
        message = Message(person, text, "slack", NOW)
        router.handle(message)  # the first loads matplotlib and warms the caches
        before = resident_mb()
        wall[name], cpu[name] = [], []
        for _ in range(RUNS):
            started, used = time.perf_counter(), time.process_time()
            reply = router.handle(message)
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - used) * 1000)
            assert reply.ok and (reply.image or reply.file), reply.plain()
        growth[name] = (resident_mb() - before) / RUNS
    return wall, cpu, growth


CHARTS_PATHS = ("handlers/reports/charts.py", "handlers/charts.py")  # now, and before issue 11
# where the modules an older charts module imports live now (issue 11 moved them)
MOVED = {
    "handlers.report_data": "handlers.reports.data",
    "handlers.report_text": "handlers.reports.summaries",
}


def charts_of(commit: str, folder: Path) -> object:
    """The charts module as it was at `commit` (wherever it lived then), loaded on its own."""
    for where in CHARTS_PATHS:
        shown = subprocess.run(
            ["git", "show", f"{commit}:{where}"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
        )
        if shown.returncode == 0:
            break
    shown.check_returncode()
    source = shown.stdout
    for old, new in MOVED.items():
        sys.modules.setdefault(old, importlib.import_module(new))
    path = folder / "charts_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("charts_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def drawing_before_after(router: Router, before: object, runs: int) -> Results:
    """CPU ms of drawing each chart from the same numbers: then (`before`) and now, in turns."""
    cpu: Results = {}
    for name, (person, text) in REPORTS.items():
        image = router._answer(Message(person, text, "slack", NOW)).image  # numbers, not drawn
        if image is None or not isinstance(image.draw, partial):
            continue
        now_draw = image.draw
        then = getattr(before, now_draw.func.__name__, None)
        pairs = [("now", now_draw)] + ([("before", partial(then, *now_draw.args))] if then else [])
        for label, draw in pairs:
            draw()  # warm
            cpu[f"{name}: drawing {label}"] = []
        for _ in range(runs):
            for label, draw in pairs:
                used = time.process_time()
                draw()
                cpu[f"{name}: drawing {label}"].append((time.process_time() - used) * 1000)
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of a year's records")
    parser.add_argument("--store", help="a store folder: built there and kept when it is new; "
                        "also one built by `year.py --keep DIR` (DIR/year-store)")  # fmt: skip
    parser.add_argument("--router", action="store_true", help="type the year through the router")
    parser.add_argument("--before", default="63ff454", help="the commit whose charts to compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.store) if args.store else Path(tmp) / "year-store"
        new = not args.store or not folder.exists()
        store = Store(folder)
        router = Router(store, TEAM)
        if new:
            sizes = {k: max(int(v * args.scale), 50) for k, v in SIZES.items()}
            sizes["reminders"] = 50  # reports never read reminders
            started = time.perf_counter()
            build(router, sizes) if args.router else write_year(store, sizes)
            print(f"built {sum(sizes.values()):,} records in {time.perf_counter() - started:.0f} s")
        first = resident_mb()
        router.handle(Message(MANAGERS[0], "report activity", "slack", NOW))
        loaded = resident_mb() - first
        results, cpu, growth = measure(router)
        drawing = drawing_before_after(router, charts_of(args.before, Path(tmp)), RUNS // 2)
        everyone = Scope("everyone", None)
        results["activity numbers from the index"] = timed(
            lambda: activity_data(store, TEAM.people, everyone, YEAR), RUNS
        )
        results["baseline: the same numbers by a scan"] = timed(lambda: scan_activity(store), 10)
        store.close()
    targets = {name: 300.0 for name in REPORTS}
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("wall-clock time, rendering included:")
    print(table(results, targets))
    print("\nCPU time of this process, rendering included:")
    print(table(cpu, targets))
    print(f"\nCPU time of drawing each chart from the same numbers, {args.before} and now:")
    print(table(drawing, {}))
    for key in drawing:
        if key.endswith("drawing before"):
            (then_50, then_99), (now_50, now_99) = (
                percentiles(drawing[key]),
                percentiles(drawing[key.replace("before", "now")]),
            )
            print(f"{key.rsplit(':', 1)[0]}: p50 {then_50 / now_50:.1f}x, p99 "
                  f"{then_99 / now_99:.1f}x faster")  # fmt: skip
    print(f"\nfirst report (loads matplotlib): +{loaded:.0f} MB resident")
    for name, mb in growth.items():
        verdict = "" if mb <= 20 else " MISSED"
        print(f"memory growth per report, {name}: {mb:+.2f} MB (target ≤ 20){verdict}")
    scan = statistics.median(results["baseline: the same numbers by a scan"])
    indexed = statistics.median(results["activity numbers from the index"])
    whole = percentiles(results["activity, everyone, this year"])[0]
    print(f"\nactivity numbers, this year, everyone (p50): a scan of every interaction "
          f"{scan:.1f} ms, the index {indexed:.2f} ms ({scan / indexed:.0f}x); "
          f"the whole report with its chart {whole:.0f} ms")  # fmt: skip
    print(f"the year's clock: {NOW.astimezone(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
