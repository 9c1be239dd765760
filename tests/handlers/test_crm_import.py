"""Imports from the CRMs people leave: each product's export, as it writes it, imports cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handlers.context import Team
from handlers.exchange.imports import ImportReport, import_rows
from handlers.exchange.sources import Prepared, SourceProblem, prepare, read_table
from storage.models import Party, Person
from storage.store import Store
from storage.unit_of_work import Actor
from tests.rigs.cli import CONFIG, rapport

FIXTURES = Path(__file__).parents[1] / "fixtures" / "crm"
TEAM = Team(
    people=(Person("Ana", "rep", manager="Maria"), Person("Maria", "manager")),
    timezone="Europe/Berlin",
)
ACTOR = Actor("Maria", "terminal", "2026-11-25T13:37:00+00:00")


def load(store: Store, name: str, kind: str) -> tuple[Prepared, ImportReport]:
    prepared = prepare(read_table((FIXTURES / name).read_bytes()), kind, TEAM)
    return prepared, import_rows(store, TEAM, ACTOR, kind, prepared.rows)


def party(store: Store, name: str) -> Party:
    [found] = store.parties.named(name)
    return found


UTF8 = "UTF-8, separated by commas"
LATIN1 = "Windows-1252 (Latin-1), separated by semicolons"


@pytest.mark.parametrize(
    ("name", "kind", "product", "read_as"),
    [
        ("hubspot-companies.csv", "customers", "HubSpot companies", UTF8),
        ("salesforce-accounts.csv", "customers", "Salesforce accounts", LATIN1),
        ("pipedrive-organizations.csv", "customers", "Pipedrive organizations", UTF8),
        ("zoho-accounts.csv", "suppliers", "Zoho CRM accounts", UTF8),
    ],
)
def test_each_crms_companies_import_cleanly(
    store: Store, name: str, kind: str, product: str, read_as: str
) -> None:
    prepared, report = load(store, name, kind)
    assert prepared.mapping[0] == f"Read as {read_as}."
    assert prepared.mapping[1] == f"Recognised a {product} export; columns read as:"
    assert report.skipped == [] and report.added == len(list(store.parties.all())) >= 2


def test_hubspot_companies_map_stage_owner_and_keep_headers(store: Store) -> None:
    prepared, report = load(store, "hubspot-companies.csv", "customers")
    acme = party(store, "Acme Corp")
    assert (acme.customer_status, acme.owner, acme.category) == (
        "active",
        "Maria",
        "Industrial Machinery",
    )
    assert (
        acme.fields["website"] == "https://www.acme.example" and acme.fields["region"] == "Germany"
    )
    assert acme.fields["Company Domain Name"] == "acme.example"
    assert acme.fields["Record ID"] == "9012345601" and acme.fields["Type"] == "Prospect"
    harbor = party(store, "Blue Harbor GmbH")
    assert (harbor.customer_status, harbor.owner) == ("prospect", "Ana")  # owner by e-mail
    cedar = party(store, "Cedar & Sons")
    assert (cedar.customer_status, cedar.owner, cedar.fields["Lifecycle Stage"]) == (
        "prospect",
        "",
        "Other",
    )
    assert prepared.notes == [
        "Owners not on the team, left unassigned: Sam Jones (1)",
        "Stages kept as a field, status left as it was: Other (1)",
    ]
    assert "  Company Domain Name → custom field “Company Domain Name”" in prepared.mapping
    assert "  Lifecycle Stage → status" in prepared.mapping


def test_salesforce_accounts_in_latin_1_with_semicolons(store: Store) -> None:
    prepared, _ = load(store, "salesforce-accounts.csv", "customers")
    mueller = party(store, "Müller & Söhne GmbH")
    assert (mueller.customer_status, mueller.owner, mueller.fields["Billing City"]) == (
        "active",
        "Maria",
        "München",
    )
    assert party(store, "Étoile Café SARL").customer_status == "prospect"
    assert party(store, "Fjord Systems AS").fields["Type"] == "Channel Partner / Reseller"
    assert "Nick Brown (1)" in prepared.notes[0]


def test_zoho_accounts_as_suppliers_and_pipedrive_labels(store: Store) -> None:
    load(store, "zoho-accounts.csv", "suppliers")
    orion = party(store, "Orion Metals")
    assert (orion.supplier_status, orion.owner) == ("approved", "Maria")  # maria.lopez@…
    assert party(store, "Kite Labs").supplier_status == "onboarding"
    load(store, "pipedrive-organizations.csv", "customers")
    assert party(store, "Nordic Pallets AB").customer_status == "prospect"  # "Warm lead"
    assert party(store, "GreenPack Ltd").fields["region"] == "United Kingdom"


@pytest.mark.parametrize(
    ("companies", "contacts", "at", "person", "title"),
    [
        ("hubspot-companies", "hubspot-contacts", "Acme Corp", "Jürgen Weiß", "Head of Purchasing"),
        (
            "salesforce-accounts",
            "salesforce-contacts",
            "Müller & Söhne GmbH",
            "Klara Müller",
            "CFO",
        ),
        ("pipedrive-organizations", "pipedrive-people", "GreenPack Ltd", "Tom Baker", "Buyer"),
        ("zoho-accounts", "monica-contacts", "Vega Foods S.L.", "Pia Vogel", "Head chef"),
    ],
)
def test_each_crms_contacts_join_their_companies(
    store: Store, companies: str, contacts: str, at: str, person: str, title: str
) -> None:
    load(store, f"{companies}.csv", "customers")
    _prepared, report = load(store, f"{contacts}.csv", "contacts")
    assert report.skipped == [] and report.added == 2
    contact = next(c for c in party(store, at).contacts if c["name"] == person)
    assert contact["title"] == title and "@" in contact["email"]
    assert contact["fields"]  # the other columns, under their headers


def test_an_export_of_the_wrong_kind_is_named(store: Store) -> None:
    with pytest.raises(
        SourceProblem, match="HubSpot companies export: import it as customers or suppliers"
    ):
        prepare(read_table((FIXTURES / "hubspot-companies.csv").read_bytes()), "contacts", TEAM)


def test_dry_run_shows_the_mapping_and_stores_nothing(tmp_path: Path) -> None:
    (tmp_path / "rapport.toml").write_text(CONFIG)
    shutil.copy(FIXTURES / "salesforce-accounts.csv", tmp_path / "accounts.csv")
    dry = rapport("import", "customers", "accounts.csv", "--dry-run", "--as", "Maria", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[:4] == [
        "dry run, nothing stored: 3 added, 0 updated, 0 skipped",
        "Read as Windows-1252 (Latin-1), separated by semicolons.",
        "Recognised a Salesforce accounts export; columns read as:",
        "  Account Name → name",
    ]
    assert "Owners not on the team, left unassigned: Nick Brown (1)" in dry.stdout
    done = rapport("import", "customers", "accounts.csv", "--as", "Maria", cwd=tmp_path)
    assert done.stdout.startswith("3 added, 0 updated, 0 skipped")
    card = rapport("chat", "--as", "Maria", cwd=tmp_path, stdin="show Müller\n").stdout
    assert "Müller & Söhne GmbH" in card and "Billing City: München" in card
