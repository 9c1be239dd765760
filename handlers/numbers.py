"""Numbers as people write them in chat: `20`, `1,000`, `twenty`, `twenty-five`, `a hundred`."""

from __future__ import annotations

import re

_UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_VALUES = {w: n for n, w in enumerate(_UNITS)} | {w: 20 + 10 * n for n, w in enumerate(_TENS)}
_SCALES = {"hundred": 100, "thousand": 1000}
# One number word, for patterns: longest first so "seventeen" is not read as "seven".
NUMBER_WORDS = "|".join(sorted([*_VALUES, *_SCALES, "a"], key=len, reverse=True))


def read_number(text: str) -> int | None:
    """`20`, `1,000`, `twenty five`, `a hundred and fifty` → the number; None if it is not one."""
    text = text.strip().lower()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", text):
        return int(text.replace(",", ""))
    words = [w for w in re.split(r"[\s-]+", text) if w and w != "and"]
    if not words or words == ["a"]:
        return None
    total, current = 0, 0
    for word in words:
        if word == "a" and current == 0:
            current = 1
        elif word in _VALUES:
            current += _VALUES[word]
        elif word in _SCALES and current:
            current *= _SCALES[word]
            if word == "thousand":
                total, current = total + current, 0
        else:
            return None
    return total + current
