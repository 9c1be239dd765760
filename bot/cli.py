"""The `rapport` command: chat, export, check, backup."""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import logging
import os
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import app as composition
from bot.config import DEFAULT_FILE, Config, ConfigError, default_config, load_config
from bot.console import Console, terminal_lines
from bot.dispatch import moment_from
from bot.progress import ProgressBar
from handlers import exports, imports
from storage.checks import check_store
from storage.db import StoreError
from storage.engine import is_database_url
from storage.models import Person
from storage.store import COLLECTIONS, Actor, Store


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rapport` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except (ConfigError, StoreError, UsageError) as error:
        print(f"rapport: {error}", file=sys.stderr)
        return 2


class UsageError(Exception):
    """The command line asks for something that cannot be done; the message says why."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rapport", description="Chat-first relationships.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, func: Callable[[argparse.Namespace], int], text: str) -> Any:
        parser = commands.add_parser(name, help=text)
        _common(parser)
        parser.set_defaults(func=func)
        return parser

    chat = command("chat", chat_command, "talk to Rapport in the terminal")
    chat.add_argument("--as", dest="person", help="who you are (a name from the config)")
    chat.add_argument("--now", help="fix the clock, ISO 8601 (for demos and scripts)")
    run = command("run", run_command, "serve Slack, Telegram and the reminder scheduler")
    run.add_argument("--now", help="start the clock here, ISO 8601; it then runs on (demos)")
    export = command("export", export_command, "write parties, interactions… as JSONL or CSV")
    export.add_argument("kind", choices=exports.KINDS)
    export.add_argument("--format", choices=exports.FORMATS, default="jsonl")
    export.add_argument("--out", help="file to write (default: standard output)")
    command("check", check_command, "validate the config and the store")
    backup = command("backup", backup_command, "a consistent copy of the store")
    backup.add_argument("dir", nargs="?", help="where (default: rapport-backup-<time>)")
    restore = command("restore", restore_command, "put a backup back (not while in use)")
    restore.add_argument("dir", help="a folder made by rapport backup")
    migrate = command("migrate", migrate_command, "copy the embedded store into PostgreSQL")
    migrate.add_argument(
        "--to", help="postgresql:// URL or env:NAME (default: the config's [store] url)"
    )
    migrate.add_argument("--from", dest="source", help="store folder (default: [store] path)")
    load = command("import", import_command, "bulk import customers, suppliers or contacts")
    load.add_argument("kind", choices=imports.KINDS)
    load.add_argument("file", help="a CSV file with a header row")
    load.add_argument("--dry-run", action="store_true", help="check and report, store nothing")
    load.add_argument("--as", dest="person", help="who imports (recorded in the audit log)")
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", help=f"config file (default: ${{RAPPORT_CONFIG}} or ./{DEFAULT_FILE})"
    )
    parser.add_argument("--data", help="store folder (overrides the config)")


def config_from(args: argparse.Namespace) -> Config:
    """The config named on the command line, else $RAPPORT_CONFIG or ./rapport.toml, else none."""
    path = args.config or os.environ.get("RAPPORT_CONFIG")
    if not path and Path(DEFAULT_FILE).exists():
        path = DEFAULT_FILE
    config = load_config(path) if path else default_config()
    if getattr(args, "data", None):
        config = Config(**{**config.__dict__, "store_path": Path(args.data), "store_url": ""})
    return config


def chat_command(args: argparse.Namespace) -> int:
    config = config_from(args)
    person = _who(config, args.person)
    clock = _clock(args.now, config.team.timezone)
    app = composition.build(config, clock)
    try:
        console = Console(app.router, person, clock, pending=app.scheduler.at_prompt)
        interactive = sys.stdin.isatty()
        console.run(terminal_lines() if interactive else sys.stdin, interactive)
    finally:
        app.close()
    return 0


def run_command(args: argparse.Namespace) -> int:
    from bot.run import run  # the platforms' libraries load only when serving

    return run(config_from(args), args.now)


def _who(config: Config, name: str | None) -> Person:
    """The person at the terminal: --as, else the login's name, else the only person."""
    people = config.team.people
    if name:
        person = config.team.find(name)
        if person is None:
            raise UsageError(f"--as {name}: not in the config's people")
        return person
    person = config.team.find(getpass.getuser())
    if person is not None:
        return person
    if len(people) == 1:
        return people[0]
    names = ", ".join(p.name for p in people) or "(nobody is listed)"
    raise UsageError(f"say who you are with --as NAME; the config lists {names}")


def _clock(now: str | None, zone: str) -> Callable[[], datetime]:
    """The system clock, or the fixed moment `--now` names."""
    if not now:
        return lambda: datetime.now(UTC)
    try:
        moment = moment_from(now, zone)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return lambda: moment


def _open_readonly(config: Config) -> Store:
    if not config.store_url and not config.store_path.exists():
        raise UsageError(f"{config.store_path}: no store here")
    return Store(config.store_location, readonly=True)


def export_command(args: argparse.Namespace) -> int:
    config = config_from(args)
    with _open_readonly(config) as store:
        found = exports.rows(
            store, args.kind, ZoneInfo(config.team.timezone), config.team.policy, datetime.now(UTC)
        )
        content = exports.render(found, args.format)
    if args.out:
        Path(args.out).write_text(content, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(content)
    return 0


def check_command(args: argparse.Namespace) -> int:
    config = config_from(args)
    print(f"config: {config.source or 'none (defaults)'}: OK, {len(config.team.people)} people")
    if not config.store_url and not config.store_path.exists():
        print(f"store: {config.store_path}: not created yet")
        return 0
    with _open_readonly(config) as store:
        problems = check_store(store, {p.handle for p in config.team.people})
        where, schema = store.db.describe(), store.db.schema_version()
    for line in problems:
        print(f"store: {line}")
    if not problems:
        print(f"store: {where}: OK (schema version {schema})")
    return 1 if problems else 0


def backup_command(args: argparse.Namespace) -> int:
    config = config_from(args)
    dest = Path(args.dir or f"rapport-backup-{datetime.now():%Y%m%d-%H%M%S}")
    with _open_readonly(config) as store:
        store.db.backup(dest)
    print(f"backed up {config.store_location} to {dest}")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    config = config_from(args)
    if config.store_url:
        raise UsageError(
            "the store is in PostgreSQL: restore the database with its own tools, or copy a "
            "backup in with `rapport migrate --from DIR --to URL`"
        )
    source = Path(args.dir)
    with Store(source, readonly=True) as backup:
        parties = backup.parties.count()
    target = config.store_path
    aside = target.with_name(f"{target.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
    if target.exists():
        with Store(target):  # refuses, naming the owner, while the bot runs
            pass
        target.rename(aside)
    shutil.copytree(source, target)
    kept = f"; the old store is kept in {aside}" if aside.exists() else ""
    print(f"restored {source} ({parties} parties) into {target}{kept}")
    return 0


def migrate_command(args: argparse.Namespace) -> int:
    from storage.pg_copy import copy_store  # psycopg loads only when used

    config = config_from(args)
    url = _database_url(args.to or config.store_url)
    source = Path(args.source) if args.source else config.store_path
    if not source.exists():
        raise UsageError(f"{source}: no store here to migrate")
    with Store(source, readonly=True) as store:
        total = sum(store.db.count(name) for name in COLLECTIONS)
        with ProgressBar(total, f"copying {source} into PostgreSQL") as bar:
            counts = copy_store(store.db, COLLECTIONS, url, bar.advance)
    shown = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    print(f"migrated {sum(counts.values())} documents ({shown or 'none'}); counts checked")
    print("next: set [store] url to this database and start the workers")
    return 0


def _database_url(value: str) -> str:
    """A postgresql:// URL, given literally or as env:NAME."""
    if not value:
        raise UsageError("say where to: --to postgresql://… (or env:NAME), or set [store] url")
    if value.startswith("env:"):
        name, value = value, os.environ.get(value[4:], "")
        if not value:
            raise UsageError(f"--to {name}: that environment variable is not set")
    if not is_database_url(value):
        raise UsageError("--to: a postgresql:// URL")
    return value


def import_command(args: argparse.Namespace) -> int:
    config = config_from(args)
    person = _who(config, args.person)
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read it ({error})") from None
    reader = csv.DictReader(io.StringIO(text))
    mapping = imports.column_map(reader.fieldnames or [], args.kind)
    if "name" not in mapping.values():
        raise UsageError(
            f"{path}: no name column (the header has {', '.join(mapping) or 'nothing'})"
        )
    rows = [
        (n + 2, {mapping[k]: v for k, v in row.items() if k in mapping})
        for n, row in enumerate(reader)
    ]
    actor = Actor(person.name, "terminal", datetime.now(UTC).isoformat())
    app = composition.build(config)
    try:
        with ProgressBar(len(rows), f"importing {path.name}") as bar:
            report = imports.import_rows(
                app.store, config.team, actor, args.kind, rows, args.dry_run, bar.advance
            )
    finally:
        app.close()
    print(("dry run, nothing stored: " if args.dry_run else "") + "\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
