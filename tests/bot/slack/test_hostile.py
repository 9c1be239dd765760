"""Slack under hostile input: malformed bodies, long escaped text, others' choice buttons."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.fakes.slack_api import MESSAGE_BLOCKS, invalid_blocks
from tests.rigs.slack_rig import Payload, signed_headers, slack_rig, texts

ANA_DM = "D0ANA0001"


def accepted(post: Payload) -> str:
    """The post's visible text, after checking Slack would have taken its blocks."""
    assert invalid_blocks(post["blocks"], MESSAGE_BLOCKS) is None
    return texts(post["blocks"])


MALFORMED = [
    ("application/x-www-form-urlencoded", "payload=%7Bnot-json"),
    ("application/json", "{not json"),
    ("application/x-www-form-urlencoded", "payload=%5B1%2C2%5D"),
    ("application/json", "[]"),
    ("application/x-www-form-urlencoded", "\xff\xfe"),
]


@pytest.mark.parametrize(("content_type", "body"), MALFORMED)
async def test_unsigned_malformed_bodies_are_401_with_one_log_line(
    tmp_path: Path, content_type: str, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        with caplog.at_level(logging.INFO):
            status, _ = await rig.post_raw(body, {"Content-Type": content_type})
        assert status == 401
        mine = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(mine) == 1 and mine[0].exc_info is None, [r.getMessage() for r in mine]
        assert len(mine[0].getMessage()) < 200


@pytest.mark.parametrize(("content_type", "body"), MALFORMED)
async def test_signed_malformed_bodies_are_400_without_a_traceback(
    tmp_path: Path, content_type: str, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        headers = {"Content-Type": content_type, **signed_headers(body)}
        with caplog.at_level(logging.INFO):
            status, _ = await rig.post_raw(body, headers)
        assert status == 400
        assert not [r for r in caplog.records if r.exc_info], caplog.text
        assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


async def test_a_note_of_pasted_html_is_confirmed_within_slacks_limits(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme")
        await rig.expect("chat.postMessage", channel=ANA_DM)
        notes = "<td>&nbsp;</td>" * 260  # 3,900 characters, about 8,000 once escaped
        await rig.say(f"log call with Acme: {notes}")
        logged = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "Logged call with Acme" in accepted(logged)
        assert rig.rapport.store.interactions.count_for(1) == 1
        await rig.say("show acme")
        card = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "&amp;" in accepted(card)


async def test_a_long_custom_field_is_shown_within_slacks_limits(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        key, value = "k" * 2500, "&" * 1500
        await rig.say(f"add customer Acme {key}:{value}")
        added = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "Added customer Acme" in accepted(added)
        await rig.say("show acme")
        card = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "&amp;" in accepted(card)


async def test_someone_elses_choice_button_is_refused_privately(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        for name in ("Green Pack", "Green Box"):  # each answered before the next is sent
            await rig.say(f"add supplier {name}", who="Maria")
            await rig.expect("chat.postMessage", channel="D0MAR0003")
        await rig.mention("award green 50 for great quarter")
        asked = await rig.expect("chat.postMessage", channel="C0SALES01")
        await rig.press(asked, "Green Pack", who="Maria")
        refusal = await rig.expect("chat.postEphemeral", user="U0MAR0003")
        assert "Ana" in refusal["text"]
        await rig.fake.settle(0.2)
        assert rig.fake.called("chat.update") == []
        assert rig.rapport.store.ledger.balance(1) == 0
        await rig.press(asked, "Green Pack", who="Ana")
        update = await rig.expect("chat.update")
        assert "Awarded Green Pack 50 points" in texts(update["blocks"])
