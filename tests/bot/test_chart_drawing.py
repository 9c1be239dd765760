"""Charts are drawn after the store's lock is let go: other commands go on meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.notify import RecordingNotifier
from bot.scheduler.loop import Scheduler
from handlers.reply import Image, Message, Reply, drawn
from handlers.reports import charts
from handlers.router import Router
from tests.conftest import NOW, Chat
from tests.fakes.telegram_api import png_size


def answered_meanwhile(router: Router, line: str) -> Reply | None:
    """Another person's command, sent from another thread; its reply if it came in 5 s."""
    replies: list[Reply] = []
    bob = router.team.find("Bob")
    assert bob is not None
    worker = threading.Thread(
        target=lambda: replies.append(router.handle(Message(bob, line, "telegram", NOW)))
    )
    worker.start()
    worker.join(timeout=5)
    return replies[0] if replies else None


def drawing_that_waits_for(
    router: Router, real: Callable[..., bytes], seen: list[Reply | None]
) -> Callable[..., bytes]:
    """The real drawing, which first lets another command through (and notes its reply)."""

    def draw(data: Any, title: str) -> bytes:
        seen.append(answered_meanwhile(router, "add supplier GreenPack"))
        return real(data, title)

    return draw


def test_another_command_is_answered_while_a_chart_is_drawn(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat.now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert chat("add customer Acme Corp").ok and chat("log call with Acme: pricing").ok
    chat.now = NOW
    seen: list[Reply | None] = []
    real = charts.activity_chart
    monkeypatch.setattr(charts, "activity_chart", drawing_that_waits_for(chat.router, real, seen))
    reply = chat("report activity mine")
    assert reply.image is not None and png_size(reply.image.png) == (1200, 700)
    [meanwhile] = seen
    assert meanwhile is not None and meanwhile.changed, "the other command waited for the chart"


async def test_a_weekly_chart_is_drawn_outside_the_lock(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert chat("add customer Acme Corp").ok and chat("log call with Acme: pricing").ok
    chat.now = NOW
    slack = RecordingNotifier("slack")
    scheduler = Scheduler(chat.router.store, chat.team, lambda: chat.now, [slack])
    await scheduler.run_due()
    seen: list[Reply | None] = []
    real = charts.activity_chart
    monkeypatch.setattr(charts, "activity_chart", drawing_that_waits_for(chat.router, real, seen))
    chat.now = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    await scheduler.run_due()
    [(maria, weekly)] = slack.sent
    assert maria.name == "Maria" and weekly.image is not None
    assert png_size(weekly.image.png) == (1200, 700)
    assert seen and seen[0] is not None and seen[0].changed


def test_a_chart_that_fails_to_draw_leaves_the_summary() -> None:
    def broken() -> bytes:
        raise ValueError("no fonts")

    reply = Reply(title="Activity", image=Image("a.png", "Activity", draw=broken))
    assert drawn(reply) == Reply(title="Activity")
    with pytest.raises(RuntimeError, match="not drawn"):
        _ = Image("a.png", "Activity", draw=broken).png


def test_a_reused_figure_draws_the_same_chart_as_a_new_one(chat: Chat) -> None:
    chat.now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert chat("add customer Acme Corp").ok and chat("log call with Acme: pricing").ok
    assert chat("met Acme: the offer", "Nick").ok
    chat.now = NOW
    first = chat("report activity team", "Maria").image
    other = chat("report activity this year mine", "Ana").image  # other labels, unrotated
    again = chat("report activity team", "Maria").image
    assert first is not None and other is not None and again is not None
    assert first.png == again.png != other.png
    with charts._KEEPING["activity"]:  # the kept figure is busy: this one is drawn afresh
        fresh = chat("report activity team", "Maria").image
    assert fresh is not None and fresh.png == first.png
