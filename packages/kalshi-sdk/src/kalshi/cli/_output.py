"""Printing results: a rich table by default, `--json` (money as exact strings) or `--csv` for scripts."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from ._app import settings

__all__ = ["Column", "console", "emit_record", "emit_rows", "jsonable", "text"]


@dataclass(frozen=True, slots=True)
class Column:
    """One output column: its header, its key in CSV, and how to read it from a record."""

    header: str
    key: str
    get: Callable[[Any], Any]
    numeric: bool = False


def console() -> Console:
    """A console on stdout; wide when stdout is not a terminal, so piped tables are not folded."""
    return Console(width=None if sys.stdout.isatty() else 200, highlight=False)


def text(value: Any) -> str:
    """A cell: exact decimals, UTC times, empty for missing values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value
        return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds") + "Z"
    return f"{value}"


def jsonable(value: Any) -> Any:
    """A JSON-ready copy: models dumped in JSON mode, decimals as strings (never floats), times as ISO 8601."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(data), indent=2) + "\n")


def _print_csv(columns: Sequence[Column], records: Iterable[Any]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for record in records:
        writer.writerow([text(c.get(record)) for c in columns])


def emit_rows(records: Sequence[Any], columns: Sequence[Column], *, title: str | None = None) -> None:
    """Print a list of records in the chosen format."""
    fmt = settings().output
    if fmt == "json":
        _print_json(list(records))
        return
    if fmt == "csv":
        _print_csv(columns, records)
        return
    table = Table(title=title, title_justify="left")
    for c in columns:
        table.add_column(c.header, justify="right" if c.numeric else "left", no_wrap=True)
    for record in records:
        table.add_row(*(text(c.get(record)) for c in columns))
    out = console()
    out.print(table)
    if not records:
        out.print("(none)")


def emit_record(record: Any, columns: Sequence[Column], *, title: str | None = None) -> None:
    """Print one record: a two-column field/value table, a JSON object, or a one-row CSV."""
    fmt = settings().output
    if fmt == "json":
        _print_json(record)
        return
    if fmt == "csv":
        _print_csv(columns, [record])
        return
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for c in columns:
        table.add_row(c.header, text(c.get(record)))
    console().print(table)
