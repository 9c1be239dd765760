"""Deals, contracts and certificates exported (JSON lines, CSV) and deals imported from CRMs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import Chat
from tests.rigs.cli import CONFIG, NOW, rapport

HUBSPOT = """Deal Name,Deal Stage,Amount,Close Date,Deal owner,Associated Company,Pipeline
Q1 renewal,contractsent,48000,2027-01-15 00:00,Ana Smith,Acme Corp,Sales Pipeline
Pilot,closedwon,"1,200.50",2026-11-02,nobody@example.com,Beta Ltd,Sales Pipeline
,appointmentscheduled,10,2027-01-01,Ana,Acme Corp,
Broken,qualifiedtobuy,lots,2027-01-01,Ana,Acme Corp,
Q1 renewal,contractsent,48000,2027-01-15,Ana,Acme Corp,
"""
SALESFORCE = """Opportunity Name,Account Name,Stage,Amount,Close Date,Opportunity Owner
Big one,Gamma,Proposal/Price Quote,250000,1/15/2027,Maria Jones
"""
PIPEDRIVE = (
    "Deal - Title,Deal - Organization,Deal - Value,Deal - Stage,Deal - Expected close date,"
    "Deal - Owner\nBoxes,Delta,12k,Negotiations Started,2027-02-01,Ana\n"
)


def test_exports_of_deals_contracts_and_certs(chat: Chat) -> None:
    chat("add customer Acme Corp")
    chat('deal Acme "Q1 renewal" 48k stage:proposal close:15 jan')
    chat("add supplier GreenPack")
    chat(
        'contract GreenPack "Boxes" from 1 jan 2027 to 31 dec 2027 value:120k notice:60d', as_="Bob"
    )
    chat('cert GreenPack "ISO 14001" expires 1 mar 2027', as_="Bob")
    deals = chat("export deals jsonl").file
    assert deals is not None
    [row] = [json.loads(line) for line in deals[1].splitlines()]
    assert row == {
        "id": 1, "party": "Acme Corp", "title": "Q1 renewal", "value": 48000, "currency": "EUR",
        "stage": "proposal", "probability": 0.5, "close": "2027-01-15", "owner": "Ana",
        "opened_at": "2026-11-25T14:37:00+01:00", "closed_at": None, "reason": "",
    }  # fmt: skip
    contracts = chat("export contracts csv").file
    assert contracts is not None
    [contract] = list(csv.DictReader(io.StringIO(contracts[1])))
    assert (contract["title"], contract["end"], contract["notice_days"]) == (
        "Boxes",
        "2027-12-31",
        "60",
    )
    certs = chat("export certs jsonl").file
    assert certs is not None
    [cert] = [json.loads(line) for line in certs[1].splitlines()]
    assert (cert["party"], cert["name"], cert["expires"], cert["valid"]) == (
        "GreenPack", "ISO 14001", "2027-03-01", True
    )  # fmt: skip


def test_deals_import_from_hubspot_salesforce_and_pipedrive(tmp_path: Path) -> None:
    (tmp_path / "rapport.toml").write_text(CONFIG)
    (tmp_path / "hubspot.csv").write_text(HUBSPOT)
    (tmp_path / "salesforce.csv").write_text(SALESFORCE)
    (tmp_path / "pipedrive.csv").write_text(PIPEDRIVE)
    env = {"USER": "Ana", "LOGNAME": "Ana"}
    dry = rapport(
        "import",
        "deals",
        "hubspot.csv",
        "--dry-run",
        "--config",
        "rapport.toml",
        cwd=tmp_path,
        env=env,
    )
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(
        "dry run, nothing stored: 2 deals added, 2 customers added, 3 skipped"
    )
    done = rapport(
        "import", "deals", "hubspot.csv", "--config", "rapport.toml", cwd=tmp_path, env=env
    )
    assert "2 deals added, 2 customers added, 3 skipped" in done.stdout
    assert "line 4: no deal name" in done.stdout
    assert "line 5: amount “lots” is not a number" in done.stdout
    assert "line 6: Q1 renewal with Acme Corp is already kept" in done.stdout
    for name in ("salesforce.csv", "pipedrive.csv"):
        again = rapport("import", "deals", name, "--config", "rapport.toml", cwd=tmp_path, env=env)
        assert "1 deals added, 1 customers added, 0 skipped" in again.stdout, (
            again.stdout + again.stderr
        )
    out = rapport("export", "deals", "--config", "rapport.toml", cwd=tmp_path, env=env).stdout
    rows = {r["title"]: r for r in map(json.loads, out.splitlines())}
    assert (rows["Q1 renewal"]["stage"], rows["Q1 renewal"]["owner"]) == ("negotiation", "Ana")
    assert (rows["Pilot"]["stage"], rows["Pilot"]["value"], rows["Pilot"]["owner"]) == (
        "won",
        1200,
        "Ana",
    )
    assert (rows["Big one"]["stage"], rows["Big one"]["close"], rows["Big one"]["owner"]) == (
        "proposal", "2027-01-15", "Maria"
    )  # fmt: skip
    assert (rows["Boxes"]["stage"], rows["Boxes"]["value"]) == ("negotiation", 12000)
    card = rapport(
        "chat",
        "--now",
        NOW,
        "--config",
        "rapport.toml",
        "--as",
        "Ana",
        cwd=tmp_path,
        stdin="show gamma\n",
    )
    assert "Big one" in card.stdout
