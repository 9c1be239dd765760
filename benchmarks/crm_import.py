"""Importing a CRM's export (5,000 HubSpot companies, UTF-16 from Excel) against the same rows in
Rapport's own CSV columns, measured in the same run: what recognising the layout, decoding,
mapping stages and matching owners add to an import. Also who-is-writing lookups with a team
of 300, half of them added in chat (the live roster) against the config-only team.

Run by hand from the repository root: `python benchmarks/crm_import.py`.
"""

from __future__ import annotations

import codecs
import csv
import io
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import Results, table, timed  # noqa: E402
from handlers import roster  # noqa: E402
from handlers.context import Team  # noqa: E402
from handlers.exchange.imports import import_rows  # noqa: E402
from handlers.exchange.sources import prepare, read_table  # noqa: E402
from storage.models import Person  # noqa: E402
from storage.store import Store  # noqa: E402
from storage.unit_of_work import Actor  # noqa: E402

ROWS, RUNS, LOOKUPS = 5_000, 5, 20_000
STAGES = ("Lead", "Customer", "Opportunity", "Other")
OWNERS = ("Maria Lopez", "ana@rapport.example", "Sam Jones")
TEAM = Team(people=(Person("Ana", "rep", manager="Maria"), Person("Maria", "manager")))
ACTOR = Actor("Maria", "terminal", "2026-11-25T13:37:00+00:00")


def csv_bytes(header: list[str], rows: list[list[str]], utf16: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if utf16 else ",")
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le") if utf16 else text.encode()


def hubspot(n: int) -> list[str]:
    return [str(9_000_000 + n), f"Company {n:05}", OWNERS[n % 3], "Germany", "Retail",
            f"c{n}.example", f"https://c{n}.example", STAGES[n % 4]]  # fmt: skip


def own(n: int) -> list[str]:
    status = ("prospect", "active", "prospect", "")[n % 4]
    return [f"Company {n:05}", ("Maria", "Ana", "")[n % 3], "Germany", "Retail",
            f"https://c{n}.example", status, str(9_000_000 + n), f"c{n}.example"]  # fmt: skip


FILES = {
    "HubSpot export (UTF-16, tabs)": csv_bytes(
        [
            "Record ID",
            "Company name",
            "Company owner",
            "Country/Region",
            "Industry",
            "Company Domain Name",
            "Website URL",
            "Lifecycle Stage",
        ],  # fmt: skip
        [hubspot(n) for n in range(ROWS)],
        utf16=True,
    ),
    "own columns (UTF-8, commas) — baseline": csv_bytes(
        [
            "name",
            "owner",
            "region",
            "category",
            "website",
            "customer_status",
            "Record ID",
            "Company Domain Name",
        ],  # fmt: skip
        [own(n) for n in range(ROWS)],
        utf16=False,
    ),
}


def import_once(data: bytes, folder: Path) -> None:
    with Store(folder) as store:
        prepared = prepare(read_table(data), "customers", TEAM)
        report = import_rows(store, TEAM, ACTOR, "customers", prepared.rows)
        assert report.added == ROWS and not report.skipped, report.lines()[:3]


def lookups(scratch: Path) -> Results:
    """`by_slack` for every message: config-only team vs the live roster (half added in chat)."""
    people = tuple(Person(f"p{n}", "rep", slack=f"U{n:08}") for n in range(300))
    seeded = Team(people=people[:150])
    results: Results = {}
    with Store(scratch / "people") as store:
        with store.change(ACTOR, "people") as change:
            for person in people[150:]:
                roster.put_member(change, store, person, "chat")
        live = seeded.bound_to(store.people)
        config_only = Team(people=people)
        for name, team in (("by_slack, config-only team (baseline)", config_only),
                           ("by_slack, live roster", live)):  # fmt: skip
            ids = [f"U{(n * 7) % 300:08}" for n in range(LOOKUPS)]
            results[name] = timed(lambda t=team, i=ids: [t.by_slack(x) for x in i], RUNS)
    return results


def main() -> None:
    results: Results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for number, (name, data) in enumerate(FILES.items()):
            folders = iter(Path(scratch) / f"store{number}-{run}" for run in range(RUNS))
            results[f"import 5,000: {name}"] = timed(
                lambda d=data, f=folders: import_once(d, next(f)), RUNS
            )
        results.update(lookups(Path(scratch)))
    print(table(results))
    names = list(results)
    crm, base = (statistics.median(results[n]) for n in names[:2])
    print(f"HubSpot export / own columns (p50): {crm / base:.2f}×")
    live, config = (statistics.median(results[n]) for n in names[2:][::-1])
    print(f"live roster / config-only lookups (p50, {LOOKUPS:,} lookups): {live / config:.2f}×")


if __name__ == "__main__":
    main()
