"""A message's text is a note as it came, whatever words it holds, from every surface.

The Slack modal, the "Log to Rapport" shortcut, Telegram forwards and photo captions log through
the same use case as the chat verb `log`, with values: "follow up friday" in a supplier's message
is what the supplier said, not an instruction, so it stays in the note and sets no reminder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rigs.slack_rig import SlackRig, fixture, slack_rig, texts
from tests.rigs.telegram_rig import BOB, Telegram, api_fixture, tg_fixture  # noqa: F401

ANA_DM = "D0ANA0001"
SAID = [
    "Acme Corp here - can you follow up friday about the 3 Nov order?",
    "Acme Corp: follow up on pricing; and follow up: the re-order at 10:30",
    "Re: Acme Corp f/u: call me back, follow-up next week",
]


async def slack_parties(rig: SlackRig, *names: str) -> None:
    for name in names:
        await rig.say(f"add customer {name}")
        await rig.expect("chat.postMessage", channel=ANA_DM)


def shortcut(rig: SlackRig, text: str, stamp: str) -> dict:
    payload = fixture("message_action")
    payload["response_url"] = rig.fake.response_url("shortcut")
    payload["message"]["text"] = text
    payload["action_ts"] = stamp
    return payload


@pytest.mark.parametrize("said", SAID)
async def test_the_modal_stores_its_notes_as_typed(tmp_path: Path, said: str) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await slack_parties(rig, "Acme Corp")
        notes = f"{said}\nsecond line"
        status, body = await rig.submit({"when": "yesterday 3pm", "notes": notes})
        assert status == 200 and body == {}
        confirmed = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "Logged call with Acme Corp — Tue 24 Nov 2026, 15:00 CET." in confirmed["text"]
        (call,) = rig.rapport.store.interactions.for_party(1)
        assert call.notes == notes and call.follow_up is None
        assert rig.rapport.store.reminders.open_all() == []


async def test_the_modal_refuses_with_logs_own_words(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await slack_parties(rig, "Acme Corp")
        _, body = await rig.submit({"notes": "x" * 4001})
        assert body["errors"] == {"notes": "Those notes are too long (4001 characters; 4000 max)."}
        await rig.say("log call with Acme Corp: " + "x" * 4001)
        refused = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "Those notes are too long (4001 characters; 4000 max)." in refused["text"]
        assert rig.rapport.store.interactions.count_for(1) == 0


@pytest.mark.parametrize("said", SAID)
async def test_the_message_shortcut_stores_the_message_verbatim(tmp_path: Path, said: str) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await slack_parties(rig, "Acme Corp")
        await rig.send("interactive", shortcut(rig, said, "1764077851.111111"))
        answer = await rig.expect("response_url")
        assert "Logged note with Acme Corp" in answer["text"]
        (note,) = rig.rapport.store.interactions.for_party(1)
        assert (note.kind, note.notes, note.follow_up) == ("note", said, None)
        assert rig.rapport.store.reminders.open_all() == []


async def test_the_shortcuts_party_button_stores_the_message_verbatim(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await slack_parties(rig, "Acme Corp", "Globex")
        said = "Globex: can you follow up friday - Acme Corp re: 10:30 {draft} 100%?"
        await rig.send("interactive", shortcut(rig, said, "1764077851.333333"))
        question = await rig.expect("response_url")
        await rig.press(question, "Globex")
        answer = await rig.expect("response_url")
        assert "Logged note with Globex" in texts(answer["blocks"])
        (note,) = rig.rapport.store.interactions.for_party(2)
        assert note.notes == said and rig.rapport.store.reminders.open_all() == []


@pytest.mark.parametrize("said", SAID)
async def test_a_telegram_forward_is_stored_verbatim(tg: Telegram, said: str) -> None:
    await tg.text("add supplier Acme Corp")
    await tg.say(tg.api.updates.forwarded(said))
    assert tg.last_message()["text"].startswith("Logged note with Acme Corp")
    (note,) = tg.store.interactions.all()
    assert note.notes == f"Forwarded from Jana Novak: {said}"
    assert note.follow_up is None and tg.store.reminders.open_all() == []


@pytest.mark.parametrize("said", SAID)
async def test_a_telegram_photo_caption_is_stored_verbatim(tg: Telegram, said: str) -> None:
    await tg.text("add supplier Acme Corp")
    await tg.say(tg.api.updates.photo(said))
    (note,) = tg.store.interactions.all()
    assert note.notes == f"Photo: {said}" and tg.store.reminders.open_all() == []


async def test_a_forwards_button_and_answer_store_it_verbatim(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    await tg.text("add supplier Nordic Steel")
    said = "GreenPack and Nordic Steel: follow up friday - re: the 3 Nov coils"
    await tg.say(tg.api.updates.forwarded(said))
    await tg.say(tg.api.press(tg.last_message(), "Nordic Steel", BOB), "editMessageText")
    hidden = "follow up: new price list from next month - 5% up"
    await tg.say(tg.api.updates.forwarded(hidden, hidden=True))
    answer = tg.api.updates.text("greenpack")
    answer["message"]["reply_to_message"] = tg.last_message()
    await tg.say(answer)
    first, second = sorted(tg.store.interactions.all(), key=lambda i: i.id)
    assert first.notes == f"Forwarded from Jana Novak: {said}"
    assert second.notes == f"Forwarded from Pavel (Nordic Steel): {hidden}"
    assert tg.store.reminders.open_all() == []


async def test_the_chat_verb_still_reads_follow_up_as_a_reminder(tg: Telegram) -> None:
    await tg.text("add supplier Acme Corp")
    await tg.text("log call with Acme Corp yesterday: pricing, follow up friday")
    (call,) = tg.store.interactions.all()
    assert call.notes == "pricing" and call.follow_up is not None
    assert len(tg.store.reminders.open_all()) == 1
