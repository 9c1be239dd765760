"""Money as people type it (`48k`, `1.2m`, `120,000`, `€48k`) and as Rapport shows it back."""

from __future__ import annotations

import re

_AMOUNT = re.compile(r"^[€$£]?(\d+(?:[.,]\d+)*)\s*([km]?)(?:\s*(?:eur|usd|gbp|€|\$|£))?$", re.I)
_SCALE = {"": 1, "k": 1_000, "m": 1_000_000}
MAX_AMOUNT = 10**12


def parse_amount(text: str) -> int | None:
    """'48k' → 48000, '1.2m' → 1200000, '120,000' → 120000; None when it is not an amount."""
    match = _AMOUNT.match(text.strip())
    if match is None:
        return None
    digits, scale = match[1], match[2].lower()
    if re.fullmatch(r"\d{1,3}(,\d{3})+", digits):
        digits = digits.replace(",", "")  # a thousands separator
    digits = digits.replace(",", ".")
    if digits.count(".") > 1:
        return None
    value = round(float(digits) * _SCALE[scale])
    return value if 0 <= value <= MAX_AMOUNT else None


def looks_like_amount(text: str) -> bool:
    return parse_amount(text) is not None and any(c.isdigit() for c in text)


def money(value: int | float, currency: str) -> str:
    """'48,000 EUR'."""
    return f"{round(value):,} {currency}"
