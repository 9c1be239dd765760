"""Taking in what Telegram sends: each update read on its own, and no personal data in the log.

python-telegram-bot parses a `getUpdates` batch as a whole: one update it cannot read (a field
this version does not know, a malformed sender) fails the batch, logs it whole at CRITICAL
(names, ids, text) and fetches the same batch again, forever. When that happens `IntakeBot`
reads the batch again one update at a time: an unreadable one is logged by its update id and
the reason only, and replaced by an empty update with that id, so the batch is confirmed and
the good updates in it are served. A batch that parses costs nothing extra.

`PrivateLogs` rewrites the few records in which python-telegram-bot itself logs received data
(the webhook's unreadable update, its debug echo of every update) to the update id and reason.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.dispatch import failure

log = logging.getLogger(__name__)
PTB_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater")
BATCH_FAILED = "Error while parsing updates!"  # Bot.get_updates' record of a failed batch
CONNECTIONS = 256  # what python-telegram-bot's builder gives the bot's own requests


class IntakeBot(ExtBot[int]):
    """PTB's bot, except that a `getUpdates` batch it cannot parse is read update by update."""

    _batch: list[Any] = []  # noqa: RUF012 - replaced per instance by each getUpdates answer

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            self._batch = result  # kept (not copied) for get_updates below
        return result

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        try:
            return await super().get_updates(*args, **kwargs)
        except TelegramError:
            raise  # the network and the server: PTB's updater retries these
        except Exception:  # PTB could not parse the batch (and logged it, see PrivateLogs)
            return tuple(update for raw in self._batch if (update := readable(raw, self)))


def readable(raw: Any, bot: ExtBot[int]) -> Update | None:
    """The update, or an empty one with its id (the reason logged) if PTB cannot read it."""
    try:
        return Update.de_json(raw, bot)
    except Exception as error:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        log.warning("telegram: update %s skipped, unreadable: %s", update_id, failure(error))
        return Update(update_id) if isinstance(update_id, int) else None


def intake_bot(token: str, base_url: str, base_file_url: str | None) -> IntakeBot:
    """The bot with the connections and the flood control `build_application` used to ask for."""
    return IntakeBot(
        token=token,
        base_url=base_url,
        base_file_url=base_file_url or "https://api.telegram.org/file/bot",
        request=HTTPXRequest(connection_pool_size=CONNECTIONS),
        get_updates_request=HTTPXRequest(),
        rate_limiter=AIORateLimiter(max_retries=3),
    )


class PrivateLogs(logging.Filter):
    """PTB's records that carry a received update, reduced to the update id and the reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        template = str(record.msg)
        if template.startswith(BATCH_FAILED):
            return False  # IntakeBot reads that batch again and reports each unreadable update
        if "eceived data" not in template:  # "Received data was …", "Webhook received data: …"
            return True
        error = record.exc_info[1] if record.exc_info else None
        record.msg = "telegram: received update %s not processed: %s"
        record.args = (_update_ids(record.args), failure(error) if error else "see above")
        if "Webhook received data" in template:
            record.msg = "telegram: webhook received update %s"
            record.args = record.args[:1]
        record.exc_info = None
        record.exc_text = None
        return True


def _update_ids(args: Any) -> str:
    """The update id(s) in a record's arguments (an update, a batch, or its JSON text)."""
    found = args[0] if isinstance(args, tuple) and args else args
    if isinstance(found, str):
        try:
            found = json.loads(found)
        except ValueError:
            return "?"
    batch = found if isinstance(found, list) else [found]
    ids = [str(u.get("update_id")) for u in batch if isinstance(u, dict)]
    return ", ".join(ids) or "?"


def keep_logs_private() -> None:
    """Put the filter on python-telegram-bot's loggers (once)."""
    for name in PTB_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PrivateLogs) for f in logger.filters):
            logger.addFilter(PrivateLogs())
