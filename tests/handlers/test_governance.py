"""Statuses: who may set them, reasons, history in `show`, and what exclusion does."""

from __future__ import annotations

import pytest

from storage.models import Party
from storage.store import Store
from tests.conftest import Chat

pytestmark = pytest.mark.both_backends  # every test here runs on both engines


@pytest.fixture
def supplier(chat: Chat) -> Chat:
    """GreenPack, a supplier Bob owns, and Acme, a customer Ana owns."""
    assert chat("add supplier GreenPack owner:@bob", as_="Bob").ok
    assert chat("add customer Acme owner:@ana").ok
    return chat


def greenpack(store: Store) -> Party:
    return store.parties.named("GreenPack")[0]


def test_a_buyer_cannot_put_a_supplier_on_probation_and_is_told_who_can(
    supplier: Chat, store: Store
) -> None:
    reply = supplier("status GreenPack probation because wrong certificates", as_="Bob")
    assert not reply.ok
    assert reply.title == "Only a manager can put GreenPack on probation: ask Maria."
    assert greenpack(store).supplier_status == "onboarding"


def test_probation_needs_a_reason(supplier: Chat, store: Store) -> None:
    reply = supplier("status GreenPack probation", as_="Maria")
    assert not reply.ok and reply.title == "Setting GreenPack to probation needs a reason."
    assert greenpack(store).status_history == ()


def test_a_manager_puts_greenpack_on_probation_and_the_history_is_shown(
    supplier: Chat, store: Store
) -> None:
    reply = supplier("status GreenPack probation because wrong certificates", as_="Maria")
    assert reply.changed
    assert reply.title == "GreenPack: supplier onboarding → probation because wrong certificates."
    party = greenpack(store)
    assert party.supplier_status == "probation"
    [change] = party.status_history
    assert (change["status"], change["reason"], change["by"]) == (
        "probation", "wrong certificates", "Maria"
    )  # fmt: skip
    card = supplier.text("show greenpack")
    assert "supplier (probation)" in card
    assert "Wed 25 Nov 2026, 14:37 CET · supplier → probation by Maria: wrong certificates" in card
    assert "probation" in supplier.text("status greenpack")


def test_the_owner_is_told_of_a_status_change(supplier: Chat, store: Store) -> None:
    supplier("status GreenPack probation: wrong certificates", as_="Maria")
    [told] = store.deliveries.pending_for("Bob")
    assert told.reply["title"] == "Maria set GreenPack to probation because wrong certificates."


def test_an_excluded_supplier_is_hidden_warned_and_gets_nothing(
    supplier: Chat, store: Store
) -> None:
    supplier("status GreenPack excluded because false certificates", as_="Maria")
    assert "GreenPack" not in supplier.text("find suppliers")
    listed = supplier.text("find suppliers status:excluded")
    assert "⚠ EXCLUDED supplier: false certificates — GreenPack" in listed
    assert "⚠ EXCLUDED supplier: false certificates" in supplier("show greenpack").title
    assert not supplier("award GreenPack 5 for anything", as_="Maria").ok
    assert "GreenPack" not in supplier.text("leaderboard")


def test_only_a_manager_takes_a_supplier_off_the_excluded_list(
    supplier: Chat, store: Store
) -> None:
    supplier("status GreenPack excluded because false certificates", as_="Maria")
    refused = supplier("status GreenPack approved", as_="Bob")
    assert refused.title == "Only a manager can take GreenPack off the excluded list: ask Maria."
    assert supplier("status GreenPack approved because new certificates", as_="Maria").changed
    assert greenpack(store).supplier_status == "approved"
    assert len(greenpack(store).status_history) == 2


def test_ordinary_moves_are_for_the_owner_or_a_manager(supplier: Chat, store: Store) -> None:
    assert supplier("status GreenPack approved", as_="Bob").changed
    assert supplier("status Acme active").changed
    refused = supplier("status Acme inactive", as_="Nick")
    assert refused.title == "Only Ana or a manager can change Acme."
    assert store.parties.named("Acme")[0].customer_status == "active"
    assert supplier("status Acme active").title == "Acme is already active."


def test_a_status_of_the_wrong_role_or_an_unknown_one_is_refused(
    supplier: Chat, store: Store
) -> None:
    wrong = supplier("status Acme approved", as_="Maria")
    assert (
        not wrong.ok and wrong.title == "Acme is not a supplier; “approved” is a supplier status."
    )
    unknown = supplier("status Acme banned", as_="Maria")
    assert not unknown.ok and "“banned” is not a status" in unknown.title
    assert store.parties.named("Acme")[0].status_history == ()


def test_a_status_change_is_undone_with_its_history(supplier: Chat, store: Store) -> None:
    reply = supplier("status GreenPack probation because late", as_="Maria", message_id="s1")
    again = supplier("status GreenPack probation because late", as_="Maria", message_id="s1")
    assert again.title.startswith("Already done")
    assert supplier.press(reply, "Undo", as_="Maria").changed
    assert greenpack(store).supplier_status == "onboarding"
    assert greenpack(store).status_history == ()
