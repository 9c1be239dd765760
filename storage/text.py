"""The two rules for text from outside: how it is cleaned, and how names are compared.

Every way text comes in (chat on any platform, Slack forms, CSV import) is cleaned by
`clean_line` or `clean_text`, so a terminal escape or a control character never reaches the
store, an export or an admin's terminal. Names are kept as typed for display; `match_form`
is what lookups and the duplicate check compare, so look-alike twins are one name.
"""

from __future__ import annotations

import re
import unicodedata

# ESC [ … final (CSI), ESC ] … BEL or ESC \ (OSC), ESC P/X/^/_ … ESC \ (strings), ESC x (two
# bytes), and the one-byte C1 CSI: what terminals act on rather than print.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text with terminal escapes and control characters removed; lines and tabs kept.

    A lone surrogate (which no UTF-8 file can hold) becomes U+FFFD; CR LF becomes LF.
    """
    text = _SURROGATES.sub("\ufffd", text)
    text = _ESCAPES.sub("", text.replace("\r\n", "\n"))
    return _CONTROLS.sub(" ", text)


def clean_line(text: str) -> str:
    """One line of clean text: escapes and controls removed, runs of spaces folded to one."""
    return " ".join(clean_text(text).split())


# Unicode's format characters (category Cf: zero-width space and joiners, direction marks
# and isolates, soft hyphen, BOM, tags…) and the Hangul fillers, which render as nothing.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f\u115f\u1160\u3164\uffa0]"
)


def match_form(name: str) -> str:
    """A name as matching sees it: NFKC (fullwidth → ASCII), invisible characters gone."""
    if name.isascii():  # NFKC leaves ASCII as it is, and it has no invisible characters
        return name
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", name))
