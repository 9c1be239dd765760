"""Block Kit for Rapport's replies, the "Log interaction" modal and the App Home tab.

Every string from the core is escaped here (see `slack_text.escape`): replies are plain text,
Slack is the one that must not read them as markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from bot.slack.text import clip, escape_clipped
from handlers.reply import Button, Reply, Section

Block = dict[str, Any]

COMMAND_ACTION = "cmd"  # action ids `cmd:0`, `cmd:1`…: the button's value is its command text
OPEN_LOG_MODAL = "open_log_modal"  # value: the party id, or "" for an empty form
LOG_MODAL = "log_interaction"  # the modal's callback id, like the global shortcut's
LOG_FIELDS = ("party", "kind", "when", "notes", "follow_up")
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000  # a section's text
MAX_FIELDS = 10  # a section's fields
MAX_VALUE = 2000  # a button's value
MAX_FIELD = 2000  # one field of a section
MAX_LABEL = 150  # what a field's label may take of it


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def reply_blocks(reply: Reply, extra_buttons: Sequence[Block] = ()) -> list[Block]:
    """The reply as blocks: a bold title, its sections, its buttons (at most 50 blocks)."""
    blocks: list[Block] = [
        {"type": "section", "text": mrkdwn(f"*{escape_clipped(reply.title, MAX_TEXT - 2)}*")}
    ]
    for section in reply.sections:
        blocks.extend(section_blocks(section))
    buttons = [command_button(i, b) for i, b in enumerate(reply.buttons) if fits(b)]
    if buttons or extra_buttons:
        blocks.append({"type": "actions", "elements": [*buttons, *extra_buttons][:25]})
    return fit(blocks, MAX_MESSAGE_BLOCKS)


def section_blocks(section: Section) -> Iterable[Block]:
    """A heading with its fields (10 per block) and its lines (3,000 characters per block)."""
    heading = f"*{escape_clipped(section.title, 200)}*" if section.title else ""
    fields = [mrkdwn(field_text(k, v)) for k, v in section.fields]
    for start in range(0, len(fields), MAX_FIELDS):
        block: Block = {"type": "section", "fields": fields[start : start + MAX_FIELDS]}
        if heading:
            block["text"], heading = mrkdwn(heading), ""
        yield block
    chunk = [heading] if heading else []
    for line in section.lines:
        text = escape_clipped(line, MAX_TEXT)
        if chunk and len("\n".join([*chunk, text])) > MAX_TEXT:
            yield {"type": "section", "text": mrkdwn("\n".join(chunk))}
            chunk = []
        chunk.append(text)
    if chunk:
        yield {"type": "section", "text": mrkdwn("\n".join(chunk))}


def fits(button: Button) -> bool:
    """Slack keeps at most 2,000 characters in a button's value."""
    return len(button.command) <= MAX_VALUE


