"""Nobody changes what isn't theirs: re-adding, contacts, and choice buttons (issue 17)."""

from __future__ import annotations

from dataclasses import replace

from storage.unit_of_work import Actor
from tests.conftest import Chat


def _owned_by_ana(chat: Chat) -> None:
    chat("add customer Owned Co owner:@ana email:ana@owned.example #key", as_="Ana")


def test_re_adding_under_another_role_adds_the_role_and_nothing_else(chat: Chat) -> None:
    _owned_by_ana(chat)
    assert not chat("edit Owned Co owner:@bob", as_="Bob").ok
    reply = chat("add supplier Owned Co owner:@bob email:bob@evil.example -#key #x", as_="Bob")
    party = chat.router.store.parties.named("Owned Co")[0]
    assert party.roles == ("customer", "supplier")
    assert party.owner == "Ana"
    assert party.fields["email"] == "ana@owned.example"
    assert party.tags == ("key",)
    assert "supplier too" in reply.title
    assert "only Ana or a manager" in reply.plain()


def test_the_owner_re_adding_under_another_role_may_change_fields(chat: Chat) -> None:
    _owned_by_ana(chat)
    chat("add supplier Owned Co #x", as_="Ana")
    assert chat.router.store.parties.named("Owned Co")[0].tags == ("key", "x")


def test_re_adding_a_role_it_already_has_changes_nothing(chat: Chat) -> None:
    _owned_by_ana(chat)
    reply = chat("add customer Owned Co owner:@bob", as_="Bob")
    assert not reply.ok
    assert chat.router.store.parties.named("Owned Co")[0].owner == "Ana"


def test_add_contact_to_someone_elses_party_is_refused(chat: Chat) -> None:
    _owned_by_ana(chat)
    chat("add contact Jane Doe at Owned Co title:CFO phone:123 email:jane@owned.example")
    reply = chat("add contact Jane Doe at Owned Co email:x@evil.example", as_="Bob")
    assert not reply.ok and "Only Ana or a manager" in reply.title
    (jane,) = chat.router.store.parties.named("Owned Co")[0].contacts
    assert jane["email"] == "jane@owned.example"


def test_adding_an_existing_contact_updates_only_the_fields_given(chat: Chat) -> None:
    _owned_by_ana(chat)
    chat("add contact Jane Doe at Owned Co title:CFO phone:123 email:jane@owned.example")
    reply = chat("add contact jane doe at Owned Co email:jane@new.example")
    assert reply.ok and reply.title.startswith("Updated contact")
    (jane,) = chat.router.store.parties.named("Owned Co")[0].contacts
    assert jane == {
        "name": "Jane Doe",
        "title": "CFO",
        "email": "jane@new.example",
        "phone": "123",
    }


def test_a_contact_field_is_blanked_with_a_dash(chat: Chat) -> None:
    _owned_by_ana(chat)
    chat("add contact Jane at Owned Co title:CFO email:jane@owned.example")
    assert chat("add contact Jane at Owned Co email:-").ok
    (jane,) = chat.router.store.parties.named("Owned Co")[0].contacts
    assert (jane["title"], jane["email"]) == ("CFO", "")


def test_a_manager_may_add_a_contact_anywhere(chat: Chat) -> None:
    _owned_by_ana(chat)
    assert chat("add contact Jane at Owned Co", as_="Maria").ok


def test_rename_alias_and_cadence_keep_their_owner_check(chat: Chat) -> None:
    _owned_by_ana(chat)
    for command in ("rename Owned Co to Mine", "alias Owned Co as Mine", "cadence Owned Co 7d"):
        assert not chat(command, as_="Bob").ok, command
    party = chat.router.store.parties.named("Owned Co")[0]
    assert party.aliases == () and party.cadence_days is None


def _two_greens(chat: Chat) -> None:
    chat("add supplier Green Pack", as_="Maria")
    chat("add supplier Green Box", as_="Maria")


def test_a_rep_over_the_limit_is_refused_before_being_asked_which_party(chat: Chat) -> None:
    _two_greens(chat)
    reply = chat("award green 500 for great quarter", as_="Ana")
    assert not reply.ok and not reply.buttons
    assert "need a manager" in reply.title


def test_a_choice_button_serves_only_the_person_who_asked(chat: Chat) -> None:
    _two_greens(chat)
    asked = chat("award green 50 for great quarter", as_="Ana")
    assert len(asked.buttons) == 2
    refused = chat.press(asked, "Green Pack", as_="Maria")
    assert not refused.ok and "Ana" in refused.title
    assert chat.router.store.ledger.balance(1) == 0
    done = chat.press(asked, "Green Pack", as_="Ana")
    assert done.ok and chat.router.store.ledger.balance(1) == 50


def test_a_choice_typed_for_someone_else_is_refused(chat: Chat) -> None:
    _two_greens(chat)
    asked = chat("award green 50 for great quarter", as_="Ana")
    assert not chat(asked.buttons[0].command, as_="Bob").ok
    assert chat.router.store.ledger.balance(1) == 0


def test_chat_commands_write_parties_only_through_the_one_check() -> None:
    """Every handler that saves a party does it through handlers.ownership.save_party."""
    import re
    from pathlib import Path

    handlers = Path(__file__).resolve().parents[2] / "handlers"
    direct = re.compile(
        r"""\.(save_party|add_party)\(|\.(save|put|add|insert)\(\s*["']parties["']"""
    )
    writers = {
        path.name for path in handlers.rglob("*.py") if direct.search(path.read_text("utf-8"))
    }
    # ownership.py is the gate; parties.py adds new parties (anyone may); imports.py and
    # deal_import.py are the operator's `rapport import` on the server, not chat commands.
    assert writers <= {"ownership.py", "parties.py", "imports.py", "deal_import.py"}, writers
    assert "ownership.py" in writers  # the rule still sees the gate's own write
    parties_py = (handlers / "parties.py").read_text(encoding="utf-8")
    assert not re.search(r"\.save_party\(", parties_py)


def test_a_party_cannot_slip_past_the_gate_as_a_plain_document(chat: Chat) -> None:
    """`Change.save`/`add` refuse a party, so the search above sees every party write."""
    import pytest

    chat("add customer Acme", as_="Ana")
    store = chat.router.store
    party = store.parties.named("Acme")[0]
    actor = Actor("Ana", "test", "2026-11-25T13:37:00+00:00")
    with pytest.raises(TypeError, match="save_party"), store.change(actor, "sneak") as change:
        change.save(replace(party, category="sneaked in"))
    assert store.parties.named("Acme")[0] == party
