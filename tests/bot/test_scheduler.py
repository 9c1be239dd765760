"""The scheduler on a fixed clock: once only, catch-up, restarts, retries, escalation, digests."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.console import Console
from bot.notify import Delivered, RecordingNotifier
from bot.scheduler.agenda import Agenda
from bot.scheduler.loop import Scheduler
from handlers.context import Team
from handlers.reply import Reply
from handlers.router import Router
from storage.models import Person
from storage.store import Store
from tests.conftest import NOW, Chat

pytestmark = pytest.mark.both_backends  # every test here runs on both engines


class Crash(BaseException):
    """The process dies: nothing after this line of the scheduler runs."""


class CrashAfterSending(RecordingNotifier):
    """Takes the message, then the process dies before the delivery is recorded."""

    async def deliver(self, person: Person, reply: Reply) -> Delivered:
        await super().deliver(person, reply)
        raise Crash


@pytest.fixture
def slack() -> RecordingNotifier:
    return RecordingNotifier("slack")


@pytest.fixture
def telegram() -> RecordingNotifier:
    return RecordingNotifier("telegram")


@pytest.fixture
def scheduler(chat: Chat, slack: RecordingNotifier, telegram: RecordingNotifier) -> Scheduler:
    return Scheduler(chat.router.store, chat.team, lambda: chat.now, [slack, telegram])


def restart(chat: Chat, *notifiers: RecordingNotifier) -> Scheduler:
    """Close the store as a stopping process would, open it again, with a new scheduler."""
    chat.router.store.close()
    store = Store(chat.router.store.location)
    chat.router = Router(store, chat.team)
    return Scheduler(store, chat.team, lambda: chat.now, notifiers)


def reminder(chat: Chat, reminder_id: int = 1):  # type: ignore[no-untyped-def]
    found = chat.router.store.reminders.get(reminder_id)
    assert found is not None
    return found


async def test_a_due_reminder_is_sent_once_with_its_buttons(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier
) -> None:
    chat("add customer Acme")
    chat("remind me in 1 hour to call Acme")
    upcoming = await scheduler.run_due()
    assert slack.sent == [] and upcoming == NOW + timedelta(hours=1)
    chat.later(hours=1)
    await scheduler.run_due()
    assert scheduler.agenda.when(("reminder", 1)) is None
    [message] = slack.to("Ana")
    assert message.title == "Reminder 1: call Acme"
    assert message.sections[0].fields == (("Due", "Wed 25 Nov 2026, 15:37 CET"), ("Party", "Acme"))
    commands = [(b.label, b.command) for b in message.buttons]
    assert commands == [
        ("Done", "done 1"),
        ("Snooze 1h", "snooze 1 1h"),
        ("Tomorrow", "snooze 1 tomorrow"),
    ]
    assert (reminder(chat).delivered_at, reminder(chat).delivered_ref) == (
        chat.now.isoformat(),
        "slack:1",
    )
    chat.later(hours=5)
    await scheduler.run_due()
    assert len(slack.sent) == 1  # delivered and unanswered: stays open, never sent again
    assert "overdue" in chat("reminders").plain()


async def test_buttons_act_and_a_snoozed_reminder_comes_back(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier
) -> None:
    chat("remind me in 1 hour to call Acme")
    chat.later(hours=1)
    await scheduler.run_due()
    assert chat.press(slack.sent[0][1], "Snooze 1h").title.startswith(
        "Snoozed reminder 1 to Wed 25 Nov 2026, 16:37"
    )
    chat.later(hours=1)
    await scheduler.run_due()
    assert len(slack.sent) == 2
    assert chat.press(slack.sent[1][1], "Done").title == "Done: reminder 1 — call Acme."
    chat.later(days=2)
    await scheduler.run_due()
    assert len(slack.sent) == 2


async def test_each_person_on_their_channel(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier, telegram: RecordingNotifier
) -> None:
    for name in ("Ana", "Bob", "Nick", "Root"):
        chat("remind me in 1 hour to check in", as_=name)
    chat.later(hours=1)
    await scheduler.run_due()
    assert [p.name for p, _ in slack.sent] == ["Ana", "Nick"]
    assert [p.name for p, _ in telegram.sent] == ["Bob"]
    assert reminder(chat, 4).delivered_at is None  # Root has only the terminal: waits for `chat`


async def test_catch_up_after_downtime_says_late_and_when_it_was_due(
    chat: Chat, slack: RecordingNotifier
) -> None:
    chat("remind me in 1 hour to call Acme")
    chat.later(hours=5)  # the bot was down when it fell due
    await Scheduler(chat.router.store, chat.team, lambda: chat.now, [slack]).run_due()
    [message] = slack.to("Ana")
    assert message.title == "Reminder 1 (late): call Acme"
    assert message.sections[0].fields[0] == ("Was due", "Wed 25 Nov 2026, 15:37 CET")


async def test_no_second_delivery_after_a_restart(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier
) -> None:
    chat("remind me in 1 hour to call Acme")
    chat.later(hours=1)
    await scheduler.run_due()
    again = RecordingNotifier("slack")
    await restart(chat, again).run_due()
    assert len(slack.sent) == 1 and again.sent == []


async def test_dying_between_sending_and_recording_never_sends_twice(chat: Chat) -> None:
    """At most once: the interrupted send counts as delivered (unconfirmed) after a restart."""
    chat("remind me in 1 hour to call Acme")
    chat.later(hours=1)
    dying = CrashAfterSending("slack")
    with pytest.raises(Crash):
        await Scheduler(chat.router.store, chat.team, lambda: chat.now, [dying]).run_due()
    assert reminder(chat).sending_at == chat.now.isoformat() and reminder(chat).delivered_at is None
    again = RecordingNotifier("slack")
    chat.later(minutes=10)
    await restart(chat, again).run_due()
    assert len(dying.sent) == 1 and again.sent == []
    recovered = reminder(chat)
    assert recovered.delivered_ref == "unconfirmed"
    assert recovered.delivered_at == (NOW + timedelta(hours=1)).isoformat()
    assert "call Acme · overdue" in chat("reminders").plain()  # still open, still listed


async def test_a_failed_delivery_is_retried_with_back_off(
    chat: Chat, telegram: RecordingNotifier
) -> None:
    flaky = RecordingNotifier("slack", failures=2)
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now, [flaky, telegram])
    chat("remind me in 1 hour to call Acme")
    chat.later(hours=1)
    due = chat.now
    assert await scheduler.run_due() == due + timedelta(seconds=30)
    assert (reminder(chat).sending_at, reminder(chat).delivered_at) == (None, None)
    chat.later(seconds=30)
    assert await scheduler.run_due() == due + timedelta(seconds=90)
    chat.later(seconds=60)
    await scheduler.run_due()
    assert (flaky.attempts, len(flaky.sent)) == (3, 1)
    assert flaky.sent[0][1].title == "Reminder 1: call Acme"  # 90 s is not late


async def test_a_failed_delivery_survives_a_restart(chat: Chat) -> None:
    down = RecordingNotifier("slack", failures=10)
    chat("remind me in 1 hour to call Acme")
    chat.later(hours=1)
    await Scheduler(chat.router.store, chat.team, lambda: chat.now, [down]).run_due()
    up = RecordingNotifier("slack")
    await restart(chat, up).run_due()
    assert down.sent == [] and len(up.sent) == 1


async def test_an_open_follow_up_is_escalated_to_the_manager_once(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier
) -> None:
    chat("add customer Acme")
    chat("log call with Acme yesterday: pricing, follow up tomorrow")  # Thu 26 Nov 09:00 CET
    chat("log call with Acme yesterday: terms, follow up tomorrow", as_="Maria")  # no manager
    chat.now = datetime(2026, 11, 28, 7, 59, tzinfo=UTC)  # Sat 08:59 CET
    await scheduler.run_due()
    assert [m.title for m in slack.to("Ana")] == [
        "Follow-up 1 (late): follow up with Acme: pricing"
    ]
    assert slack.to("Maria")[0].title.startswith("Follow-up 2 (late)")
    chat.later(minutes=1)  # escalate_after_days = 2
    await scheduler.run_due()
    escalation = slack.to("Maria")[-1]
    assert escalation.title == "Ana's follow-up 1 is still open, 2 days after it was due"
    assert ("Party", "Acme") in escalation.sections[0].fields
    assert reminder(chat).escalated_at == chat.now.isoformat()
    chat.later(days=3)
    await scheduler.run_due()
    again = RecordingNotifier("slack")
    await restart(chat, again).run_due()
    escalations = [m for m in slack.to("Maria") + again.to("Maria") if "still open" in m.title]
    assert len(escalations) == 1


async def test_a_follow_up_closed_in_time_is_not_escalated(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier
) -> None:
    chat("add customer Acme")
    chat("log call with Acme yesterday: pricing, follow up tomorrow")
    chat.later(days=1)
    chat("met Acme today")
    chat.later(days=3)
    await scheduler.run_due()
    assert slack.to("Maria") == []


async def test_the_daily_digest_comes_once_a_day_at_the_managers_time(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier
) -> None:
    chat("remind me in 1 hour to call Acme")
    await scheduler.run_due()  # Wed 14:37: today's 08:30 is gone; the first digest is Thursday's
    chat.now = datetime(2026, 11, 26, 7, 29, tzinfo=UTC)  # Thu 08:29 CET
    await scheduler.run_due()
    assert [m.title for m in slack.to("Maria")] == []
    chat.later(minutes=1)
    assert await scheduler.run_due() == datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
    [digest] = slack.to("Maria")
    assert digest.title == "Digest for Maria, Thu 26 Nov 2026: 1 item to look at."
    assert digest.sections[0].title == "Ana — 1 overdue, 0 due today, 0 stale"
    chat.later(minutes=30)
    await scheduler.run_due()
    await restart(chat, slack).run_due()
    assert len(slack.to("Maria")) == 1
    assert slack.to("Ana") and not [p for p, _ in slack.sent if p.name == "Root"]


async def test_a_missed_digest_is_sent_late_the_same_day(chat: Chat) -> None:
    slack = RecordingNotifier("slack")
    chat("remind me in 1 hour to call Acme")
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now, [slack])
    await scheduler.run_due()
    chat.now = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)
    await scheduler.run_due()
    chat.now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # down over Friday 08:30
    await restart(chat, slack).run_due()
    assert [m.title.split(":")[0] for m in slack.to("Maria")] == [
        "Digest for Maria, Thu 26 Nov 2026",
        "Digest for Maria, Fri 27 Nov 2026",
    ]


async def test_a_managers_digest_follows_their_own_zone(store: Store) -> None:
    people = (
        Person("Ana", "rep", "Europe/Berlin", slack="U1", manager="Maria"),
        Person("Maria", "manager", "America/New_York", slack="U2"),
    )
    team = Team(people=people, timezone="Europe/Berlin")
    chat = Chat(Router(store, team), team)
    chat("remind me in 1 hour to call Acme")
    slack = RecordingNotifier("slack")
    scheduler = Scheduler(store, team, lambda: chat.now, [slack])
    await scheduler.run_due()
    chat.now = datetime(2026, 11, 26, 13, 29, tzinfo=UTC)  # 08:29 in New York
    await scheduler.run_due()
    assert slack.to("Maria") == []
    chat.later(minutes=1)
    await scheduler.run_due()
    assert slack.to("Maria")[0].title.startswith("Digest for Maria, Thu 26 Nov 2026")


async def test_a_weekly_reminder_stays_at_nine_across_the_dst_change(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier
) -> None:
    chat.now = datetime(2026, 10, 14, 10, 0, tzinfo=UTC)
    chat("remind me every monday 9am to plan the week")
    chat.now = datetime(2026, 10, 19, 7, 0, tzinfo=UTC)  # Mon 19 Oct, 09:00 CEST
    await scheduler.run_due()
    assert len(slack.sent) == 1
    assert (
        scheduler.agenda.when(("reminder", 1)) == datetime(2026, 10, 26, 8, tzinfo=UTC).timestamp()
    )
    chat.now = datetime(2026, 10, 26, 7, 0, tzinfo=UTC)  # 08:00 CET: not yet
    await scheduler.run_due()
    assert len(slack.sent) == 1
    chat.now = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # 09:00 CET
    await scheduler.run_due()
    assert [m.sections[0].fields[0] for m in slack.to("Ana")] == [
        ("Due", "Mon 19 Oct 2026, 09:00 CEST"),
        ("Due", "Mon 26 Oct 2026, 09:00 CET"),
    ]


async def test_a_repeat_missed_during_downtime_is_sent_once(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier
) -> None:
    chat("remind me every day at 10am to stand up")
    chat.now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # six occurrences missed
    await scheduler.run_due()
    assert [m.title for m in slack.to("Ana")] == ["Reminder 1 (late): stand up"]
    assert (
        scheduler.agenda.when(("reminder", 1)) == datetime(2026, 12, 3, 9, tzinfo=UTC).timestamp()
    )


async def test_notices_for_others_go_out_through_the_outbox(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier, telegram: RecordingNotifier
) -> None:
    chat("remind @bob on friday to order boxes")
    await scheduler.run_due()
    [notice] = telegram.to("Bob")
    assert notice.title == "Ana set you reminder 1: order boxes"
    assert notice.sections[0].fields == (("Due", "Fri 27 Nov 2026, 09:00 CET"),)
    assert chat.router.store.deliveries.pending() == []


async def test_a_platform_added_later_gets_what_waited(chat: Chat) -> None:
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now)
    chat("remind me in 1 hour to call Acme")
    chat.later(hours=1)
    await scheduler.run_due()
    slack = RecordingNotifier("slack")
    scheduler.add_notifier(slack)
    await scheduler.run_due()
    assert len(slack.sent) == 1


async def test_run_wakes_for_a_new_reminder_and_stops(
    chat: Chat, scheduler: Scheduler, slack: RecordingNotifier
) -> None:
    await scheduler.start()
    chat("remind me in 1 minute to call Acme")
    chat.later(minutes=1)
    scheduler.wake()
    for _ in range(200):
        if slack.sent:
            break
        await asyncio.sleep(0.01)
    await scheduler.stop()
    assert [m.title for m in slack.to("Ana")] == ["Reminder 1: call Acme"]


def test_the_terminal_shows_what_fell_due_at_the_next_prompt(chat: Chat) -> None:
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now)
    chat("remind me in 1 hour to back up", as_="Root")
    chat("remind me in 1 hour to call Acme", as_="Ana")
    chat.later(hours=2)
    out = io.StringIO()
    root = chat.team.find("Root")
    assert root is not None
    Console(chat.router, root, lambda: chat.now, out, pending=scheduler.at_prompt).run(["1"], False)
    text = out.getvalue()
    assert text.startswith("Reminder 1 (late): back up\n  Was due: Wed 25 Nov 2026, 14:37 UTC")
    assert "Done: reminder 1 — back up." in text  # "1" pressed the reminder's Done button
    assert reminder(chat).delivered_ref == "terminal"
    ana = chat.team.find("Ana")
    assert ana is not None
    assert [r.title for r in scheduler.at_prompt(ana)] == ["Reminder 2 (late): call Acme"]
    assert scheduler.at_prompt(ana) == []  # shown once per session
    assert reminder(chat, 2).delivered_at is None  # Slack will still deliver it


def test_the_agenda_finds_due_keys_without_scanning() -> None:
    agenda = Agenda()
    base = NOW.timestamp()
    for n in range(10):
        agenda.set(("reminder", n), base + n)
    agenda.set(("reminder", 0), base + 100)  # moved later: the old entry is stale
    agenda.set(("reminder", 1), None)  # dropped
    assert agenda.next_time() == base + 2
    assert agenda.take_due(base + 3) == [("reminder", 2), ("reminder", 3)]
    assert len(agenda) == 7 and agenda.when(("reminder", 0)) == base + 100
    assert agenda.set(("reminder", 99), base - 1) is True  # the new earliest


def test_the_recording_notifier_is_a_notifier() -> None:
    fake = RecordingNotifier("telegram")
    assert fake.can_reach(replace(Person("X"), telegram=1)) and not fake.can_reach(Person("Y"))


async def test_undo_after_the_heads_up_went_out_keeps_the_sent_notice(
    chat: Chat, scheduler: Scheduler, telegram: RecordingNotifier
) -> None:
    reply = chat("remind @bob on friday to order boxes")
    await scheduler.run_due()
    assert chat.press(reply, "Undo").title.startswith("Undone: Set a reminder for Bob")
    assert chat.router.store.reminders.get(1) is None
    assert len(telegram.to("Bob")) == 1


async def test_a_platform_added_early_does_not_lose_a_repeat(chat: Chat) -> None:
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now)
    chat("remind me every day at 4pm to stretch")
    chat.later(hours=2)  # 16:37 CET: due, but no platform yet
    await scheduler.run_due()
    slack = RecordingNotifier("slack")
    scheduler.add_notifier(slack)
    await scheduler.run_due()
    scheduler.add_notifier(slack)  # again, before tomorrow's: it keeps its time
    await scheduler.run_due()
    chat.now = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    await scheduler.run_due()
    assert [m.sections[0].fields[0][1] for m in slack.to("Ana")] == [
        "Wed 25 Nov 2026, 16:00 CET",
        "Thu 26 Nov 2026, 16:00 CET",
    ]


class Broken(RecordingNotifier):
    """A notifier failing in a way that does not say the message was refused."""

    async def deliver(self, person: Person, reply: Reply) -> Delivered:
        self.attempts += 1
        raise RuntimeError("connection reset after the request was written")


async def test_an_unclear_failure_counts_as_sent_and_is_not_repeated(chat: Chat) -> None:
    broken = Broken("slack")
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now, [broken])
    chat("remind me in 1 hour to call Acme")
    chat.later(hours=1)
    await scheduler.run_due()
    chat.later(hours=3)
    await scheduler.run_due()
    assert broken.attempts == 1 and reminder(chat).delivered_ref == "unconfirmed"
