"""The pipeline and deal buttons in Slack (Block Kit) and Telegram (inline keyboards), through
the real slack_bolt / python-telegram-bot code against the fakes on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from tests.bot.slack.test_day import ANA_DM, buttons_of
from tests.rigs.slack_rig import slack_rig, texts
from tests.rigs.telegram_rig import BOB, Telegram, api_fixture, tg_fixture  # noqa: F401


def labels(message: dict) -> list[str]:
    return [b["text"]["text"] for b in buttons_of(message)]


async def test_slack_pipeline_has_a_section_per_stage_and_deals_have_buttons(
    tmp_path: Path,
) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme Corp")
        await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.say('deal Acme "Q1 renewal" 48k stage:proposal close:15 jan')
        opened = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert labels(opened) == ["Won", "Lost", "Next stage (negotiation)", "Undo"]

        await rig.press(opened, "Next stage (negotiation)")
        moved = await rig.expect("chat.update", ts=opened["ts"])
        assert "proposal → negotiation (75%)" in texts(moved["blocks"])
        assert rig.rapport.store.deals.get(1).stage == "negotiation"  # type: ignore[union-attr]

        await rig.say("pipeline")
        shown = await rig.expect("chat.postMessage", channel=ANA_DM)
        stages = [
            b["text"]["text"] for b in shown["blocks"] if b["type"] == "section" and "fields" in b
        ]
        assert stages == [
            "*lead (10%)*",
            "*qualified (25%)*",
            "*proposal (50%)*",
            "*negotiation (75%)*",
        ]
        negotiation = next(
            b for b in shown["blocks"] if b.get("text", {}).get("text") == "*negotiation (75%)*"
        )
        assert [f["text"] for f in negotiation["fields"]] == [
            "*Deals*\n1", "*Value*\n48,000 EUR", "*Weighted*\n36,000 EUR"
        ]  # fmt: skip


async def test_slack_lost_button_asks_for_the_reason(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme Corp")
        await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.say('deal Acme "Q1 renewal" 48k')
        opened = await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.press(opened, "Lost")
        asked = await rig.expect("chat.update", ts=opened["ts"])
        assert "Why was #1 Q1 renewal lost?" in texts(asked["blocks"])
        assert "lost #1 because &lt;reason&gt;" in texts(asked["blocks"])
        assert rig.rapport.store.deals.get(1).is_open  # type: ignore[union-attr]
        await rig.say("lost #1 because budget cut")
        done = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "lost because budget cut" in done["text"]


def keyboard(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


async def test_telegram_pipeline_and_deal_buttons(tg: Telegram) -> None:
    await tg.text("add customer Acme Corp")
    await tg.text('deal Acme "Q1 renewal" 48k stage:proposal close:15 jan')
    opened = tg.last_message()
    assert keyboard(opened) == ["Won", "Lost", "Next stage (negotiation)", "Undo"]
    await tg.say(tg.api.press(opened, "Lost", BOB), "editMessageText")
    asked = tg.api.messages[(BOB, opened["message_id"])]
    assert "Why was #1 Q1 renewal lost?" in asked["text"] and keyboard(asked) == []
    assert tg.store.deals.get(1).is_open  # type: ignore[union-attr]

    await tg.text("deals mine")
    await tg.text('deal Acme "Hardware" 10k')
    second = tg.last_message()
    await tg.say(tg.api.press(second, "Won", BOB), "editMessageText")
    won = tg.api.messages[(BOB, second["message_id"])]
    assert "lead → won" in won["text"]
    assert tg.store.deals.get(2).stage == "won"  # type: ignore[union-attr]

    await tg.text("pipeline")
    shown = tg.last_message()
    text = shown["text"]
    assert text.startswith("Pipeline (yours): 1 open deal, 48,000 EUR, weighted 24,000 EUR")
    for stage in ("lead (10%)", "qualified (25%)", "proposal (50%)", "negotiation (75%)"):
        assert stage in text
    assert tg.api.calls_to("sendMessage")[-1]["parse_mode"] == "HTML"
    assert keyboard(shown) == ["Open deals"]
