"""A CSV file as people bring it: the encoding (UTF-8 with or without BOM, UTF-16 from Excel,
Windows-1252/Latin-1) and the separator (`,`, `;` or tab) found out, the header row read, and
the rows prepared for `imports.import_rows`, by a CRM's layout when one is recognised."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from handlers.context import Team
from handlers.exchange import imports
from handlers.exchange.crm_formats import recognise
from handlers.exchange.crm_rows import CrmPlan

SEPARATORS = (",", ";", "\t")
SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


class SourceProblem(Exception):
    """The file cannot be imported as it is; the message says why."""


@dataclass
class Table:
    """A decoded CSV file: its header, its rows with their line numbers, and how it was read."""

    header: list[str]
    rows: list[tuple[int, dict[str, str | None]]]
    encoding: str
    separator: str


@dataclass
class Prepared:
    """Rows ready for import_rows, what was understood, and what to tell after the import."""

    rows: list[tuple[int, dict[str, str]]]
    mapping: list[str]
    plan: CrmPlan | None = None
    notes: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the name of the encoding it was in."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    if len(data) > 1 and data[1::2].count(0) > len(data) // 4:  # UTF-16 LE without a BOM
        return data.decode("utf-16-le", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252 (Latin-1)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def separator_of(text: str) -> str:
    """The separator the header line uses most, outside quotes."""
    line, quoted = [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif not quoted:
            line.append(char)
    return max(SEPARATORS, key=lambda sep: line.count(sep))


def read_table(data: bytes) -> Table:
    """Decode and split a CSV file; SourceProblem when it has no header row."""
    text, encoding = decode(data)
    separator = separator_of(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=separator)
    header = [h for h in (reader.fieldnames or []) if h is not None]
    if not any(h.strip() for h in header):
        raise SourceProblem("the file is empty or has no header row")
    rows = [(reader.line_num, dict(row)) for row in reader]
    return Table(header, rows, encoding, separator)


def prepare(table: Table, kind: str, team: Team) -> Prepared:
    """The import rows: by the CRM's layout when the header names one, else by column names."""
    crm = recognise(table.header)
    read_as = f"Read as {table.encoding}, separated by {SEPARATOR_NAMES[table.separator]}."
    if crm is not None:
        if kind not in crm.kinds:
            wanted = " or ".join(crm.kinds)
            raise SourceProblem(f"this is a {crm.title} export: import it as {wanted}")
        plan = CrmPlan.for_header(crm, kind, table.header)
        rows = [(line, plan.row(raw, team)) for line, raw in table.rows]
        return Prepared(rows, [read_as, *plan.mapping_lines()], plan, plan.notes())
    mapping = imports.column_map(table.header, kind)
    if "name" not in mapping.values():
        found = ", ".join(h for h in table.header if h.strip()) or "nothing"
        raise SourceProblem(f"no name column (the header has {found})")
    rows = [
        (line, {mapping[k]: v or "" for k, v in row.items() if k in mapping})
        for line, row in table.rows
    ]
    lines = [read_as, "Columns read as:"] + [f"  {h} → {f}" for h, f in mapping.items()]
    return Prepared(rows, lines)
