"""Three `rapport run` workers on one PostgreSQL database, behind a round-robin "balancer".

300 Slack commands are spread over them, 50 reminders fall due meanwhile, and one worker is
killed with SIGKILL half-way. Every acknowledged change must be stored exactly once, every
reminder sent once (none twice), and the survivors take over what the dead one had.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from storage.checks import check_store
from storage.reminders import UNCONFIRMED, Reminder
from storage.store import Store
from storage.unit_of_work import Actor
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
from tests.fakes.telegram_api import FakeBotAPI
from tests.rigs.postgres_server import free_port
from tests.rigs.processes import Rapport, team_toml, telegram_toml, token_env
from tests.rigs.slack_rig import SECRET, fixture, http_body, signed_headers
from tests.rigs.telegram_rig import api_fixture  # noqa: F401

WORKERS, COMMANDS, REMINDERS, IN_FLIGHT = 3, 300, 50, 6
PACE = 0.1  # seconds between one person's commands: 300 take about 5 s, the reminders 4 s
ANA, ANA_DM = "U0ANA0001", "D0ANA0001"


def worker_toml(url_env: str, api_url: str, port: int, health: int) -> str:
    return f"""
[store]
url = "env:{url_env}"

[health]
port = {health}

[defaults]
timezone = "Europe/Berlin"

[[people]]
name = "Ana"
role = "manager"
slack = "{ANA}"

[slack]
mode = "http"
bot_token = "env:SLACK_BOT_TOKEN"
signing_secret = "env:SLACK_SIGNING_SECRET"
port = {port}
api_url = "{api_url}"
"""


class Balancer:
    """Sends each command to the next live worker; a refused connection goes to another."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.dead: set[int] = set()
        self._turn = itertools.count()

    async def send(self, session: aiohttp.ClientSession, number: int, text: str) -> None:
        payload = fixture("message_im")
        payload["event_id"] = f"Ev0W{number:05d}"
        payload["event"].update(
            text=text, user=ANA, channel=ANA_DM, ts=f"1764078{number:05d}.000100"
        )
        body, kind = http_body("events_api", payload)
        for attempt in range(6):
            port = self._next()
            headers = {"Content-Type": kind, **signed_headers(body)}
            if attempt:
                headers |= {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "timeout"}
            try:
                url = f"http://127.0.0.1:{port}/slack/events"
                async with session.post(url, data=body.encode(), headers=headers) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                self.dead.add(port)
        raise AssertionError(f"no worker took command {number}")

    def _next(self) -> int:
        live = [p for p in self.ports if p not in self.dead]
        return live[next(self._turn) % len(live)]


def reminder_doc(n: int, due: datetime) -> Reminder:
    at = datetime.now(UTC).isoformat()
    return Reminder(0, "Ana", f"ping r{n}", due.isoformat(), "Ana", at)


