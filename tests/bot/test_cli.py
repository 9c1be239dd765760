"""The `rapport` command as a newcomer and an admin use it, run as real processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.rigs.cli import CONFIG, NOW, chatting, rapport


def test_newcomer_chats_with_no_config(tmp_path: Path) -> None:
    done = rapport("chat", "--now", NOW, cwd=tmp_path, stdin="add customer Acme\nshow acme\n")
    assert done.returncode == 0, done.stderr
    assert "Added customer Acme (#1)." in done.stdout
    assert "Acme (#1)" in done.stdout
    assert (tmp_path / "rapport-data" / "journal.log").exists()


def test_numbered_choice_answers_the_question(tmp_path: Path) -> None:
    lines = "add customer Acme Logistics\nadd customer Acme Retail\nedit acme #vip\n2\n"
    done = rapport("chat", "--now", NOW, cwd=tmp_path, stdin=lines)
    assert "  1) Acme Logistics" in done.stdout and "  2) Acme Retail" in done.stdout
    assert "Updated Acme Retail: +#vip." in done.stdout


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    (tmp_path / "rapport.toml").write_text(CONFIG)
    script = "add supplier GreenPack #eco\nlog delivery from GreenPack yesterday: 2 pallets late\n"
    done = rapport("chat", "--as", "ana", "--now", NOW, cwd=tmp_path, stdin=script)
    assert done.returncode == 0, done.stderr
    assert "Logged delivery with GreenPack — Tue 24 Nov 2026, 09:00 CET." in done.stdout
    return tmp_path


def test_config_people_and_zones(configured: Path) -> None:
    done = rapport(
        "chat", "--as", "Maria", "--now", NOW, cwd=configured, stdin="history greenpack\n"
    )
    assert "Tue 24 Nov 2026, 03:00 EST · delivery by Ana: 2 pallets late" in done.stdout
    refused = rapport("chat", "--as", "Mallory", cwd=configured, stdin="")
    assert refused.returncode == 2 and "Mallory" in refused.stderr


def test_export_jsonl_has_the_stable_fields(configured: Path) -> None:
    done = rapport("export", "interactions", cwd=configured)
    assert done.returncode == 0, done.stderr
    [row] = [json.loads(line) for line in done.stdout.splitlines()]
    assert row == {
        "id": 1,
        "party": "GreenPack",
        "party_id": 1,
        "kind": "delivery",
        "at": "2026-11-24T09:00:00+01:00",
        "notes": "2 pallets late",
        "by": "Ana",
        "channel": "terminal",
        "follow_up": None,
        "files": [],
    }
    parties = rapport("export", "suppliers", "--format", "csv", "--out", "s.csv", cwd=configured)
    assert parties.returncode == 0
    assert (configured / "s.csv").read_text().startswith("id,name,aliases,roles,status")


def test_check_and_backup(configured: Path) -> None:
    check = rapport("check", cwd=configured)
    assert check.returncode == 0 and "OK" in check.stdout
    backup = rapport("backup", "copy", cwd=configured)
    assert backup.returncode == 0, backup.stderr
    again = rapport("export", "parties", "--data", str(configured / "copy"), cwd=configured)
    assert '"name": "GreenPack"' in again.stdout


def test_people_export_and_check_say_where_the_config_differs(configured: Path) -> None:
    script = "team add @jane as rep tz:Europe/Paris\nteam remove @jane\n"
    assert rapport("chat", "--as", "Maria", cwd=configured, stdin=script).returncode == 0
    people = rapport("export", "people", "--format", "csv", cwd=configured).stdout.splitlines()
    assert people[0] == "name,role,slack,telegram,manager,timezone,active"
    assert "Ana,rep,,,Maria,,True" in people and "jane,rep,,,Maria,Europe/Paris,False" in people
    config = configured / "rapport.toml"
    config.write_text(config.read_text().replace('role = "rep"', 'role = "buyer"'))
    check = rapport("check", cwd=configured)
    assert "people: Ana: the config says role buyer, the store says rep (the config wins)" in (
        check.stdout
    )


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    (tmp_path / "rapport.toml").write_text('[[people]]\nname = "Ana"\nrole = "boss"\n')
    done = rapport("check", cwd=tmp_path)
    assert done.returncode == 2
    assert "people.0.role" in done.stderr or "role" in done.stderr


def test_a_second_process_is_refused_while_export_still_reads(configured: Path) -> None:
    with chatting(configured, "--as", "ana") as first_reply:
        assert first_reply.startswith("You are Ana")
        second = rapport("chat", "--as", "ana", cwd=configured, stdin="whoami\n")
        assert second.returncode == 2
        assert "already open in process" in second.stderr
        export = rapport("export", "parties", cwd=configured)
        assert '"name": "GreenPack"' in export.stdout
