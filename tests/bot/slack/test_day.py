"""A sales rep's whole day in Slack, end to end, over HTTP mode and over Socket Mode.

Real slack_bolt and slack_sdk code runs against the fake Slack on 127.0.0.1; the reminder is
sent by the real scheduler through the Slack notifier.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.scheduler.loop import Scheduler
from storage.reminders import DONE
from tests.rigs.slack_rig import TEAM, SlackRig, slack_rig, texts

ANA_DM = "D0ANA0001"


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_a_reps_day(tmp_path: Path, mode: str) -> None:
    async with slack_rig(tmp_path, mode) as rig:
        await add_customers(rig)
        reminder_id = await log_call_with_follow_up(rig)
        choice = await resolve_ambiguous_name_by_button(rig)
        await receive_reminder_and_press_done(rig, reminder_id)
        await undo_by_button(rig, choice)


async def add_customers(rig: SlackRig) -> None:
    """Ana adds Acme Corp in her DM with the app, and Acme GmbH with /rapport in #sales."""
    status, _ = await rig.say("add customer Acme Corp #enterprise region:EU")
    assert status == 200
    added = await rig.expect("chat.postMessage", channel=ANA_DM)
    assert "Added customer Acme Corp (#1)." in added["text"]
    assert "Undo" in texts(added["blocks"])

    status, ack = await rig.slash("add customer Acme GmbH")
    assert status == 200
    answer = await rig.expect("response_url")
    assert answer["response_type"] == "ephemeral"
    assert "Added customer Acme GmbH (#2)." in answer["text"]
    assert [p.name for p in rig.rapport.store.parties.all()] == ["Acme Corp", "Acme GmbH"]


async def log_call_with_follow_up(rig: SlackRig) -> int:
    """A call logged yesterday with a follow-up tomorrow 10am: shown back as absolute times."""
    await rig.say(
        "log call with Acme Corp yesterday: discussed Q3 pricing, follow up tomorrow 10am"
    )
    logged = await rig.expect("chat.postMessage", channel=ANA_DM)
    assert "Logged call with Acme Corp — Tue 24 Nov 2026, 09:00 CET." in logged["text"]
    assert "Follow-up: Thu 26 Nov 2026, 10:00 CET" in logged["text"]
    (reminder,) = rig.rapport.store.reminders.open_for("Ana")
    assert reminder.kind == "follow_up"
    return reminder.id


async def resolve_ambiguous_name_by_button(rig: SlackRig) -> dict:
    """`@Rapport log meeting with Acme …` in #sales asks which Acme, in the thread, with buttons."""
    await rig.mention("log meeting with Acme today: demo of the new dashboard")
    question = await rig.expect("chat.postMessage", channel="C0SALES01")
    assert question["thread_ts"]  # answered in the mention's thread
    assert "Which party do you mean by “Acme”?" in question["text"]
    assert rig.rapport.store.interactions.count_for(2) == 0  # nothing stored before the answer

    await rig.press(question, "Acme GmbH")
    update = await rig.expect("chat.update", ts=question["ts"])
    shown = texts(update["blocks"])
    assert "Logged meeting with Acme GmbH" in shown and "Ana pressed “Acme GmbH”" in shown
    assert "Acme Corp" not in [b["text"]["text"] for b in buttons_of(update)]  # old choices gone
    assert [b["text"]["text"] for b in buttons_of(update)] == ["Undo"]
    assert rig.rapport.store.interactions.count_for(2) == 1
    return question


async def receive_reminder_and_press_done(rig: SlackRig, reminder_id: int) -> None:
    """Tomorrow at 10:00 the scheduler DMs the follow-up; Done closes it and edits the message."""
    scheduler = Scheduler(rig.rapport.store, TEAM, lambda: rig.now, [rig.adapter.notifier])
    rig.later(hours=19, minutes=30)  # Thu 26 Nov, 10:07 in Berlin
    await scheduler.run_due()
    opened = await rig.expect("conversations.open", users="U0ANA0001")
    assert opened
    ping = await rig.expect("chat.postMessage", channel=ANA_DM)
    assert f"Follow-up {reminder_id}" in ping["text"] and "Acme Corp" in ping["text"]
    labels = [b["text"]["text"] for b in buttons_of(ping)]
    assert labels == ["Done", "Snooze 1h", "Tomorrow"]

    await rig.press(ping, "Done")
    update = await rig.expect("chat.update", ts=ping["ts"])
    assert "Done" not in [b["text"]["text"] for b in buttons_of(update)]
    assert "Ana pressed “Done”" in texts(update["blocks"])
    assert rig.rapport.store.reminders.get(reminder_id).status == DONE  # type: ignore[union-attr]

    await scheduler.run_due()  # nothing is sent twice
    await rig.fake.settle(0.2)
    assert len(rig.fake.called("chat.postMessage")) == 4


async def undo_by_button(rig: SlackRig, choice: dict) -> None:
    """The Undo button on the answered question takes back exactly that meeting."""
    await rig.press(choice, "Undo")
    update = await rig.expect("chat.update", ts=choice["ts"])
    assert "Undone: Logged meeting with Acme GmbH." in texts(update["blocks"])
    assert buttons_of(update) == []
    assert rig.rapport.store.interactions.count_for(2) == 0
    assert rig.rapport.store.interactions.count_for(1) == 1  # the call stays


def buttons_of(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
