"""Logging what happened with a party in the forms people type, and reading it back."""

from __future__ import annotations

import pytest

from tests.conftest import Chat

pytestmark = pytest.mark.both_backends  # every test here runs on both engines


@pytest.fixture
def parties(chat: Chat) -> Chat:
    chat("add customer Acme")
    chat("add supplier GreenPack")
    chat("add supplier May Logistics")
    chat("add customer Sat Corp")
    return chat


def stored(chat: Chat) -> list:
    return list(chat.router.store.interactions.all())


def test_log_call_yesterday_with_notes_and_follow_up(parties: Chat) -> None:
    reply = parties("log call with Acme yesterday: discussed Q3 pricing, follow up next tuesday")
    assert reply.title == "Logged call with Acme — Tue 24 Nov 2026, 09:00 CET."
    text = reply.plain()
    assert "discussed Q3 pricing" in text
    assert "Follow-up: Tue 1 Dec 2026, 09:00 CET (reminder 1)" in text
    [interaction] = stored(parties)
    assert (interaction.kind, interaction.notes, interaction.by) == (
        "call",
        "discussed Q3 pricing",
        "Ana",
    )
    assert interaction.at == "2026-11-24T08:00:00+00:00"
    assert interaction.follow_up == "2026-12-01T08:00:00+00:00"
    reminder = parties.router.store.reminders.get(1)
    assert reminder is not None and reminder.owner == "Ana" and reminder.party_id == 1


@pytest.mark.parametrize(
    ("text", "kind", "party", "notes", "at"),
    [
        (
            "met GreenPack today about the recycled boxes",
            "meeting",
            "GreenPack",
            "the recycled boxes",
            "2026-11-25T13:37:00+00:00",
        ),
        (
            "delivery from GreenPack on 3 Nov: 2 pallets late",
            "delivery",
            "GreenPack",
            "2 pallets late",
            "2026-11-03T08:00:00+00:00",
        ),
        ("emailed Acme the price list", "email", "Acme", "", None),
        (
            "called Acme last friday, discussed pricing",
            "call",
            "Acme",
            "discussed pricing",
            "2026-11-20T08:00:00+00:00",
        ),
        ("log Acme: quick note", "note", "Acme", "quick note", "2026-11-25T13:37:00+00:00"),
        (
            "delivery from May Logistics yesterday: march delivery arrived",
            "delivery",
            "May Logistics",
            "march delivery arrived",
            "2026-11-24T08:00:00+00:00",
        ),
        (
            "log visit at Sat Corp: saw the plant",
            "visit",
            "Sat Corp",
            "saw the plant",
            "2026-11-25T13:37:00+00:00",
        ),
        (
            "delivery from GreenPack on 3/11: ok",
            "delivery",
            "GreenPack",
            "ok",
            "2026-11-03T08:00:00+00:00",
        ),
    ],
)
def test_natural_forms(
    parties: Chat, text: str, kind: str, party: str, notes: str, at: str | None
) -> None:
    reply = parties(text)
    assert reply.ok, reply.plain()
    [interaction] = stored(parties)
    found = parties.router.store.parties.get(interaction.party_id)
    assert found is not None and found.name == party
    assert interaction.kind == kind
    if notes:
        assert interaction.notes == notes
    if at:
        assert interaction.at == at


def test_future_log_is_refused(parties: Chat) -> None:
    reply = parties("log meeting with Acme tomorrow: kickoff")
    assert not reply.ok and "still to come" in reply.title
    assert stored(parties) == []


def test_a_dash_before_the_follow_up_is_not_kept_in_the_notes(parties: Chat) -> None:
    parties("log call with Acme: asked about pricing - follow up friday")
    parties("log call with Acme: sent the quote — f/u monday")
    assert [i.notes for i in stored(parties)] == ["asked about pricing", "sent the quote"]


def test_unreadable_follow_up_stores_nothing(parties: Chat) -> None:
    reply = parties("log call with Acme: hi, follow up whenever it suits")
    assert not reply.ok and "follow-up date" in reply.title
    assert stored(parties) == []


def test_unknown_party_stores_nothing(parties: Chat) -> None:
    reply = parties("log call with Initech yesterday: hello")
    assert not reply.ok
    assert stored(parties) == []


def test_new_log_closes_the_loggers_open_follow_up(parties: Chat) -> None:
    parties("log call with Acme yesterday: pricing, follow up friday")
    reply = parties("met Acme today about the contract")
    assert "Closed your follow-up 1: follow up with Acme: pricing" in reply.plain()
    assert parties.router.store.reminders.get(1).status == "done"  # type: ignore[union-attr]


def test_history_newest_first_and_since(parties: Chat) -> None:
    parties("log call with Acme on 1 Oct: early")
    parties("log call with Acme yesterday: late")
    reply = parties("history acme")
    assert reply.title == "Acme: 2 interactions, newest first"
    assert reply.sections[0].lines[0].endswith("late")
    since = parties("history acme since last week")
    assert since.title.startswith("Acme: 1 interaction")
    assert not parties("history acme since the dawn of time").ok


def test_undo_takes_back_a_log_and_its_follow_up(parties: Chat) -> None:
    reply = parties("log call with Acme yesterday: x, follow up monday")
    undone = parties.press(reply, "Undo")
    assert undone.title.startswith("Undone: Logged call with Acme")
    assert stored(parties) == []
    assert parties.router.store.reminders.get(1) is None
    assert not parties("undo 99").ok


def test_nick_sees_times_in_new_york(parties: Chat) -> None:
    reply = parties("log call with Acme yesterday", as_="Nick")
    assert reply.title == "Logged call with Acme — Tue 24 Nov 2026, 09:00 EST."


def test_retry_of_the_same_message_is_not_logged_twice(parties: Chat) -> None:
    first = parties("log call with Acme: hello", message_id="slack:Ev1")
    again = parties("log call with Acme: hello", message_id="slack:Ev1")
    assert first.ok and again.title == "Already done: Logged call with Acme."
    assert len(stored(parties)) == 1


def test_home_overview_shows_what_the_person_logged_newest_first(parties: Chat) -> None:
    from handlers.context import Context
    from handlers.home import overview
    from handlers.reply import Message

    parties("log call with Acme on 1 Nov: first")
    parties("met GreenPack yesterday about boxes")
    parties("log call with Acme: by Nick", as_="Nick")
    parties("log call with Acme: hi, follow up tomorrow")
    ana = parties.team.find("ana")
    assert ana is not None
    message = Message(ana, "", "slack", parties.now)
    home = overview(Context(parties.router.store, parties.team, message))
    recent = next(s for s in home.sections if s.title == "Your recent activity").lines
    assert [line.split(" · ")[1] for line in recent] == [
        "call with Acme: hi",
        "meeting with GreenPack: boxes",
        "call with Acme: first",
    ]
    assert "Open reminders (1)" in [s.title for s in home.sections]
