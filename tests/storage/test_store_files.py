"""The store's files: private whatever the umask, restore that can't eat the store, and
one-line errors where a full disk, a bad --out or bad input used to print a traceback."""

from __future__ import annotations

import errno
import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from storage.engine.db import Database
from storage.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`rapport` in-process in an empty folder: no config, the login is the admin."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RAPPORT_CONFIG", raising=False)
    return tmp_path


@pytest.fixture(params=[0o000, 0o022])
def open_umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _modes(folder: Path) -> dict[str, int]:
    found = {folder.name: stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.stat().st_mode)
    return found


def _chat(lines: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    return main(["chat", "--data", "data", "--now", "2026-11-25T14:37"])


def test_store_and_backup_are_private_whatever_the_umask(
    cli: Path, open_umask: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _chat("add customer Acme email:a@acme.example\n", monkeypatch) == 0
    assert main(["backup", "bk", "--data", "data"]) == 0
    for folder in (cli / "data", cli / "bk"):
        modes = _modes(folder)
        assert "journal.log" in modes and "parties" in modes
        for name, mode in modes.items():
            is_dir = (folder.parent / folder.name / name).is_dir() or name == folder.name
            assert mode == (0o700 if is_dir else 0o600), (folder.name, name, oct(mode))


def test_a_restored_store_is_private(cli: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _chat("add customer Acme\n", monkeypatch) == 0
    assert main(["backup", "bk", "--data", "data"]) == 0
    for path in (cli / "bk", *(cli / "bk").rglob("*")):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)  # a backup copied by other means
    assert main(["restore", "bk", "--data", "data"]) == 0
    modes = _modes(cli / "data")
    assert set(modes.values()) <= {0o700, 0o600} and modes["data"] == 0o700


def test_an_old_world_readable_store_folder_is_closed_on_open(cli: Path) -> None:
    (cli / "data").mkdir(mode=0o755)
    os.chmod(cli / "data", 0o755)
    Store(cli / "data").close()
    assert stat.S_IMODE((cli / "data").stat().st_mode) == 0o700


@pytest.mark.parametrize("source", ["data", "data/inner", "."])
def test_restore_refuses_the_live_store_itself_or_a_folder_around_it(
    cli: Path, source: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _chat("add customer Acme\n", monkeypatch) == 0
    assert main(["backup", "data/inner", "--data", "data"]) == 0
    before = sorted(p.name for p in cli.iterdir())
    assert main(["restore", source, "--data", "data"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("rapport: ") and "\n" not in error and "Traceback" not in error
    assert sorted(p.name for p in cli.iterdir()) == before
    with Store(cli / "data", readonly=True) as store:
        assert store.parties.count() == 1


@pytest.mark.parametrize("out", ["missing/e.csv", "."])
def test_export_to_a_missing_folder_or_a_folder_is_one_line(
    cli: Path, out: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _chat("add customer Acme\n", monkeypatch) == 0
    capsys.readouterr()
    assert main(["export", "parties", "--data", "data", "--out", out]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"rapport: --out {out}: ") and "\n" not in error


def test_a_full_disk_at_exit_is_one_line(
    cli: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(_db: Database) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "data/parties/0.json.tmp")

    monkeypatch.setattr(Database, "checkpoint", full)
    assert _chat("add customer Acme\n", monkeypatch) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("rapport: ") and "No space left on device" in error
    assert "\n" not in error and "Traceback" not in error
    monkeypatch.undo()
    with Store(cli / "data", readonly=True) as store:  # the journal kept the change
        assert store.parties.count() == 1


def test_invalid_utf8_on_stdin_is_one_line_and_the_good_lines_are_kept(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--data", "data"],
        cwd=tmp_path,
        input=b"add customer Acme\nadd customer \xff\xfe Bad\nadd customer Zeta\n",
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"},
    )
    err = done.stderr.decode()
    assert "Traceback" not in err, err
    assert "not UTF-8" in err and len(err.strip().splitlines()) == 1
    with Store(tmp_path / "data", readonly=True) as store:
        assert sorted(p.name for p in store.parties.all()) == ["Acme", "Zeta"]
