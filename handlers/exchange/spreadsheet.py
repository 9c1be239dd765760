"""CSV cells a spreadsheet opens safely, and read back exactly.

A cell starting with = + - @ tab or CR is a formula to Excel, LibreOffice and Google Sheets
(`=HYPERLINK(…)` leaks data on a click). Exports put a ' before such a cell (OWASP's advice);
imports take exactly that ' away again, so an export imported back is what was stored. A
value that itself starts with ' before such a character gets one more, so it reads back too.
Lists are joined with "; ", or written as a JSON list when an item holds ; or , itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

from storage.text import clean_line

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def _needs_quote(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return True
    return text.startswith(_QUOTE) and _needs_quote(text[1:])


def neutralise(value: Any) -> Any:
    """A CSV cell no spreadsheet runs as a formula (non-strings are left as they are)."""
    return _QUOTE + value if isinstance(value, str) and _needs_quote(value) else value


def restore(text: str) -> str:
    """The value `neutralise` was given: its added ' taken away, nothing else."""
    return text[1:] if text.startswith(_QUOTE) and _needs_quote(text[1:]) else text


def incoming_cell(text: str | None) -> str:
    """An imported cell as the store keeps it: restored, then cleaned like any chat line."""
    return clean_line(restore(text or ""))


def list_cell(items: list[str]) -> str:
    """A list of strings as one cell that `read_list` splits back into the same items."""
    if any(re.search(r"[;,]", item) or item.startswith("[") for item in items):
        return json.dumps(items, ensure_ascii=False)
    return "; ".join(items)


def read_list(text: str) -> list[str] | None:
    """The items of a cell `list_cell` wrote as JSON, or None for a plain list."""
    if not text.startswith("["):
        return None
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return None
    return [clean_line(i) for i in items if clean_line(i)]
