"""What the common CRMs write in their CSV exports, in one table: how to recognise each export by
its header row, which of its columns Rapport reads as what, and what their stage words mean.

Headers are written as the products write them (compared ignoring case and spaces at the ends).
Our fields: name, first_name and last_name (joined into the name), party (a contact's company),
title, email, phone, website, region, category, owner (matched to a person of the team), and
status (read through STATUS_WORDS). Every other column is kept as a custom field under its header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from storage.models import CUSTOMER, SUPPLIER

PARTIES = ("customers", "suppliers")
CONTACTS = ("contacts",)


@dataclass(frozen=True)
class CrmFormat:
    """One product's export of one record type."""

    product: str
    export: str
    kinds: tuple[str, ...]  # the `rapport import` kinds it can feed
    signature: tuple[str, ...]  # headers that together only this export writes
    columns: Mapping[str, str]  # header → our field

    @property
    def title(self) -> str:
        return f"{self.product} {self.export}"


FORMATS = (
    CrmFormat(
        "HubSpot",
        "companies",
        PARTIES,
        ("Record ID", "Company name", "Company owner"),
        {
            "Company name": "name",
            "Company owner": "owner",
            "Lifecycle Stage": "status",
            "Website URL": "website",
            "Phone Number": "phone",
            "Country/Region": "region",
            "Industry": "category",
        },
    ),
    CrmFormat(
        "HubSpot",
        "contacts",
        CONTACTS,
        ("Record ID", "First Name", "Last Name", "Contact owner"),
        {
            "First Name": "first_name",
            "Last Name": "last_name",
            "Company Name": "party",
            "Job Title": "title",
            "Email": "email",
            "Phone Number": "phone",
        },
    ),
    CrmFormat(
        "Salesforce",
        "accounts",
        PARTIES,
        ("Account Name", "Account Owner", "Type"),
        {
            "Account Name": "name",
            "Account Owner": "owner",
            "Type": "status",
            "Website": "website",
            "Phone": "phone",
            "Billing Country": "region",
            "Industry": "category",
        },
    ),
    CrmFormat(
        "Salesforce",
        "contacts",
        CONTACTS,
        ("First Name", "Last Name", "Account Name", "Contact Owner"),
        {
            "First Name": "first_name",
            "Last Name": "last_name",
            "Account Name": "party",
            "Title": "title",
            "Email": "email",
            "Phone": "phone",
        },
    ),
    CrmFormat(
        "Pipedrive",
        "organizations",
        PARTIES,
        ("Organization - Name", "Organization - Owner"),
        {
            "Organization - Name": "name",
            "Organization - Owner": "owner",
            "Organization - Label": "status",
            "Organization - Website": "website",
            "Organization - Address - Country": "region",
            "Organization - Industry": "category",
        },
    ),
    CrmFormat(
        "Pipedrive",
        "people",
        CONTACTS,
        ("Person - Name", "Person - Organization"),
        {
            "Person - Name": "name",
            "Person - Organization": "party",
            "Person - Job title": "title",
            "Person - Email - Work": "email",
            "Person - Phone - Work": "phone",
        },
    ),
    CrmFormat(
        "Zoho CRM",
        "accounts",
        PARTIES,
        ("Account Name", "Account Owner", "Account Type"),
        {
            "Account Name": "name",
            "Account Owner": "owner",
            "Account Type": "status",
            "Website": "website",
            "Phone": "phone",
            "Billing Country": "region",
            "Industry": "category",
        },
    ),
    CrmFormat(
        "Monica",
        "contacts",
        CONTACTS,
        ("first_name", "last_name", "nickname"),
        {
            "first_name": "first_name",
            "last_name": "last_name",
            "company": "party",
            "job": "title",
            "email": "email",
            "phone": "phone",
        },
    ),
)

# Stage, type and label words of those products → our status, per role. A word not listed
# leaves the party at its role's first status and is kept as a custom field.
STATUS_WORDS: Mapping[str, Mapping[str, str]] = {
    CUSTOMER: {
        "subscriber": "prospect",
        "lead": "prospect",
        "marketing qualified lead": "prospect",
        "sales qualified lead": "prospect",
        "opportunity": "prospect",
        "prospect": "prospect",
        "hot lead": "prospect",
        "warm lead": "prospect",
        "cold lead": "prospect",
        "customer": "active",
        "customer - direct": "active",
        "customer - channel": "active",
        "evangelist": "active",
        "active": "active",
        "former customer": "inactive",
        "churned": "inactive",
        "inactive": "inactive",
    },
    SUPPLIER: {
        "lead": "onboarding",
        "prospect": "onboarding",
        "vendor": "approved",
        "supplier": "approved",
        "preferred": "preferred",
        "inactive": "excluded",
    },
}


def _key(header: str) -> str:
    return " ".join(header.split()).casefold()


def recognise(header: list[str]) -> CrmFormat | None:
    """The export whose signature the header row carries (the most specific one), or None."""
    present = {_key(h) for h in header}
    found = [f for f in FORMATS if all(_key(s) in present for s in f.signature)]
    return max(found, key=lambda f: len(f.signature), default=None)


def field_of(crm: CrmFormat, header: str) -> str | None:
    """Our field for one of the export's columns; None keeps it as a custom field."""
    return next(
        (ours for theirs, ours in crm.columns.items() if _key(theirs) == _key(header)), None
    )


def status_for(role: str, word: str) -> str | None:
    """Our status for a CRM's stage or type word, or None when it has no sure meaning."""
    return STATUS_WORDS[role].get(_key(word))
