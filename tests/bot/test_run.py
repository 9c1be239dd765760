"""`rapport run`: starts what the config names, says when it is ready, stops cleanly, or why not."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.run import Redact, serve
from storage.store import Store
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.rigs.processes import BOB, Rapport, team_toml, telegram_toml, token_env
from tests.rigs.telegram_rig import api_fixture  # noqa: F401


def config_file(tmp_path: Path, *tables: str) -> Path:
    path = tmp_path / "rapport.toml"
    path.write_text(team_toml(tmp_path / "data") + "".join(tables), encoding="utf-8")
    return path


async def test_run_serves_telegram_until_sigint(tmp_path: Path, api: FakeBotAPI) -> None:
    rapport = await Rapport(config_file(tmp_path, telegram_toml(api)), token_env()).start()
    try:
        ready = await rapport.wait_for_line("telegram: ready")
        assert "@RapportBot" in ready and "polling" in ready
        await api.push(api.updates.text("add supplier GreenPack"))
        await api.wait_for("sendMessage")
        assert await rapport.stop(signal.SIGINT) == 0
    finally:
        await rapport.kill()
    assert "stopped; the store is closed" in rapport.output
    assert TOKEN not in rapport.output
    with Store(tmp_path / "data") as store:  # the lock is free again and the change is kept
        assert [p.name for p in store.parties.all()] == ["GreenPack"]


async def test_a_missing_token_is_named(tmp_path: Path, api: FakeBotAPI) -> None:
    rapport = await Rapport(config_file(tmp_path, telegram_toml(api)), {}).start()
    rapport.env.pop("TELEGRAM_BOT_TOKEN", None)
    code = await rapport.exit_code()
    assert code == 2
    assert "telegram.token: environment variable TELEGRAM_BOT_TOKEN is not set" in rapport.output


async def test_a_rejected_token_stops_the_start_with_a_clear_message(
    tmp_path: Path, api: FakeBotAPI
) -> None:
    wrong = TOKEN.replace("AAH", "XYZ")
    rapport = await Rapport(config_file(tmp_path, telegram_toml(api)), token_env(wrong)).start()
    assert await rapport.exit_code() == 2
    assert "rejected the bot token" in rapport.output
    assert wrong not in rapport.output and "Traceback" not in rapport.output
    Store(tmp_path / "data").close()  # the store was closed: its lock is free


async def test_nothing_to_serve_is_said(tmp_path: Path) -> None:
    rapport = await Rapport(config_file(tmp_path), {}).start()
    assert await rapport.exit_code() == 2
    assert "nothing to serve" in rapport.output


async def test_serve_in_webhook_mode_on_one_loop(tmp_path: Path, api: FakeBotAPI) -> None:
    from tests.bot.telegram.test_webhook import free_port, post

    port = free_port()
    path = config_file(tmp_path, telegram_toml(api, "webhook", port))
    config = load_config(path, env={"TELEGRAM_BOT_TOKEN": TOKEN, "TG_SECRET": "hush-123"})
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(config, stop=stop))
    await api.wait_for("setWebhook")
    hook = f"http://127.0.0.1:{port}/telegram"
    for _try in range(50):  # the listener opens just after the webhook is registered
        try:
            status = await post(hook, api.updates.text("whoami"), "hush-123")
            break
        except OSError:
            await asyncio.sleep(0.05)
    assert status == 200
    await api.wait_for("sendMessage")
    assert api.sent_to(BOB)[-1]["text"].startswith("You are Bob")
    stop.set()
    await asyncio.wait_for(serving, 10)


def test_secrets_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "HTTP Request: POST %s",
        (f"https://x/bot{TOKEN}/getMe",),
        None,
    )
    Redact([TOKEN]).filter(record)
    assert record.getMessage() == "HTTP Request: POST https://x/bot***/getMe"


def test_an_unknown_mode_is_a_config_error(tmp_path: Path, api: FakeBotAPI) -> None:
    path = config_file(tmp_path, telegram_toml(api).replace('"polling"', '"carrier-pigeon"'))
    with pytest.raises(ConfigError, match="telegram.mode"):
        load_config(path, env=token_env())
