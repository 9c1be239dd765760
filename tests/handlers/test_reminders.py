"""Reminders in chat, on a fixed clock: Wed 25 Nov 2026, 14:37 in Berlin (13:37 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.store import Store
from tests.conftest import Chat

pytestmark = pytest.mark.both_backends  # every test here runs on both engines


@pytest.fixture
def crm(chat: Chat) -> Chat:
    chat("add customer Acme")
    chat('add supplier "Green Pack, Ltd"')
    return chat


def store_of(chat: Chat) -> Store:
    return chat.router.store


@pytest.mark.parametrize(
    ("line", "title"),
    [
        (
            "remind me tomorrow 10am to send the quote to Acme",
            "Reminder 1: Thu 26 Nov 2026, 10:00 CET — send the quote to Acme",
        ),
        (
            "remind me to send the quote to Acme tomorrow 10am",
            "Reminder 1: Thu 26 Nov 2026, 10:00 CET — send the quote to Acme",
        ),
        ("remind me in 2 hours to call Acme", "Reminder 1: Wed 25 Nov 2026, 16:37 CET — call Acme"),
        ("remind me on friday to call Acme", "Reminder 1: Fri 27 Nov 2026, 09:00 CET — call Acme"),
        (
            "remind me at quarter to 3 to call Acme",
            "Reminder 1: Wed 25 Nov 2026, 14:45 CET — call Acme",
        ),
        ("remind me eod to call Acme", "Reminder 1: Wed 25 Nov 2026, 17:00 CET — call Acme"),
        ("Remind Me Tomorrow call Acme", "Reminder 1: Thu 26 Nov 2026, 09:00 CET — call Acme"),
    ],
)
def test_one_off_phrase_forms(crm: Chat, line: str, title: str) -> None:
    reply = crm(line)
    assert reply.ok and reply.title == title
    [reminder] = store_of(crm).reminders.all()
    assert (reminder.owner, reminder.party_id, reminder.recurrence) == ("Ana", 1, None)
    assert [b.label for b in reply.buttons] == ["Undo"]


@pytest.mark.parametrize(
    ("line", "first", "repeats"),
    [
        ("every monday 9am to review", "Mon 30 Nov 2026, 09:00 CET", "every Monday at 09:00"),
        ("to review every monday 9am", "Mon 30 Nov 2026, 09:00 CET", "every Monday at 09:00"),
        ("every 2 weeks to review", "Wed 9 Dec 2026, 09:00 CET", "every 2 weeks at 09:00"),
        ("every month on the 1st to review", "Tue 1 Dec 2026, 09:00 CET", "every month on the 1st"),
        ("every weekday at 8:30 to review", "Thu 26 Nov 2026, 08:30 CET", "every weekday at 08:30"),
        ("every day at 5pm to review", "Wed 25 Nov 2026, 17:00 CET", "every day at 17:00"),
        ("every mon and thu at 10 to review", "Thu 26 Nov 2026, 10:00 CET", "every Monday and Th"),
        ("every month on the 31st to review", "Mon 30 Nov 2026, 09:00 CET", "every month on the"),
        ("weekly on friday to review", "Fri 27 Nov 2026, 09:00 CET", "every week on Friday"),
    ],
)  # fmt: skip
def test_recurring_phrase_forms(chat: Chat, line: str, first: str, repeats: str) -> None:
    reply = chat(f"remind me {line}")
    assert reply.title == f"Reminder 1: {first} — review"
    assert dict(reply.sections[0].fields)["Repeats"].startswith(repeats)
    [reminder] = store_of(chat).reminders.all()
    assert reminder.recurrence and "RRULE:" in reminder.recurrence
    assert reminder.timezone == "Europe/Berlin"


def test_reminding_someone_else_tells_them(crm: Chat) -> None:
    reply = crm("remind @maria on friday to approve Green Pack")
    assert reply.title == "Reminder 1 for Maria: Fri 27 Nov 2026, 09:00 CET — approve Green Pack"
    [reminder] = store_of(crm).reminders.all()
    assert (reminder.owner, reminder.created_by, reminder.party_id) == ("Maria", "Ana", 2)
    [notice] = store_of(crm).deliveries.pending()
    assert notice.to == "Maria"
    assert notice.reply["title"] == "Ana set you reminder 1: approve Green Pack"


def test_a_reminder_for_new_york_is_set_on_their_clock(crm: Chat) -> None:
    reply = crm("remind @nick tomorrow 10am to call Acme")
    assert reply.title == "Reminder 1 for Nick: Thu 26 Nov 2026, 10:00 EST — call Acme"
    assert ("Your time", "Thu 26 Nov 2026, 16:00 CET") in reply.sections[0].fields
    own = crm("remind me tomorrow 10am to call Acme", as_="Nick")
    assert own.title == "Reminder 2: Thu 26 Nov 2026, 10:00 EST — call Acme"


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("remind me to call Acme", "When should I remind you?"),
        ("remind @zoe tomorrow to call Acme", "“@zoe” is not one of the team"),
        ("remind me yesterday to call Acme", "has already passed"),
        ("remind me every blue moon to call Acme", "couldn't read “every blue moon”"),
        ("remind me tomorrow", "What should I remind you of?"),
        ("remind me", "When, and what about?"),
    ],
)
def test_bad_reminders_store_nothing(crm: Chat, line: str, says: str) -> None:
    reply = crm(line)
    assert not reply.ok and says in reply.title
    assert list(store_of(crm).reminders.all()) == []


def test_the_party_is_linked_only_when_clearly_named(crm: Chat) -> None:
    crm("remind me tomorrow to call acme")
    crm('remind me tomorrow to ship "Green Pack, Ltd" the boxes')
    crm("remind me tomorrow to call Green")  # a unique prefix, capitalised
    reply = crm("remind me tomorrow to call Acmee")  # a look-alike: linked to nothing, not asked
    assert reply.ok
    assert [r.party_id for r in store_of(crm).reminders.all()] == [1, 2, 2, None]


def test_reminders_lists_mine_someones_all_and_overdue(crm: Chat) -> None:
    crm("remind me in 1 hour to call Acme")
    crm("remind me on friday to visit Acme")
    crm("remind me tomorrow to order boxes", as_="Bob")
    crm.later(hours=2)
    mine = crm("reminders")
    assert mine.title == "2 open reminders for you, soonest first:"
    assert mine.sections[0].lines[0] == "1 · Wed 25 Nov 2026, 15:37 CET · call Acme · overdue"
    assert crm("reminders @bob").title == "1 open reminder for Bob, soonest first:"
    everyone = crm("reminders all")
    assert everyone.title == "3 open reminders for the team, soonest first:"
    assert "Bob: order boxes" in everyone.plain()
    overdue = crm("reminders overdue")
    assert overdue.title == "1 overdue reminder for you, soonest first:"
    assert crm("reminders @maria").title == "No open reminders for Maria."


def test_done_snooze_cancel(crm: Chat) -> None:
    crm("remind me in 1 hour to call Acme")
    assert crm("snooze 1").title == "Snoozed reminder 1 to Wed 25 Nov 2026, 15:37 CET: call Acme."
    assert (
        crm("snooze 1 2h").title == "Snoozed reminder 1 to Wed 25 Nov 2026, 16:37 CET: call Acme."
    )
    assert (
        crm("snooze 1 tomorrow").title
        == "Snoozed reminder 1 to Thu 26 Nov 2026, 09:00 CET: call Acme."
    )
    assert not crm("snooze 1 whenever").ok
    done = crm("done 1")
    assert done.title == "Done: reminder 1 — call Acme."
    assert store_of(crm).reminders.get(1).status == "done"  # type: ignore[union-attr]
    assert not crm("done 1").ok and crm("done 1").title == "Reminder 1 is already done."
    crm("remind me tomorrow to visit Acme")
    assert crm("cancel 2").title == "Cancelled reminder 2: visit Acme."
    assert store_of(crm).reminders.get(2).status == "cancelled"  # type: ignore[union-attr]
    assert not crm("done 99").ok and not crm("done it").ok


def test_done_rolls_a_recurring_reminder_forward(chat: Chat) -> None:
    chat("remind me every monday 9am to review open quotes")
    chat.now = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)  # Monday 09:05 CET, just after it fired
    reply = chat("done 1")
    assert reply.title == "Done: reminder 1 — review open quotes. Next: Mon 7 Dec 2026, 09:00 CET."
    reminder = store_of(chat).reminders.get(1)
    assert reminder is not None and reminder.status == "open" and reminder.delivered_at is None


def test_only_the_owner_the_setter_or_a_manager_may_change_a_reminder(crm: Chat) -> None:
    crm("remind me tomorrow to call Acme")
    assert "only they or a manager" in crm("done 1", as_="Bob").title
    assert crm("snooze 1 2h", as_="Maria").ok
    crm("remind @bob tomorrow to order boxes")
    assert crm("cancel 2").ok  # Ana set it


def test_undo_takes_a_reminder_back(crm: Chat) -> None:
    reply = crm("remind @maria tomorrow to approve Green Pack")
    assert crm.press(reply, "Undo").title.startswith("Undone: Set a reminder for Maria")
    assert list(store_of(crm).reminders.all()) == []
    assert store_of(crm).deliveries.pending() == []


def test_recurrence_keeps_local_time_across_berlin_dst(chat: Chat) -> None:
    chat.now = datetime(2026, 10, 14, 10, 0, tzinfo=UTC)  # Wed 14 Oct, summer time
    assert chat("remind me every monday 9am to plan the week").title.startswith(
        "Reminder 1: Mon 19 Oct 2026, 09:00 CEST"
    )
    chat.now = datetime(2026, 10, 19, 7, 1, tzinfo=UTC)
    assert chat("done 1").title.endswith("Next: Mon 26 Oct 2026, 09:00 CET.")  # after 25 Oct
    assert store_of(chat).reminders.get(1).due == "2026-10-26T08:00:00+00:00"  # type: ignore[union-attr]


def test_recurrence_keeps_local_time_across_new_york_dst(chat: Chat) -> None:
    chat.now = datetime(2026, 10, 28, 15, 0, tzinfo=UTC)
    chat("remind me every friday 9am to send the report", as_="Nick")
    assert store_of(chat).reminders.get(1).due == "2026-10-30T13:00:00+00:00"  # type: ignore[union-attr]
    chat.now = datetime(2026, 10, 30, 13, 5, tzinfo=UTC)
    assert chat("done 1", as_="Nick").title.endswith("Next: Fri 6 Nov 2026, 09:00 EST.")
    assert store_of(chat).reminders.get(1).due == "2026-11-06T14:00:00+00:00"  # type: ignore[union-attr]


def test_follow_up_is_set_by_a_log_and_closed_by_the_next(crm: Chat) -> None:
    reply = crm("log call with Acme yesterday: pricing, follow up friday")
    assert "Follow-up: Fri 27 Nov 2026, 09:00 CET (reminder 1)" in reply.plain()
    crm("remind me tomorrow to send Acme the contract")  # a plain reminder stays open
    assert "Closed your follow-up" not in crm("log email to Acme 3 days ago: old news").plain()
    crm.later(days=1)
    closed = crm("met Acme today about the contract")
    assert "Closed your follow-up 1: follow up with Acme: pricing" in closed.plain()
    assert [store_of(crm).reminders.get(i).status for i in (1, 2)] == ["done", "open"]  # type: ignore[union-attr]


def test_another_persons_log_leaves_my_follow_up_open(crm: Chat) -> None:
    crm("log call with Acme yesterday: pricing, follow up friday")
    assert "Closed" not in crm("met Acme today", as_="Bob").plain()
    assert store_of(crm).reminders.get(1).status == "open"  # type: ignore[union-attr]


def test_the_card_shows_open_reminders(crm: Chat) -> None:
    crm("remind me tomorrow 10am to send the quote to Acme")
    crm("remind @bob on friday to call Acme")
    card = crm("show acme")
    section = next(s for s in card.sections if s.title == "Open reminders")
    assert section.lines == (
        "1 · Thu 26 Nov 2026, 10:00 CET · Ana: send the quote to Acme",
        "2 · Fri 27 Nov 2026, 09:00 CET · Bob: call Acme",
    )
    crm("done 1")
    assert "send the quote" not in crm("show acme").plain()


def test_cadence_and_stale(crm: Chat) -> None:
    crm("edit Acme #enterprise")
    crm("add customer Initech #enterprise")
    crm("edit Green cadence:30d")
    assert crm("cadence #enterprise 14d").title.startswith(
        "#enterprise parties: contact every 14 days"
    )
    crm("log call with Green on 10 Oct: boxes")
    crm("log call with Initech yesterday")
    assert (
        crm("stale").sections[0].lines[0].startswith("Green Pack, Ltd (#2) · 16 days over a 30-day")
    )
    crm.later(days=20)
    found = crm("stale")
    assert found.title == "3 parties past their contact cadence, most overdue first:"
    names = [line.split(" (#")[0] for line in found.sections[0].lines]
    assert names == ["Green Pack, Ltd", "Initech", "Acme"]
    assert crm("stale customers").sections[0].lines[1] == (
        "Acme (#1) · 6 days over a 14-day cadence · never contacted"
    )
    assert "Green" not in crm("stale #enterprise").plain()
    assert crm("cadence").sections[0].lines == ("#enterprise: every 14 days",)
    crm("cadence #enterprise off")
    assert "Acme" not in crm("stale").plain()
    assert not crm("cadence #enterprise sometimes").ok


def test_digest_for_a_manager_groups_the_team(crm: Chat) -> None:
    crm("edit Acme owner:@ana cadence:7d")
    crm("remind me in 1 hour to call Acme")  # overdue by the digest
    crm.now = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)  # Fri 4 Dec, 07:00 CET
    crm("remind me today 8:00 to plan", as_="Bob")  # due later today
    crm("remind me tomorrow to relax", as_="Bob")  # not today: left out
    reply = crm("digest", as_="Maria")
    assert reply.title == "Digest for Maria, Fri 4 Dec 2026: 3 items to look at."
    ana, bob = reply.sections
    assert ana.title == "Ana — 1 overdue, 0 due today, 1 stale"
    assert ana.lines == (
        "1 · Wed 25 Nov 2026, 15:37 CET · call Acme · overdue",
        "stale: Acme (#1) · 1 day over a 7-day cadence · never contacted · owner Ana",
    )
    assert bob.title == "Bob — 0 overdue, 1 due today, 0 stale"
    assert bob.lines == ("2 · Fri 4 Dec 2026, 08:00 CET · plan",)
    own = crm("digest", as_="Bob")
    assert own.title == "Digest for Bob, Fri 4 Dec 2026: 1 item to look at."
    quiet = crm("digest", as_="Nick")
    assert quiet.title == "Digest for Nick, Fri 4 Dec 2026: nothing overdue, due today or stale."


def test_every_inside_the_text_is_not_a_repeat(crm: Chat) -> None:
    reply = crm("remind me tomorrow to check every invoice from Acme")
    assert reply.title == "Reminder 1: Thu 26 Nov 2026, 09:00 CET — check every invoice from Acme"
    assert reminder_rule(crm) is None


def reminder_rule(chat: Chat) -> str | None:
    [reminder] = store_of(chat).reminders.all()
    return reminder.recurrence
