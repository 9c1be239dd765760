"""Slack's real traffic: edits, file shares, other bots, sparse shortcuts, Enterprise Grid.

Each payload is shaped like Slack's published ones (tests/fixtures/SOURCES.md says where from)
and goes through the real bolt app over HTTP or Socket Mode to the fake Web API.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handlers.context import Team
from handlers.exchange.exports import interaction_rows
from storage.models import Person
from storage.store import Store
from tests.conftest import PEOPLE, POLICY
from tests.rigs.slack_rig import Payload, SlackRig, find_button, fixture, slack_rig, texts

ANA_DM = "D0ANA0001"
SALES = "C0SALES01"
MODES = pytest.mark.parametrize("mode", ["http", "socket"])
QUOTE = "acme-quote-2026-11.pdf"
QUOTE_LINK = "https://acme.slack.com/files/U0ANA0001/F0QUOTE0001/acme-quote-2026-11.pdf"


async def with_acme(rig: SlackRig) -> None:
    await rig.say("add customer Acme Corp")
    await rig.expect("chat.postMessage", channel=ANA_DM)


def edited_mention(original: Payload, text: str) -> Payload:
    """Slack's app_mention for an edit of `original`: same ts and channel, a new event id."""
    payload = fixture("app_mention_edited")
    payload["event"].update(
        text=f"<@UBOTRAPP1> {text}",
        ts=original["event"]["ts"],
        channel=original["event"]["channel"],
        user=original["event"]["user"],
    )
    payload["event_id"] = original["event_id"] + "E"
    return payload


def changed_dm(original: Payload, text: str) -> Payload:
    """Slack's message_changed in the DM for an edit of `original`."""
    payload = fixture("message_changed_im")
    event = payload["event"]
    event["message"].update(text=text, ts=original["event"]["ts"])
    event["previous_message"].update(text=original["event"]["text"], ts=original["event"]["ts"])
    payload["event_id"] = original["event_id"] + "C"
    return payload


def calls(rig: SlackRig) -> list[str]:
    """The Web API methods the app called to answer (not its start and its socket's acks)."""
    plumbing = ("auth.test", "apps.connections.open", "socket_ack")
    return [c.method for c in rig.fake.calls if c.method not in plumbing]


@MODES
async def test_an_edited_mention_is_not_stored_twice(tmp_path: Path, mode: str) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_acme(rig)
        original = rig.event(
            "app_mention", "<@UBOTRAPP1> log call with Acme Corp today: prcie", "Ana"
        )
        await rig.send("events_api", original)
        logged = await rig.expect("chat.postMessage", channel=SALES)
        assert logged["text"].startswith("Logged call with Acme Corp")

        await rig.send(
            "events_api", edited_mention(original, "log call with Acme Corp today: price")
        )
        note = await rig.expect("chat.postMessage", channel=SALES)
        assert note["thread_ts"] == original["event"]["ts"]
        assert (
            "Edits aren't applied" in note["text"] and "Logged call with Acme Corp" in note["text"]
        )
        find_button(note["blocks"], "Undo")  # the way to take the first version back
        assert [i.notes for i in rig.rapport.store.interactions.all()] == ["prcie"]


