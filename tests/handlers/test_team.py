"""The team, managed in chat: add, change, remove people, with roles limiting who may."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.notify import RecordingNotifier
from bot.scheduler.loop import Scheduler
from handlers import joins, roster
from handlers.exchange.exports import render, rows
from handlers.notices import reply_from_doc
from handlers.reply import Message, Reply
from storage.models import Person
from storage.people import differences
from storage.store import Store
from tests.conftest import NOW, PEOPLE, Chat


def as_(chat: Chat, name: str, text: str) -> Reply:
    """Talk as anyone on the live team, people added in chat included."""
    person = chat.router.team.find(name)
    assert person is not None, f"{name} is not served"
    return chat.router.handle(Message(person, text, "terminal", chat.now))


def test_a_manager_adds_a_rep_who_can_work_at_once(chat: Chat) -> None:
    added = chat("team add @jane as rep tz:Europe/Paris telegram:555", as_="Maria")
    assert added.changed and added.title == "jane is on the team as rep. I've told them."
    jane = chat.router.team.find("Jane")
    assert jane == Person("jane", "rep", "Europe/Paris", telegram=555, manager="Maria")
    assert chat.router.team.by_telegram(555) == jane
    as_(chat, "jane", "add customer Acme")
    card = as_(chat, "jane", "show acme").plain()
    assert "Acme" in card
    assert "Europe/Paris" in as_(chat, "jane", "whoami").plain()
    [welcome] = chat.router.store.deliveries.pending()
    assert welcome.to == "jane" and "you're in" in welcome.reply["title"]
    listed = chat.text("team")
    assert "jane: rep, reports to Maria (Telegram)" in listed and "The team: 6 people." in listed


def test_roles_limit_who_changes_whom(chat: Chat) -> None:
    assert "Only admins and managers" in chat.text("team add @jane", as_="Ana")
    assert "can't make anyone admin" in chat.text("team add @jane as admin", as_="Maria")
    assert "own team" in chat.text("team add @jane manager:@root", as_="Maria")
    assert "listed in the config file" in chat.text("team set @ana role:manager", as_="Root")
    assert "already on the team" in chat.text("team add @ana", as_="Root")
    assert "not a role" in chat.text("team add @jane as boss", as_="Root")
    assert "I don't understand “please”" in chat.text("team add @jane as rep please", as_="Root")
    assert "one word" in chat.text("team add @jane,doe", as_="Root")
    assert "already Ana's" in chat.text("team add @jane slack:U0ANA0001", as_="Root")
    assert "I don't know the time zone" in chat.text("team add @jane tz:Mars/Base", as_="Root")
    chat("team add @jane as rep", as_="Root")
    assert "doesn't report to you" in chat.text("team set @jane role:buyer", as_="Maria")
    promoted = chat("team set @jane role:manager", as_="Root")
    assert promoted.changed and chat.router.team.find("jane").role == "manager"  # type: ignore[union-attr]
    assert chat.router.store.people.members(PEOPLE)[-1].role == "manager"


def test_undo_takes_an_added_person_back(chat: Chat) -> None:
    added = chat("team add @jane as buyer", as_="Maria")
    assert chat.press(added, "Undo", as_="Maria").changed
    assert chat.router.team.find("jane") is None


def test_removing_keeps_history_and_hands_reminders_to_the_manager(chat: Chat) -> None:
    chat("team add @jane as rep", as_="Maria")
    as_(chat, "jane", "add customer Acme")
    as_(chat, "jane", "remind me tomorrow 10am to call Acme")
    removed = chat("team remove @jane", as_="Maria")
    assert removed.title == (
        "jane is no longer on the team; their history stays. Their 1 open reminders went to Maria."
    )
    store = chat.router.store
    assert chat.router.team.find("jane") is None
    [reminder] = store.reminders.open_all()
    assert reminder.owner == "Maria"
    assert store.parties.named("Acme")[0].created_by == "jane"
    exported = render(rows(store, "people", ZoneInfo("UTC"), chat.router.team.policy, NOW), "csv")
    assert exported.splitlines()[0] == "name,role,slack,telegram,manager,timezone,active"
    assert "jane,rep,,,Maria,,False" in exported
    assert "Removed" in chat.text("team")


def test_a_removed_person_who_writes_again_is_asked_about_under_their_name(chat: Chat) -> None:
    chat("team add @jane as rep telegram:555", as_="Maria")
    chat("team remove @jane", as_="Maria")
    store, team = chat.router.store, chat.router.team
    assert joins.request(store, team, "telegram", "555", "Jane D.", NOW)
    assert not joins.request(store, team, "telegram", "555", "Jane D.", NOW)  # asked once
    asked = [d for d in store.deliveries.pending() if d.to == "Maria"]
    assert [b["command"] for b in asked[-1].reply["buttons"]][
        0
    ] == "team add @jane as rep telegram:555"
    assert chat.press(reply_from_doc(asked[-1].reply), "Rep", as_="Maria").changed
    assert team.by_telegram(555) == Person("jane", "rep", "", telegram=555, manager="Maria")
    assert not store.people.is_inactive("jane")


def test_the_config_seeds_people_and_wins(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    try:
        assert roster.seed(store, PEOPLE, NOW.isoformat()) == len(PEOPLE)
        assert roster.seed(store, PEOPLE, NOW.isoformat()) == 0  # nothing differs: no change
        edited = (Person("Ana", "manager", "Europe/Berlin", slack="U0ANA0001"), *PEOPLE[1:])
        assert differences(edited, store.people.stored()) == [
            "Ana: the config says role manager, the store says rep (the config wins)",
            "Ana: the config says telegram (none), the store says 1001 (the config wins)",
            "Ana: the config says manager (none), the store says Maria (the config wins)",
        ]
        assert store.people.members(edited)[0].role == "manager"
        roster.seed(store, PEOPLE[1:], NOW.isoformat())  # Ana was taken out of the config
        assert store.people.is_inactive("ana")
    finally:
        store.close()


async def test_a_manager_added_in_chat_gets_the_digest_without_a_restart(chat: Chat) -> None:
    slack = RecordingNotifier("slack")
    scheduler = Scheduler(chat.router.store, chat.router.team, lambda: chat.now, [slack])
    await scheduler.run_due()
    chat("team add @lea as manager slack:U0LEA0001", as_="Root")
    chat("team add @sam as rep manager:@lea slack:U0SAM0001", as_="Root")
    as_(chat, "sam", "remind me in 1 hour to call Acme")
    await scheduler.run_due()  # the team changed: Lea's first digest is Thursday's
    chat.now = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)  # Thu 08:30 in Berlin
    await scheduler.run_due()
    [digest] = [m for m in slack.to("lea") if m.title.startswith("Digest")]
    assert digest.title == "Digest for lea, Thu 26 Nov 2026: 1 item to look at."
