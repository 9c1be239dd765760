"""A year of abuse, shortened: kill -9 mid-write, many threads at once, random commands."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from handlers.reply import Message
from handlers.router import Router
from storage.checks import check_store
from storage.store import Store
from tests.conftest import NOW, PEOPLE, Chat
from tests.rigs.cli import ROOT

ROUNDS = 30
SETUP = ["add supplier GreenPack", "add customer Acme"]


def writer_commands(round_no: int, count: int) -> list[str]:
    """Commands that each acknowledge one change with a unique marker the test can find."""
    kinds = [
        "log call with Acme: r{r} n{n}",
        "award GreenPack 1 for r{r} n{n}",
        "remind me tomorrow to check r{r} n{n}",
        "edit Acme marker:r{r}n{n}",
    ]
    return [kinds[n % len(kinds)].format(r=round_no, n=n) for n in range(count)]


def acknowledged(output: str) -> list[str]:
    """The markers of replies the writer printed completely (a change is acknowledged)."""
    markers = []
    lines = output.split("\n")[:-1]
    for line, following in zip(lines, lines[1:], strict=False):
        if line.startswith(("Logged", "Updated", "Awarded", "Reminder")):
            found = re.search(r"r\d+ ?n\d+", following + " " + line)
            if found:
                markers.append(found[0].replace(" ", ""))
    return markers


def markers_in(store: Store) -> set[str]:
    found = {i.notes.replace(" ", "") for i in store.interactions.all()}
    found |= {e.reason.replace(" ", "") for e in store.ledger.all()}
    found |= {r.text.removeprefix("check ").replace(" ", "") for r in store.reminders.all()}
    for _, entry in store.audit.all():
        for change in entry["changes"]:
            after = change.get("after") or {}
            marker = (after.get("fields") or {}).get("marker")
            if marker:
                found.add(marker)
    return found


def first_change(proc: subprocess.Popen[str]) -> str:
    """What the writer printed up to its first acknowledged change (all of it, at its end)."""
    assert proc.stdout is not None
    printed = ""
    while line := proc.stdout.readline():
        printed += line
        if line.startswith("Logged"):
            break
    return printed


def test_killed_writer_never_loses_an_acknowledged_change(tmp_path: Path) -> None:
    rng = random.Random()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "chat", "--data", str(tmp_path / "data")]
    subprocess.run(command, input="\n".join(SETUP) + "\n", text=True, env=env, check=True)
    acked: list[str] = []
    for round_no in range(ROUNDS):
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdin is not None
        proc.stdin.write("\n".join(writer_commands(round_no, 400)) + "\n")
        proc.stdin.flush()
        started = first_change(proc)  # killed while writing, however slow the start was
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        out = started + out
        assert "Traceback" not in err
        acked += acknowledged(out)
        with Store(tmp_path / "data", readonly=True) as view:
            missing = set(acked) - markers_in(view)
            assert not missing, f"round {round_no}: lost {sorted(missing)[:5]}"
    assert len(acked) > ROUNDS, "the writer barely ran"
    with Store(tmp_path / "data") as store:
        assert check_store(store, [p.name for p in PEOPLE]) == []


MIXED = ("log call with Acme: t{} n{}", "edit Acme #t{}n{}", "award GreenPack 1 for t{} n{}",
         "remind me tomorrow to call Acme t{} n{}", "show acme")  # fmt: skip


def test_eight_threads_of_mixed_commands_sum_exactly(chat: Chat) -> None:
    for line in SETUP:
        chat(line, as_="Maria")
    router: Router = chat.router
    errors: list[BaseException] = []

    def talk(person_index: int) -> None:
        person = PEOPLE[person_index % 4]
        try:
            for n in range(500):
                text = MIXED[n % len(MIXED)].format(person_index, n)
                reply = router.handle(Message(person, text, "terminal", NOW))
                assert reply.ok, reply.title
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=talk, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = router.store
    each = {kind: 8 * len(range(k, 500, len(MIXED))) for k, kind in enumerate(MIXED)}
    assert store.interactions.count_for(2) == each[MIXED[0]]
    assert len(store.parties.get(2).tags) == each[MIXED[1]]  # type: ignore[union-attr]
    assert store.ledger.balance(1) == each[MIXED[2]]
    assert sum(1 for r in store.reminders.all() if r.is_open) == each[MIXED[3]]
    changes = sum(v for k, v in each.items() if k != MIXED[4])
    assert sum(1 for _ in store.audit.all()) == len(SETUP) + changes
    assert check_store(store, [p.name for p in PEOPLE]) == []
