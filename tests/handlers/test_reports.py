"""Reports: the numbers behind each chart, the periods and scopes, the summaries and the CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.context import Team
from handlers.reply import Reply
from handlers.reports.data import activity_data, points_data, suppliers_data
from handlers.reports.scope import Scope, period_of
from handlers.router import Router
from storage.models import SupplierPolicy
from storage.store import Store
from tests.conftest import NOW, PEOPLE, POLICY, Chat
from tests.fakes.telegram_api import png_size

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TEAM = Scope("Maria's team", PEOPLE[:4], unowned=True)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def said(chat: Chat, when: str, line: str, who: str = "Ana") -> Reply:
    chat.now = at(when)
    reply = chat(line, who)
    assert reply.ok, reply.plain()
    return reply


@pytest.fixture
def logged(chat: Chat) -> Chat:
    """Acme and GreenPack, and a month of interactions by Ana, Nick and Bob."""
    said(chat, "2026-10-20T09:00", "add customer Acme Corp owner:@ana")
    said(chat, "2026-10-20T09:00", "add supplier GreenPack owner:@bob", "Bob")
    said(chat, "2026-10-30T10:00", "log call with Acme today: October, not this month")
    said(chat, "2026-11-01T10:00", "log call with Acme today: a Sunday, the month's first bucket")
    said(chat, "2026-11-03T10:00", "log call with Acme: pricing")
    said(chat, "2026-11-03T11:00", "emailed Acme: the price list")
    said(
        chat,
        "2026-11-09T03:00",
        "met Acme today: Monday 04:00 in Berlin, Sunday in New York",
        "Nick",
    )
    said(chat, "2026-11-17T10:00", "delivery from GreenPack: 2 pallets", "Bob")
    said(chat, "2026-11-24T10:00", "log call with Acme: follow-up")
    chat.now = NOW
    return chat


def test_activity_counts_each_persons_interactions_per_week_and_kind(logged: Chat) -> None:
    store = logged.router.store
    data = activity_data(store, PEOPLE, TEAM, period_of("this month", NOW, BERLIN))
    assert data.period.labels() == ["1 Nov", "2 Nov", "9 Nov", "16 Nov", "23 Nov"]
    assert data.counts == {
        "Ana": {"call": [1, 1, 0, 0, 1], "email": [0, 1, 0, 0, 0]},
        "Bob": {"delivery": [0, 0, 0, 1, 0]},
        "Maria": {},
        "Nick": {"meeting": [0, 0, 1, 0, 0]},
    }
    assert data.people == ["Ana", "Bob", "Nick", "Maria"] and data.total == 6
    in_new_york = activity_data(store, PEOPLE, TEAM, period_of("this month", NOW, NEW_YORK))
    assert in_new_york.counts["Nick"] == {"meeting": [0, 1, 0, 0, 0]}  # Sunday 8 Nov there


def test_the_activity_index_follows_new_logs_and_undo(logged: Chat) -> None:
    period = period_of("this week", NOW, BERLIN)
    mine = Scope("Ana", PEOPLE[:1])
    store = logged.router.store
    assert activity_data(store, PEOPLE, mine, period).counts["Ana"] == {"call": [0, 1, 0]}
    said(logged, "2026-11-25T12:00", "log visit with Acme: on site")
    assert activity_data(store, PEOPLE, mine, period).counts["Ana"]["visit"] == [0, 0, 1]
    said(logged, "2026-11-25T12:05", "undo")
    assert activity_data(store, PEOPLE, mine, period).counts["Ana"] == {"call": [0, 1, 0]}


def test_the_activity_report_answers_with_a_chart_and_two_lines(logged: Chat) -> None:
    reply = logged("report activity", "Maria")
    assert reply.title == "Activity of Maria's team, this month (1–25 Nov 2026)"
    assert reply.sections[0].lines == (
        "6 interactions by 4 people (1.7 a week): 50% call, 17% email, 17% delivery.",
        "Most: Ana 4; least: Maria 0.",
    )
    assert reply.image is not None and png_size(reply.image.png) == (1200, 700)
    assert reply.image.alt.splitlines() == [reply.title, *reply.sections[0].lines]
    own = logged("report activity", "Ana")  # a rep's own work by default
    assert own.title == "Activity of Ana, this month (1–25 Nov 2026)"
    assert own.sections[0].lines[1] == "Busiest week: 2 Nov with 2; quietest: 9 Nov with 0."
    nick = logged("report activity this week @nick", "Ana")
    assert nick.title == "Activity of Nick, this week (23–25 Nov 2026): no interactions logged."
    assert nick.image is None


def test_points_are_summed_per_tier_over_time_with_the_top_parties(chat: Chat) -> None:
    said(chat, "2026-09-01T09:00", "add supplier GreenPack owner:@bob", "Bob")
    said(chat, "2026-09-01T09:00", "add customer Acme Corp owner:@ana")
    said(chat, "2026-09-01T09:00", "add customer Nobody's Co")
    said(chat, "2026-09-20T09:00", "award GreenPack 450 for the summer", "Maria")
    said(chat, "2026-10-05T09:00", "award GreenPack 100 for October", "Maria")
    said(chat, "2026-10-06T09:00", "award Acme 40 for the order")
    said(chat, "2026-11-10T09:00", "award Acme 60 for the order")
    said(chat, "2026-11-11T09:00", "award Nobody's 30 for a referral")
    said(chat, "2026-11-12T09:00", "deduct Acme 20 for a return")
    said(chat, "2026-11-13T09:00", "award Acme 10 for a typo")
    said(chat, "2026-11-13T09:01", "undo")
    period = period_of("this quarter", NOW, BERLIN)
    data = points_data(chat.router.store, POLICY, TEAM, period)
    assert data.period.labels()[:3] == ["1 Oct", "5 Oct", "12 Oct"]
    weekly = dict(zip(data.period.labels(), zip(*data.by_tier.values(), strict=True), strict=True))
    assert data.tiers == ("bronze", "silver", "gold", "platinum")  # GreenPack is silver now
    assert weekly["5 Oct"] == (40, 100, 0, 0) and weekly["9 Nov"] == (90, 0, 0, 0)
    assert sum(map(sum, data.by_tier.values())) == 230 == data.total
    assert data.top == [("GreenPack", 100), ("Acme Corp", 100), ("Nobody's Co", 30)]
    anas = points_data(chat.router.store, POLICY, Scope("Ana", PEOPLE[:1]), period)
    assert anas.top == [("Acme Corp", 100)]
    reply = chat("report points this quarter", "Maria")
    assert reply.sections[0].lines == (
        "230 points earned by 3 parties: silver 100, bronze 130.",
        "Top: GreenPack 100, Acme Corp 100, Nobody's Co 30.",
    )


def test_suppliers_are_scored_over_time_on_their_bands_with_probation_marked(chat: Chat) -> None:
    for name in ("GreenPack", "Box Co", "Cargo Ltd", "Dull Inc"):
        said(chat, "2026-10-01T09:00", f"add supplier {name} owner:@bob", "Bob")
    said(chat, "2026-10-02T09:00", "rate GreenPack quality:5 delivery:5 price:5", "Bob")
    said(chat, "2026-11-10T09:00", "rate Box Co quality:1 delivery:2 price:1", "Bob")
    said(chat, "2026-11-11T09:00", "status Box Co probation because late twice", "Maria")
    said(chat, "2026-11-20T09:00", "rate Cargo Ltd quality:3 delivery:3 price:3", "Bob")
    chat.now = NOW
    period = period_of("this month", NOW, BERLIN)
    data = suppliers_data(chat.router.store, POLICY, TEAM, period, limit=2)
    assert data.rated == 3 and data.marked == {"on probation": 1}
    assert data.standings == {"excellent": 1, "good": 1, "watch": 0, "poor": 1}
    box, cargo = data.lines
    assert (box.name, box.score, box.standing, box.marks) == (
        "Box Co",
        9,
        "poor",
        ("on probation",),
    )
    assert box.series == [None, None, 9, 9, 9]  # rated on 10 Nov: from the 9 Nov bucket's end
    assert (cargo.name, cargo.series) == ("Cargo Ltd", [None, None, None, 50, 50])
    reply = chat("report suppliers", "Maria")
    assert reply.sections[0].lines == (
        "3 rated suppliers: 1 excellent, 1 good, 0 watch, 1 poor; 1 on probation.",
        "Needing a look: Box Co 9 (poor, on probation), Cargo Ltd 50 (good), GreenPack 100 "
        "(excellent).",
    )
    assert reply.image is not None and png_size(reply.image.png) == (1200, 700)


def test_suppliers_failing_a_policy_are_marked_by_the_policy_rule(store: Store, team: Team) -> None:
    policies = (SupplierPolicy("eco packaging", ("ISO 14001",), category="packaging"),)
    governed = replace(team, policy=replace(team.policy, supplier_policies=policies))
    chat = Chat(Router(store, governed), governed)
    for name in ("GreenPack", "Box Co", "Cargo Ltd"):
        kind = "category:packaging" if name != "Cargo Ltd" else ""
        said(chat, "2026-10-01T09:00", f"add supplier {name} {kind} owner:@bob", "Bob")
        said(chat, "2026-10-02T09:00", f"rate {name} quality:4 delivery:4 price:4", "Bob")
    said(chat, "2026-10-03T09:00", 'cert GreenPack "ISO 14001" expires 1 mar 2027', "Bob")
    said(chat, "2026-10-03T09:00", 'cert Box Co "ISO 14001" expires 20 nov 2026', "Bob")
    chat.now = NOW
    period = period_of("this month", NOW, BERLIN)
    data = suppliers_data(store, governed.policy, TEAM, period)
    assert data.marked == {"failing a policy": 1}  # Box Co's certificate ran out on 20 Nov
    assert [(line.name, line.marks) for line in data.lines][0] == ("Box Co", ("failing a policy",))
    assert {line.name: line.marks for line in data.lines}["Cargo Ltd"] == ()  # not covered
    reply = chat("report suppliers", "Maria")
    assert reply.sections[0].lines[0].endswith("; 1 failing a policy.")
    october = suppliers_data(
        store, governed.policy, TEAM, period_of("this week", at("2026-10-20T09:00"), BERLIN)
    )
    assert october.marked == {}  # still valid then


def test_what_happens_at_the_very_moment_of_the_report_counts(chat: Chat) -> None:
    said(chat, "2026-11-25T10:00", "add customer Acme Corp")
    said(chat, "2026-11-25T10:00", "award Acme 10 for the order")
    assert chat("report points this week").sections[0].lines[0].startswith("10 points")
    said(chat, "2026-11-25T10:00", "log call with Acme: just now")
    assert chat("report activity this week").sections[0].lines[0].startswith("1 interaction ")


def test_periods_follow_the_readers_calendar() -> None:
    week = period_of("this week", NOW, BERLIN)
    assert week.labels() == ["Mon 23", "Tue 24", "Wed 25"] and week.end > NOW
    last = period_of("last week", NOW, BERLIN)
    assert (last.start, last.end) == (at("2026-11-15T23:00"), at("2026-11-22T23:00"))
    year = period_of("this year", NOW, NEW_YORK)
    assert year.labels()[0] == "Jan" and year.labels()[-1] == "Nov" and year.unit == "month"
    assert year.start == at("2026-01-01T05:00") and year.span() == "1 Jan–25 Nov 2026"


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("report", "Report what? One of: activity, pipeline, points, suppliers."),
        ("report sales", "Report what? One of: activity, pipeline, points, suppliers."),
        (
            "report activity last month",
            "I can report on this week, last week, this month, this quarter, this year.",
        ),  # fmt: skip
        ("report activity @zed", "I don't understand “@zed”: say mine, team or @name."),
        (
            "report points this month team please",
            "I don't understand “team please”: say mine, team or @name.",
        ),  # fmt: skip
    ],
)
def test_unclear_reports_get_a_short_answer(chat: Chat, line: str, answer: str) -> None:
    reply = chat(line, "Maria")
    assert reply.title == answer and reply.image is None


def test_export_report_gives_the_same_numbers_as_csv(logged: Chat) -> None:
    reply = logged("export report activity this month team", "Maria")
    assert reply.file is not None
    name, content = reply.file
    assert name == "rapport-report-activity-20261125.csv"
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {(r["person"], r["from"], r["kind"], r["interactions"]) for r in rows} == {
        ("Ana", "2026-11-01", "call", "1"),
        ("Ana", "2026-11-02", "call", "1"),
        ("Ana", "2026-11-23", "call", "1"),
        ("Ana", "2026-11-02", "email", "1"),
        ("Bob", "2026-11-16", "delivery", "1"),
        ("Nick", "2026-11-09", "meeting", "1"),
    }
    jsonl = logged("export report suppliers this year jsonl", "Maria")
    assert jsonl.file is not None and jsonl.file[0].endswith(".jsonl")
