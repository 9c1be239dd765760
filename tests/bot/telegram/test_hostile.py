"""Telegram under hostile input: others' choice buttons, long cards, lone surrogates."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.rigs.telegram_rig import BOB, GROUP, Telegram, api_fixture, tg_fixture  # noqa: F401

MARIA = 1003


async def test_someone_elses_choice_button_is_refused_with_an_alert(tg: Telegram) -> None:
    await tg.text("add supplier Green Pack", user=MARIA)
    await tg.text("add supplier Green Box", user=MARIA)
    asked = await tg.say(tg.api.updates.group("/award@RapportBot green 50 for a good year", GROUP))
    question = tg.api.messages[(GROUP, max(k[1] for k in tg.api.messages if k[0] == GROUP))]
    assert asked["chat_id"] == GROUP and "Which party" in question["text"]
    alert = await tg.say(tg.api.press(question, "Green Pack", MARIA), "answerCallbackQuery")
    assert alert["show_alert"] in (True, "true") and "Bob" in alert["text"]
    assert tg.api.calls_to("editMessageText") == []
    assert tg.store.ledger.balance(1) == 0
    await tg.say(tg.api.press(question, "Green Pack", BOB), "answerCallbackQuery")
    await tg.api.wait_for("editMessageText")
    assert tg.store.ledger.balance(1) == 50


async def test_a_card_with_a_long_field_arrives_in_messages_that_fit(tg: Telegram) -> None:
    await tg.text(f"add supplier GreenPack {'k' * 2500}:{'<&>' * 800}")
    assert tg.last_message()["text"].startswith("Added supplier GreenPack")
    await tg.text("show greenpack")
    await asyncio.sleep(0.3)  # any further parts of the card
    shown = [m["text"] for m in tg.api.sent_to(BOB)[1:]]
    assert shown and shown[0].startswith("GreenPack") and any("<&>" in t for t in shown)
    assert all(len(t) <= 4096 for t in shown)


async def test_a_lone_surrogate_is_stored_as_a_replacement_character(
    tg: Telegram, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        await tg.text("add supplier Bad\ud800 Co")
    assert tg.last_message()["text"].startswith("Added supplier Bad\ufffd Co")
    assert [p.name for p in tg.store.parties.all()] == ["Bad\ufffd Co"]
    assert not [r for r in caplog.records if r.exc_info]
