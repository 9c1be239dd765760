"""Make the README's sample charts: a quarter of a small team typed through the router.

Run from the repository root: `python docs/sample_charts.py`. Writes docs/report-activity.png,
docs/report-points.png, docs/report-suppliers.png and docs/report-pipeline.png (the same every
run).
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handlers.context import Team  # noqa: E402
from handlers.reply import Message, Reply  # noqa: E402
from handlers.router import Router  # noqa: E402
from storage.models import Person  # noqa: E402
from storage.store import Store  # noqa: E402

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
PEOPLE = (
    Person("Maria", "manager", "Europe/Berlin"),
    Person("Ana", "rep", "Europe/Berlin", manager="Maria"),
    Person("Nick", "rep", "America/New_York", manager="Maria"),
    Person("Lena", "rep", "Europe/Berlin", manager="Maria"),
    Person("Bob", "buyer", "Europe/Berlin", manager="Maria"),
)
CUSTOMERS = ("Acme Corp", "Globex", "Initech", "Umbrella Retail", "Stark Industries", "Hooli")
SUPPLIERS = {  # name: how its ratings tend (1–5)
    "GreenPack": 5, "Box & Co": 4, "Cargo Express": 3, "Nordic Pallets": 3, "Slowship Ltd": 2,
}  # fmt: skip
KINDS = {
    "Ana": ("call", "call", "meeting", "email"),
    "Nick": ("call", "email", "email"),
    "Lena": ("meeting", "visit", "call"),
    "Bob": ("delivery", "order", "complaint"),
}


class Speaker:
    """Says lines to the router as anyone of the team, at the time it is set to."""

    def __init__(self, router: Router, team: Team) -> None:
        self.router, self.team, self.now = router, team, START

    def __call__(self, who: str, text: str) -> Reply:
        person = self.team.find(who)
        assert person is not None
        reply = self.router.handle(Message(person, text, "terminal", self.now))
        assert reply.ok, reply.plain()
        return reply


def quarter(say: Speaker, rng: random.Random) -> None:
    """Parties, then twelve weeks of logs, awards and ratings."""
    for name in CUSTOMERS:
        say("Ana", f'add customer "{name}" owner:@{rng.choice(("ana", "nick", "lena"))}')
    for name in SUPPLIERS:
        say("Bob", f'add supplier "{name}" owner:@bob')
    day = START
    while day < NOW - timedelta(hours=8):
        say.now = day
        for who, kinds in KINDS.items():
            for _ in range(rng.randint(0, 3)):
                party = rng.choice(list(SUPPLIERS) if who == "Bob" else CUSTOMERS)
                say(who, f'log {rng.choice(kinds)} with "{party}": sample')
        if rng.random() < 0.6:
            say("Maria", f'award "{rng.choice(CUSTOMERS)}" {rng.randint(10, 90)} for an order')
            say("Maria", f'award "{rng.choice(list(SUPPLIERS))}" {rng.randint(10, 60)} for a lot')
        if day.weekday() == 2:
            for name, level in SUPPLIERS.items():
                q, d, p = (min(5, max(1, level + rng.choice((-1, 0, 0, 1)))) for _ in range(3))
                say("Bob", f'rate "{name}" quality:{q} delivery:{d} price:{p}')
        day += timedelta(days=1)
    say.now = NOW - timedelta(days=20)
    say("Maria", 'status "Slowship Ltd" probation because three late deliveries')
    deals(say, rng)


def deals(say: Speaker, rng: random.Random) -> None:
    """Twenty deals of the reps in the stages of a pipeline; a few won or lost this week."""
    stages = ("lead", "lead", "qualified", "qualified", "proposal", "negotiation")
    for n in range(20):
        say.now = NOW - timedelta(days=rng.randint(8, 60))
        rep = rng.choice(("Ana", "Nick", "Lena"))
        close = (NOW + timedelta(days=rng.randint(5, 120))).strftime("%d %b %Y").lower()
        say(rep, f'deal "{rng.choice(CUSTOMERS)}" "Deal {n + 1}" {rng.randint(5, 90)}k '
                 f"stage:{rng.choice(stages)} close:{close}")  # fmt: skip
    say.now = NOW - timedelta(days=2)
    say("Maria", "won #3")
    say("Maria", "lost #7 because the budget went")


def main() -> None:
    out = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "data")
        team = Team(people=PEOPLE, timezone="Europe/Berlin")
        say = Speaker(Router(store, team), team)
        quarter(say, random.Random(3))
        say.now = NOW
        for kind, line in (("activity", "report activity this quarter team"),
                           ("points", "report points this quarter"),
                           ("suppliers", "report suppliers this quarter"),
                           ("pipeline", "report pipeline")):  # fmt: skip
            reply = say("Maria", line)
            assert reply.image is not None, reply.plain()
            (out / f"report-{kind}.png").write_bytes(reply.image.png)
            print(reply.plain(), end="\n\n")
        store.close()


if __name__ == "__main__":
    main()
