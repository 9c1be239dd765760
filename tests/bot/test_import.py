"""Bulk import from CSV: header mapping, dry run, matching existing parties, and a report."""

from __future__ import annotations

from pathlib import Path

from tests.rigs.cli import NOW, chatting, rapport

CSV = """Company,E-mail,Phone,Tags,Category,Owner,Payment Terms
Acme Corp,sales@acme.example,+49 30 1,#enterprise;#eu,industrial,,30 days
Green Pack,bad-address,,eco,packaging,,
,nobody@x.example,,,,,
Zeta Ltd,,,,,Mallory,
acme corp,,+49 30 2,vip,,,45 days
"""


def test_import_maps_columns_matches_duplicates_and_reports(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CSV)
    dry = rapport("import", "customers", "c.csv", "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("dry run, nothing stored: 1 added, 1 updated, 3 skipped")
    done = rapport("import", "customers", "c.csv", cwd=tmp_path)
    assert "1 added, 1 updated, 3 skipped" in done.stdout
    assert "line 3: “bad-address” is not an e-mail address" in done.stdout
    assert "line 4: no name" in done.stdout
    assert "line 5: owner Mallory is not on the team" in done.stdout
    assert "importing c.csv [" in done.stderr and "100%" in done.stderr
    card = rapport("chat", "--now", NOW, cwd=tmp_path, stdin="show acme\n").stdout
    assert "Tags: #enterprise #eu #vip" in card
    assert "Phone: +49 30 2" in card and "Payment Terms: 45 days" in card


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    script = (
        "add supplier GreenPack #eco category:packaging email:a@gp.example owner:root\n"
        "add contact Jane at GreenPack title:CFO\nalias GreenPack as GP\n"
    )
    env = {"USER": "root", "LOGNAME": "root"}
    assert rapport("chat", "--now", NOW, cwd=tmp_path, stdin=script, env=env).returncode == 0
    exported = rapport("export", "suppliers", "--format", "csv", "--out", "s.csv", cwd=tmp_path)
    assert exported.returncode == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "s.csv").write_text((tmp_path / "s.csv").read_text())
    loaded = rapport("import", "suppliers", "s.csv", cwd=other, env=env)
    assert "1 added, 0 updated, 0 skipped" in loaded.stdout, loaded.stdout + loaded.stderr
    again = rapport("export", "suppliers", "--format", "csv", cwd=other).stdout
    original = (tmp_path / "s.csv").read_text()
    assert again == original


def test_restore_refuses_a_store_in_use_and_puts_a_backup_back(tmp_path: Path) -> None:
    assert rapport("chat", cwd=tmp_path, stdin="add customer Acme\n").returncode == 0
    assert rapport("backup", "bk", cwd=tmp_path).returncode == 0
    rapport("chat", cwd=tmp_path, stdin="add customer Zeta\n")
    with chatting(tmp_path):
        refused = rapport("restore", "bk", cwd=tmp_path)
        assert refused.returncode == 2 and "already open" in refused.stderr
    restored = rapport("restore", "bk", cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "before-restore" in restored.stdout
    names = rapport("export", "parties", cwd=tmp_path).stdout
    assert "Acme" in names and "Zeta" not in names
