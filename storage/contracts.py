"""Contracts and certificates of suppliers: terms, values, notice periods, expiry dates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from storage.engine.port import Engine
from storage.terms import TermRepository

CONTRACTS, CERTS = "contracts", "certs"
ACTIVE, DRAFT = "active", "draft"


@dataclass(frozen=True)
class Contract:
    """A contract with a party for a term; `start` and `end` are calendar days (YYYY-MM-DD).

    The owner (and their manager) are reminded `notice_days` before the end. A draft (opened by
    redeeming a contract reward) has no term yet and is never reminded about.
    """

    COLLECTION: ClassVar[str] = CONTRACTS

    id: int
    party_id: int
    title: str
    owner: str
    start: str = ""
    end: str = ""
    value: int | None = None
    currency: str = "EUR"
    notice_days: int = 30
    status: str = ACTIVE
    created_at: str = ""
    created_by: str = ""
    source: str = ""  # what opened it, when not a person's command (a reward's name)


@dataclass(frozen=True)
class Certificate:
    """A certification a party holds until `expires` (a calendar day, YYYY-MM-DD, exclusive)."""

    COLLECTION: ClassVar[str] = CERTS

    id: int
    party_id: int
    name: str
    expires: str
    owner: str
    created_at: str = ""
    created_by: str = ""

    def valid_on(self, day: str) -> bool:
        return day < self.expires


def contract_repository(db: Engine) -> TermRepository[Contract]:
    return TermRepository(db, CONTRACTS, Contract, "end")


def cert_repository(db: Engine) -> TermRepository[Certificate]:
    return TermRepository(db, CERTS, Certificate, "expires")
