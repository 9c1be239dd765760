"""The pipeline report: open value per stage and weighted, for a scope and a closing period."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from handlers.context import Context
from handlers.reply import Message, Reply
from handlers.reports.pipeline import closing_window
from handlers.reports.report import REPORTS, read_request
from handlers.reports.scope import period_of
from tests.conftest import NOW, Chat
from tests.fakes.telegram_api import png_size
from tests.handlers.test_reports import BERLIN, NEW_YORK


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def deals(chat: Chat) -> Chat:
    """Ana's and Nick's open deals in four stages, one won this week."""
    chat.now = at("2026-11-10T09:00")
    for line in (
        "add customer Acme Corp",
        "add customer Beta GmbH",
        'deal Acme "Q1 renewal" 48k stage:proposal close:15 jan 2027',
        'deal Acme "Hardware" 10k stage:qualified close:20 dec 2026',
        'deal Beta "Pilot" 100k stage:negotiation close:1 dec 2026 owner:@nick',
        'deal Beta "Old lead" 5k close:1 nov 2026',
        'deal Beta "Spares" 7k close:30 nov 2026',
    ):
        assert chat(line).ok, line
    chat.now = at("2026-11-24T09:00")
    assert chat("won Spares").ok
    chat.now = NOW
    return chat


def reply_data(chat: Chat, line: str, who: str) -> list[tuple[str, int, int, float]]:
    """The numbers the chart of `line` is drawn from (the stages with deals)."""
    person = chat.team.find(who)
    assert person is not None
    ctx = Context(chat.router.store, chat.team, Message(person, line, "terminal", chat.now))
    request = read_request(ctx, line.removeprefix("report "))
    assert not isinstance(request, Reply)
    data = REPORTS["pipeline"].data(ctx, request)
    return [row for row in data.stages if row[1]]


def test_the_whole_open_pipeline_per_stage_with_its_weighted_value(deals: Chat) -> None:
    assert reply_data(deals, "report pipeline", "Maria") == [
        ("lead", 1, 5000, 500.0),
        ("qualified", 1, 10000, 2500.0),
        ("proposal", 1, 48000, 24000.0),
        ("negotiation", 1, 100000, 75000.0),
    ]
    reply = deals("report pipeline", "Maria")
    assert reply.title == "Pipeline of Maria's team, open deals on 25 Nov 2026"
    assert reply.sections[0].lines == (
        "4 open deals worth 163,000 EUR, weighted 102,000 EUR (63%); most in negotiation "
        "(100,000 EUR).",
        "1 past close date, 4 gone quiet; since last week 1 won (7,000 EUR), 0 lost, "
        "weighted −700 EUR.",
    )
    assert reply.image is not None and png_size(reply.image.png) == (1200, 700)
    assert reply.image.alt.splitlines() == [reply.title, *reply.sections[0].lines]


def test_a_named_period_covers_the_deals_closing_in_the_whole_period(deals: Chat) -> None:
    quarter = reply_data(deals, "report pipeline this quarter", "Maria")
    assert [(stage, n, value) for stage, n, value, _w in quarter] == [
        ("lead", 1, 5000),
        ("qualified", 1, 10000),
        ("negotiation", 1, 100000),
    ]  # the Q1 renewal closes in January
    reply = deals("report pipeline this quarter", "Maria")
    assert reply.title == "Pipeline of Maria's team, closing this quarter (1 Oct–31 Dec 2026)"
    assert reply.sections[0].lines[0].startswith("3 open deals worth 115,000 EUR, weighted 78,000")
    month = deals("report pipeline this month", "Maria")  # the rest of November counts too
    assert month.title.endswith("closing this month (1–30 Nov 2026)")
    assert month.sections[0].lines[0].startswith("1 open deal worth 5,000 EUR")
    week = deals("report pipeline this week", "Maria")
    assert week.title.endswith("closing this week (23–29 Nov 2026): no open deals.")
    assert week.image is None


def test_whose_pipeline_follows_the_scope(deals: Chat) -> None:
    mine = reply_data(deals, "report pipeline mine", "Ana")
    assert sum(n for _s, n, _v, _w in mine) == 3 and sum(v for *_r, v, _w in mine) == 63000
    nick = deals("report pipeline @nick", "Ana")
    assert nick.title == "Pipeline of Nick, open deals on 25 Nov 2026"
    assert nick.sections[0].lines[0].startswith("1 open deal worth 100,000 EUR, weighted 75,000")
    assert deals("report pipeline", "Bob").title.startswith("Pipeline of the whole team")


def test_closing_windows_are_whole_calendar_periods() -> None:
    def window(name: str) -> tuple[str, str]:
        first, last = closing_window(period_of(name, NOW, BERLIN))
        return first.isoformat(), last.isoformat()

    assert window("this week") == ("2026-11-23", "2026-11-29")
    assert window("last week") == ("2026-11-16", "2026-11-22")
    assert window("this month") == ("2026-11-01", "2026-11-30")
    assert window("this quarter") == ("2026-10-01", "2026-12-31")
    assert window("this year") == ("2026-01-01", "2026-12-31")
    assert closing_window(period_of("this month", NOW, NEW_YORK))[1].day == 30


def test_export_report_pipeline_gives_the_stages_as_rows(deals: Chat) -> None:
    reply = deals("export report pipeline this quarter", "Maria")
    assert reply.file is not None and reply.file[0] == "rapport-report-pipeline-20261125.csv"
    assert reply.title.startswith("Exported the pipeline report of Maria's team, closing this q")
    rows = list(csv.DictReader(io.StringIO(reply.file[1])))
    assert [(r["stage"], r["deals"], r["value"], r["weighted"]) for r in rows] == [
        ("lead", "1", "5000", "500.0"),
        ("qualified", "1", "10000", "2500.0"),
        ("proposal", "0", "0", "0.0"),
        ("negotiation", "1", "100000", "75000.0"),
    ]
    assert {(r["closing_from"], r["closing_to"], r["currency"]) for r in rows} == {
        ("2026-10-01", "2026-12-31", "EUR")
    }


def test_without_deals_the_pipeline_report_says_so(chat: Chat) -> None:
    reply = chat("report pipeline", "Maria")
    assert reply.title == "Pipeline of Maria's team, open deals on 25 Nov 2026: no open deals."
    assert reply.image is None
