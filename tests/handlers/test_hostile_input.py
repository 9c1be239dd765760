"""Hostile text in and out: formulas in CSV, escapes in imports, look-alike names (issue 17)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from storage.store import Store
from storage.text import clean_line, match_form
from tests.conftest import Chat

FORMULAS = ("=HYPERLINK(http://evil.example)", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`rapport` in-process in an empty folder: no config, the login is the admin."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RAPPORT_CONFIG", raising=False)
    return tmp_path


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _seed(folder: Path, script: list[str]) -> None:
    from handlers.context import Team
    from handlers.reply import Message
    from handlers.router import Router
    from storage.models import Person
    from tests.conftest import NOW

    root = Person("Root", "admin")
    with Store(folder) as store:
        router = Router(store, Team(people=(root,)))
        for line in script:
            assert router.handle(Message(root, line, "terminal", NOW)).ok, line


def test_every_export_kind_neutralises_formulas(cli: Path) -> None:
    evil = "=HYPERLINK(1)"
    _seed(
        cli / "data",
        [
            f'add customer "{evil}" note:"+1" #x',
            f'log call with "{evil}" yesterday: {evil}',
            f'remind me tomorrow at 9 to "{evil}"',
            f'award "{evil}" 5 for {evil}',
        ],
    )
    for kind in ("parties", "interactions", "reminders", "points", "audit"):
        assert main(["export", kind, "--format", "csv", "--data", "data", "--out", "e.csv"]) == 0
        cells = [v for row in _csv(cli / "e.csv") for v in row.values() if v]
        assert cells, kind
        assert not [c for c in cells if c[0] in "=+-@\t\r"], kind
        assert kind == "audit" or any(c.startswith("'=HYPERLINK") for c in cells), kind


def test_formulas_survive_an_export_import_round_trip(cli: Path) -> None:
    names = [f"Co {n}" for n in range(len(FORMULAS))]
    script = [f'add customer "{n}" region:"{f}"' for n, f in zip(names, FORMULAS, strict=True)]
    script.append('add customer "\'Twas Ltd" region:"\'=already quoted"')
    _seed(cli / "data", script)
    assert main(["export", "customers", "--format", "csv", "--data", "data", "--out", "c.csv"]) == 0
    assert main(["import", "customers", "c.csv", "--data", "other"]) == 0
    with Store(cli / "other", readonly=True) as store:
        regions = {p.name: p.fields["region"] for p in store.parties.all()}
    expected = {n: " ".join(f.split()) for n, f in zip(names, FORMULAS, strict=True)}
    assert regions == {**expected, "'Twas Ltd": "'=already quoted"}


def test_aliases_with_commas_and_semicolons_survive_a_round_trip(cli: Path) -> None:
    _seed(
        cli / "data",
        [
            "add customer Acme",
            'alias Acme as "Acme, Inc."',
            'alias Acme as "A; B"',
            'alias Acme as "Acme Corp"',
        ],
    )
    assert main(["export", "customers", "--format", "csv", "--data", "data", "--out", "c.csv"]) == 0
    assert main(["import", "customers", "c.csv", "--data", "other"]) == 0
    with Store(cli / "other", readonly=True) as store:
        (acme,) = store.parties.all()
    assert acme.aliases == ("Acme, Inc.", "A; B", "Acme Corp")


def test_import_cleans_terminal_escapes_and_control_characters(cli: Path) -> None:
    fields = json.dumps({"note": "a\x1b]0;pwned\x07b"})
    (cli / "c.csv").write_text(
        "name,region,fields\n"
        f'"Evil\x1b[2J\x1b[31mCo\x07",EU\x1b[0m\x00,"{fields.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8",
    )
    assert main(["import", "customers", "c.csv", "--data", "data"]) == 0
    with Store(cli / "data", readonly=True) as store:
        (party,) = store.parties.all()
    assert party.name == "EvilCo"
    assert party.fields == {"region": "EU", "note": "ab"}


def test_chat_and_import_clean_text_by_the_same_rule(chat: Chat) -> None:
    chat("add customer Bad\x1b[31mName\x1b]8;;http://x\x1b\\ Co")
    assert [p.name for p in chat.router.store.parties.all()] == ["BadName Co"]
    assert clean_line("a\x9b31mb\u0085c\ud800") == "ab c\ufffd"


@pytest.mark.parametrize(
    "twin",
    ["Ac\u200bme", "\u200eAcme", "Acme\u2069", "Ａｃｍｅ", "Ac\u00adme", "\ufeffAcme"],
)
def test_look_alike_twins_are_the_same_party(chat: Chat, twin: str) -> None:
    chat("add customer Acme")
    reply = chat(f'add customer "{twin}"')
    assert not reply.ok and "already a customer" in reply.title
    assert chat.router.store.parties.count() == 1
    assert chat(f'show "{twin}"').title.startswith("Acme")


def test_names_are_shown_as_typed_but_matched_normalised(chat: Chat) -> None:
    chat("add customer Ｚｅｔａ Ｃｏ")
    assert chat.router.store.parties.named("zeta co")[0].name == "Ｚｅｔａ Ｃｏ"
    assert match_form("Ｚｅｔａ\u200d") == "Zeta"
