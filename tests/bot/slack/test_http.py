"""Slack over HTTP: signatures, retries, strangers, escaping, files and the App Home tab.

Requests are signed with slack_sdk's SignatureVerifier and sent to the app's /slack/events on
127.0.0.1; the app talks to the fake Web API.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from bot.config import ConfigError, SlackConfig
from bot.dispatch import REFUSAL
from bot.slack.app import check_settings
from tests.rigs.slack_rig import SlackRig, fixture, http_body, signed_headers, slack_rig, texts

ANA_DM = "D0ANA0001"


async def rejected(rig: SlackRig, headers: dict[str, str], body: str) -> None:
    """The request is refused with 401, nothing is answered and nothing is stored."""
    status, _ = await rig.post_raw(body, {"Content-Type": "application/json", **headers})
    assert status == 401
    await rig.fake.settle(0.2)
    assert rig.fake.called("chat.postMessage") == []
    assert rig.rapport.store.parties.count() == 0


async def test_unsigned_stale_tampered_and_foreign_requests_are_rejected(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        body, _ = http_body("events_api", rig.event("message_im", "add customer Acme", "Ana"))
        await rejected(rig, {}, body)
        await rejected(rig, signed_headers(body, at=time.time() - 6 * 60), body)
        await rejected(rig, signed_headers(body), body.replace("Acme", "Evil"))
        await rejected(rig, signed_headers(body, secret="someone-else"), body)
        headers = signed_headers(body)
        headers["X-Slack-Signature"] = headers["X-Slack-Signature"][:-4] + "0000"
        await rejected(rig, headers, body)

        status, _ = await rig.post_raw(
            body, {"Content-Type": "application/json", **signed_headers(body)}
        )
        assert status == 200
        await rig.expect("chat.postMessage", channel=ANA_DM)
        assert rig.rapport.store.parties.count() == 1


async def test_url_verification_answers_the_challenge(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        assert rig.ready.startswith("slack: ready (http mode) as @rapport in Acme, serving /slack")
        status, body = await rig.send("events_api", fixture("url_verification"))
        assert status == 200
        assert body["challenge"] == fixture("url_verification")["challenge"]


async def test_a_retried_event_is_answered_and_stored_once(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        payload = rig.event("message_im", "add customer Acme Corp", "Ana", event_id="Ev0RETRY0001")
        assert (await rig.send("events_api", payload))[0] == 200
        assert (await rig.send("events_api", payload, retry=1))[0] == 200
        assert (await rig.send("events_api", payload, retry=2))[0] == 200
        await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.fake.settle(0.2)
        assert len(rig.fake.called("chat.postMessage")) == 1
        assert rig.rapport.store.parties.count() == 1


async def test_a_repeated_event_after_a_restart_is_not_stored_twice(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme Corp", event_id="Ev0AGAIN0001")
        await rig.expect("chat.postMessage", channel=ANA_DM)
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme Corp", event_id="Ev0AGAIN0001", retry=3)
        again = await rig.expect("chat.postMessage", channel=ANA_DM)
        assert "Already done: Added customer Acme Corp" in again["text"]
        assert rig.rapport.store.parties.count() == 1


async def test_a_double_click_runs_the_button_once(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme Corp")
        added = await rig.expect("chat.postMessage", channel=ANA_DM)
        await asyncio.gather(rig.press(added, "Undo"), rig.press(added, "Undo"))
        update = await rig.expect("chat.update")
        assert "Undone: Added customer Acme Corp." in texts(update["blocks"])
        await rig.fake.settle(0.2)
        assert len(rig.fake.called("chat.update")) == 1
        assert rig.rapport.store.parties.count() == 0


async def test_strangers_are_refused_privately_once_and_nothing_is_stored(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        status, ack = await rig.slash("add customer Evil Inc", who="Eve")
        assert status == 200 and ack == REFUSAL  # Slack shows a plain-text ack to the sender only

        await rig.say("add customer Evil Inc", who="Eve")  # refused once is enough
        await rig.say("add customer Acme Corp")
        added = await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.press(added, "Undo", who="Eve")

        await rig.send("events_api", rig.event("app_home_opened", "", "Eve"))
        home = await rig.expect("views.publish", user_id="U0STRANGE9")
        assert REFUSAL in texts(home["view"]["blocks"])
        await rig.fake.settle(0.2)
        assert [p.name for p in rig.rapport.store.parties.all()] == ["Acme Corp"]
        assert rig.fake.called("chat.postEphemeral") == []
        assert len(rig.fake.called("chat.postMessage")) == 1
        assert rig.fake.called("chat.update") == []


async def test_stored_strings_cannot_ping_or_forge_links(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer &lt;!channel&gt; &amp; friends")  # typed literally
        added = await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.say("add customer <!here>")  # Slack's markup for a typed @here
        here = await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.say('add customer "<@U0MAR0003|maria> <https://evil.example|click>" ')
        forged = await rig.expect("chat.postMessage", channel=ANA_DM)

        names = sorted(p.name for p in rig.rapport.store.parties.all())
        assert names == ["<!channel> & friends", "@Maria https://evil.example", "@here"]
        shown = visible(added) + visible(here) + visible(forged)
        assert "<!" not in shown and "<@" not in shown and "<http" not in shown
        assert "&lt;!channel&gt; &amp; friends" in added["text"]


async def test_mentions_links_and_channels_are_read_as_typed(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.mention(
            "add customer Beta owner:<@U0MAR0003> email:<mailto:hi@beta.example|hi@beta.example> "
            "website:<http://beta.example|beta.example> <#C0EMEA001|emea>"
        )
        reply = await rig.expect("chat.postMessage", channel="C0SALES01")
        assert reply["thread_ts"]
        (beta,) = rig.rapport.store.parties.all()
        assert beta.owner == "Maria" and beta.tags == ("emea",)
        assert beta.fields == {"email": "hi@beta.example", "website": "beta.example"}

        await rig.say("remind <@U0MAR0003> tomorrow 10am to approve Beta")
        await rig.expect("chat.postMessage", channel=ANA_DM)
        (reminder,) = rig.rapport.store.reminders.open_for("Maria")
        assert reminder.created_by == "Ana"


async def test_an_export_is_uploaded_to_the_persons_dm(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme Corp")
        await rig.expect("chat.postMessage", channel=ANA_DM)
        await rig.say("export parties jsonl")
        done = await rig.expect("files.completeUploadExternal")
        assert done["channel_id"] == ANA_DM and "Exported 1 parties" in done["initial_comment"]
        (content,) = rig.fake.uploads.values()
        assert json.loads(content.decode().splitlines()[0])["name"] == "Acme Corp"

        status, _ = await rig.slash("export interactions")
        answer = await rig.expect("response_url")
        assert "is in your direct messages with Rapport" in answer["text"]
        assert len(rig.fake.uploads) == 2


async def test_app_home_shows_overdue_follow_ups_reminders_and_activity(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        await rig.say("add customer Acme Corp")  # answered before the next line is sent:
        await rig.expect("chat.postMessage", channel=ANA_DM)  # Slack may deliver events at once
        await rig.say("log call with Acme Corp yesterday: pricing, follow up tomorrow")
        await rig.expect("chat.postMessage", channel=ANA_DM)
        rig.later(days=2)
        await rig.send("events_api", rig.event("app_home_opened", "", "Ana"))
        home = await rig.expect("views.publish", user_id="U0ANA0001")
        shown = texts(home["view"]["blocks"])
        assert home["view"]["type"] == "home"
        assert "Overdue follow-ups (1)" in shown and "follow up with Acme Corp: pricing" in shown
        assert "Open reminders (0)" in shown
        assert "call with Acme Corp: pricing" in shown and "Log interaction" in shown


async def test_notifier_retries_rate_limits_and_reports_failures(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        from bot.notify import DeliveryError
        from handlers.reply import Reply

        assert rig.adapter is not None
        notifier = rig.adapter.notifier
        ana = rig.rapport.config.team.find("Ana")
        root = rig.rapport.config.team.find("Root")
        assert ana is not None and root is not None
        rig.fake.fail("chat.postMessage", 429, times=1, retry_after="0")
        delivered = await notifier.deliver(ana, Reply(title="Follow up with <!channel>"))
        assert delivered.channel == ANA_DM and delivered.ref
        assert len(rig.fake.called("chat.postMessage")) == 2  # the 429, then the retry

        rig.fake.fail("chat.postMessage", 500, times=5)
        with pytest.raises(DeliveryError):
            await notifier.deliver(ana, Reply(title="again"))
        assert not notifier.can_reach(root)
        with pytest.raises(DeliveryError):
            await notifier.deliver(root, Reply(title="no slack id"))


async def test_bad_tokens_stop_the_start_with_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="slack.bot_token"):
        async with slack_rig(tmp_path, "http", bot_token="xoxb-revoked"):
            pass
    with pytest.raises(ConfigError, match="slack.app_token"):
        async with slack_rig(tmp_path, "socket", app_token="xapp-revoked"):
            pass


def test_each_mode_needs_its_secrets_and_no_oauth_variables() -> None:
    with pytest.raises(ConfigError, match="slack.signing_secret"):
        check_settings(SlackConfig(mode="http", bot_token="xoxb-1"), {})
    with pytest.raises(ConfigError, match="slack.app_token"):
        check_settings(SlackConfig(mode="socket", bot_token="xoxb-1"), {})
    oauth = {"SLACK_CLIENT_ID": "1", "SLACK_CLIENT_SECRET": "2"}
    with pytest.raises(ConfigError, match="SLACK_CLIENT_ID"):
        check_settings(SlackConfig(mode="socket", bot_token="x", app_token="y"), oauth)


def visible(message: dict) -> str:
    """Every text Slack renders from a message (button values are data, never shown)."""
    found = [message["text"]]
    for block in message["blocks"]:
        found += [block.get("text", {}).get("text", "")]
        found += [f["text"] for f in block.get("fields", [])]
        found += [e["text"]["text"] for e in block.get("elements", []) if "text" in e]
    return "\n".join(found)


async def test_a_reminder_slack_refuses_stays_pending_and_goes_out_later(tmp_path: Path) -> None:
    from bot.scheduler.loop import Scheduler
    from tests.rigs.slack_rig import TEAM

    async with slack_rig(tmp_path, "http") as rig:
        assert rig.adapter is not None
        await rig.say("remind me in 1 hour to call Acme")
        await rig.expect("chat.postMessage", channel=ANA_DM)
        scheduler = Scheduler(rig.rapport.store, TEAM, lambda: rig.now, [rig.adapter.notifier])
        rig.later(hours=1, minutes=1)
        rig.fake.fail("chat.postMessage", 500, times=3)  # the first try and both retries
        await scheduler.run_due()
        (reminder,) = rig.rapport.store.reminders.open_for("Ana")
        assert reminder.delivered_at is None and reminder.sending_at is None
        tries = len(rig.fake.called("chat.postMessage"))

        rig.later(minutes=1)
        await scheduler.run_due()
        *_, ping = rig.fake.called("chat.postMessage")
        assert len(rig.fake.called("chat.postMessage")) == tries + 1
        assert "call Acme" in ping["text"] and "Snooze 1h" in texts(ping["blocks"])
        assert rig.rapport.store.reminders.get(reminder.id).delivered_at  # type: ignore[union-attr]
