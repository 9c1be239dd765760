"""Certifications of suppliers: `cert` records or renews one, `certs` lists them and the lapsed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from handlers import carried
from handlers.alerts import CERT_WARNING_DAYS
from handlers.context import Context
from handlers.days import parse_day, parse_within, show_day, today
from handlers.parsing import split_once
from handlers.reply import Reply, Section, changed, first_lines, plural, problem
from handlers.resolve import find_party
from handlers.terms.contracts import keeper_refusal, owner_of, party_text_and_title, title_problem
from handlers.verbs import Verb
from storage.contracts import Certificate
from storage.models import Party, name_key

EXAMPLE = 'cert GreenPack "ISO 14001" expires 1 mar 2027'
PAGE = 20


def cert(ctx: Context, _word: str, rest: str) -> Reply:
    """`cert <party> "<name>" expires <day>`: records it, or renews the party's of that name."""
    refusal = keeper_refusal(ctx)
    if refusal is not None:
        return refusal
    split = split_once(rest, "expires|expiring|expiry|valid until|until")
    if split is None:
        return problem("When does it expire?", EXAMPLE)
    named = party_text_and_title(split[0], EXAMPLE)
    if isinstance(named, Reply):
        return named
    party_text, name = named
    day = parse_day(split[1], ctx.dates())
    if day is None:
        return problem(f"I can't read the expiry date “{split[1]}”.", EXAMPLE)
    party = find_party(ctx, party_text, carried.command(RECORD, name, day.isoformat()))
    if isinstance(party, Reply):
        return party
    return record_cert(ctx, party, name, day)


def record_cert(ctx: Context, party: Party, name: str, expires: date) -> Reply:
    """Record `party`'s certificate `name` valid until `expires`, or renew the one of that name:
    the one place for its checks, its write and its reply."""
    refused = keeper_refusal(ctx) or title_problem(name)
    if refused is not None:
        return refused
    same = [c for c in ctx.store.certs.of_party(party.id) if name_key(c.name) == name_key(name)]
    new = Certificate(
        id=same[-1].id if same else 0,
        party_id=party.id,
        name=same[-1].name if same else name,
        expires=expires.isoformat(),
        owner=owner_of(ctx, party),
        created_at=ctx.now.isoformat(),
        created_by=ctx.person.name,
    )
    with ctx.store.change(ctx.actor(), f"Recorded {name} for {party.name}") as change:
        if same:
            change.save(new)
        else:
            new = replace(new, id=change.add(new))
    said = f"Renewed {new.name}" if same else f"Recorded {new.name}"
    reply = changed(f"{said} for {party.name}: valid until {show_day(expires)}.", change.entry_id)
    if not new.valid_on(today(ctx.dates()).isoformat()):
        return replace(reply, sections=(Section(lines=("⚠ That day has passed: it has lapsed.",)),))
    warn = show_day(expires - timedelta(days=CERT_WARNING_DAYS))
    note = f"{new.owner} will be reminded on {warn}; the managers hear if it lapses."
    return replace(reply, sections=(Section(lines=(note,)),))


def _recorded(ctx: Context, party: Party, values: carried.Values) -> Reply:
    """A pressed "which party?" button of cert: the certificate, from its values."""
    expires = values.day(1)
    if expires is None:
        raise carried.Unreadable(1)
    return record_cert(ctx, party, values.text(0), expires)


RECORD = "cert"
CARRIED = carried.UseCase(RECORD, _recorded)


def cert_line(ctx: Context, item: Certificate, with_party: bool = True) -> str:
    """'ISO 14001 · GreenPack · valid until Mon 1 Mar 2027 · Bob' (or ⚠ lapsed)."""
    parts = [item.name]
    party = ctx.store.parties.get(item.party_id)
    if with_party and party is not None:
        parts.append(party.name)
    if item.valid_on(today(ctx.dates()).isoformat()):
        parts.append(f"valid until {show_day(item.expires)}")
    else:
        parts.append(f"⚠ lapsed {show_day(item.expires)}")
    parts.append(item.owner)
    return " · ".join(parts)


def certs(ctx: Context, _word: str, rest: str) -> Reply:
    """`certs [party|expiring [in 60d]]`: certificates, soonest expiry first."""
    text = rest.strip()
    if text.lower().startswith("expiring"):
        within = text[len("expiring") :].strip()
        days = parse_within(within) if within else CERT_WARNING_DAYS
        if days is None:
            return problem(f"Expiring within how long? “{within}” is not a span.", "certs expiring")
        last = (today(ctx.dates()) + timedelta(days=days)).isoformat()
        chosen = ctx.store.certs.by_day("", last)
        label = f"lapsed or expiring within {days} days"
    elif text:
        party = find_party(ctx, text, "certs {party}")
        if isinstance(party, Reply):
            return party
        chosen, label = ctx.store.certs.of_party(party.id), f"of {party.name}"
    else:
        chosen, label = list(ctx.store.certs.all()), "on record"
    if not chosen:
        return Reply(
            title=f"No certificates {label}.", sections=(Section(lines=(f"Try: {EXAMPLE}",)),)
        )
    chosen.sort(key=lambda c: (c.expires, c.id))
    lines = first_lines(chosen, lambda c: cert_line(ctx, c), PAGE)
    return Reply(
        title=f"{plural(len(chosen), 'certificate')} {label}:", sections=(Section(lines=lines),)
    )


def certs_section(ctx: Context, party: Party) -> Section | None:
    """The card's certificates."""
    found = ctx.store.certs.of_party(party.id)
    if not found:
        return None
    return Section(title="Certificates", lines=tuple(cert_line(ctx, c, False) for c in found))


VERBS = (
    Verb(
        "cert",
        ("cert", "certificate", "certification"),
        cert,
        "record or renew a party's certificate and its expiry (buyers and managers)",
        (EXAMPLE, 'cert GreenPack "ISO 9001" expires in 6 months'),
        f"The owner is reminded {CERT_WARNING_DAYS} days before; owner and managers hear when "
        "it lapses. The same name again renews it.",
    ),
    Verb(
        "certs",
        ("certs", "certificates", "certifications"),
        certs,
        "certificates of a party, or those lapsed or expiring soon",
        ("certs", "certs GreenPack", "certs expiring", "certs expiring in 60d"),
    ),
)
