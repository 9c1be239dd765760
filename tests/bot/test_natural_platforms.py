"""Natural phrasings work the same through the real Slack and Telegram adapters."""

from __future__ import annotations

from pathlib import Path

from tests.rigs.slack_rig import slack_rig
from tests.rigs.telegram_rig import Telegram, api_fixture, tg_fixture  # noqa: F401

ANA_DM = "D0ANA0001"


async def test_ana_talks_to_rapport_in_slack_as_she_talks(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme Corp")
        await rig.expect("chat.postMessage", channel=ANA_DM)

        await rig.say("spoke to acme yday about pricing 👍")
        logged = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "Logged call with Acme Corp — Tue 24 Nov 2026, 09:00 CET." in logged["text"]

        status, _ = await rig.slash("who is acme?")
        card = await rig.expect("response_url")
        assert status == 200 and card["text"].startswith("Acme Corp (#1)")

        await rig.say("log call with Acme Corp on 30/02")
        asked = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "I couldn't read “on 30/02”" in asked["text"]
        (call,) = rig.rapport.store.interactions.all()
        assert (call.kind, call.notes, call.channel) == ("call", "pricing", "slack")


async def test_bob_talks_to_rapport_in_telegram_as_he_talks(tg: Telegram) -> None:
    await tg.text("add supplier Müller & Söhne GmbH")
    await tg.text("got 3 pallets from mueller, one damaged")
    assert "Logged delivery with Müller & Söhne GmbH" in tg.last_message()["text"]
    (delivery,) = tg.store.interactions.all()
    assert (delivery.kind, delivery.notes) == ("delivery", "3 pallets, one damaged")

    await tg.text("remind me fri 14.15 to chase muller")
    assert "Fri 27 Nov 2026, 14:15 CET" in tg.last_message()["text"]

    await tg.text("remnd me tmrw to call muller")
    assert "Did you mean remind?" in tg.last_message()["text"]
    assert len(tg.store.reminders.open_all()) == 1
