"""Shared test fixtures: a temporary store, a small team, and a chat that talks as any of them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from handlers.context import Team
from handlers.reply import Message, Reply
from handlers.router import Router
from storage.models import Person, Policy, Reward
from storage.store import Store

pytest_plugins = ["tests.rigs.postgres_fixtures"]

# Wednesday 25 November 2026, 14:37 in Berlin.
NOW = datetime(2026, 11, 25, 13, 37, tzinfo=UTC)

PEOPLE = (
    Person("Ana", "rep", "Europe/Berlin", slack="U0ANA0001", telegram=1001, manager="Maria"),
    Person("Bob", "buyer", "Europe/Berlin", telegram=1002, manager="Maria", notify="telegram"),
    Person("Maria", "manager", "Europe/Berlin", slack="U0MAR0003", telegram=1003),
    Person("Nick", "rep", "America/New_York", slack="U0NIC0004", manager="Maria"),
    Person("Root", "admin", "UTC"),
)
POLICY = Policy(
    rewards=(
        Reward("priority review", 1000, "supplier"),
        Reward("coffee voucher", 50, "customer"),
        Reward("gift box", 200, "any"),
    ),
)


@pytest.fixture
def team() -> Team:
    return Team(people=PEOPLE, timezone="Europe/Berlin", policy=POLICY)


@pytest.fixture
def store(store_location: str) -> Iterator[Store]:
    """The test's store: embedded, or on PostgreSQL too in a module marked both_backends."""
    opened = Store(store_location)
    yield opened
    opened.close()


class Chat:
    """Talk to the router as any person of the team, on a clock the test moves."""

    def __init__(self, router: Router, team: Team) -> None:
        self.router = router
        self.team = team
        self.now = NOW
        self.channel = "terminal"

    def __call__(self, text: str, as_: str = "Ana", message_id: str | None = None) -> Reply:
        person = self.team.find(as_)
        assert person is not None, as_
        message = Message(person, text, self.channel, self.now, message_id)
        return self.router.handle(message)

    def text(self, text: str, as_: str = "Ana") -> str:
        """The reply as the terminal prints it."""
        return self(text, as_).plain()

    def press(self, reply: Reply, label: str, as_: str = "Ana") -> Reply:
        """Press the reply's button with this label."""
        button = next(b for b in reply.buttons if b.label == label)
        return self(button.command, as_)

    def later(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def chat(store: Store, team: Team) -> Iterator[Chat]:
    talking = Chat(Router(store, team), team)
    yield talking
    talking.router.store.close()  # a test may have reopened the store (a restart)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After the run: how much of the understanding corpus Rapport understood, per category."""
    import sys

    corpus = sys.modules.get("tests.handlers.test_understanding")
    rows = corpus.understanding_report() if corpus else []
    if rows:
        terminalreporter.section("understanding per category (tests/corpus/understanding.txt)")
        for row in rows:
            terminalreporter.write_line(row)
