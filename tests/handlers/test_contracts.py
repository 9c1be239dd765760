"""Contracts and certificates: a buyer records them, lists what ends soon; policies on suppliers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers.context import Team
from handlers.router import Router
from storage.checks import check_store
from storage.models import Reward, SupplierPolicy
from storage.store import Store
from storage.unit_of_work import Actor
from tests.conftest import Chat

POLICIES = (
    SupplierPolicy("eco packaging", ("ISO 14001",), category="packaging"),
    SupplierPolicy("quality", ("ISO 9001",), tag="eco"),
)


@pytest.fixture
def governed(store: Store, team: Team) -> Chat:
    with_policies = replace(team, policy=replace(team.policy, supplier_policies=POLICIES))
    return Chat(Router(store, with_policies), with_policies)


def test_a_buyer_records_a_contract_with_its_term(chat: Chat, store: Store) -> None:
    chat("add supplier GreenPack owner:@bob", as_="Bob")
    line = (
        'contract GreenPack "Packaging 2027" from 1 jan 2027 to 31 dec 2027 value:120k notice:60d'
    )
    reply = chat(line, as_="Bob")
    assert reply.changed, reply.plain()
    assert "Fri 1 Jan 2027 – Fri 31 Dec 2027 · 120,000 EUR · notice 60d · Bob" in reply.title
    assert "reminded on Mon 1 Nov 2027" in reply.plain()
    contract = store.contracts.get(1)
    assert contract is not None and (contract.start, contract.end) == ("2027-01-01", "2027-12-31")
    assert contract.notice_days == 60 and contract.value == 120000 and contract.owner == "Bob"


def test_contracts_need_a_buyer_or_a_manager_and_clear_dates(chat: Chat, store: Store) -> None:
    chat("add supplier GreenPack")
    refused = chat('contract GreenPack "X" from 1 jan 2027 to 31 dec 2027', as_="Ana")
    assert not refused.ok and "buyers and managers" in refused.title
    assert not chat('contract GreenPack "X" from 1 jan 2027', as_="Bob").ok  # no end
    assert not chat('contract GreenPack "X" from 1 jan 2027 to 32 foo', as_="Bob").ok
    assert not chat('contract GreenPack "X" from 1 jan 2027 to 1 dec 2026', as_="Bob").ok
    assert not chat('contract GreenPack "X" to 31 dec 2027 notice:soon', as_="Bob").ok
    assert store.contracts.count() == 0
    assert chat('contract GreenPack "X" to 31 dec 2027', as_="Maria").changed


def test_contracts_lists_by_party_and_expiring(chat: Chat) -> None:
    chat("add supplier GreenPack")
    chat("add supplier BoxCo")
    chat('contract GreenPack "Near" from 1 jan 2026 to 15 jan 2027', as_="Bob")
    chat('contract BoxCo "Far" from 1 jan 2026 to 31 dec 2027', as_="Bob")
    assert "2 contracts running and drafts" in chat("contracts").title
    expiring = chat.text("contracts expiring")
    assert "1 contract ending within 90 days" in expiring and "Near" in expiring
    assert "2 contracts ending within 900 days" in chat("contracts expiring in 900d").title
    assert "Far" in chat.text("contracts boxco") and "Near" not in chat.text("contracts boxco")
    assert "Contracts:" in chat.text("show greenpack")


def test_certs_record_renew_and_list_the_lapsed(chat: Chat, store: Store) -> None:
    chat("add supplier GreenPack")
    reply = chat('cert GreenPack "ISO 14001" expires 1 mar 2027', as_="Bob")
    assert (
        "valid until Mon 1 Mar 2027" in reply.title
        and "reminded on Sat 30 Jan 2027" in reply.plain()
    )
    assert chat('cert GreenPack "ISO 9001" expires in 6 months', as_="Bob").changed
    assert chat("certs expiring").title.startswith("No certificates")
    chat.later(days=80)  # 13 Feb 2027
    assert "ISO 14001" in chat.text("certs expiring")
    chat.later(days=20)  # 5 Mar 2027
    assert "⚠ lapsed Mon 1 Mar 2027" in chat.text("certs greenpack")
    renewed = chat('cert GreenPack "iso 14001" expires 1 mar 2028', as_="Bob")
    assert "Renewed ISO 14001" in renewed.title
    assert store.certs.count() == 2
    assert not chat('cert GreenPack "ISO 1" expires someday', as_="Bob").ok
    assert not chat('cert GreenPack "ISO 1" expires 1 mar 2028', as_="Ana").ok


def test_a_supplier_without_a_required_cert_is_failing(governed: Chat) -> None:
    chat = governed
    chat("add supplier GreenPack category:packaging")
    chat("add supplier BoxCo category:packaging")
    chat('cert BoxCo "ISO 14001" expires 1 mar 2027', as_="Bob")
    card = chat.text("show greenpack")
    assert "⚠ failing policy: eco packaging (no valid ISO 14001)" in card
    assert "✓ eco packaging" in chat.text("show boxco")
    found = chat.text("find suppliers policy:failing")
    assert "GreenPack" in found and "BoxCo" not in found
    assert "⚠ failing policy" in chat.text("find suppliers")
    chat.later(days=100)  # BoxCo's certificate lapsed
    assert "BoxCo" in chat.text("find suppliers policy:failing")


def test_a_failing_supplier_cannot_be_made_preferred(governed: Chat, store: Store) -> None:
    chat = governed
    chat("add supplier GreenPack #eco")
    refused = chat("status GreenPack preferred")
    assert not refused.ok and "ISO 9001" in refused.title
    chat('cert GreenPack "ISO 9001" expires 1 mar 2027', as_="Bob")
    assert chat("status GreenPack preferred").changed


def test_a_contract_reward_opens_a_draft_and_tells_the_owner(store: Store, team: Team) -> None:
    reward = Reward("another contract", 300, "supplier", kind="contract")
    rich = replace(team, policy=replace(team.policy, rewards=(reward,)))
    chat = Chat(Router(store, rich), rich)
    chat("add supplier GreenPack owner:@bob", as_="Bob")
    chat("award GreenPack 100 for on-time delivery", as_="Maria")
    chat("award GreenPack 300 for the launch", as_="Maria")
    reply = chat('redeem "another contract" for GreenPack', as_="Maria")
    assert reply.changed and "Draft contract #1 “another contract” opened for Bob" in reply.plain()
    told = [d.reply["title"] for d in store.deliveries.pending_for("Bob")]
    assert "Maria opened draft contract #1 “another contract” for GreenPack." in told
    assert "draft: no term yet" in chat.text("contracts")
    filled = chat('contract GreenPack "another contract" from 1 jan 2027 to 31 dec 2027', as_="Bob")
    assert "Filled in the draft contract #1" in filled.title and store.contracts.count() == 1
    chat("undo", as_="Bob")
    chat("undo", as_="Maria")
    assert store.contracts.count() == 0 and store.ledger.balance(1) == 400


def test_the_store_check_finds_terms_of_missing_parties(chat: Chat, store: Store) -> None:
    chat("add supplier GreenPack")
    chat('cert GreenPack "ISO 14001" expires 1 mar 2027', as_="Bob")
    assert check_store(store, ["Bob"]) == []
    with store.change(Actor("test", "terminal", "2026-11-25T13:37:00+00:00"), "x") as change:
        change.delete("parties", 1)
    assert check_store(store, ["Bob"]) == ["certificate 1 names missing party 1"]


def test_contract_without_a_quoted_title_is_still_logged(chat: Chat, store: Store) -> None:
    chat("add customer Acme")
    reply = chat("contract with Acme today: signed the renewal")
    assert reply.changed and "Logged contract with Acme" in reply.title
    assert store.contracts.count() == 0 and store.interactions.count_for(1) == 1
