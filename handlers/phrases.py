"""Say it like a person: natural phrasings rewritten into the command grammar, from one table.

`understand` turns `spoke to Acme yesterday about pricing` into `log call with Acme yesterday
about pricing`, `who is acme?` into `show acme`, `+20 GreenPack for speed` into `award GreenPack
20 for speed`. The verbs then read the line exactly as if it had been typed that way, so every
check (parties asked about, dates, roles, the leftover rule) still applies, and nothing here
stores anything.

To teach Rapport a new phrasing, add one line to PHRASES: what people type, and what it means.
In a pattern, words are literal (`a|b` either one, `[a|b]` optional), and the slots are
  {party}  a party the store knows (its name, an alias or a unique prefix; accents ignored)
  {rest}   whatever follows (a date, `: notes`, `for <reason>`…), maybe nothing
  {n}      a number, in digits or words (`twenty`)
  {kind}   an activity word (`lunch`, `sync`, `video call`) → its interaction kind
  {status} a party status (`probation`, `active`…)
  {what}   a few words of notes
A pattern matches the whole line; a `?` or `!` at the end is ignored. The first match wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property

from handlers.numbers import NUMBER_WORDS, read_number
from handlers.resolve import names_a_party
from storage.models import CUSTOMER_STATUSES, SUPPLIER_STATUSES
from storage.parties import PartyRepository

# Activity words → the interaction kind they log.
ACTIVITIES = {
    "call": "call", "phone call": "call", "video call": "call", "zoom": "call",
    "teams call": "call",
    "chat": "call", "catch up call": "call", "quick call": "call",
    "meeting": "meeting", "lunch": "meeting", "coffee": "meeting", "dinner": "meeting",
    "breakfast": "meeting", "sync": "meeting", "catch-up": "meeting", "catch up": "meeting",
    "catchup": "meeting", "demo": "meeting", "workshop": "meeting", "review": "meeting",
    "visit": "visit", "site visit": "visit",
    "email": "email", "mail": "email", "message": "message", "text": "message",
}  # fmt: skip
# Words anywhere in a line that say what kind a subject-first log is (else `note`).
KIND_HINTS = {
    "quote": "quote", "offer": "quote", "proposal": "quote", "pricing": "quote",
    "price list": "quote", "contract": "contract", "email": "email", "mail": "email",
    "order": "order", "samples": "delivery", "invoice": "note",
}  # fmt: skip


@dataclass(frozen=True)
class Phrase:
    """One natural phrasing: the pattern people type, the command it means, and its default kind.

    `alone`: only when the line does not start with a verb (a bare name must not hide `done`).
    """

    pattern: str
    command: str
    kind: str = "note"
    alone: bool = False

    @cached_property
    def parts(self) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
        """(the regex before {party}, the regex after it); without {party}, (whole, None)."""
        before, has_party, after = self.pattern.partition("{party}")
        if not has_party:
            return re.compile(f"^{_regex(before)}{_END}", re.I), None
        head = _regex(before) + (r"\s+" if before.strip() else "")
        return re.compile(f"^{head}", re.I), re.compile(f"^{_regex(after, lead=True)}{_END}", re.I)


PHRASES: tuple[Phrase, ...] = (
    # questions and lookups
    Phrase("(did|have) (i|we) (call|ring|phone|meet|email|visit|contact) {party} {rest}",
           "history {party}"),
    Phrase("(did|have) (i|we) (speak|talk) (to|with) {party} {rest}", "history {party}"),
    Phrase("when did (i|we) last (speak to|talk to|call|meet|email|visit|contact) {party}",
           "history {party}"),
    Phrase("(history|timeline) (of|with|for) {party}", "history {party}"),
    Phrase("{party} (history|timeline)", "history {party}"),
    Phrase("(who is|who's|whos|what is|what's) {party}", "show {party}"),
    Phrase("(what about|tell me about|info on|details on|any news on|news on|anything on|what's up "
           "with|whats up with|what's new with|update on) {party}",
           "show {party}"),
    Phrase("(show me|look up|lookup|pull up|open) {party}", "show {party}"),
    Phrase("(how is|how's|hows) {party} [doing]", "show {party}"),
    Phrase("{party}", "show {party}", alone=True),
    # forgiving forms of award, deduct, status
    Phrase("+{n} [points|pts|point] [to|for] {party} {rest}", "award {party} {n}{rest}"),
    Phrase("-{n} [points|pts|point] [from|for] {party} {rest}", "deduct {party} {n}{rest}"),
    Phrase("(award|give|grant) {party} {n} [points|pts] {rest}", "award {party} {n}{rest}"),
    Phrase("(deduct|take|take away) {n} [points|pts] from {party} {rest}",
           "deduct {party} {n}{rest}"),
    Phrase("(put|move|set|place) {party} (on|to|as|into) {status} {rest}",
           "status {party} {status}{rest}"),
    Phrase("(mark|make|flag) {party} [as] {status} {rest}", "status {party} {status}{rest}"),
    Phrase("exclude {party} {rest}", "status {party} excluded{rest}"),
    Phrase("{party} (is now|goes|went|moves|moved) [on|to|into] {status} {rest}",
           "status {party} {status}{rest}"),
    Phrase("{party} is on probation [now] {rest}", "status {party} probation{rest}"),
    Phrase("{party} (gets|earns|earned|got) {n} [points|pts] {rest}", "award {party} {n}{rest}"),
    Phrase("(take|took) {n} [points|pts] (off|from) {party} {rest}", "deduct {party} {n}{rest}"),
    # reminders
    Phrase("(ping|nudge|tell) me {rest}", "remind me{rest}"),
    Phrase("(follow up|follow-up|chase) with {party} {rest}",
           "remind me {when} to follow up with {party}{more}"),
    # logging, the verb first
    Phrase("(spoke|spoken|talked|chatted) (to|with) {party} {rest}", "log call with {party}{rest}"),
    Phrase("(had|did|held) [a|an] [quick|short|long|good|great|brief] {kind} with {party} {rest}",
           "log {kind} with {party}{rest}"),
    Phrase("[quick|short|long|good|great|brief] {kind} with {party} {rest}",
           "log {kind} with {party}{rest}"),
    Phrase("(met up|met again|caught up|catching up) with {party} {rest}",
           "log meeting with {party}{rest}"),
    Phrase("gave {party} a (call|ring|buzz) {rest}", "log call with {party}{rest}"),
    Phrase("(pinged|texted|messaged|whatsapped|slacked) {party} {rest}",
           "log message with {party}{rest}"),
    Phrase("(went to|dropped by|stopped by|dropped in at) {party} {rest}",
           "log visit with {party}{rest}"),
    Phrase("(sent|emailed|mailed) {party} {what}", "log {kind} with {party}: sent {what}"),
    Phrase("(got|received) {what} from {party} {rest}",
           "log delivery from {party}{when}: {what}{more}"),
    Phrase("(complaint|complaints|issue|problem) (about|from|with|re) {party} {rest}",
           "log complaint from {party}{rest}"),
    Phrase("note (on|for|about) {party} {rest}", "log note on {party}{rest}"),
    # logging, the party first
    Phrase("{party} (called|rang|phoned) [us|me|back] {rest}", "log call with {party}{rest}"),
    Phrase("{party} (emailed|mailed|wrote) [us|me|back] {rest}", "log email with {party}{rest}"),
    Phrase("{party} (texted|messaged|pinged) [us|me] {rest}", "log message with {party}{rest}"),
    Phrase("{party} (came by|dropped by|visited) [us] {rest}", "log visit with {party}{rest}"),
    Phrase("{party} (delivered|shipped) {rest}", "log delivery from {party}{rest}"),
    Phrase("{party} complained {rest}", "log complaint from {party}{rest}"),
    Phrase("{party} ordered {what}", "log order with {party}: ordered {what}"),
    Phrase("{party} signed {what}", "log contract with {party}: signed {what}"),
    Phrase("{party} (sent|quoted) {what}", "log {kind} with {party}: sent {what}", "delivery"),
    Phrase("{party} (wants|wanted|asked|asks|needs|needed|said|says|agreed|confirmed|accepted|"
           "declined|rejected|paid|cancelled|canceled|is|are|will|can't|cannot|won't|moved|"
           "changed|switched|hired|lost|opened|closed|raised|dropped|plans|expects) {what}",
           "log note on {party}: {said} {what}"),
)  # fmt: skip

_END = r"[\s?!.]*$"
_TOKEN = re.compile(r"(?P<space>\s*)(?:\((?P<any>[^)]*)\)|\[(?P<opt>[^\]]*)\]|(?P<word>[^\s(\[]+))")
_STATUS = "|".join(CUSTOMER_STATUSES + SUPPLIER_STATUSES)
_ACTIVITY = "|".join(re.escape(a) for a in sorted(ACTIVITIES, key=len, reverse=True))
_SLOTS = {
    "{rest}": r"(?P<rest>(?:[\s,:;.!?–—-].*)?)",
    "{n}": rf"(?P<n>\d[\d,]*|(?:{NUMBER_WORDS})(?:[\s-]+(?:and\s+)?(?:{NUMBER_WORDS}))*)",
    "{kind}": rf"(?P<kind>{_ACTIVITY})",
    "{status}": rf"(?P<status>{_STATUS})",
    "{what}": r"(?P<what>\S.*?)",
}
_SPLIT_NOTES = re.compile(
    r"(?P<when>.*?)(?P<more>(?:[,:;]|\s+(?:about|re|regarding)\s|\s[-–—]\s).*)?"
)
_FORWARDED = re.compile(r"^(?:(?:fwd?|fw|re|fyi|quick note|note)\s*:\s*|fyi\s+|[>*•·-]+\s+)+", re.I)
_WITH = re.compile(r"(?<!\S)w/\s*", re.I)
_W_AFTER_ACTIVITY = re.compile(  # "call w acme"; a lone w elsewhere may be a name ("Studio W")
    r"\b(call|lunch|coffee|sync|meeting|met|spoke|talked|chat|chatted|dinner|demo) w\s+(?=\S)",
    re.I,
)
_POLITE = re.compile(
    r"^(?:pls|plz|please|hey|hi|ok|so)\b[\s,]*|[\s,]+(?:pls|plz|please|thx|ty)$", re.I
)
_SIGN = re.compile(r"^([+-])\s+(?=\d)")
QUOTES = "\"'“”"
_RE = re.compile(r"(?<!\S)re:\s*", re.I)


def _regex(pattern: str, lead: bool = False) -> str:
    """A phrase pattern (words, `a|b`, `(a b|c d)`, `[a|b]`, slots) as a regular expression.

    `lead`: the pattern continues a match, so its first word needs a space before it.
    """
    out, first = "", not lead
    for token in _TOKEN.finditer(pattern):
        words = token["any"] or token["opt"] or token["word"]
        body = "|".join(_alternative(alt) for alt in words.split("|"))
        gap = "" if first or not token["space"] or words.startswith("{rest}") else r"\s+"
        if token["opt"] is not None:
            out += rf"(?:(?:{body})\s+)?" if first else rf"(?:{gap}(?:{body}))?"
            continue
        out += f"{gap}(?:{body})"
        first = False
    return out


def _alternative(text: str) -> str:
    """One alternative: words (spaces between them), literal text and slots (`+{n}`)."""
    pieces = re.split(r"(\{\w+\})", text.strip())
    literal = [_SLOTS.get(p) or r"\s+".join(map(re.escape, p.split(" "))) for p in pieces if p]
    return "".join(literal)


def understand(text: str, parties: PartyRepository, verb_words: Collection[str]) -> str:
    """The command a natural line means, or the line itself when no phrasing fits."""
    text = _tidy(text) or text
    said = _SIGN.sub(r"\1", _POLITE.sub("", text)) or text  # "+ 20 …", "acme pls"
    starts_with_verb = said.split(" ", 1)[0].lower().lstrip("/") in verb_words
    for phrase in PHRASES:
        if phrase.alone and starts_with_verb:
            continue
        if (command := _rewrite(phrase, said, parties)) is not None:
            return command
    return text  # for the verbs' grammar, which has its own view of "please"


def _tidy(text: str) -> str:
    """Forwarding marks, bullets and emoji at the edges off; `w/` is with, `re:` is about."""
    text = _FORWARDED.sub("", _without_edge_emoji(text))
    text = _W_AFTER_ACTIVITY.sub(r"\1 with ", _WITH.sub("with ", text))
    return " ".join(_RE.sub("about ", text).split())


def _without_edge_emoji(text: str) -> str:
    """`📞 acme called 👍` → `acme called`; an emoji inside the notes stays."""
    chars = list(text.strip())
    while chars and (_is_emoji(chars[0]) or chars[0].isspace()):
        chars.pop(0)
    while chars and (_is_emoji(chars[-1]) or chars[-1].isspace()):
        chars.pop()
    return "".join(chars)


def _is_emoji(char: str) -> bool:
    """Pictographs, dingbats and their joiners; °, ©, € and letters stay."""
    return (ord(char) >= 0x2600 and unicodedata.category(char) == "So") or char in "\u200d\ufe0f"


def _rewrite(phrase: Phrase, text: str, parties: PartyRepository) -> str | None:
    """The phrase's command for this line, or None when the line is not this phrase."""
    before, after = phrase.parts
    start = before.match(text)
    if start is None:
        return None
    if after is None:
        return _fill(phrase, text, start.groupdict(), "")
    rest = text[start.end() :]
    for end in _word_ends(rest):
        tail = after.match(rest[end:])
        if tail is not None and names_a_party(parties, rest[:end]):
            return _fill(phrase, text, start.groupdict() | tail.groupdict(), rest[:end])
    return None