async def test_three_workers_one_killed_lose_nothing_and_send_nothing_twice(
    pg_url: str, tmp_path: Path
) -> None:
    fake = await FakeSlack().start()
    env = {"RAPPORT_DB": pg_url, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    ports = [free_port() for _ in range(WORKERS)]
    workers = []
    for n, port in enumerate(ports):
        config = tmp_path / f"worker{n}.toml"
        config.write_text(worker_toml("RAPPORT_DB", fake.api_url, port, free_port()))
        workers.append(Rapport(config, env))
    try:
        await asyncio.gather(*(w.start() for w in workers))
        await asyncio.gather(*(w.wait_for_line("scheduler: ready", 90) for w in workers))
        with Store(pg_url) as store:  # the reminders fall due while the commands run
            start = datetime.now(UTC) + timedelta(seconds=0.5)
            actor = Actor("Ana", "terminal", start.isoformat())
            with store.change(actor, "Fifty reminders") as change:
                for n in range(REMINDERS):
                    change.add(reminder_doc(n, start + timedelta(seconds=n / 12)))
        balancer = Balancer(ports)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for number in range(COMMANDS):
            queue.put_nowait(number)

        async def client() -> None:
            async with aiohttp.ClientSession() as session:
                while not queue.empty():
                    number = queue.get_nowait()
                    if number == COMMANDS // 2:
                        await workers[1].kill()  # SIGKILL, whatever it is doing
                    await balancer.send(session, number, command(number))
                    await asyncio.sleep(PACE)

        killed = f"-{workers[1].process.pid}-" if workers[1].process else "?"
        await asyncio.gather(*(client() for _ in range(IN_FLIGHT)))
        await wait_until_settled(pg_url, fake)
        with Store(pg_url) as store:
            assert claims_by(store, killed) > 0, "the killed worker never sent a reminder"
            assert_every_acknowledged_change_is_stored_once(store, fake)
            assert_every_reminder_is_sent_once(store, fake)
            assert check_store(store, ["Ana"]) == []
    finally:
        for worker in workers:
            await worker.kill()
        await fake.stop()


def command(number: int) -> str:
    """Mostly logs and awards on a few parties (contention), some new parties."""
    party = f"Party{number % 7}"
    if number < 7:
        return f"add customer {party}"
    if number % 3 == 0:
        return f"award {party} 1 for m{number}"
    if number % 10 == 1:
        return f"add customer New{number}"
    return f"log call with {party}: m{number}"


async def wait_until_settled(url: str, fake: FakeSlack, timeout: float = 90) -> None:
    """Until every reminder is delivered (a dead worker's sends are settled within ~10 s)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        with Store(url, readonly=True) as store:
            if all(r.delivered_at for r in store.reminders.all()):
                await fake.settle(1.0)
                return
        await asyncio.sleep(1.0)
    raise AssertionError("reminders still undelivered")


def claims_by(store: Store, worker: str) -> int:
    """How many sends the worker marked as its own (the audit keeps every mark)."""
    return sum(
        1
        for _, entry in store.audit.all()
        for change in entry["changes"]
        if worker in ((change.get("after") or {}).get("sending_by") or "")
    )


def acknowledged(fake: FakeSlack) -> dict[str, str]:
    """The markers of commands whose reply reached Ana, with the reply."""
    replies = {}
    for post in fake.called("chat.postMessage"):
        for marker in re.findall(r"\b(m\d+|New\d+)\b", post.get("text", "")):
            replies.setdefault(marker, post["text"])
    return replies


def assert_every_acknowledged_change_is_stored_once(store: Store, fake: FakeSlack) -> None:
    notes = [i.notes for i in store.interactions.all()]
    reasons = [e.reason for e in store.ledger.all()]
    names = [p.name for p in store.parties.all()]
    stored = notes + reasons + names
    acked = acknowledged(fake)
    assert len(acked) >= COMMANDS * 0.6, f"only {len(acked)} replies"
    for marker, reply in acked.items():
        if "Already done" in reply:
            continue
        assert stored.count(marker) == 1, (marker, reply)
    assert len(stored) == len(set(stored)), "a change was stored twice"


def assert_every_reminder_is_sent_once(store: Store, fake: FakeSlack) -> None:
    texts = [p.get("text", "") for p in fake.called("chat.postMessage")]
    unconfirmed = 0
    for reminder in store.reminders.all():
        sent = sum(1 for text in texts if re.search(rf"\b{reminder.text}\b", text))
        assert sent <= 1, f"{reminder.text} was sent {sent} times"
        assert reminder.delivered_at, reminder
        if reminder.delivered_ref == UNCONFIRMED:
            unconfirmed += 1  # the killed worker marked it and died before recording it
        else:
            assert sent == 1, f"{reminder.text} recorded as sent but never reached Slack"
    assert unconfirmed <= 1


async def test_one_worker_polls_telegram_and_another_takes_over_when_it_dies(
    pg_url: str, tmp_path: Path, api: FakeBotAPI
) -> None:
    workers = []
    for n in range(2):
        config = tmp_path / f"poller{n}.toml"
        toml = team_toml(tmp_path / "unused", 0).replace(
            f'path = "{tmp_path / "unused"}"', 'url = "env:RAPPORT_DB"'
        )
        config.write_text(toml + telegram_toml(api))
        workers.append(Rapport(config, {**token_env(), "RAPPORT_DB": pg_url}))
    try:
        await asyncio.gather(*(w.start() for w in workers))
        said = [await w.wait_for_line("telegram: ready", 90) for w in workers]
        standing_by = ["standing by" in line for line in said]
        assert sorted(standing_by) == [False, True], said
        poller, other = (workers[0], workers[1]) if standing_by[1] else (workers[1], workers[0])
        await api.push(api.updates.text("add supplier GreenPack"))
        await api.wait_for("sendMessage")
        await poller.kill()
        started = asyncio.get_running_loop().time()
        await other.wait_for_line("telegram: this worker polls now", 40)
        assert asyncio.get_running_loop().time() - started < 30
        await api.push(api.updates.text("add supplier BluePack"))
        await api.wait_for("sendMessage", count=2, timeout=30)
        assert "BluePack" in api.calls_to("sendMessage")[-1]["text"]
    finally:
        for worker in workers:
            await worker.kill()
    with Store(pg_url, readonly=True) as store:
        assert sorted(p.name for p in store.parties.all()) == ["BluePack", "GreenPack"]
