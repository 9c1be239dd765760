"""Slack over Socket Mode: connected through apps.connections.open, every envelope acked."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.slack_api import APP_TOKEN
from tests.rigs.slack_rig import fixture, slack_rig

ANA_DM = "D0ANA0001"


async def test_the_app_connects_with_its_app_token(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "socket") as rig:
        calls = [c for c in rig.fake.calls if c.method == "apps.connections.open"]
        assert [c.token for c in calls] == [APP_TOKEN]
        assert rig.adapter is not None and rig.adapter.port is None  # no HTTP server
        assert rig.ready == "slack: ready (socket mode) as @rapport in Acme"


async def test_every_envelope_is_acked_with_its_id(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "socket") as rig:
        event = await rig.fake.send_envelope("events_api", rig.event("message_im", "help", "Ana"))
        assert (await rig.fake.wait_ack(event, timeout=3)) == {"envelope_id": event}

        command = fixture("slash_command")
        command["response_url"] = rig.fake.response_url("c1")
        slash = await rig.fake.send_envelope("slash_commands", command)
        assert (await rig.fake.wait_ack(slash, timeout=3))["envelope_id"] == slash

        answer = await rig.expect("response_url")
        assert "I don't know a party called “acme”." in answer["text"]
        await rig.expect("chat.postMessage", channel=ANA_DM)


async def test_a_redelivered_envelope_is_acked_but_handled_once(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "socket") as rig:
        payload = rig.event("message_im", "add customer Acme Corp", "Ana", event_id="Ev0SOCK00001")
        first = await rig.fake.send_envelope("events_api", payload)
        again = await rig.fake.send_envelope("events_api", payload, retry_attempt=1)
        await rig.fake.wait_ack(first)
        await rig.fake.wait_ack(again)
        await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.fake.settle(0.2)
        assert len(rig.fake.called("chat.postMessage")) == 1
        assert rig.rapport.store.parties.count() == 1


async def test_events_from_the_bot_itself_and_message_edits_are_ignored(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "socket") as rig:
        own = rig.event("message_im", "add customer Echo", "UBOTRAPP1")
        own["event"]["bot_id"] = "B0RAPP001"
        edited = rig.event("message_im", "add customer Edit", "Ana")
        edited["event"]["subtype"] = "message_changed"
        for payload in (own, edited):
            await rig.fake.wait_ack(await rig.fake.send_envelope("events_api", payload))
        await rig.fake.settle(0.2)
        assert rig.fake.called("chat.postMessage") == []
        assert rig.rapport.store.parties.count() == 0
