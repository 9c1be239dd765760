"""The other writes that ask "which party?" carry their values too: edit, add contact, deal,
contract and cert.

Maria says "deal Acme "Q1: renewal" 48k close:tomorrow" and two customers are called Acme: the
buttons carry the values the line gave (handlers/carried.py), not a chat line for the grammar
to read again, so a field holding quotes, a title with "for", ":" or braces, and a day said as
"tomorrow" are stored as the first message meant them, however late the button is pressed. The
chat verb and the button reach the same use case, so each refusal is said the same way on both.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers.context import Team
from handlers.reply import Reply
from handlers.router import Router
from storage.models import Party
from storage.store import Store
from tests.conftest import Chat


@pytest.fixture
def acmes(chat: Chat) -> Chat:
    """Two customers both called Acme (so every line asks which), and a supplier Acme Supply."""
    for line in ("add customer Acme North", "add customer Acme South", "add supplier Acme Supply"):
        assert chat(line, as_="Maria").ok
    return chat


def picked(chat: Chat, line: str, label: str = "Acme South", as_: str = "Maria") -> Reply:
    """Say `line`, be asked which party, press `label`."""
    question = chat(line, as_=as_)
    assert not question.ok and label in [b.label for b in question.buttons], question.plain()
    return chat.press(question, label, as_=as_)


def south(store: Store) -> Party:
    party = store.parties.get(2)
    assert party is not None and party.name == "Acme South"
    return party


FIELD_VALUES = [
    '5" screws, not 4" ones',
    'the "for" clause: because {Q3}',
    '"every" friday, region:EU #urgent',
]


@pytest.mark.parametrize("value", FIELD_VALUES)
def test_an_edit_picked_from_which_party_keeps_its_field_verbatim(
    acmes: Chat, store: Store, value: str
) -> None:
    done = picked(acmes, f"edit Acme note:'{value}' #vip -#old")
    assert done.changed, done.plain()
    assert south(store).fields == {"note": value}
    assert south(store).tags == ("vip",)
    assert store.parties.get(1).fields == {}  # type: ignore[union-attr]


@pytest.mark.parametrize("value", FIELD_VALUES)
def test_a_contact_picked_from_which_party_keeps_its_fields_verbatim(
    acmes: Chat, store: Store, value: str
) -> None:
    done = picked(acmes, f"add contact Jane Doe at Acme title:'{value}' email:jane@acme.example")
    assert done.changed, done.plain()
    (contact,) = south(store).contacts
    assert (contact["name"], contact["title"], contact["email"]) == (
        "Jane Doe",
        value,
        "jane@acme.example",
    )


@pytest.mark.parametrize(
    "line",
    [
        'deal Acme "Q1: renewal for 2027, because {EU}" 48k stage:proposal close:tomorrow',
        "deal Acme Q1: renewal for 2027, because {EU} stage:proposal close:tomorrow value:48k",
    ],
)
def test_a_deal_picked_the_next_day_keeps_its_title_value_and_close_day(
    acmes: Chat, store: Store, line: str
) -> None:
    question = acmes(line, as_="Maria")
    acmes.later(days=1)  # pressed on Thursday: "tomorrow" was Wednesday's word
    done = acmes.press(question, "Acme South", as_="Maria")
    assert done.changed, done.plain()
    (deal,) = store.deals.of_party(2)
    assert (deal.title, deal.value, deal.stage, deal.close, deal.owner) == (
        "Q1: renewal for 2027, because {EU}",
        48_000,
        "proposal",
        "2026-11-26",
        "Maria",
    )


def test_a_contract_picked_the_next_day_keeps_its_title_and_term(acmes: Chat, store: Store) -> None:
    title = "Packaging: 2027 for EU, because {renewal}"
    question = acmes(
        f'contract Acme "{title}" from tomorrow to 31 dec 2027 value:120k notice:60d', as_="Bob"
    )
    acmes.later(days=1)
    done = acmes.press(question, "Acme South", as_="Bob")
    assert done.changed, done.plain()
    (contract,) = store.contracts.of_party(2)
    assert (contract.title, contract.start, contract.end) == (title, "2026-11-26", "2027-12-31")
    assert (contract.value, contract.notice_days) == (120_000, 60)
    assert store.interactions.count_for(2) == 0  # not logged as a contract interaction


def test_a_cert_picked_the_next_day_keeps_its_name_and_expiry(acmes: Chat, store: Store) -> None:
    name = "ISO 14001: for EU {2026}, because of the audit"
    question = acmes(f'cert Acme "{name}" expires tomorrow', as_="Bob")
    acmes.later(days=1)
    done = acmes.press(question, "Acme South", as_="Bob")
    assert done.changed, done.plain()
    (cert,) = store.certs.of_party(2)
    assert (cert.name, cert.expires) == (name, "2026-11-26")


def test_the_chat_verb_and_the_button_refuse_an_edit_and_a_contact_in_the_same_words(
    acmes: Chat, store: Store
) -> None:
    assert acmes('edit "Acme South" owner:@Maria', as_="Maria").changed
    for line, ambiguous in (
        ('edit "Acme South" #vip', "edit Acme #vip"),
        ('add contact Jane at "Acme South" title:CFO', "add contact Jane at Acme title:CFO"),
    ):
        typed = acmes(line)
        pressed = picked(acmes, ambiguous, as_="Ana")
        assert not pressed.ok and typed.title == pressed.title
        assert pressed.title == "Only Maria or a manager can change Acme South."
    assert (south(store).tags, south(store).contacts) == ((), ())


def test_the_chat_verb_and_the_button_refuse_a_deal_in_the_same_words(
    acmes: Chat, store: Store
) -> None:
    typed = acmes('deal "Acme Supply" "Q1" 48k', as_="Maria")
    pressed = picked(acmes, 'deal Acme "Q1" 48k', label="Acme Supply")
    assert not pressed.ok and typed.title == pressed.title == "Acme Supply is not a customer."
    assert list(store.deals.all()) == []


@pytest.mark.parametrize(
    "line",
    [
        'contract Acme "Packaging 2027" from 1 jan 2027 to 31 dec 2027',
        'cert Acme "ISO 9001" expires 1 mar 2027',
    ],
)
def test_the_chat_verb_and_the_button_refuse_terms_in_the_same_words(
    acmes: Chat, store: Store, team: Team, line: str
) -> None:
    """Bob, a buyer, asks; before he presses he is made a rep: the button checks again."""
    question = acmes(line, as_="Bob")
    people = tuple(replace(p, role="rep") if p.name == "Bob" else p for p in team.people)
    demoted = replace(team, people=people)
    as_rep = Chat(Router(store, demoted), demoted)
    pressed = as_rep.press(question, "Acme South", as_="Bob")
    typed = as_rep(line.replace("Acme", '"Acme South"', 1), as_="Bob")
    assert not pressed.ok and typed.title == pressed.title
    assert pressed.title == "Contracts and certificates are kept by buyers and managers."
    assert store.contracts.of_party(2) == [] and store.certs.of_party(2) == []


def test_a_lost_reason_with_braces_asks_which_deal_and_keeps_the_reason(
    acmes: Chat, store: Store
) -> None:
    """Not a "which party?" but a "which deal?": its buttons send `lost #<id> because <reason>`,
    which reads the same again; braces in the reason no longer break the question."""
    for line in ('deal "Acme South" "Q1 renewal" 48k', 'deal "Acme South" "Q1 support" 12k'):
        assert acmes(line, as_="Maria").changed
    reason = "the {Q3} price: for 2027, because of {EU} rules"
    question = acmes(f"lost Q1 because {reason}", as_="Maria")
    assert question.title == "Which deal do you mean by “Q1”?", question.plain()
    done = acmes.press(question, "Q1 support (Acme South, #2)", as_="Maria")
    assert done.changed, done.plain()
    deal = store.deals.get(2)
    assert deal is not None and (deal.stage, deal.reason) == ("lost", reason)


def test_a_which_deal_button_serves_only_the_person_who_asked(acmes: Chat, store: Store) -> None:
    for line in ('deal "Acme South" "Q1 renewal" 48k', 'deal "Acme South" "Q1 support" 12k'):
        assert acmes(line, as_="Maria").changed
    question = acmes("won Q1", as_="Maria")
    refused = acmes.press(question, "Q1 support (Acme South, #2)", as_="Root")  # an admin
    assert refused.title == "That question was Maria's to answer; nothing was done."
    assert store.deals.get(2).stage != "won"  # type: ignore[union-attr]
    assert acmes.press(question, "Q1 support (Acme South, #2)", as_="Maria").changed


@pytest.mark.parametrize(
    "command",
    [
        "usecase edit #2 note",
        "usecase contact #2 Jane title",
        "usecase deal #2 Q1 proposal lots - Maria",
        "usecase deal #2 Q1 proposal 100 someday Maria",
        "usecase contract #2 T 2027-01-01 - - 30",
        "usecase cert #2 ISO",
    ],
)
def test_a_damaged_carried_write_stores_nothing(acmes: Chat, store: Store, command: str) -> None:
    reply = acmes(command, as_="Maria")
    assert not reply.ok and "values don't read" in reply.title
    assert south(store).fields == {} and south(store).contacts == ()
    assert list(store.deals.all()) == [] and store.contracts.of_party(2) == []
