"""Reading the config: every key of the example, env: secrets, and errors that name the key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, default_config, load_config

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_APP_TOKEN": "xapp-1",
    "SLACK_SIGNING_SECRET": "s",
    "TELEGRAM_BOT_TOKEN": "123:abc",
    "TELEGRAM_SECRET_TOKEN": "t",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rapport.toml"
    path.write_text(text)
    return path


def test_the_example_config_loads_with_secrets_from_the_environment() -> None:
    config = load_config(ROOT / "config.example.toml", ENV)
    assert config.store_path == ROOT / "rapport-data"
    assert config.team.work_hour == time(9, 0) and config.team.date_order == "DMY"
    ana = config.team.find("@ana")
    assert ana is not None and ana.timezone == "America/New_York" and ana.manager == "Maria"
    assert config.slack is not None and config.slack.bot_token == "xoxb-1"
    assert config.telegram is not None and config.telegram.token == "123:abc"
    assert config.team.policy.award_limit == 100
    assert dict(config.team.policy.tiers)["gold"] == 2000
    assert config.team.policy.rewards[0].name == "priority review"


def test_a_missing_secret_names_the_key_and_variable() -> None:
    env = {k: v for k, v in ENV.items() if k != "TELEGRAM_BOT_TOKEN"}
    with pytest.raises(
        ConfigError, match="telegram.token: environment variable TELEGRAM_BOT_TOKEN"
    ):
        load_config(ROOT / "config.example.toml", env)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[slack]\nbot_token = "xoxb-in-the-file"\n', "slack.bot_token"),
        ('[defaults]\ntimezone = "Mars/Base"\n', "defaults.timezone"),
        ('[defaults]\nwork_hour = "9am"\n', "defaults.work_hour"),
        ('[[people]]\nname = "Ana"\nmanager = "Zed"\n', "people.Ana.manager"),
        ('[[people]]\nname = "Ana Maria"\n', "people.0.name"),
        ("[points]\naward_limit = -5\n", "points.award_limit"),
        ('[[rewards]]\nname = "x"\ncost = 5\nfor = "aliens"\n', "rewards.0.for"),
        ("not toml at all [", "not valid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(write(tmp_path, text), ENV)


def test_no_config_means_one_admin_named_after_the_login() -> None:
    config = default_config()
    [person] = config.team.people
    assert person.role == "admin"
    assert config.store_path == Path("rapport-data")


def test_deals_policies_and_contract_rewards_come_from_the_config(tmp_path: Path) -> None:
    policy = load_config(ROOT / "config.example.toml", ENV).team.policy
    assert policy.deals.currency == "EUR" and policy.deals.stale_days == 14
    assert dict(policy.deals.stages)["proposal"] == 0.5
    [eco] = policy.supplier_policies
    assert (eco.name, eco.category, eco.require) == ("eco packaging", "packaging", ("ISO 14001",))
    assert [r.kind for r in policy.rewards] == ["points", "contract"]
    custom = load_config(write(tmp_path, "[deals]\nstages = { intro = 0.2, offer = 0.6 }\n"))
    assert custom.team.policy.deals.stages == (
        ("intro", 0.2), ("offer", 0.6), ("won", 1.0), ("lost", 0.0)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[deals]\nstages = { lead = 2 }\n", "deals.stages.lead"),
        ('[deals]\ncurrency = "euro"\n', "deals.currency"),
        ('[[policies]]\nname = "x"\nrequire = []\ncategory = "a"\n', "policies.0.require"),
        ('[[policies]]\nname = "x"\nrequire = ["ISO"]\n', "policies.0"),
        ('[[rewards]]\nname = "x"\nkind = "trip"\n', "rewards.0.kind"),
    ],
)
def test_wrong_deal_and_policy_keys_are_named(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(write(tmp_path, text))
