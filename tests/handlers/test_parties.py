"""Adding, changing, finding and showing parties, as a rep would in chat."""

from __future__ import annotations

import pytest

from tests.conftest import Chat

pytestmark = pytest.mark.both_backends  # every test here runs on both engines


def test_ana_adds_a_customer_with_tags_fields_and_owner(chat: Chat) -> None:
    reply = chat("add customer Acme Corp #enterprise region:EU owner:@ana")
    assert reply.ok and reply.changed
    assert reply.title == "Added customer Acme Corp (#1)."
    party = chat.router.store.parties.named("acme corp")[0]
    assert party.roles == ("customer",)
    assert party.customer_status == "prospect"
    assert party.tags == ("enterprise",)
    assert party.fields == {"region": "EU"}
    assert party.owner == "Ana"


def test_quoted_name_with_comma_and_standard_fields(chat: Chat) -> None:
    chat('add supplier "Green Pack, Ltd" #eco category:packaging email:sales@greenpack.example')
    party = chat.router.store.parties.named("Green Pack, Ltd")[0]
    assert party.supplier_status == "onboarding"
    assert party.category == "packaging"
    assert party.fields["email"] == "sales@greenpack.example"


def test_duplicate_is_refused_with_a_pointer(chat: Chat) -> None:
    chat("add customer Acme")
    reply = chat("add customer ACME")
    assert not reply.ok
    assert "already a customer (#1)" in reply.title
    assert chat.router.store.parties.count() == 1


def test_add_supplier_on_a_customer_adds_the_role(chat: Chat) -> None:
    chat("add customer Acme")
    reply = chat("add supplier acme")
    assert reply.ok and "supplier too" in reply.title
    party = chat.router.store.parties.get(1)
    assert party is not None and party.roles == ("customer", "supplier")
    assert party.status == "prospect, onboarding"


def test_bad_input_stores_nothing_and_shows_an_example(chat: Chat) -> None:
    for text in (
        "add",
        "add customer",
        "add planet Mars",
        "add customer X owner:@nobody",
        "add customer Y email:not-an-address",
    ):
        reply = chat(text)
        assert not reply.ok, text
        assert (
            reply.sections and reply.sections[0].lines[0].startswith("Try:") or "?" in reply.title
        )
    assert chat.router.store.parties.count() == 0


def test_edit_fields_and_tags(chat: Chat) -> None:
    chat("add customer Acme #enterprise")
    reply = chat('edit Acme phone:"+49 30 1234" #priority -#enterprise')
    assert reply.ok
    assert "phone +49 30 1234" in reply.title and "+#priority" in reply.title
    party = chat.router.store.parties.get(1)
    assert party is not None
    assert party.fields["phone"] == "+49 30 1234" and party.tags == ("priority",)
    chat("edit Acme phone:-")
    assert "phone" not in chat.router.store.parties.get(1).fields  # type: ignore[union-attr]


def test_rename_keeps_the_old_name_as_alias_and_alias_finds_it(chat: Chat) -> None:
    chat("add customer Acme")
    assert chat("rename Acme to Acme Corporation").ok
    assert chat("alias acme corporation as ACME-DE").ok
    party = chat.router.store.parties.get(1)
    assert party is not None and party.name == "Acme Corporation"
    assert chat("show acme-de").title == "Acme Corporation (#1)"
    assert chat("show Acme").title == "Acme Corporation (#1)"


def test_contact_is_added_and_shown(chat: Chat) -> None:
    chat("add customer Acme")
    reply = chat("add contact Jane Doe at Acme title:CFO email:jane@acme.example")
    assert reply.ok and reply.title == "Added contact Jane Doe at Acme."
    card = chat.text("show acme")
    assert "Jane Doe · CFO · jane@acme.example" in card


def test_ambiguous_name_asks_with_buttons_and_stores_nothing(chat: Chat) -> None:
    chat("add customer Acme Logistics")
    chat("add customer Acme Retail")
    reply = chat("edit acme #vip")
    assert not reply.ok and reply.title.startswith("Which party")
    assert [b.label for b in reply.buttons] == ["Acme Logistics", "Acme Retail"]
    assert all("vip" not in p.tags for p in chat.router.store.parties.all())
    answered = chat.press(reply, "Acme Retail")
    assert answered.ok
    assert chat.router.store.parties.get(2).tags == ("vip",)  # type: ignore[union-attr]


def test_unknown_name_suggests_the_closest(chat: Chat) -> None:
    chat("add supplier GreenPack")
    reply = chat("show GrenPack")
    assert not reply.ok and "Did you mean GreenPack?" in reply.title
    assert chat.press(reply, "GreenPack").title == "GreenPack (#1)"
    nothing = chat("show Zebra Industries")
    assert "add customer" in nothing.plain()


def test_find_filters_counts_and_more(chat: Chat) -> None:
    for n in range(20):
        chat(f"add supplier Box Maker {n:02} #eco category:packaging")
    chat("add supplier Steel Works category:metal")
    chat("add customer Eco Shop #eco")
    reply = chat("find suppliers #eco category:packaging")
    assert reply.title == "Found 20 suppliers:"
    assert reply.sections[0].lines[-1] == "and 5 more"
    assert chat("find customers #eco").title == "Found 1 customer:"
    assert chat("list suppliers category:metal").title == "Found 1 supplier:"
    assert chat("find box maker 07").title == "Found 1 party:"
    assert not chat("find suppliers sort:colour").ok


def test_find_by_owner_and_status(chat: Chat) -> None:
    chat("add customer Acme owner:@ana")
    chat("add customer Zeta owner:@nick")
    assert chat("find customers owner:@ana").sections[0].lines[0].startswith("Acme (#1)")
    assert chat("find status:prospect").title == "Found 2 parties:"


def test_rep_cannot_edit_a_party_owned_by_someone_else(chat: Chat) -> None:
    chat("add customer Acme owner:@nick", as_="Nick")
    reply = chat("edit Acme #vip", as_="Ana")
    assert not reply.ok and "Only Nick or a manager" in reply.title
    assert chat("edit Acme #vip", as_="Maria").ok


def test_show_card_has_roles_fields_and_interactions(chat: Chat) -> None:
    chat("add customer Acme #enterprise region:EU website:https://acme.example")
    chat("log call with Acme yesterday: discussed Q3 pricing")
    card = chat.text("show acme")
    assert "Roles: customer (prospect)" in card
    assert "Website: https://acme.example" in card
    assert "Tue 24 Nov 2026, 09:00 CET · call by Ana: discussed Q3 pricing" in card


def test_spaces_in_a_name_do_not_matter_to_a_prefix(chat: Chat) -> None:
    chat('add supplier "Green Pack, Ltd"')
    assert chat("show GreenPack").title == "Green Pack, Ltd (#1)"


def test_rename_or_alias_to_a_name_another_party_has_is_refused(chat: Chat) -> None:
    chat("add customer Acme")
    chat("add customer Zeta")
    assert "already names Zeta (#2)" in chat("rename Acme to zeta").title
    assert "already names Zeta (#2)" in chat("alias Acme as Zeta").title
    assert not chat("rename Acme").ok
    assert chat.router.store.parties.get(1).name == "Acme"  # type: ignore[union-attr]
