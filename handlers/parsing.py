"""Turning a chat line into words, quoted names, `key:value` fields, `#tags` and `@people`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""
    (?P<kv>[A-Za-z_][\w-]*:(?:"[^"]*"?|'[^']*'?|\S+))  # key:value, value maybe quoted
    | "(?P<dq>[^"]*)"?                                  # "quoted words"
    | '(?P<sq>[^']*)'(?=\s|$)                           # 'quoted words'
    | (?P<word>\S+)
    """,
    re.VERBOSE,
)
_TAG = re.compile(r"^(-?)#([A-Za-z][\w-]*)$")
_ID = re.compile(r"^#(\d+)$")


@dataclass
class Args:
    """A command's arguments: free words (quoted ones kept whole), fields, tags to add or drop."""

    words: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    add_tags: list[str] = field(default_factory=list)
    drop_tags: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.words)


def split_args(text: str) -> Args:
    """Split a command's argument text; unbalanced quotes run to the end of the line."""
    args = Args()
    for match in _TOKEN.finditer(text):
        if match["kv"] and not _looks_like_url(match["kv"]):
            key, _, value = match["kv"].partition(":")
            args.fields[key.lower()] = _unquote(value)
            continue
        word = match["kv"] or match["word"]
        quoted = match["dq"] if match["dq"] is not None else match["sq"]
        if quoted is not None:
            args.words.append(quoted)
        elif (tag := _TAG.match(word)) is not None:
            (args.drop_tags if tag[1] else args.add_tags).append(tag[2].lower())
        else:
            args.words.append(word)
    return args


def _looks_like_url(token: str) -> bool:
    return token.lower().startswith(("http:", "https:", "mailto:"))


def _unquote(value: str) -> str:
    if value[:1] in "\"'":
        return value[1:].rstrip(value[0])
    return value


def party_id_ref(text: str) -> int | None:
    """`#12` names party 12 exactly (what choice buttons send)."""
    match = _ID.match(text.strip())
    return int(match[1]) if match else None


def split_once(text: str, pattern: str) -> tuple[str, str] | None:
    """Split `text` at the first match of the word pattern (case-insensitive), or None."""
    match = re.search(rf"\s+(?:{pattern})\s+", f" {text} ", re.IGNORECASE)
    if match is None:
        return None
    padded = f" {text} "
    return padded[: match.start()].strip(), padded[match.end() :].strip()


def first_word(text: str) -> tuple[str, str]:
    """The first word, lower-cased, and the rest."""
    head, _, rest = text.strip().partition(" ")
    return head.lower(), rest.strip()


def quote_name(name: str) -> str:
    """A party name as it can be typed back in a command."""
    return f'"{name}"' if re.search(r"[\s,:#]", name) else name
