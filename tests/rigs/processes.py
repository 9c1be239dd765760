"""`rapport run` as a subprocess against local fakes: its config, its log lines, its stop."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
BOB, MARIA = 1002, 1003
ANA_SLACK = "U0ANA0001"
HIDDEN_ENV = ("RAPPORT_CONFIG", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


def team_toml(store: Path, health_port: int = 0) -> str:
    return f"""
[store]
path = "{store}"

[health]
port = {health_port}

[defaults]
timezone = "Europe/Berlin"

[[people]]
name = "Bob"
role = "buyer"
telegram = {BOB}
manager = "Maria"
notify = "telegram"

[[people]]
name = "Maria"
role = "manager"
telegram = {MARIA}

[[people]]
name = "Ana"
role = "rep"
slack = "{ANA_SLACK}"
manager = "Maria"
"""


def slack_toml(api_url: str) -> str:
    return f"""
[slack]
mode = "socket"
bot_token = "env:SLACK_BOT_TOKEN"
app_token = "env:SLACK_APP_TOKEN"
api_url = "{api_url}"
"""


def telegram_toml(api: FakeBotAPI, mode: str = "polling", port: int = 0) -> str:
    webhook = "https://bot.example.com/telegram"
    extra = f'webhook_url = "{webhook}"\nsecret_token = "env:TG_SECRET"\nport = {port}\n'
    return f"""
[telegram]
mode = "{mode}"
token = "env:TELEGRAM_BOT_TOKEN"
base_url = "{api.base_url}"
{extra if mode == "webhook" else ""}"""


class Rapport:
    """One `rapport run` process: started, read line by line, stopped with a signal."""

    def __init__(self, config: Path, env: dict[str, str], now: str | None = None) -> None:
        self.config = config
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
        for name in HIDDEN_ENV:
            self.env.pop(name, None)
        self.now = now
        self.lines: list[str] = []
        self._new_line = asyncio.Event()
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> Rapport:
        args = [sys.executable, "-m", "bot", "run", "--config", str(self.config)]
        args += ["--now", self.now] if self.now else []
        self.process = await asyncio.create_subprocess_exec(
            *args, cwd=ROOT, env=self.env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))
            self._new_line.set()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_line(self, text: str, timeout: float = 40) -> str:
        """The first output line containing `text`."""

        async def seen() -> str:
            while True:
                found = next((line for line in self.lines if text in line), None)
                if found is not None:
                    return found
                if self.process is not None and self.process.returncode is not None:
                    raise AssertionError(f"rapport ended before {text!r}:\n{self.output}")
                self._new_line.clear()
                await self._new_line.wait()

        try:
            return await asyncio.wait_for(seen(), timeout)
        except TimeoutError:
            raise AssertionError(f"no line with {text!r} in:\n{self.output}") from None

    async def exit_code(self, timeout: float = 40) -> int:
        assert self.process is not None and self._reader is not None
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._reader
        return code

    async def stop(self, signum: int = signal.SIGTERM) -> int:
        """Send a signal and wait for the exit code."""
        assert self.process is not None
        self.process.send_signal(signum)
        return await self.exit_code()

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


def token_env(token: str = TOKEN) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": token}