def _word_ends(text: str) -> list[int]:
    """Where a party name could end, longest first: after each word, before its punctuation."""
    ends = {m.end() for m in re.finditer(r'"[^"]+"|[^\s?!,:;]+', text)}
    ends |= {m.end() for m in re.finditer(r"[^\s?!,:;.]+", text)}  # "Acme." ends at Acme
    return sorted(ends, reverse=True)


def _fill(phrase: Phrase, text: str, slots: dict[str, str | None], party: str) -> str:
    """The command with the slots filled in."""
    values = {k: v or "" for k, v in slots.items()}
    kind = ACTIVITIES.get(values.get("kind", "").lower()) or _kind_hint(text) or phrase.kind
    split = _SPLIT_NOTES.fullmatch(values.get("rest", ""))
    said = text[len(party) :].split(" ", 2)[1] if text.startswith(f"{party} ") else ""
    values |= {
        "party": f'"{party.strip(QUOTES)}"',  # quoted: the verb's grammar takes it whole
        "kind": kind,
        "n": str(read_number(values.get("n", "")) or values.get("n", "")),
        "status": values.get("status", "").lower(),
        "when": split["when"] if split else "",
        "more": split["more"] or "" if split else "",
        "said": said,
    }
    return " ".join(phrase.command.format(**values).split())


def _kind_hint(text: str) -> str | None:
    """The kind a word of the line names (`sent Acme the quote` → quote)."""
    lowered = f" {text.lower()} "
    found = [(lowered.find(f" {w}"), kind) for w, kind in KIND_HINTS.items() if f" {w}" in lowered]
    return min(found)[1] if found else None


def examples() -> tuple[str, ...]:
    """Natural phrasings to show in help."""
    return (
        "spoke to Acme yesterday about pricing",
        "Acme called re the invoice · lunch w/ Acme · quick sync with Acme",
        "got 3 pallets from GreenPack, one damaged · GreenPack delivered late",
        "complaint about GreenPack: wrong labels · sent Acme the quote",
        "who is acme? · acme? · did I call acme?",
        "find eco suppliers · rate GreenPack quality 4 delivery 5",
        "+20 GreenPack for speed · put GreenPack on probation because late twice",
        "dates: yday, tmrw, thu, next wk, 9.30, 14h15, half past nine, 20.11.",
    )
