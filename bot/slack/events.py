"""What a Slack message event says, read with every optional field treated as optional.

Slack sends far more than people typing: other apps' posts (`bot_message`, `bot_id`), its own
edits of the bot's messages, link unfurls (`message_changed` with the same text), joins, topic
changes and deletions. `said_in` keeps only what a person wrote (or re-wrote), with the files
they attached; everything else is None and is ignored quietly.

A message and every edit of it share one id (`slack:message:<channel>:<ts>`), so the store's
check for repeated messages keeps an edit from storing a change twice, also after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.dispatch import Files

Body = dict[str, Any]
# Subtypes that carry a person's own words; the others are Slack's housekeeping.
READ_SUBTYPES = (None, "file_share", "thread_broadcast", "message_changed")


@dataclass(frozen=True)
class Said:
    """One message a person wrote, as Rapport reads it from an event."""

    event_id: str
    channel: str
    ts: str
    user: str
    text: str
    thread_ts: str | None
    edited: bool
    files: Files

    @property
    def message_id(self) -> str:
        """The same for the message and each of its edits."""
        return f"slack:message:{self.channel}:{self.ts}"


def said_in(body: Body, event: Body, bot_user: str = "") -> Said | None:
    """The person's message an `app_mention` or `message` event carries; None for anything else."""
    subtype = event.get("subtype")
    if subtype not in READ_SUBTYPES:
        return None
    message, edited = event, bool(event.get("edited"))
    if subtype == "message_changed":
        message = event.get("message") or {}
        previous = event.get("previous_message") or {}
        if message.get("text") == previous.get("text"):
            return None  # an unfurl, a pin, a thread reply count: the words are the same
        edited = True
    user = message.get("user") or ""
    if not user or user == bot_user or message.get("bot_id") or is_bot_message(message):
        return None
    channel = event.get("channel") or message.get("channel") or ""
    ts = message.get("ts") or event.get("ts") or ""
    if not channel or not ts:
        return None
    return Said(
        event_id=str(body.get("event_id") or f"{channel}:{event.get('event_ts') or ts}"),
        channel=channel,
        ts=ts,
        user=user,
        text=str(message.get("text") or ""),
        thread_ts=message.get("thread_ts"),
        edited=edited,
        files=files_of(message),
    )


def is_bot_message(event: Body) -> bool:
    """Posted by an app (another one, or Rapport itself), not by a person."""
    return event.get("subtype") == "bot_message" or bool(event.get("bot_id"))


def files_of(message: Body) -> Files:
    """(name, permalink) of each attached file; Slack Connect may describe a file by id only."""
    found = []
    for item in message.get("files") or ():
        if isinstance(item, dict):
            name = item.get("name") or item.get("title") or item.get("id") or "file"
            found.append((str(name), str(item.get("permalink") or "")))
    return tuple(found)


def user_of(body: Body) -> str:
    """Who sent an interaction, slash command or shortcut (`""` when Slack didn't say)."""
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or user or "")


def channel_of(body: Body) -> str:
    """The channel an interaction or command happened in (`""` in App Home or a global one)."""
    channel = body.get("channel")
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    container = body.get("container") or {}
    return str(container.get("channel_id") or body.get("channel_id") or "")


def request_id(body: Body) -> str:
    """Slack's id of a request, for the log: never a name, a user id or a word of text."""
    view = body.get("view") or {}
    for label, value in (
        ("event", body.get("event_id")),
        ("view", view.get("id") if isinstance(view, dict) else None),
        ("action", body.get("action_ts")),
        ("trigger", body.get("trigger_id")),
    ):
        if value:
            return f"{label} {value}"
    return "a request without an id"
