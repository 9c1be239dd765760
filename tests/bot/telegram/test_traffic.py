"""Telegram's real traffic: inline callback queries, legacy forwards, updates PTB cannot read.

The updates are shaped like the Bot API's published ones (tests/fixtures/SOURCES.md says where
from); the real python-telegram-bot polls them from the fake Bot API.
"""

from __future__ import annotations

import copy
import logging

import pytest

from storage.store import Store
from tests.rigs.telegram_rig import BOB, Telegram, api_fixture, tg_fixture  # noqa: F401

PERSONAL = ("Jana", "jana_secret", "5550009", "777 123", "private number")


def notes(store: Store) -> list[str]:
    return [i.notes for i in store.interactions.all()]


async def test_a_press_on_an_inline_message_is_answered(tg: Telegram) -> None:
    update = tg.api.updates.recorded("callback_inline")
    answered = await tg.say(update, "answerCallbackQuery")
    assert answered["callback_query_id"] == update["callback_query"]["id"]
    assert answered["text"] and len(answered["text"]) <= 200
    game = tg.api.updates.recorded("callback_game")
    answered = await tg.say(game, "answerCallbackQuery")
    assert answered["callback_query_id"] == game["callback_query"]["id"] and answered["text"]
    assert tg.api.calls_to("sendMessage") == [] and list(tg.store.audit.all()) == []


async def test_a_press_in_a_chat_rapport_does_not_serve_is_answered(tg: Telegram) -> None:
    await tg.text("add supplier GreenPack")
    message = copy.deepcopy(tg.last_message())
    message["chat"] = {"id": -100777, "title": "Elsewhere", "type": "supergroup"}
    answered = await tg.say(tg.api.press(message, "Undo", BOB), "answerCallbackQuery")
    assert answered["text"]
    assert [p.name for p in tg.store.parties.all()] == ["GreenPack"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("forwarded_legacy_user", "Forwarded from Jana Novak: greenpack: the trucks are delayed"),
        ("forwarded_legacy_channel", "Forwarded from GreenPack News: GreenPack opens a second"),
        ("forwarded_legacy_hidden", "Forwarded from Petr Hidden: GreenPack invoice 2211"),
    ],
)
async def test_legacy_forwards_are_notes_on_the_party_they_name(
    tg: Telegram, name: str, expected: str
) -> None:
    await tg.text("add supplier GreenPack")
    await tg.say(tg.api.updates.recorded(name))
    assert tg.last_message()["text"].startswith("Logged note with GreenPack")
    (logged,) = notes(tg.store)
    assert logged.startswith(expected)


async def test_an_unreadable_update_is_logged_without_personal_data_and_skipped(
    tg: Telegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # what runs in production; DEBUG echoes all traffic anyway
    bad = tg.api.updates.recorded("unparsable_sender")
    good = tg.api.updates.text("add supplier GreenPack")
    before = len(tg.api.calls_to("sendMessage"))
    await tg.api.push(bad, good)  # one batch: the good update must not be lost with the bad one
    await tg.api.wait_for("sendMessage", before + 1)
    assert [p.name for p in tg.store.parties.all()] == ["GreenPack"]
    offsets = [int(c.get("offset") or 0) for c in tg.api.calls_to("getUpdates")]
    assert max(offsets) > good["update_id"]  # both confirmed: the bad one is not fetched forever

    reported = [r for r in caplog.records if str(bad["update_id"]) in r.getMessage()]
    assert reported and reported[0].levelno >= logging.WARNING
    assert all(word not in caplog.text for word in PERSONAL)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.exc_info]
    warnings = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    assert str(BOB) not in warnings


async def test_a_failed_answer_is_logged_by_update_id_and_apologised_for(
    tg: Telegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    tg.api.fail("sendMessage", 400, "Bad Request: can't parse entities")
    update = tg.api.updates.text("add supplier Secretive GmbH")
    await tg.api.push(update)
    await tg.api.wait_for("sendMessage", 2)  # the refused answer, then the apology
    sorry = tg.last_message()
    assert sorry["text"].startswith("Sorry, something went wrong")
    assert [p.name for p in tg.store.parties.all()] == ["Secretive GmbH"]
    failed = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(str(update["update_id"]) in line for line in failed)
    assert "Secretive" not in caplog.text and not [r for r in caplog.records if r.exc_info]
