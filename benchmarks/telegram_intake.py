"""Time reading a getUpdates batch of 100 (Telegram's largest) through `IntakeBot`.

Run by hand: `python benchmarks/telegram_intake.py` (from the repository root).
Baseline, measured in the same run: python-telegram-bot's own `ExtBot.get_updates` on the same
answer (the network replaced by the fixed answer in both). A batch that parses should cost
`IntakeBot` what it costs the baseline (no second parse); one with an unreadable update, which
PTB cannot serve at all, is read again update by update (at most 3x the baseline).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.ext import ExtBot  # noqa: E402

from benchmarks.measure import percentiles, table, timed  # noqa: E402
from bot.telegram.intake import IntakeBot, keep_logs_private  # noqa: E402
from tests.fakes.telegram_updates import fixture  # noqa: E402

BATCH, RUNS = 100, 200
SHAPES = ("private_text", "forwarded_user", "callback_query", "photo_caption", "private_command")


def batch(unreadable: bool) -> list[dict[str, Any]]:
    """100 updates of the recorded shapes; the first one unreadable when asked."""
    updates = []
    for n in range(BATCH):
        update = copy.deepcopy(fixture(SHAPES[n % len(SHAPES)]))
        update["update_id"] = 900_000 + n
        updates.append(update)
    if unreadable:
        updates[0] = fixture("unparsable_sender") | {"update_id": 900_000}
    return updates


class Answering(ExtBot[int]):
    """PTB's bot with the network replaced by a fixed getUpdates answer (the baseline)."""

    _answer: list[dict[str, Any]] = []  # noqa: RUF012 - set per run

    async def _do_post(self, *_args: Any, **_kwargs: Any) -> Any:
        return self._answer


class AnsweringIntake(IntakeBot, Answering):
    """Rapport's bot with the same fixed answer."""


def through(bot: Answering, raw: list[dict[str, Any]]) -> float:
    bot._answer = raw
    loop = asyncio.new_event_loop()
    try:
        return len(loop.run_until_complete(bot.get_updates()))
    finally:
        loop.close()


def main() -> None:
    keep_logs_private()
    logging.disable(logging.WARNING)  # the skipped update's line, 200 times
    where = {"token": "1:benchmark", "base_url": "http://127.0.0.1:9/bot"}
    plain, intake = Answering(**where), AnsweringIntake(**where)
    good, bad = batch(False), batch(True)
    results = {
        "PTB get_updates, 100 (baseline)": timed(lambda: through(plain, good), RUNS),
        "IntakeBot.get_updates, 100 readable": timed(lambda: through(intake, good), RUNS),
        "IntakeBot.get_updates, 1 of 100 bad": timed(lambda: through(intake, bad), RUNS),
    }
    print(table(results))
    base = percentiles(results["PTB get_updates, 100 (baseline)"])[0]
    for name, times in list(results.items())[1:]:
        print(f"{name}: {percentiles(times)[0] / base:.2f}x the baseline's median")


if __name__ == "__main__":
    main()
