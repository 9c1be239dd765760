"""Bob, a buyer, uses Rapport in Telegram: the real python-telegram-bot against a fake Bot API."""

from __future__ import annotations

from storage.store import Store
from tests.rigs.telegram_rig import BOB, GROUP, STRANGER, Telegram, api_fixture, tg_fixture  # noqa: F401


def buttons(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


def interactions(store: Store) -> list:
    return list(store.interactions.all())


async def test_start_registers_one_command_per_verb_and_polls(tg: Telegram) -> None:
    (commands,) = tg.api.calls_to("setMyCommands")
    names = [c["command"] for c in commands["commands"]]
    assert {"log", "show", "find", "help", "undo", "export"} <= set(names)
    assert len(names) == len(set(names))
    assert tg.api.calls_to("getMe") and tg.api.calls_to("deleteWebhook")
    (polled, *_) = await tg.api.wait_for("getUpdates")
    assert set(polled["allowed_updates"]) == {"message", "edited_message", "callback_query"}


async def test_a_plain_line_is_a_command_and_the_reply_is_html_with_undo(tg: Telegram) -> None:
    sent = await tg.text("add supplier GreenPack #eco category:packaging")
    assert sent["chat_id"] == BOB and sent["parse_mode"] == "HTML"
    message = tg.last_message()
    assert message["text"].startswith("Added supplier GreenPack")
    assert message["entities"][0]["type"] == "bold"
    assert "Undo" in buttons(message)
    assert [p.name for p in tg.store.parties.all()] == ["GreenPack"]


async def test_log_at_botname_logs_a_delivery_from_telegram(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    await tg.text("/log@RapportBot delivery from GreenPack today: 2 pallets late")
    assert "Logged delivery with GreenPack" in tg.last_message()["text"]
    (logged,) = interactions(tg.store)
    assert (logged.kind, logged.channel, logged.by, logged.notes) == (
        "delivery", "telegram", "Bob", "2 pallets late"
    )  # fmt: skip


async def test_other_words_of_a_verb_are_commands_too(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    await tg.text("/delivery from GreenPack today: on time")
    assert interactions(tg.store)[0].kind == "delivery"


async def test_a_repeated_update_is_answered_and_stored_once(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    update = tg.api.updates.text("delivery from GreenPack today: late")
    await tg.say(update)
    await tg.api.push(tg.api.updates.again(update))
    await tg.text("show greenpack")  # processed after the repeat
    assert len(interactions(tg.store)) == 1
    texts = [m["text"] for m in tg.api.sent_to(BOB)]
    assert sum(t.startswith("Logged delivery") for t in texts) == 1


async def test_a_stranger_gets_one_line_and_nothing_is_stored(tg: Telegram) -> None:
    sent = await tg.text("add supplier Sneaky Ltd", user=STRANGER)
    assert sent["chat_id"] == STRANGER
    refusal = tg.last_message(STRANGER)["text"]
    assert "only work for the people of this team" in refusal and "\n" not in refusal
    assert list(tg.store.parties.all()) == []
    [(_id, asked)] = tg.store.audit.all()  # only the join request for the admins and managers
    assert asked["summary"].startswith("Join request from")


async def test_groups_are_ignored_unless_configured(tg: Telegram) -> None:
    await tg.api.push(tg.api.updates.group("/show@RapportBot greenpack", chat_id=-100777))
    sent = await tg.say(tg.api.updates.group("/help@RapportBot", chat_id=GROUP))
    assert sent["chat_id"] == GROUP  # the unconfigured group got nothing before it
    assert "reply_parameters" in sent
    assert all(c["chat_id"] != -100777 for c in tg.api.calls_to("sendMessage"))


async def test_stored_strings_are_escaped(tg: Telegram) -> None:
    await tg.text('add supplier "<b>Evil & Co</b>"')
    message = tg.last_message()
    assert "<b>Evil & Co</b>" in message["text"]  # the fake parsed the HTML like Telegram
    assert "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in tg.api.calls_to("sendMessage")[-1]["text"]


async def test_pressing_undo_answers_runs_and_edits_the_message(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    added = tg.last_message()
    await tg.say(tg.api.press(added, "Undo", BOB), "editMessageText")
    assert tg.api.calls_to("answerCallbackQuery")
    edited = tg.api.messages[(BOB, added["message_id"])]
    assert edited["text"].startswith("Added supplier GreenPack")  # what was pressed stays
    assert (
        "Undid" in edited["text"] or "Undone" in edited["text"] or "undo" in edited["text"].lower()
    )
    assert "Undo" not in buttons(edited)
    assert list(tg.store.parties.all()) == []
    await tg.say(tg.api.press(added, "Undo", BOB), "answerCallbackQuery")
    assert tg.api.calls_to("answerCallbackQuery")[-1].get("text") == "Already done."


async def test_a_stranger_pressing_a_button_is_refused(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    answered = await tg.say(
        tg.api.press(tg.last_message(), "Undo", STRANGER), "answerCallbackQuery"
    )
    assert "only work for the people" in answered["text"]
    assert [p.name for p in tg.store.parties.all()] == ["GreenPack"]


async def test_long_choice_commands_ride_on_short_tokens(tg: Telegram) -> None:
    await tg.text("add supplier Green Pack")
    await tg.text("add supplier Green Leaf")
    notes = "two pallets arrived late and one was damaged on the corner"
    await tg.text(f"delivery from Green today: {notes}")
    question = tg.last_message()
    assert buttons(question) == ["Green Pack", "Green Leaf"]
    data = [b["callback_data"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert all(len(d.encode()) <= 64 for d in data)
    await tg.say(tg.api.press(question, "Green Leaf", BOB), "editMessageText")
    (logged,) = interactions(tg.store)
    assert logged.notes == notes
    assert tg.store.parties.get(logged.party_id).name == "Green Leaf"  # type: ignore[union-attr]


async def test_an_edited_message_is_not_stored_twice(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    first = tg.api.updates.text("delivery from GreenPack today: 3 late")
    await tg.say(first)
    await tg.say(tg.api.updates.edited("delivery from GreenPack today: 4 late", of=first))
    note = tg.last_message()
    assert note["text"].startswith("Edits aren't applied, so I kept the first version")
    assert "Undo" in buttons(note)
    assert [i.notes for i in interactions(tg.store)] == ["3 late"]


async def test_an_edit_that_fixes_a_typo_runs(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    typo = tg.api.updates.text("delivry from GreenPack today: late")
    await tg.say(typo)
    await tg.say(tg.api.updates.edited("delivery from GreenPack today: late", of=typo))
    assert tg.last_message()["text"].startswith("Logged delivery with GreenPack")
    assert len(interactions(tg.store)) == 1


async def test_export_arrives_as_a_document(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    sent = await tg.say(tg.api.updates.text("export suppliers"), "sendDocument")
    assert sent["chat_id"] == BOB
    assert "GreenPack" in sent["document"]["content"]
    assert "suppliers" in sent["document"]["filename"]


async def test_start_is_help_and_a_caption_command_runs(tg: Telegram) -> None:
    assert (await tg.text("/start")) and "Here is what I understand" in tg.last_message()["text"]
    await tg.say(tg.api.updates.photo("/add supplier GreenPack"))
    assert [p.name for p in tg.store.parties.all()] == ["GreenPack"]


async def test_an_expired_button_says_so(tg: Telegram) -> None:
    await tg.text("whoami")
    message = dict(tg.last_message())
    message["reply_markup"] = {"inline_keyboard": [[{"text": "Go", "callback_data": "~dead"}]]}
    answered = await tg.say(tg.api.press(message, "Go", BOB), "answerCallbackQuery")
    assert "expired" in answered["text"]
