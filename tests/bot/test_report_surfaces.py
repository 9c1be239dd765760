"""A chart arrives as a PNG with its text alternative in Slack, Telegram and the terminal."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from bot.console import Console
from handlers.context import Team
from handlers.reply import Message
from handlers.router import Router
from tests.conftest import NOW, Chat
from tests.fakes.telegram_api import PNG_SIGNATURE, png_size
from tests.rigs.slack_rig import slack_rig
from tests.rigs.telegram_rig import BOB, Telegram, api_fixture, tg_fixture  # noqa: F401

ANA_DM = "D0ANA0001"
SUMMARY = "2 interactions by 1 person (0.6 a week): 50% call, 50% meeting."
LOGS = (
    ("Ana", "2026-11-03T10:00", "add customer Acme Corp"),
    ("Ana", "2026-11-03T10:00", "log call with Acme: pricing"),
    ("Ana", "2026-11-10T10:00", "met Acme: the contract"),
    ("Bob", "2026-11-10T10:00", "add supplier GreenPack"),
    ("Bob", "2026-11-12T10:00", "delivery from GreenPack: on time"),
    ("Bob", "2026-11-19T10:00", "log complaint with GreenPack: a broken pallet"),
)


def fill(router: Router, team: Team) -> None:
    """Ana's and Bob's November, typed through the router at its own times."""
    for who, when, line in LOGS:
        person = team.find(who)
        assert person is not None
        moment = datetime.fromisoformat(when).replace(tzinfo=UTC)
        assert router.handle(Message(person, line, "terminal", moment)).ok


def assert_chart(data: bytes) -> None:
    assert data.startswith(PNG_SIGNATURE) and png_size(data) == (1200, 700)


async def test_slack_uploads_the_chart_where_it_was_asked_with_alt_text(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        fill(rig.rapport.router, rig.rapport.config.team)
        await rig.say("report activity this month")
        await rig.expect("files.completeUploadExternal", channel_id=ANA_DM)
        shared = rig.fake.shared[-1]
        assert_chart(shared["data"])
        assert shared["filename"] == "rapport-activity-20261125-1437.png"
        title = "Activity of Ana, this month (1–25 Nov 2026)"
        assert shared["alt_txt"].splitlines()[:2] == [title, SUMMARY]
        assert shared["title"] == title and SUMMARY in shared["initial_comment"]
        assert shared["thread_ts"] is None
        assert not rig.fake.called("chat.postMessage")  # the upload carries the summary

        await rig.mention("report activity")
        done = await rig.expect("files.completeUploadExternal", channel_id="C0SALES01")
        assert done["thread_ts"] and rig.fake.shared[-1]["thread_ts"] == done["thread_ts"]


async def test_a_slack_notice_with_a_chart_is_uploaded_to_the_dm(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        fill(rig.rapport.router, rig.rapport.config.team)
        maria = rig.rapport.config.team.find("maria")
        assert rig.adapter is not None and maria is not None
        reply = rig.rapport.router.handle(Message(maria, "report activity", "slack", NOW))
        delivered = await rig.adapter.notifier.deliver(maria, reply)
        (shared,) = rig.fake.shared
        assert delivered.channel == shared["channel"] == "D0MAR0003"
        assert delivered.ref == shared["id"] and shared["alt_txt"].startswith("Activity of")
        assert_chart(shared["data"])


async def test_slash_report_lands_in_the_channel_else_in_the_dm(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        fill(rig.rapport.router, rig.rapport.config.team)
        await rig.slash("report activity")
        await rig.expect("files.completeUploadExternal", channel_id="C0SALES01")
        assert_chart(rig.fake.shared[-1]["data"])

        rig.fake.fail("files.completeUploadExternal", 200, error="not_in_channel")
        await rig.slash("report activity")
        await rig.expect("files.completeUploadExternal", channel_id=ANA_DM)
        answer = await rig.expect("response_url")
        assert "The chart is in your direct messages with Rapport." in answer["text"]
        assert [s["channel"] for s in rig.fake.shared] == ["C0SALES01", ANA_DM]


async def test_slack_says_so_when_no_upload_goes_through(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        fill(rig.rapport.router, rig.rapport.config.team)
        rig.fake.fail("files.completeUploadExternal", 200, times=2, error="not_allowed")
        await rig.say("report activity")
        posted = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert SUMMARY in posted["text"] and "export report gives its numbers" in posted["text"]
        assert rig.fake.shared == []


async def test_telegram_sends_the_chart_as_a_photo_with_the_summary_as_caption(
    tg: Telegram, chat: Chat
) -> None:
    fill(chat.router, chat.team)
    sent = await tg.say(tg.api.updates.text("report activity this month", BOB), "sendPhoto")
    assert sent["chat_id"] == BOB and sent["parse_mode"] == "HTML"
    assert_chart(sent["photo"]["data"])
    shown = tg.last_message()
    assert shown["photo"][0]["width"] == 1200 and shown["photo"][0]["height"] == 700
    assert shown["caption"].splitlines() == [
        "Activity of Bob, this month (1–25 Nov 2026)",
        "",
        "2 interactions by 1 person (0.6 a week): 50% delivery, 50% complaint.",
        "Busiest week: 9 Nov with 1; quietest: 1 Nov with 0.",
    ]
    assert shown["caption_entities"][0]["type"] == "bold"
    assert not tg.api.calls_to("sendMessage")


async def test_a_telegram_notice_with_a_chart_is_a_photo(tg: Telegram, chat: Chat) -> None:
    fill(chat.router, chat.team)
    reply = chat("report activity team", "Maria")
    maria = chat.team.find("maria")
    assert maria is not None and reply.image is not None
    delivered = await tg.bot.notifier.deliver(maria, reply)
    (sent,) = tg.api.calls_to("sendPhoto")
    assert sent["chat_id"] == 1003 and delivered.ref.startswith("1003:")
    assert "Most: Ana 2; least: Nick 0." in sent["caption"]


def test_the_terminal_saves_the_chart_and_prints_its_path(chat: Chat, tmp_path: Path) -> None:
    fill(chat.router, chat.team)
    out = io.StringIO()
    person = chat.team.find("Ana")
    assert person is not None
    console = Console(chat.router, person, lambda: NOW, out=out, files=tmp_path)
    console.answer("report activity")
    path = tmp_path / "rapport-activity-20261125-1437.png"
    assert SUMMARY in out.getvalue() and f"chart saved as {path}" in out.getvalue()
    assert_chart(path.read_bytes())


DEALS = (
    ("Ana", "2026-11-12T10:00", 'deal Acme "Q1 renewal" 48k stage:proposal close:15 jan 2027'),
    ("Ana", "2026-11-12T10:00", 'deal Acme "Hardware" 10k close:20 dec 2026'),
)
PIPELINE = (
    "2 open deals worth 58,000 EUR, weighted 25,000 EUR (43%); most in proposal (48,000 EUR)."
)


def with_deals(router: Router, team: Team) -> None:
    fill(router, team)
    for who, when, line in DEALS:
        person = team.find(who)
        assert person is not None
        moment = datetime.fromisoformat(when).replace(tzinfo=UTC)
        assert router.handle(Message(person, line, "terminal", moment)).ok


async def test_the_pipeline_chart_is_uploaded_in_slack(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        with_deals(rig.rapport.router, rig.rapport.config.team)
        await rig.say("report pipeline mine")
        await rig.expect("files.completeUploadExternal", channel_id=ANA_DM)
        shared = rig.fake.shared[-1]
        assert_chart(shared["data"])
        assert shared["filename"] == "rapport-pipeline-20261125-1437.png"
        assert shared["title"] == "Pipeline of Ana, open deals on 25 Nov 2026"
        assert PIPELINE in shared["alt_txt"] and PIPELINE in shared["initial_comment"]


async def test_the_pipeline_chart_is_a_telegram_photo(tg: Telegram, chat: Chat) -> None:
    with_deals(chat.router, chat.team)
    sent = await tg.say(tg.api.updates.text("report pipeline all", BOB), "sendPhoto")
    assert_chart(sent["photo"]["data"])
    caption = tg.last_message()["caption"].splitlines()
    assert caption[:3] == ["Pipeline of the whole team, open deals on 25 Nov 2026", "", PIPELINE]
