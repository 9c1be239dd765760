"""The understanding corpus: lines as people type them, each with what must happen.

Every line of tests/corpus/understanding.txt goes through the real router on one store. A
line may be "not understood" (Rapport asks instead), and the rate per category is printed at
the end of the run; but a line that stores a wrong kind, party, date or time, or stores
anything where a question was expected, fails the suite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.context import Team
from handlers.reply import Message, Reply
from handlers.router import Router
from storage.store import Store
from tests.conftest import NOW

CORPUS = Path(__file__).parents[1] / "corpus" / "understanding.txt"
BERLIN = ZoneInfo("Europe/Berlin")
SEED = (
    "add customer Acme Corp",
    "add supplier GreenPack #eco #fairtrade category:packaging",
    'add supplier "Müller & Söhne GmbH"',
    "add supplier May Logistics",
    "add customer Sat Corp",
    "add customer Blue Ocean Foods #enterprise",
    "add supplier Nordic Timber AB category:wood",
    'add customer "Café Lumière"',
    "add customer Zenith Labs",
)
STORES = ("log", "remind", "rate", "award", "deduct", "status")
RESULTS: dict[str, Counter[str]] = {}


@dataclass(frozen=True)
class Line:
    category: str
    text: str
    expected: str

    @property
    def action(self) -> str:
        return self.expected.split(" ·")[0].split(" ")[0]


def corpus() -> list[Line]:
    lines, category = [], ""
    for raw in CORPUS.read_text(encoding="utf-8").splitlines():
        if raw.startswith("## "):
            category = raw[3:].strip()
        elif "  →  " in raw and not raw.startswith("#"):
            text, expected = raw.split("  →  ")
            lines.append(Line(category, text, expected.strip()))
    return lines


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Router]:
    from tests.conftest import PEOPLE, POLICY

    store = Store(tmp_path_factory.mktemp("corpus") / "data")
    routed = Router(store, Team(people=PEOPLE, timezone="Europe/Berlin", policy=POLICY))
    maria = routed.team.find("Maria")
    assert maria is not None
    for number, command in enumerate(SEED):
        assert routed.handle(Message(maria, command, "terminal", NOW, f"seed-{number}")).ok
    for party in store.parties.all():  # enough points for every deduction in the corpus
        award = f"award #{party.id} 100 for the start"
        assert routed.handle(Message(maria, award, "terminal", NOW, f"pts-{party.id}")).ok
    yield routed
    store.close()


def _local(iso: str) -> str:
    """A stored moment as the corpus writes it: `now`, `09:00` today, or `24 Nov 09:00`."""
    moment = datetime.fromisoformat(iso).astimezone(BERLIN)
    if moment == NOW.astimezone(BERLIN):
        return "now"
    clock = f"{moment:%H:%M}"
    return (
        clock
        if moment.date() == NOW.astimezone(BERLIN).date()
        else f"{moment.day} {moment:%b} {clock}"
    )


def stored(router: Router, message_id: str) -> str | None:
    """What the line stored, written like a corpus expectation; None when nothing was stored."""
    entry = router.store.audit.by_message(message_id)
    if entry is None:
        return None
    inserted = {c["coll"]: c["after"] for c in entry["changes"] if c["before"] is None}
    name = _party_name(router, entry)
    if "interactions" in inserted:
        done = inserted["interactions"]
        return f"log {done['kind']} · {name} · {_local(done['at'])}"
    if "reminders" in inserted:
        return f"remind · {_local(inserted['reminders']['due'])}" + (f" · {name}" if name else "")
    if "ratings" in inserted:
        scores = ", ".join(f"{k} {v}" for k, v in inserted["ratings"]["scores"].items())
        return f"rate · {name} · {scores}"
    if "ledger" in inserted:
        entry_doc = inserted["ledger"]
        return f"{entry_doc['kind']} · {name} · {abs(entry_doc['delta'])}"
    for change in entry["changes"]:
        if change["coll"] == "parties" and change["before"]:
            new = {k: v for k, v in change["after"].items() if k.endswith("_status")}
            old = {k: v for k, v in change["before"].items() if k.endswith("_status")}
            moved = [v for k, v in new.items() if old.get(k) != v]
            return f"status · {name} · {moved[0] if moved else '?'}"
    return f"other: {entry['summary']}"


def _party_name(router: Router, entry: dict[str, Any]) -> str:
    for change in entry["changes"]:
        doc = change["after"] or {}
        party_id = doc.get("party_id") or doc.get("party")
        if isinstance(party_id, int) and (party := router.store.parties.get(party_id)):
            return party.name
        if change["coll"] == "parties" and change["before"]:
            return str(change["after"]["name"])
    return ""


def _shown(line: Line, reply: Reply) -> bool:
    """Did a lookup line show what was expected?"""
    action, _, names = line.expected.partition(" · ")
    text = reply.plain()
    if action == "show":
        return reply.title.startswith(f"{names} (#")
    if action == "history":
        return names in reply.title and "interaction" in reply.title
    if action == "find":
        return reply.title.startswith("Found") and all(n in text for n in names.split(", "))
    if action == "ask":
        return not reply.ok and (not names or names.lower() in text.lower())
    return False


def judge(line: Line, reply: Reply, store: str | None) -> str:
    """`understood`, `asked` (not understood, nothing stored) or `WRONG: …`."""
    wanted = line.expected
    if line.action in STORES:
        wanted_core = " · ".join(wanted.split(" · ")[:3])  # notes are judged separately
        if store is None:
            return "asked"
        if store != wanted_core and f"{store} · " in f"{wanted_core} · ":
            return "understood, party not linked"  # a reminder's party is optional
        if store != wanted_core:
            return f"WRONG: stored {store!r}, wanted {wanted_core!r}"
        notes = wanted.split(" · ")[3:]
        return "understood" if not notes or notes[0] in reply.plain() else "understood, notes off"
    if store is not None:
        return f"WRONG: stored {store!r} where {wanted!r} was expected"
    return "understood" if _shown(line, reply) else "asked"


LINES = corpus()


@pytest.mark.parametrize("line", LINES, ids=[f"{n}:{ln.text[:40]}" for n, ln in enumerate(LINES)])
def test_no_line_stores_a_wrong_date_party_or_kind(router: Router, line: Line) -> None:
    maria = router.team.find("Maria")
    assert maria is not None
    message_id = f"corpus-{LINES.index(line)}"
    reply = router.handle(Message(maria, line.text, "terminal", NOW, message_id))
    verdict = judge(line, reply, stored(router, message_id))
    RESULTS.setdefault(line.category, Counter())[verdict.split(":")[0].split(",")[0]] += 1
    if verdict != "understood":
        RESULTS.setdefault("_misses", Counter())[f"{line.text!r} → {verdict}; {reply.title}"] += 1
    assert not verdict.startswith("WRONG"), f"{line.text!r}: {verdict}\n{reply.plain()}"


def test_the_corpus_is_large_and_covers_every_family() -> None:
    assert len(LINES) >= 200
    categories = {line.category for line in LINES}
    assert {"log: said like a person", "never half-understood", "reminders"} <= categories


def understanding_report() -> list[str]:
    """Lines for the end of the run: the understanding rate per category."""
    rows = []
    for category, counts in RESULTS.items():
        if category.startswith("_"):
            continue
        total = sum(counts.values())
        rate = counts["understood"] / total if total else 0
        rows.append(f"{category:32} {counts['understood']:3}/{total:<3} {rate:5.0%}")
    misses = RESULTS.get("_misses", Counter())
    if misses:
        rows += ["", "not understood (asked, or partly understood):", *(f"  {m}" for m in misses)]
    return rows
