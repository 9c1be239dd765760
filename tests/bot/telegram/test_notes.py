"""Forwarded messages and photo captions become notes on the party they name."""

from __future__ import annotations

from tests.rigs.telegram_rig import BOB, Telegram, api_fixture, tg_fixture  # noqa: F401


def buttons(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


async def test_a_forwarded_message_is_a_note_on_the_party_it_names(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    await tg.say(tg.api.updates.forwarded("Hi Bob, the GreenPack trucks are delayed until Friday."))
    assert tg.last_message()["text"].startswith("Logged note with GreenPack")
    (note,) = tg.store.interactions.all()
    assert note.kind == "note" and note.channel == "telegram"
    assert (
        note.notes
        == "Forwarded from Jana Novak: Hi Bob, the GreenPack trucks are delayed until Friday."
    )


async def test_a_forward_naming_two_parties_asks_which(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    await tg.text("add supplier Nordic Steel")
    await tg.say(tg.api.updates.forwarded("GreenPack said Nordic Steel has the coils now."))
    question = tg.last_message()
    assert question["text"] == "Which party is this about?"
    assert buttons(question) == ["GreenPack", "Nordic Steel"]
    assert list(tg.store.interactions.all()) == []
    await tg.say(tg.api.press(question, "Nordic Steel", BOB), "editMessageText")
    (note,) = tg.store.interactions.all()
    assert tg.store.parties.get(note.party_id).name == "Nordic Steel"  # type: ignore[union-attr]


async def test_a_forward_naming_nobody_asks_and_the_answer_names_the_party(tg: Telegram) -> None:
    await tg.text("add supplier Nordic Steel")
    await tg.say(tg.api.updates.forwarded("New price list from next month.", hidden=True))
    question = tg.last_message()
    assert question["text"].startswith("Which party is this about?")
    answer = tg.api.updates.text("nordic steel")
    answer["message"]["reply_to_message"] = question
    await tg.say(answer)
    (note,) = tg.store.interactions.all()
    assert note.notes == "Forwarded from Pavel (Nordic Steel): New price list from next month."
    again = tg.api.updates.text("nordic steel")
    again["message"]["reply_to_message"] = question
    await tg.say(again)  # answered already: an ordinary line now, not a second note
    assert len(list(tg.store.interactions.all())) == 1


async def test_a_photo_caption_is_a_note(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    await tg.say(tg.api.updates.photo("Damaged pallet from GreenPack, photo from the dock"))
    (note,) = tg.store.interactions.all()
    assert note.notes == "Photo: Damaged pallet from GreenPack, photo from the dock"


async def test_a_forward_without_text_is_explained(tg: Telegram) -> None:
    update = tg.api.updates.forwarded("x")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "CAACAgIAAxkBAAIB", "file_unique_id": "AgADAgAD", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False,
    }  # fmt: skip
    await tg.say(update)
    assert tg.last_message()["text"].startswith("There is no text to log")
