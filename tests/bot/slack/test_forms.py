"""The "Log interaction" modal and the "Log to Rapport" message shortcut, in both modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rigs.slack_rig import SlackRig, fixture, slack_rig, texts

ANA_DM = "D0ANA0001"
MODES = pytest.mark.parametrize("mode", ["http", "socket"])


async def with_parties(rig: SlackRig, *names: str) -> None:
    for name in names:
        await rig.say(f"add customer {name}")
        await rig.expect("chat.postMessage", channel=ANA_DM)


@MODES
async def test_the_shortcut_and_the_card_button_open_the_modal(tmp_path: Path, mode: str) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_parties(rig, "Acme Corp")
        await rig.send("interactive", fixture("shortcut"))
        opened = await rig.expect("views.open")
        assert opened["trigger_id"] == fixture("shortcut")["trigger_id"]
        blocks = opened["view"]["blocks"]
        assert [b["block_id"] for b in blocks] == ["party", "kind", "when", "notes", "follow_up"]
        assert "initial_option" not in blocks[0]["element"]

        await rig.say("show acme")
        card = await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.press(card, "Log interaction")
        for_acme = await rig.expect("views.open")
        party = for_acme["view"]["blocks"][0]["element"]["initial_option"]
        assert party == {
            "text": {"type": "plain_text", "text": "Acme Corp", "emoji": True},
            "value": "1",
        }


@MODES
async def test_the_party_picker_uses_the_cores_lookup(tmp_path: Path, mode: str) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_parties(rig, "Acme Corp", "Acme GmbH", "Globex")
        status, body = await rig.send("interactive", fixture("block_suggestion"))
        assert status == 200
        assert [o["text"]["text"] for o in body["options"]] == ["Acme Corp", "Acme GmbH"]
        assert [o["value"] for o in body["options"]] == ["1", "2"]

        typo = fixture("block_suggestion") | {"value": "globx"}
        assert [o["value"] for o in (await rig.send("interactive", typo))[1]["options"]] == ["3"]


@MODES
async def test_form_errors_are_shown_beside_their_fields(tmp_path: Path, mode: str) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_parties(rig, "Acme Corp")
        _, body = await rig.submit({"when": "the day after blorp", "follow_up": "last week"})
        assert body["response_action"] == "errors"
        assert set(body["errors"]) == {"when", "follow_up"}
        assert "the day after blorp" in body["errors"]["when"]

        _, body = await rig.submit({"party": "99", "when": "tomorrow"})
        assert set(body["errors"]) == {"party", "when"}
        assert "still to come" in body["errors"]["when"]
        assert rig.rapport.store.interactions.count_for(1) == 0


@MODES
async def test_a_good_form_is_logged_once_and_confirmed_by_dm(tmp_path: Path, mode: str) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_parties(rig, "Acme Corp")
        values = {
            "when": "yesterday 3pm",
            "notes": "they follow up with legal",
            "follow_up": "friday",
        }
        status, body = await rig.submit(values, view_id="V0LOGONCE01")
        assert status == 200 and body == {}  # the modal closes
        confirmed = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "Logged call with Acme Corp — Tue 24 Nov 2026, 15:00 CET." in confirmed["text"]
        assert "Follow-up: Fri 27 Nov 2026, 09:00 CET" in confirmed["text"]
        assert "Undo" in texts(confirmed["blocks"])
        (call,) = rig.rapport.store.interactions.for_party(1)
        assert call.notes == "they follow up with legal" and call.channel == "slack"

        await rig.submit(values, view_id="V0LOGONCE01")  # Slack sends the same view again
        await rig.expect("chat.postMessage", channel=ANA_DM)
        assert rig.rapport.store.interactions.count_for(1) == 1


@MODES
async def test_log_to_rapport_logs_a_message_on_the_party_it_names(
    tmp_path: Path, mode: str
) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_parties(rig, "Acme Corp", "Globex")
        payload = fixture("message_action")
        payload["response_url"] = rig.fake.response_url("shortcut")
        await rig.send("interactive", payload)
        answer = await rig.expect("response_url")
        assert answer["response_type"] == "ephemeral"
        assert "Logged note with Acme Corp" in answer["text"]
        (note,) = rig.rapport.store.interactions.for_party(1)
        expected = "Acme Corp called: they want 200 units & a quote by https://acme.example/rfq"
        assert note.kind == "note" and note.notes == expected


@MODES
async def test_log_to_rapport_asks_which_party_when_unclear(tmp_path: Path, mode: str) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await with_parties(rig, "Acme Corp", "Globex")
        payload = fixture("message_action")
        payload["response_url"] = rig.fake.response_url("shortcut")
        payload["message"]["text"] = "Globex and Acme Corp want a joint quote"
        await rig.send("interactive", payload)
        question = await rig.expect("response_url")
        assert "Which party is this message about?" in question["text"]
        await rig.press(question, "Globex")
        answer = await rig.expect("response_url")
        assert answer["replace_original"] is True
        assert "Logged note with Globex" in texts(answer["blocks"])
        labels = [e["text"]["text"] for e in buttons(answer)]
        assert "Acme Corp" not in labels and "Undo" in labels  # the choices are gone
        assert rig.rapport.store.interactions.count_for(2) == 1

        payload["message"]["text"] = "Someone new called about pricing"
        payload["action_ts"] = "1764077851.222222"
        await rig.send("interactive", payload)
        form = await rig.expect("views.open")
        notes = form["view"]["blocks"][3]["element"]["initial_value"]
        assert notes == "Someone new called about pricing"
        assert form["view"]["blocks"][1]["element"]["initial_option"]["value"] == "note"


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_a_slow_store_still_closes_the_form_in_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.slack.forms.ACK_WITHIN", 0)  # as if the store took over 2.5 s
    async with slack_rig(tmp_path, "http") as rig:
        await with_parties(rig, "Acme Corp")
        status, body = await rig.submit({"when": "yesterday 3pm"})
        assert status == 200 and body == {}
        confirmed = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "Logged call with Acme Corp" in confirmed["text"]
