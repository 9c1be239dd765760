"""The weekly report: each lead's team charts, once a week at their own time, through the outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.notify import RecordingNotifier
from bot.scheduler.loop import Scheduler
from handlers.context import Team
from handlers.reply import Reply
from handlers.router import Router
from storage.models import Person
from storage.store import Store
from tests.conftest import POLICY, Chat
from tests.fakes.telegram_api import png_size

MONDAY_8_BERLIN = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def log(chat: Chat, when: str, line: str, who: str = "Ana") -> None:
    chat.now = at(when)
    assert chat(line, who).ok


def restart(chat: Chat, tmp_path: Path, notifier: RecordingNotifier) -> Scheduler:
    """The process stops and starts again on the same store."""
    chat.router.store.close()
    chat.router = Router(Store(tmp_path / "data"), chat.team)
    return Scheduler(chat.router.store, chat.team, lambda: chat.now, [notifier])


def weekly(notifier: RecordingNotifier, name: str) -> list[Reply]:
    return [r for r in notifier.to(name) if r.title.startswith("Weekly report: ")]


@pytest.fixture
def busy(chat: Chat) -> Chat:
    log(chat, "2026-11-20T09:00", "add customer Acme Corp")
    log(chat, "2026-11-24T09:00", "log call with Acme: pricing")
    log(chat, "2026-11-25T09:00", "met Acme: the contract", "Nick")
    log(chat, "2026-11-25T10:00", "emailed Acme: the offer", "Nick")
    chat.now = datetime(2026, 11, 25, 13, 37, tzinfo=UTC)
    return chat


async def test_each_lead_gets_the_team_chart_once_a_week_across_a_restart(
    busy: Chat, tmp_path: Path
) -> None:
    slack = RecordingNotifier("slack")
    scheduler = Scheduler(busy.router.store, busy.team, lambda: busy.now, [slack])
    await scheduler.run_due()  # Wednesday: this week's Monday 08:00 is gone; the first is next
    busy.now = at("2026-11-30T06:59")
    await scheduler.run_due()
    assert weekly(slack, "Maria") == []
    busy.now = MONDAY_8_BERLIN
    await scheduler.run_due()
    [report] = weekly(slack, "Maria")
    assert report.title == "Weekly report: Activity of Maria's team, last week (23–29 Nov 2026)"
    assert report.sections[0].lines[1] == "Most: Nick 2; least: Maria 0."
    assert report.image is not None and png_size(report.image.png) == (1200, 700)
    assert not [p for p, _r in slack.sent if p.name != "Maria"]  # only leads get it

    busy.later(hours=2)
    await restart(busy, tmp_path, slack).run_due()
    busy.later(days=3)
    again = restart(busy, tmp_path, slack)
    await again.run_due()
    assert len(weekly(slack, "Maria")) == 1

    log(busy, "2026-12-02T09:00", "log call with Acme: December")
    busy.now = at("2026-12-07T07:00")
    await again.run_due()
    titles = [r.title for r in weekly(slack, "Maria")]
    assert titles[1] == "Weekly report: Activity of Maria's team, last week (30 Nov–6 Dec 2026)"


async def test_a_report_missed_while_down_comes_late_once(busy: Chat, tmp_path: Path) -> None:
    slack = RecordingNotifier("slack")
    scheduler = Scheduler(busy.router.store, busy.team, lambda: busy.now, [slack])
    await scheduler.run_due()
    busy.now = MONDAY_8_BERLIN
    await scheduler.run_due()
    log(busy, "2026-12-02T09:00", "log call with Acme: December")
    busy.now = at("2026-12-08T10:00")  # down from Wednesday over Monday 08:00
    await restart(busy, tmp_path, slack).run_due()
    late = weekly(slack, "Maria")[1:]
    assert [r.title.split(", ")[1] for r in late] == ["last week (30 Nov–6 Dec 2026)"]
    await restart(busy, tmp_path, slack).run_due()
    assert len(weekly(slack, "Maria")) == 2


async def test_a_refused_report_is_retried_until_it_goes(busy: Chat) -> None:
    slack = RecordingNotifier("slack", failures=2)
    scheduler = Scheduler(busy.router.store, busy.team, lambda: busy.now, [slack])
    await scheduler.run_due()
    busy.now = MONDAY_8_BERLIN
    await scheduler.run_due()
    assert weekly(slack, "Maria") == [] and slack.attempts == 1
    for _ in range(3):
        busy.later(minutes=2)
        await scheduler.run_due()
    assert len(weekly(slack, "Maria")) == 1 and slack.attempts == 3


async def test_every_lead_at_eight_in_their_own_zone(store: Store) -> None:
    people = (
        Person("Ana", "rep", "Europe/Berlin", slack="U1", manager="Maria"),
        Person("Maria", "manager", "Europe/Berlin", slack="U2"),
        Person("Nick", "rep", "America/New_York", slack="U3", manager="Nora"),
        Person("Nora", "manager", "America/New_York", slack="U4"),
    )
    team = Team(people=people, timezone="Europe/Berlin", policy=POLICY)
    chat = Chat(Router(store, team), team)
    log(chat, "2026-11-20T09:00", "add customer Acme Corp")
    log(chat, "2026-11-24T15:00", "log call with Acme: Ana's")
    log(chat, "2026-11-24T15:00", "log call with Acme: Nick's", "Nick")
    slack = RecordingNotifier("slack")
    scheduler = Scheduler(store, team, lambda: chat.now, [slack])
    await scheduler.run_due()
    chat.now = MONDAY_8_BERLIN
    await scheduler.run_due()
    assert [p.name for p, _r in slack.sent] == ["Maria"]
    chat.now = at("2026-11-30T13:00")  # 08:00 in New York
    await scheduler.run_due()
    assert [p.name for p, _r in slack.sent] == ["Maria", "Nora"]
    [nora] = weekly(slack, "Nora")
    assert nora.sections[0].lines[0].startswith("1 interaction by 2 people")


async def test_a_quiet_week_and_a_weekly_report_turned_off_send_nothing(chat: Chat) -> None:
    slack = RecordingNotifier("slack")
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now, [slack])
    await scheduler.run_due()
    chat.now = MONDAY_8_BERLIN
    await scheduler.run_due()
    assert slack.sent == []
    off = replace(chat.team, policy=replace(POLICY, weekly_report="off"))
    log(chat, "2026-12-01T09:00", "add customer Acme Corp")
    log(chat, "2026-12-01T10:00", "log call with Acme: busy again")
    scheduler = Scheduler(chat.router.store, off, lambda: chat.now, [slack])
    await scheduler.run_due()
    chat.now = at("2026-12-07T07:00")
    await scheduler.run_due()
    assert slack.sent == [] and scheduler.agenda.when(("weekly", "maria")) is None


def test_the_weekly_time_is_read_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "rapport.toml"
    config.write_text('[reports]\nweekly = "fri 17:30"\n')
    assert load_config(config).team.policy.weekly_report == "fri 17:30"
    config.write_text('[reports]\nweekly = "someday"\n')
    with pytest.raises(ConfigError, match="reports.weekly: should be a day and a time"):
        load_config(config)


async def test_a_lead_with_deals_gets_the_activity_and_the_pipeline_charts(
    busy: Chat, tmp_path: Path
) -> None:
    log(busy, "2026-11-25T11:00", 'deal Acme "Q1 renewal" 48k stage:proposal close:15 jan 2027')
    log(busy, "2026-11-25T11:00", 'deal Acme "Pilot" 20k close:20 dec 2026', "Nick")
    busy.now = at("2026-11-25T13:37")
    slack = RecordingNotifier("slack")
    scheduler = Scheduler(busy.router.store, busy.team, lambda: busy.now, [slack])
    await scheduler.run_due()
    busy.now = MONDAY_8_BERLIN
    await scheduler.run_due()
    activity, pipeline = weekly(slack, "Maria")
    assert activity.title.startswith("Weekly report: Activity of Maria's team, last week")
    assert pipeline.title == "Weekly report: Pipeline of Maria's team, open deals on 30 Nov 2026"
    assert pipeline.sections[0].lines[0] == (
        "2 open deals worth 68,000 EUR, weighted 26,000 EUR (38%); most in proposal (48,000 EUR)."
    )
    assert pipeline.image is not None and png_size(pipeline.image.png) == (1200, 700)
    busy.later(hours=3)
    await restart(busy, tmp_path, slack).run_due()
    assert len(weekly(slack, "Maria")) == 2  # once a week, also after a restart
