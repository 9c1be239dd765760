"""Slack's text markup: reading what a person typed, and escaping what the bot writes back.

Slack sends `<@U123>`, `<#C123|sales>`, `<mailto:a@b.example|a@b.example>` and `&lt;` where a
person typed `@maria`, `#sales`, an address or `<`; the core reads plain text. Every string the
bot writes goes through `escape`, so a party called `<!channel>` cannot ping or forge a link.
"""

from __future__ import annotations

import re

from handlers.context import Team

_MARKUP = re.compile(r"<([^<>\s][^<>]*)>")
_SPECIAL = {"channel": "@channel", "here": "@here", "everyone": "@everyone"}


def incoming_text(text: str, team: Team, bot_user_id: str = "") -> str:
    """What a person typed, as the core reads it: mentions, channels and links made plain."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    plain = _MARKUP.sub(lambda match: _plain(match[1], team), text)
    return unescape_entities(plain).strip()


def _plain(inner: str, team: Team) -> str:
    """One `<…>` token as plain text."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        person = team.by_slack(target[1:])
        return f"@{person.name}" if person else f"@{label.lstrip('@') or target[1:]}"
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!"):
        word = target[1:].split("^", 1)[0]
        return _SPECIAL.get(word) or label or word
    if target.lower().startswith("mailto:"):
        return target[len("mailto:") :]
    if label and label.casefold() in target.casefold():
        return label  # Slack linked what was typed: `acme.example` → <http://acme.example|…>
    return target


def unescape_entities(text: str) -> str:
    """The three entities Slack escapes in message text, `&amp;` last."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    """A plain string made safe for mrkdwn and message text: no mention, no link, no ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_clipped(text: str, limit: int) -> str:
    """Escaped text of at most `limit` characters: clipped after escaping (an escaped `&` is
    five characters), never inside an entity, with an ellipsis when cut."""
    out = escape(text)
    if len(out) <= limit:
        return out
    cut = out[: limit - 1]
    amp = cut.rfind("&")
    if amp >= 0 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"