def command_button(index: int, button: Button) -> Block:
    """A button that, pressed, runs its command as the presser."""
    element: Block = {
        "type": "button",
        "action_id": f"{COMMAND_ACTION}:{index}",
        "text": plain(button.label),
        "value": button.command,
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def log_button(party_id: int | None) -> Block:
    """The button that opens the "Log interaction" modal (for one party, or empty)."""
    value = "" if party_id is None else str(party_id)
    return {
        "type": "button",
        "action_id": OPEN_LOG_MODAL,
        "text": plain("Log interaction"),
        "value": value,
    }


def card_party_id(reply: Reply) -> int | None:
    """The party of a `show` card: its title is "<name> (#12)…" and it offers `history <name>`."""
    for button in reply.buttons:
        if button.command.startswith("history "):
            name = button.command.removeprefix("history ").strip('"')
            match = re.match(rf"{re.escape(name)} \(#(\d+)\)", reply.title)
            return int(match[1]) if match else None
    return None


def field_text(label: str, value: str) -> str:
    """A section field: its label bold on the first line, both clipped after escaping."""
    name = escape_clipped(label, MAX_LABEL)
    return f"*{name}*\n{escape_clipped(value, MAX_FIELD - len(name) - 3)}"


def card_buttons(reply: Reply) -> list[Block]:
    """A party card also offers the "Log interaction" modal for that party."""
    party_id = card_party_id(reply)
    return [] if party_id is None else [log_button(party_id)]


def fit(blocks: list[Block], limit: int) -> list[Block]:
    """At most `limit` blocks; the last one says what was left out."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    more = mrkdwn(
        f"_{len(blocks) - len(kept)} more blocks not shown; ask with a narrower command._"
    )
    return [*kept, {"type": "context", "elements": [more]}]


def fallback_text(reply: Reply) -> str:
    """The notification and screen-reader text of a message: the reply as plain, escaped text."""
    return escape_clipped(reply.plain(), MAX_TEXT)


def outcome_blocks(
    original: Sequence[Block], label: str, presser: str, reply: Reply
) -> list[Block]:
    """The pressed message: what it said without its buttons, who pressed what, the outcome."""
    kept = [b for b in original if b.get("type") != "actions"]
    pressed = mrkdwn(f"{escape_clipped(presser, 100)} pressed “{escape_clipped(label, 100)}”")
    added = [{"type": "context", "elements": [pressed]}, *reply_blocks(reply)]
    room = MAX_MESSAGE_BLOCKS - len(added)
    return [*kept[: max(room, 0)], *added][:MAX_MESSAGE_BLOCKS]


def option(text: str, value: str) -> Block:
    return {"text": plain(text), "value": clip(value, 150)}


def log_modal(
    kinds: Sequence[str],
    party: tuple[int, str] | None = None,
    kind: str = "call",
    notes: str = "",
    metadata: dict[str, str] | None = None,
) -> Block:
    """The "Log interaction" form: party (looked up as you type), kind, when, notes, follow-up."""
    party_select: Block = {
        "type": "external_select",
        "action_id": "party",
        "min_query_length": 1,
        "placeholder": plain("Type a name"),
    }
    if party is not None:
        party_select["initial_option"] = option(party[1], str(party[0]))
    kind_select = {
        "type": "static_select",
        "action_id": "kind",
        "options": [option(k, k) for k in kinds],
        "initial_option": option(kind, kind),
    }
    blocks = [
        _input("party", "Party", party_select),
        _input("kind", "Kind", kind_select),
        _input("when", "When", _text_input("when", "now — or yesterday 3pm, 3 Nov"), True),
        _input("notes", "Notes", _text_input("notes", "what happened", notes, True), True),
        _input("follow_up", "Follow up", _text_input("follow_up", "next tuesday"), True),
    ]
    return {
        "type": "modal",
        "callback_id": LOG_MODAL,
        "title": plain("Log interaction", 24),
        "submit": plain("Log", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": blocks,
    }


def _input(block_id: str, label: str, element: Block, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }


def _text_input(action_id: str, hint: str, initial: str = "", multiline: bool = False) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_id,
        "placeholder": plain(hint, 150),
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = clip(initial, 3000)
    return element


def form_values(state: dict[str, Any]) -> dict[str, str]:
    """The submitted modal's inputs by block id: typed text, or the chosen option's value."""
    values: dict[str, str] = {}
    for block_id in LOG_FIELDS:
        element: dict[str, Any] = next(iter(state.get(block_id, {}).values()), {})
        chosen = element.get("selected_option") or {}
        values[block_id] = (chosen.get("value") or element.get("value") or "").strip()
    return values


def notice_modal(title: str, text: str) -> Block:
    """A modal that only says something (a refusal, when there is no channel to answer in)."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("OK", 24),
        "blocks": [{"type": "section", "text": mrkdwn(escape_clipped(text, MAX_TEXT))}],
    }


def home_view(reply: Reply) -> Block:
    """The App Home tab: the overview reply, with a button to log an interaction."""
    return {"type": "home", "blocks": fit(reply_blocks(reply, [log_button(None)]), MAX_VIEW_BLOCKS)}
