"""`rapport run`'s /healthz and /readyz, as a load balancer or Kubernetes probes them."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp

from tests.fakes.telegram_api import FakeBotAPI
from tests.rigs.postgres_server import free_port
from tests.rigs.processes import Rapport, team_toml, telegram_toml, token_env
from tests.rigs.telegram_rig import api_fixture  # noqa: F401


async def probe(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


async def test_health_and_readiness_answer_once_serving(tmp_path: Path, api: FakeBotAPI) -> None:
    port = free_port()
    config = tmp_path / "rapport.toml"
    config.write_text(team_toml(tmp_path / "data", port) + telegram_toml(api))
    rapport = await Rapport(config, token_env()).start()
    try:
        said = await rapport.wait_for_line("health: /healthz and /readyz")
        assert f"on port {port}" in said
        await rapport.wait_for_line("scheduler: ready")
        assert await probe(port, "/healthz") == (200, "ok\n")
        assert await probe(port, "/readyz") == (200, "ready\n")
        assert (await probe(port, "/elsewhere"))[0] == 404
    finally:
        await rapport.kill()


async def test_a_health_port_in_use_stops_the_start_with_its_name(
    tmp_path: Path, api: FakeBotAPI
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "rapport.toml"
        config.write_text(team_toml(tmp_path / "data", port) + telegram_toml(api))
        rapport = await Rapport(config, token_env()).start()
        assert await rapport.exit_code() == 2
    assert f"health.port: cannot serve on port {port}" in rapport.output
    assert "Traceback" not in rapport.output
