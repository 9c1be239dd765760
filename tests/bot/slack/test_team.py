"""The team in Slack, through the real bolt app against the fake Slack: a stranger is refused
once and added with a button, a manager adds a rep by mention, and Slack profile zones."""

from __future__ import annotations

from pathlib import Path

from bot.scheduler.loop import Scheduler
from tests.rigs.slack_rig import SlackRig, slack_rig, texts

MARIA_DM, EVE_DM, JANE_DM = "D0MAR0003", "D0STRANGE9", "D0JANE001"


def scheduler_of(rig: SlackRig) -> Scheduler:
    team = rig.rapport.router.team
    assert rig.adapter is not None
    return Scheduler(rig.rapport.store, team, lambda: rig.now, [rig.adapter.notifier])


async def test_a_stranger_is_refused_once_and_added_by_a_managers_button(tmp_path: Path) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        rig.fake.add_user("U0STRANGE9", "Eve", tz="America/Los_Angeles")
        await rig.say("hello", who="Eve")
        await rig.expect("chat.postEphemeral", user="U0STRANGE9")
        await rig.say("add customer Evil Inc", who="Eve")
        status, ack = await rig.slash("show acme", who="Eve")
        await rig.fake.settle(0.2)
        assert status == 200 and not ack  # no second refusal
        assert len(rig.fake.called("chat.postEphemeral")) == 1
        assert rig.rapport.store.parties.count() == 0

        scheduler = scheduler_of(rig)
        await scheduler.run_due()
        asked = await rig.expect("chat.postMessage", channel=MARIA_DM)
        assert "Eve wrote to Rapport on Slack but isn't on the team." in texts(asked["blocks"])
        await rig.press(asked, "Rep", who="Maria")
        done = await rig.expect("chat.update")
        assert "Eve is on the team as rep. I've told them." in texts(done["blocks"])

        await scheduler.run_due()
        welcome = await rig.expect("chat.postMessage", channel=EVE_DM)
        assert "Welcome to Rapport, Eve: you're in." in welcome["text"]
        await rig.say("whoami", who="Eve")
        me = await rig.expect("chat.postMessage", channel=EVE_DM)
        assert "America/Los_Angeles (your Slack profile)" in texts(me["blocks"])
        assert "Manager" in texts(me["blocks"]) and "Maria" in texts(me["blocks"])
        entry = rig.rapport.store.audit.get(rig.rapport.store.audit.last_undoable("Maria") or 0)
        assert entry is not None and entry["summary"] == "Added Eve to the team as rep"


async def test_a_manager_adds_a_rep_by_mention_and_the_slack_zone_is_refreshed(
    tmp_path: Path,
) -> None:
    async with slack_rig(tmp_path, "http") as rig:
        rig.fake.add_user("U0JANE001", "jane", tz="Asia/Tokyo")
        await rig.say("team add <@U0JANE001> as rep", who="Maria")
        added = await rig.expect("chat.postMessage", channel=MARIA_DM)
        assert "jane is on the team as rep. I've told them." in added["text"]

        await rig.say("whoami", who="U0JANE001")  # at once, no restart
        me = await rig.expect("chat.postMessage", channel=JANE_DM)
        assert "Asia/Tokyo (your Slack profile)" in texts(me["blocks"])

        rig.fake.users["U0JANE001"]["tz"] = "America/Chicago"
        rig.later(hours=3)
        await rig.say("whoami", who="U0JANE001")
        me = await rig.expect("chat.postMessage", channel=JANE_DM)
        assert "Asia/Tokyo" in texts(me["blocks"])  # read at most once a day
        rig.later(days=1)
        await rig.say("whoami", who="U0JANE001")
        me = await rig.expect("chat.postMessage", channel=JANE_DM)
        assert "America/Chicago (your Slack profile)" in texts(me["blocks"])

        await rig.say("settings tz:Europe/Paris", who="U0JANE001")
        await rig.expect("chat.postMessage", channel=JANE_DM)
        await rig.say("whoami", who="U0JANE001")
        me = await rig.expect("chat.postMessage", channel=JANE_DM)
        assert "Europe/Paris (your setting)" in texts(me["blocks"])
        reads = [c for c in rig.fake.called("users.info") if c["user"] == "U0JANE001"]
        assert len(reads) == 3  # the mention, her first message, a day on
