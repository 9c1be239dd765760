"""Never half-understood: a date-like leftover makes the verb ask instead of storing.

Every verb that stores a time (log, remind, rate) hands what its grammar did NOT take (party
text it could not match, notes, reminder text) to `ask_about_dates`. A fragment there that looks
like a date or time is either unreadable (`on 30/02`, `at 25:00`) or, when the line gave no time
and *now* would be stored, probably the time that was meant (`yday`): both make a question about
exactly that fragment, and nothing is stored. Words that are only dates in company (`may`,
`march`, `sat`) count only beside a number or a date word, so "May Logistics", "Sat Corp" and
"the march delivery" stay words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from handlers.dates import (
    MONTH_WORDS,
    SPELLINGS,
    WEEKDAY_WORDS,
    DateContext,
    Prefer,
    maybe_date_word,
    parse_when,
)
from handlers.reply import Reply, problem

_NUMERIC = re.compile(
    r"""\d{1,2}/\d{1,2}(?:/\d{2,4})?          # 3/11, 30/02, 3/11/2026
    | \d{1,2}\.\d{1,2}\.(?:\d{2,4})?           # 20.11., 20.11.2026
    | \d{4}-\d{1,2}-\d{1,2} | \d{1,2}-\d{1,2}-\d{2,4}
    | \d{1,2}[:.h]\d{2}(?:[ap]m)?              # 14:15, 14.15, 9h30, 9.30pm, 25:00
    | \d{1,4}[ap]m                             # 9pm, 930am
    | (?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)    # "the 31st"; "the 4th pallet" asks too
    """,
    re.VERBOSE,
)
_ALWAYS = {"yesterday", "tomorrow", "tonight", "ago"} | SPELLINGS.keys()
_FULL_DAYS = {w for w, full in WEEKDAY_WORDS.items() if w == full}
_SHORT_DAYS = WEEKDAY_WORDS.keys() - _FULL_DAYS
_BEFORE_A_DAY = {"on", "next", "last", "this", "by", "until", "till", "since", "from", "every"}
_BEFORE_A_MONTH = _BEFORE_A_DAY | {"in", "of", "early", "mid", "late", "end"}
_PERIODS = {"week", "wk", "weeks", "month", "mth", "year", "weekend", "night", "morning"}
_PERIODS |= {"afternoon", "evening"}
_CLOCK_WORDS = {"am", "pm", "morning", "afternoon", "evening", "night", "noon"}
_LOOK_ALIKES = sorted({"yesterday", "tomorrow", "tonight"} | _FULL_DAYS | set(MONTH_WORDS))
_LEADING_FILLERS = re.compile(r"^(?:(?:the|from|since|until|till|at)\s+)+", re.I)
_DANGLING = {"to", "of", "the", "and", "in", "from", "at", "on", "by", "for", "past", "this"}
_DANGLING |= {"next", "last"}
_TRIM = "()[]\"'“”‘’,;!?*_~"


def date_like(text: str) -> list[str]:
    """The fragments of `text` that look like a date or a time, as typed."""
    tokens = list(re.finditer(r"\S+", text))
    words = [_bare(t.group()) for t in tokens]
    flagged = [i for i in range(len(words)) if _looks_dated(words, i)]
    fragments: list[str] = []
    covered = -1
    for i in flagged:
        if i <= covered:
            continue
        start, end = i, i
        while start > 0 and maybe_date_word(words[start - 1]) and words[start - 1]:
            start -= 1
        while end + 1 < len(words) and maybe_date_word(words[end + 1]) and words[end + 1]:
            end += 1
        covered = end
        while end > i and words[end] in _DANGLING:
            end -= 1
        while start < i and words[start] in ("to", "and", "of"):
            start += 1
        fragments.append(text[tokens[start].start() : tokens[end].end()].strip(_TRIM))
    return fragments


def _bare(token: str) -> str:
    """A token without quotes, brackets and sentence punctuation (a German date keeps its dot)."""
    word = token.lower().strip(_TRIM)
    return word if _NUMERIC.fullmatch(word) else word.rstrip(".:")


def _looks_dated(words: list[str], i: int) -> bool:
    """Does word i look like (part of) a date, judged with its neighbours?"""
    word = words[i]
    before = words[i - 1] if i else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    if _NUMERIC.fullmatch(word) or word in _ALWAYS or word in _FULL_DAYS:
        return True
    if word in _SHORT_DAYS:
        clock_after = after in _CLOCK_WORDS or _NUMERIC.fullmatch(after) is not None
        return before in _BEFORE_A_DAY or clock_after
    if word in MONTH_WORDS:
        return before in _BEFORE_A_MONTH or _numberish(before) or _numberish(after)
    if word in _PERIODS:
        return before in ("next", "last", "this")
    return len(word) >= 5 and word.isalpha() and _looks_like_a_date_word(word)


def _numberish(word: str) -> bool:
    return bool(word) and word[0].isdigit() and len(word) <= 4


def _looks_like_a_date_word(word: str) -> bool:
    """`tomorow`, `yesteday`, `wendesday`: a typo of a date word is still a date word."""
    return process.extractOne(word, _LOOK_ALIKES, scorer=fuzz.ratio, score_cutoff=85) is not None


def ask_about_dates(
    leftovers: Iterable[str],
    dates: DateContext,
    prefer: Prefer,
    timed: bool,
    example: str,
    untimed: str = "Is “{}” when it happened? I stored nothing. Put the date right after the "
    "name (or say today):",
) -> Reply | None:
    """The question about the first date-like leftover, or None when there is none to ask about.

    `timed`: the line gave a time the verb read. Without one, even a readable date left over
    (`yday` after the notes) asks, since storing *now* beside it would be wrong. With one, only
    digits that fail to read ask (`30/02`, `25:00`): words such as "a Sunday" are notes then,
    or a line with a time could never say them.
    """
    for text in leftovers:
        for fragment in date_like(text):
            if timed and not any(c.isdigit() for c in fragment):
                continue
            if not _readable(fragment, dates, prefer):
                return problem(
                    f"I couldn't read “{fragment}” as a date or time, so I stored nothing.",
                    example,
                )
            if not timed:
                return problem(untimed.format(fragment), example)
    return None


def _readable(fragment: str, dates: DateContext, prefer: Prefer) -> bool:
    """Can the date grammar read the fragment (`the 3/12` as `3/12`, `from next month.`)?"""
    bare = re.sub(
        r"^(?:(?:the|from|since|until|till|at)\s+)+", "", fragment.rstrip("."), flags=re.I
    )
    return any(parse_when(f, dates, prefer, short_days=True) for f in {fragment, bare})
