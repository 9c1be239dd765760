"""End to end: `rapport run` as a process serving Telegram and Slack, stopped with SIGTERM.

Bob, a buyer, logs a delivery in Telegram, rates and awards the supplier, sets a reminder,
gets it delivered by the scheduler and presses Done; Ana, a rep, looks the supplier up in
Slack (Socket Mode) in the same process; then it is stopped and the store is read back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from storage.store import Store
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.rigs.processes import (
    ANA_SLACK,
    BOB,
    Rapport,
    slack_toml,
    team_toml,
    telegram_toml,
    token_env,
)
from tests.rigs.slack_rig import fixture
from tests.rigs.telegram_rig import api_fixture  # noqa: F401

START = "2026-11-25T08:59:50+01:00"  # ten seconds before the reminder Bob sets for 9:00


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


async def say(api: FakeBotAPI, text: str) -> dict[str, Any]:
    """Bob types a line; the bot's answer as the chat shows it."""
    before = len(api.calls_to("sendMessage"))
    await api.push(api.updates.text(text, BOB))
    await api.wait_for("sendMessage", before + 1)
    return api.sent_to(BOB)[-1]


async def test_a_buyers_day(tmp_path: Path, api: FakeBotAPI, slack: FakeSlack) -> None:
    config = tmp_path / "rapport.toml"
    tables = team_toml(tmp_path / "data") + telegram_toml(api) + slack_toml(slack.api_url)
    config.write_text(tables, encoding="utf-8")
    env = {**token_env(), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}
    rapport = await Rapport(config, env, now=START).start()
    try:
        await rapport.wait_for_line("telegram: ready as @RapportBot")
        assert "socket mode" in (await rapport.wait_for_line("slack: ready")).lower()
        await rapport.wait_for_line("scheduler: ready, delivering on slack and telegram")
        await walk_the_day(api)
        await ana_looks_it_up_in_slack(slack)
        assert await rapport.stop() == 0
    finally:
        await rapport.kill()
    assert "stopped; the store is closed" in rapport.output
    for secret in (TOKEN, BOT_TOKEN, APP_TOKEN):
        assert secret not in rapport.output
    assert "Traceback" not in rapport.output
    check_the_store(tmp_path / "data")


async def walk_the_day(api: FakeBotAPI) -> None:
    assert (await say(api, "add supplier GreenPack #eco"))["text"].startswith("Added supplier")
    logged = await say(api, "/log@RapportBot delivery from GreenPack: 2 pallets late")
    assert logged["text"].startswith("Logged delivery with GreenPack")
    rated = await say(api, "/rate GreenPack quality:4 delivery:2: late but well packed")
    assert "GreenPack" in rated["text"], rated
    awarded = await say(api, "award GreenPack 50 for replacing the damaged pallets")
    assert "50" in awarded["text"], awarded
    reminder = await say(api, "remind me today at 9:00 to call GreenPack about the pallets")
    assert "09:00" in reminder["text"], reminder

    sent = len(api.calls_to("sendMessage"))
    await api.wait_for("sendMessage", sent + 1, timeout=30)  # the scheduler, at 9:00
    due = api.sent_to(BOB)[-1]
    assert "call GreenPack about the pallets" in due["text"]
    await api.push(api.press(due, "Done", BOB))
    await api.wait_for("editMessageText")
    edited = api.messages[(BOB, due["message_id"])]
    assert edited["text"].startswith(due["text"])  # the reminder stays readable above
    assert "Done" not in str(edited.get("reply_markup", ""))


async def ana_looks_it_up_in_slack(slack: FakeSlack) -> None:
    payload = fixture("message_im")
    payload["event"].update(text="show greenpack", user=ANA_SLACK, channel="D0ANA0001")
    await slack.send_envelope("events_api", payload)
    posted = await slack.wait_for("chat.postMessage")
    assert posted["channel"] == "D0ANA0001" and "GreenPack" in str(posted["blocks"])


def check_the_store(folder: Path) -> None:
    with Store(folder) as store:
        (party,) = store.parties.all()
        assert party.name == "GreenPack"
        (delivery,) = store.interactions.all()
        assert (delivery.kind, delivery.channel, delivery.by) == ("delivery", "telegram", "Bob")
        assert len(store.ratings.for_party(party.id)) == 1
        assert store.ledger.balance(party.id) == 50
        (reminder,) = store.reminders.all()
        assert reminder.status == "done" and reminder.delivered_at is not None
