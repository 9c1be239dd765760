"""Each write is one use case called with values: picking the party stores what was first said.

Ana says "award GreenPack 50 for …" and two parties are called GreenPack: the buttons of "which
party?" carry the values the line gave (handlers/carried.py), so the reason, the rating's note,
the status's reason and the log's dates are stored exactly as the first message said them,
whatever words ("for", ":", "because", a date, braces, "100%") they hold. The chat verb and the
button reach the same use case, so each refusal is said the same way on both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from handlers.context import Context, Team
from handlers.points import move_points
from handlers.reminders import set_reminder
from handlers.reply import Message, Reply
from handlers.router import Router, help_reply
from storage.models import SupplierPolicy
from storage.store import Store
from tests.conftest import NOW, Chat
from tests.rigs.slack_rig import slack_rig, texts
from tests.rigs.telegram_rig import BOB, Telegram, api_fixture, tg_fixture  # noqa: F401

ANA_DM = "D0ANA0001"
REASONS = [
    "the 3 Nov order: 20 pallets for Acme, on time",
    "because the {Q3} push: for real - 100% on time (code %2041)",
    "for the re-order every friday, follow up: 12:30 {draft}",
]


@pytest.fixture
def twins(chat: Chat) -> Chat:
    """Two suppliers both called GreenPack (so every line asks which), and a customer."""
    for line in ("add supplier GreenPack North", "add supplier GreenPack South"):
        assert chat(line, as_="Maria").ok
    assert chat("add customer Green Grocer", as_="Maria").ok
    return chat


def picked(chat: Chat, line: str, label: str = "GreenPack South", as_: str = "Maria") -> Reply:
    """Say `line`, be asked which party, press `label`."""
    question = chat(line, as_=as_)
    assert not question.ok and label in [b.label for b in question.buttons], question.plain()
    return chat.press(question, label, as_=as_)


@pytest.mark.parametrize("reason", REASONS)
@pytest.mark.parametrize("kind", ["award", "deduct"])
def test_points_picked_from_which_party_keep_their_reason_verbatim(
    twins: Chat, store: Store, kind: str, reason: str
) -> None:
    if kind == "deduct":
        assert twins("award #2 100 for the start", as_="Maria").changed
    done = picked(twins, f"{kind} GreenPack 30 for {reason}")
    assert done.changed, done.plain()
    assert done.title.endswith(f" for {reason}.")
    entry = next(e for e in store.ledger.all() if e.kind == kind and e.party_id == 2)
    assert (entry.reason, abs(entry.delta)) == (reason, 30)


@pytest.mark.parametrize(
    "note",
    [
        "good batch: for the price, because it was late once",
        "quality 3 last time, {lot 7} better: 100%",
    ],
)
def test_a_rating_picked_from_which_party_keeps_its_note_verbatim(
    twins: Chat, store: Store, note: str
) -> None:
    done = picked(twins, f"rate GreenPack quality:4 delivery:5: {note}")
    assert done.changed, done.plain()
    (rating,) = store.ratings.all()
    assert (rating.party_id, rating.scores, rating.note) == (2, {"quality": 4, "delivery": 5}, note)


def test_a_status_picked_from_which_party_keeps_its_reason_verbatim(
    twins: Chat, store: Store
) -> None:
    reason = "late twice since 3 Nov: for the {Q4} orders, because of the strike"
    done = picked(twins, f"status GreenPack probation because {reason}")
    assert done.changed, done.plain()
    party = store.parties.get(2)
    assert party is not None and party.supplier_status == "probation"
    assert party.status_history[-1]["reason"] == reason


def test_a_log_picked_the_next_day_keeps_the_days_it_was_said_on(twins: Chat, store: Store) -> None:
    question = twins("log call with GreenPack yesterday 3pm: the {Q3} price, follow up friday")
    twins.later(days=1)  # pressed on Thursday: "yesterday" and "friday" were Wednesday's words
    done = twins.press(question, "GreenPack South")
    assert "Logged call with GreenPack South — Tue 24 Nov 2026, 15:00 CET." in done.title
    (call,) = store.interactions.for_party(2)
    assert (call.notes, call.at) == ("the {Q3} price", "2026-11-24T14:00:00+00:00")
    (follow_up,) = store.reminders.open_all()
    assert follow_up.due.startswith("2026-11-27")


def test_a_note_button_of_the_earlier_form_still_logs_its_text(twins: Chat, store: Store) -> None:
    """`lognote #<id> <text>` buttons were sent before notes joined the carried use cases."""
    done = twins("lognote #2 for%20the%20{Q3}%20push:%20follow%20up%20friday", as_="Maria")
    assert done.changed, done.plain()
    [note] = store.interactions.all()
    assert (note.party_id, note.kind, note.notes) == (
        2,
        "note",
        "for the {Q3} push: follow up friday",
    )


def test_the_chat_verb_and_the_button_refuse_points_in_the_same_words(
    twins: Chat, store: Store
) -> None:
    assert twins("award #2 20 for the start", as_="Maria").changed
    typed = twins('deduct "GreenPack South" 50 for damage', as_="Maria")
    pressed = picked(twins, "deduct GreenPack 50 for damage")
    assert not typed.ok and typed.title == pressed.title
    assert typed.title == "GreenPack South has only 20 points; a deduction can't go below zero."
    assert twins("status #1 excluded because fraud", as_="Maria").changed
    typed = twins('award "GreenPack North" 5 for x', as_="Maria")
    pressed = picked(twins, "award GreenPack 5 for x", label="GreenPack North")
    assert not pressed.ok and typed.title == pressed.title
    assert "excluded supplier: it can't receive points" in pressed.title
    assert [e.delta for e in store.ledger.all()] == [20]


def test_the_chat_verb_and_the_button_refuse_a_rating_in_the_same_words(twins: Chat) -> None:
    typed = twins('rate "Green Grocer" quality:4')
    pressed = picked(twins, "rate Green quality:4", label="Green Grocer", as_="Ana")
    assert not pressed.ok and typed.title == pressed.title
    assert pressed.title == "Green Grocer is not a supplier; scorecards are for suppliers."


def test_preferred_is_refused_by_compliance_on_both_paths(store: Store, team: Team) -> None:
    policies = (SupplierPolicy("quality", ("ISO 9001",), category="packaging"),)
    governed = replace(team, policy=replace(team.policy, supplier_policies=policies))
    chat = Chat(Router(store, governed), governed)
    chat("add supplier GreenPack North category:packaging", as_="Maria")
    chat("add supplier GreenPack South category:packaging", as_="Maria")
    typed = chat('status "GreenPack South" preferred because the best', as_="Maria")
    pressed = picked(chat, "status GreenPack preferred because the best")
    assert not pressed.ok and typed.title == pressed.title
    assert "GreenPack South can't be preferred: it fails" in pressed.title
    assert all(p.supplier_status == "onboarding" for p in store.parties.all())


def test_a_follow_up_that_passed_before_the_press_is_refused_as_the_verb_says(
    twins: Chat, store: Store
) -> None:
    question = twins("log call with GreenPack: prices, follow up in 2 hours")
    twins.later(hours=3)
    pressed = twins.press(question, "GreenPack South")
    typed = twins('log call with "GreenPack South": prices, follow up an hour ago')
    assert not pressed.ok and pressed.title.endswith("has passed: a follow-up is ahead.")
    assert not typed.ok and typed.title.endswith("has passed: a follow-up is ahead.")
    assert store.interactions.count_for(2) == 0


def run(router: Router, action: Callable[[Context], Reply], as_: str = "Ana") -> Reply:
    """A use case called with values, as an adapter calls it (Router.perform)."""
    person = router.team.find(as_)
    assert person is not None
    return router.perform(Message(person, "", "terminal", NOW, None), action)


def test_a_reminder_from_values_keeps_its_text_and_reads_no_repeat(
    chat: Chat, store: Store
) -> None:
    text = "call Acme every monday about the 3 Nov order: for real, tomorrow {x}"
    due = NOW + timedelta(days=2)
    nick = chat.router.team.find("Nick")
    assert nick is not None

    def remind(ctx: Context) -> Reply:
        return set_reminder(ctx, nick, due, text)

    done = run(chat.router, remind)
    assert done.changed and done.title.endswith(f" — {text}")
    (reminder,) = store.reminders.open_all()
    assert (reminder.text, reminder.due, reminder.recurrence) == (text, due.isoformat(), None)
    assert reminder.owner == "Nick" and reminder.created_by == "Ana"


def test_the_remind_verb_and_the_use_case_refuse_in_the_same_words(chat: Chat) -> None:
    typed = chat("remind me yesterday 10am to call Acme")
    ana = chat.router.team.find("Ana")
    assert ana is not None
    passed = NOW.replace(day=24, hour=9, minute=0)

    def remind(ctx: Context) -> Reply:
        return set_reminder(ctx, ana, passed, "call Acme")

    assert (
        typed.title
        == run(chat.router, remind).title
        == ("Tue 24 Nov 2026, 10:00 CET has already passed.")
    )
    assert chat.router.store.reminders.open_all() == []


def test_move_points_from_values_checks_the_limit_itself(twins: Chat, store: Store) -> None:
    party = store.parties.get(2)
    assert party is not None
    over = run(twins.router, lambda ctx: move_points(ctx, party, "award", 5000, "a: b"), "Ana")
    typed = twins('award "GreenPack South" 5000 for a: b')
    assert not over.ok and over.title == typed.title and "need a manager" in over.title
    assert list(store.ledger.all()) == []


@pytest.mark.parametrize(
    "command, says",
    [
        ("usecase points #2 award lots x", "values don't read"),
        ("usecase points #2 award 5", "values don't read"),
        ("usecase points #2 steal 5 x", "values don't read"),
        ("usecase rate #2 quality:x", "values don't read"),
        ("usecase log #2 call yesterday notes -", "values don't read"),
        ("usecase nothing #2 a b", "values don't read"),
        ("usecase points GreenPack award 5 x", "values don't read"),
        ("usecase points #99 award 5 x", "isn't here any more"),
    ],
)
def test_a_damaged_or_typed_usecase_command_stores_nothing(
    twins: Chat, store: Store, command: str, says: str
) -> None:
    reply = twins(command, as_="Maria")
    assert not reply.ok and says in reply.title
    assert list(store.ledger.all()) == [] and store.interactions.count_for(2) == 0


def test_the_button_verb_is_not_offered_in_help() -> None:
    assert "usecase" not in help_reply().plain()


async def test_slack_which_party_buttons_store_the_reason_verbatim(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        for name in ("GreenPack North", "GreenPack South"):
            await rig.say(f"add supplier {name}")
            await rig.expect("chat.postMessage", channel=ANA_DM)
        reason = REASONS[1]
        await rig.say(f"award GreenPack 40 for {reason}")
        question = await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.press(question, "GreenPack South")
        answer = await rig.expect("chat.update")
        assert f"Awarded GreenPack South 40 points for {reason}." in texts(answer["blocks"])
        (entry,) = rig.rapport.store.ledger.all()
        assert (entry.party_id, entry.reason) == (2, reason)


async def test_telegram_which_party_buttons_store_the_note_verbatim(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack North")
    await tg.text("add supplier GreenPack South")
    note = "for the price: the {lot 7} was 100% fine, because Bob checked"
    await tg.text(f"rate GreenPack quality 4 delivery 5: {note}")
    question = tg.last_message()
    await tg.say(tg.api.press(question, "GreenPack North", BOB), "editMessageText")
    (rating,) = tg.store.ratings.all()
    assert (rating.party_id, rating.note) == (1, note)
