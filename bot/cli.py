"""The `rapport` command: chat, export, check, backup."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot import app as composition
from bot.config import DEFAULT_FILE, Config, ConfigError, default_config, load_config
from bot.console import Console, terminal_lines
from bot.dispatch import moment_from
from bot.progress import ProgressBar
from handlers.context import Team
from handlers.exchange import deal_import, exports, imports, sources
from handlers.exchange.spreadsheet import incoming_cell
from storage.checks import check_store
from storage.errors import StoreError
from storage.models import Person
from storage.people import differences
from storage.private import narrow_tree
from storage.store import COLLECTIONS, Store, is_database_url
from storage.unit_of_work import Actor


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
    except OSError as error:  # a full disk, a folder that vanished: one line, no traceback
        print(f"rapport: {os_problem(error)}", file=sys.stderr)
        return 2


def os_problem(error: OSError) -> str:
    """'No space left on device: data/parties/0.json.tmp'."""
    what = error.strerror or str(error)
    return f"{what}: {error.filename}" if error.filename else what


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
    load = command("import", import_command, "bulk import customers, suppliers, contacts, deals")
    load.add_argument("kind", choices=(*imports.KINDS, "deals"))
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
    clock = _clock(args.now, config.team.timezone)
    app = composition.build(config, clock)
    try:
        person = _who(app.router.team, args.person)
        console = Console(app.router, person, clock, pending=app.scheduler.at_prompt)
        interactive = sys.stdin.isatty()
        console.run(terminal_lines() if interactive else utf8_lines(sys.stdin), interactive)
    finally:
        app.close()
    return 0


def utf8_lines(stream: IO[str]) -> Iterator[str]:
    """Piped input line by line; a line that is not UTF-8 is skipped with one line on stderr."""
    raw = getattr(stream, "buffer", None)
    if raw is None:  # already text (a test's StringIO)
        yield from stream
        return
    for number, line in enumerate(raw, 1):
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            print(f"rapport: input line {number} is not UTF-8; skipped", file=sys.stderr)


def run_command(args: argparse.Namespace) -> int:
    from bot.run import run  # the platforms' libraries load only when serving

    return run(config_from(args), args.now)


def _who(team: Team, name: str | None) -> Person:
    """The person at the terminal: --as, else the login's name, else the only person."""
    people = team.members()
    if name:
        person = team.find(name)
        if person is None:
            raise UsageError(f"--as {name}: not on the team")
        return person
    person = team.find(getpass.getuser())
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
        try:
            Path(args.out).write_text(content, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"--out {args.out}: {error.strerror or error}") from None
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
        known = {p.handle for p in config.team.people} | {
            p.handle for p, _active, _source in store.people.stored()
        }
        problems = check_store(store, known)
        differ = differences(config.team.people, store.people.stored())
        where, schema = store.describe(), store.schema_version()
    for line in differ:  # a notice, not a fault: the next start writes the config's values
        print(f"people: {line}")
    for line in problems:
        print(f"store: {line}")
    if not problems:
        print(f"store: {where}: OK (schema version {schema})")
    return 1 if problems else 0


def backup_command(args: argparse.Namespace) -> int:
    config = config_from(args)
    dest = Path(args.dir or f"rapport-backup-{datetime.now():%Y%m%d-%H%M%S}")
    with _open_readonly(config) as store:
        store.backup(dest)
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
    target = config.store_path
    refuse_overlap(source, target)
    with Store(source, readonly=True) as backup:
        parties = backup.parties.count()
    aside = target.with_name(f"{target.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
    if target.exists():
        with Store(target):  # refuses, naming the owner, while the bot runs
            pass
        target.rename(aside)
    shutil.copytree(source, target)
    narrow_tree(target)
    kept = f"; the old store is kept in {aside}" if aside.exists() else ""
    print(f"restored {source} ({parties} parties) into {target}{kept}")
    return 0


def refuse_overlap(source: Path, target: Path) -> None:
    """A restore moves the store aside first: its source must lie wholly outside the store."""
    here, there = source.resolve(), target.resolve()
    if here == there or there in here.parents:
        raise UsageError(
            f"{source} is the store {target} or inside it: restore from a backup kept elsewhere"
        )
    if here in there.parents:
        raise UsageError(f"{source} holds the store {target}: name the backup folder itself")


def migrate_command(args: argparse.Namespace) -> int:
    config = config_from(args)
    url = _database_url(args.to or config.store_url)
    source = Path(args.source) if args.source else config.store_path
    if not source.exists():
        raise UsageError(f"{source}: no store here to migrate")
    with Store(source, readonly=True) as store:
        total = sum(store.count(name) for name in COLLECTIONS)
        with ProgressBar(total, f"copying {source} into PostgreSQL") as bar:
            counts = store.copy_into(url, bar.advance)
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
    path = Path(args.file)
    try:
        table = sources.read_table(path.read_bytes())
    except OSError as error:
        raise UsageError(f"{path}: cannot read it ({error})") from None
    except sources.SourceProblem as problem:
        raise UsageError(f"{path}: {problem}") from None
    if args.kind == "deals":
        return import_deals(config, args.person, path, table, args.dry_run)
    app = composition.build(config)
    try:
        person = _who(app.router.team, args.person)
        try:
            prepared = sources.prepare(table, args.kind, app.router.team)
        except sources.SourceProblem as problem:
            raise UsageError(f"{path}: {problem}") from None
        actor = Actor(person.name, "terminal", datetime.now(UTC).isoformat())
        with ProgressBar(len(prepared.rows), f"importing {path.name}") as bar:
            report = imports.import_rows(
                app.store,
                app.router.team,
                actor,
                args.kind,
                prepared.rows,
                args.dry_run,
                bar.advance,
            )
    finally:
        app.close()
    if args.dry_run:
        print("dry run, nothing stored: " + "\n".join(report.lines() + prepared.mapping))
    else:
        print("\n".join(report.lines()))
    for line in prepared.notes:
        print(line)
    return 0


def import_deals(
    config: Config, who: str | None, path: Path, table: sources.Table, dry_run: bool
) -> int:
    """`rapport import deals FILE.csv`: our export's columns or a CRM's deal export."""
    mapping = deal_import.column_map(table.header)
    missing = [f for f in ("title", "party", "value") if f not in mapping.values()]
    if missing:
        header = ", ".join(table.header) or "nothing"
        raise UsageError(f"{path}: no {' or '.join(missing)} column (the header has {header})")
    rows = [
        (line, {mapping[k]: incoming_cell(v) for k, v in row.items() if k in mapping})
        for line, row in table.rows
    ]
    app = composition.build(config)
    try:
        person = _who(app.router.team, who)
        actor = Actor(person.name, "terminal", datetime.now(UTC).isoformat())
        with ProgressBar(len(rows), f"importing {path.name}") as bar:
            job = deal_import.DealImport(app.store, app.router.team, actor)
            report = job.run(rows, dry_run, bar.advance)
    finally:
        app.close()
    print(("dry run, nothing stored: " if dry_run else "") + "\n".join(report))
    return 0
