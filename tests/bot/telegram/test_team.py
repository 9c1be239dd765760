"""A stranger on Telegram, through the real python-telegram-bot against the fake Bot API:
refused once, asked about with buttons, added by a manager's press, told they are in."""

from __future__ import annotations

from bot.scheduler.loop import Scheduler
from tests.conftest import NOW
from tests.rigs.telegram_rig import STRANGER, Telegram, api_fixture, tg_fixture  # noqa: F401

MARIA = 1003


async def test_a_stranger_is_refused_once_and_a_manager_adds_them(tg: Telegram) -> None:
    await tg.text("add supplier Sneaky Ltd", user=STRANGER)
    before = len(tg.api.calls_to("sendMessage"))
    await tg.api.push(tg.api.updates.text("hello?", STRANGER))
    await tg.text("whoami", user=MARIA)  # handled after the stranger's second line
    assert len(tg.api.sent_to(STRANGER)) == 1 and len(tg.api.calls_to("sendMessage")) == before + 1

    team = tg.bot.router.team
    scheduler = Scheduler(tg.store, team, lambda: NOW, [tg.bot.notifier])
    await scheduler.run_due()
    asked = tg.last_message(MARIA)
    assert "wrote to Rapport on Telegram but isn't on the team." in asked["text"]
    labels = [b["text"] for row in asked["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Rep", "Buyer", "Manager", "Ignore"]
    await tg.say(tg.api.press(asked, "Buyer", MARIA), "editMessageText")
    newcomer = team.by_telegram(STRANGER)
    assert newcomer is not None and (newcomer.role, newcomer.manager) == ("buyer", "Maria")

    await scheduler.run_due()
    assert "you're in" in tg.last_message(STRANGER)["text"]
    answer = await tg.text("whoami", user=STRANGER)
    assert f"You are {newcomer.name}." in answer["text"]


async def test_ignore_stops_the_requests(tg: Telegram) -> None:
    await tg.text("hi", user=STRANGER)
    scheduler = Scheduler(tg.store, tg.bot.router.team, lambda: NOW, [tg.bot.notifier])
    await scheduler.run_due()
    await tg.say(tg.api.press(tg.last_message(MARIA), "Ignore", MARIA), "editMessageText")
    assert "they won't be asked about again" in tg.last_message(MARIA)["text"]
    assert tg.bot.router.team.by_telegram(STRANGER) is None