async def test_an_edit_after_a_restart_is_still_not_stored_twice(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await with_acme(rig)
        original = rig.event("app_mention", "<@UBOTRAPP1> log call with Acme Corp today", "Ana")
        await rig.send("events_api", original)
        await rig.expect("chat.postMessage", channel=SALES)
    async with slack_rig(tmp_path, "http") as rig:
        await rig.send("events_api", edited_mention(original, "log call with Acme Corp today: hi"))
        note = await rig.expect("chat.postMessage", channel=SALES)
        assert "Edits aren't applied" in note["text"]
        assert len(list(rig.rapport.store.interactions.all())) == 1


@MODES
async def test_an_edited_dm_is_not_stored_twice_and_a_fixed_typo_runs(
    tmp_path: Path, mode: str
) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_acme(rig)
        original = rig.event("message_im", "log call with Acme Corp today: prcie", "Ana")
        await rig.send("events_api", original)
        await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.send("events_api", changed_dm(original, "log call with Acme Corp today: price"))
        note = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "Edits aren't applied" in note["text"]
        assert len(list(rig.rapport.store.interactions.all())) == 1

        typo = rig.event("message_im", "lgo call with Acme Corp today", "Ana")
        await rig.send("events_api", typo)
        assert "lgo" in (await rig.expect("chat.postMessage", channel=ANA_DM))["text"]
        await rig.send("events_api", changed_dm(typo, "log call with Acme Corp today: fixed"))
        fixed = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert fixed["text"].startswith("Logged call with Acme Corp")
        assert len(list(rig.rapport.store.interactions.all())) == 2


async def test_unfurls_and_the_bots_own_edits_are_ignored_quietly(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await with_acme(rig)
        original = rig.event("message_im", "show acme https://acme.example", "Ana")
        await rig.send("events_api", original)
        await rig.expect("chat.postMessage", channel=ANA_DM)
        unfurl = changed_dm(original, original["event"]["text"])
        del unfurl["event"]["message"]["edited"]
        unfurl["event"]["message"]["attachments"] = [{"from_url": "https://acme.example"}]
        await rig.send("events_api", unfurl)
        own = changed_dm(original, "Undone: Added customer Acme Corp.")
        own["event"]["message"].update(user="UBOTRAPP1", bot_id="B0RAPP001")
        del own["event"]["message"]["edited"]
        await rig.send("events_api", own)
        await rig.fake.settle(0.3)
        assert calls(rig).count("chat.postMessage") == 2
        assert "chat.postEphemeral" not in calls(rig)


@MODES
async def test_a_file_shared_with_a_command_is_logged_with_the_file(
    tmp_path: Path, mode: str
) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_acme(rig)
        await rig.send("events_api", fixture("message_file_share"))
        logged = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert logged["text"].startswith("Logged email with Acme Corp")
        assert QUOTE in texts(logged["blocks"])
        (interaction,) = rig.rapport.store.interactions.all()
        assert interaction.notes == "sent the quote"
        assert interaction.files == ((QUOTE, QUOTE_LINK),)

        await rig.say("show acme")
        card = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert QUOTE in texts(card["blocks"]) and QUOTE_LINK in texts(card["blocks"])
        await rig.say("history acme")
        history = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert QUOTE_LINK in texts(history["blocks"])
        (row,) = interaction_rows(rig.rapport.store, ZoneInfo("Europe/Berlin"))
        assert row["files"] == [f"{QUOTE} {QUOTE_LINK}"]

        alone = fixture("message_file_share")
        alone["event_id"], alone["event"]["ts"], alone["event"]["text"] = "Ev0ALONE1", "1.2", ""
        await rig.send("events_api", alone)
        asked = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "write both in one message" in asked["text"]
        assert len(list(rig.rapport.store.interactions.all())) == 1
    with Store(tmp_path / "data", readonly=True) as reopened:
        (kept,) = reopened.interactions.all()
        assert kept.files == ((QUOTE, QUOTE_LINK),)


async def test_a_shared_file_slack_does_not_describe_still_logs_the_text(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await with_acme(rig)
        shared = fixture("message_file_share")
        shared["event"]["files"] = [{"id": "F0HIDDEN01", "mode": "file_access"}]  # Slack Connect
        await rig.send("events_api", shared)
        logged = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert logged["text"].startswith("Logged email with Acme Corp")
        (interaction,) = rig.rapport.store.interactions.all()
        assert interaction.files == (("F0HIDDEN01", ""),)


@MODES
async def test_other_bots_are_ignored_quietly(
    tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with slack_rig(tmp_path, mode) as rig:
        await rig.send("events_api", fixture("app_mention_from_bot"))
        bot_dm = rig.event("message_im", "add customer Spam Ltd", "Ana")
        bot_dm["event"].update(subtype="bot_message", bot_id="B0DEPLOY01")
        del bot_dm["event"]["user"]
        await rig.send("events_api", bot_dm)
        await rig.fake.settle(0.3)
        assert calls(rig) == []
        assert rig.rapport.store.parties.count() == 0
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


@MODES
async def test_the_message_shortcut_without_optional_fields_is_served(
    tmp_path: Path, mode: str
) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_acme(rig)
        shortcut = fixture("message_action_minimal")
        shortcut["response_url"] = rig.fake.response_url("sparse")
        status, _ = await rig.send("interactive", shortcut)
        assert status == 200
        answer = await rig.expect("response_url", hook="sparse")
        assert "Logged note with Acme Corp" in answer["text"]
        assert len(list(rig.rapport.store.interactions.all())) == 1


def grid_team() -> Team:
    lena = Person("Lena", "rep", "Europe/Berlin", slack="W0GRID0001", manager="Maria")
    return Team(people=(*PEOPLE, lena), timezone="Europe/Berlin", policy=POLICY)


@MODES
async def test_enterprise_grid_users_and_org_wide_installs_are_served(
    tmp_path: Path, mode: str
) -> None:
    async with slack_rig(tmp_path, mode, team=grid_team()) as rig:
        await rig.send("events_api", fixture("app_mention_grid"))
        added = await rig.expect("chat.postMessage", channel=SALES)
        assert added["text"].startswith("Added customer Initech")
        (party,) = rig.rapport.store.parties.all()
        assert party.name == "Initech"

        await rig.send("interactive", fixture("shortcut_org_install"))
        opened = await rig.expect("views.open")
        assert opened["trigger_id"] == fixture("shortcut_org_install")["trigger_id"]


@MODES
async def test_a_failed_answer_is_logged_without_personal_data_and_apologised_for(
    tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with slack_rig(tmp_path, mode) as rig:
        rig.fake.fail("chat.postMessage", 200, error="channel_not_found")
        payload = rig.event("message_im", "add customer Secretive Holdings", "Ana")
        await rig.send("events_api", payload)
        sorry = await rig.expect("chat.postEphemeral", user="U0ANA0001")
        assert sorry["channel"] == ANA_DM and "Sorry" in sorry["text"]
        assert rig.rapport.store.parties.count() == 1  # the change itself was kept
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert payload["event_id"] in logged
        assert "Secretive" not in caplog.text and "U0ANA0001" not in caplog.text
        assert not [r for r in caplog.records if r.exc_info]


async def test_a_sparse_button_press_is_acked_and_answered(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme Corp")
        added = await rig.expect("chat.postMessage", channel=ANA_DM)
        press = fixture("block_actions")
        element = find_button(rig.message(added)["blocks"], "Undo")
        press["actions"] = [{k: v for k, v in element.items() if k != "text"}]
        press["response_url"] = rig.fake.response_url("bare")
        for optional in ("container", "message", "channel"):
            press.pop(optional, None)
        status, _ = await rig.send("interactive", copy.deepcopy(press))
        assert status == 200
        answer = await rig.expect("response_url", hook="bare")
        assert "Undone: Added customer Acme Corp" in answer["text"]
        assert rig.rapport.store.parties.count() == 0
