"""The errors a load raises and the short messages they carry: ``FileError`` (the file's
content is at fault: it is quarantined, naming file, row and column) and ``WarehouseError``
(the warehouse or the environment failed: the file is not at fault and loads on a retry).
Messages are capped (``MAX_MESSAGE``): they go into the load history, logs and e-mails.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from include.c360.sources import Source

MAX_MESSAGE = 600  # characters of an error message kept (load history, logs, e-mails)
MAX_VALUE = 80  # characters of a bad value quoted in a message


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


@dataclass
class FileError(Exception):
    """A file that cannot be loaded; ``row`` 1-based (0 = header/schema), ``column`` if known.
    The message is kept short (``MAX_MESSAGE``): it goes into the load history and e-mails."""

    key: str
    message: str
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        self.message = shorten(self.message)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append("header/schema" if self.row == 0 else f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        loc = (" " + ", ".join(where)) if where else ""
        return f"file {self.key}{loc}: {self.message}"


class WarehouseError(RuntimeError):
    """The warehouse or the environment failed while loading a file that is not at fault
    (locked or read-only database, missing or altered RAW table, out of memory, disk full;
    Snowflake: privileges, suspended warehouse, ...). Nothing of the batch is loaded, the file
    is neither quarantined nor recorded as FAILED, and the task fails so Airflow retries it."""

    def __init__(self, source: str, key: str, cause: BaseException | str):
        detail = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        first = str(detail).strip().splitlines()[0] if str(detail).strip() else str(detail)
        super().__init__(f"{source}: the warehouse failed while loading {key} ({first}); the "
                         "file is not at fault: it stays in the landing zone, unloaded, not "
                         "quarantined, and loads on a retry once the warehouse is fixed")
        self.source, self.key = source, key


# errors of the database itself, whatever file is being read
_WAREHOUSE_MESSAGES = ("no space left", "disk full", "could not set lock", "read-only mode",
                       "database has been invalidated", "out of memory", "permission denied")


def is_warehouse_error(e: BaseException) -> bool:
    """A DuckDB error that is the warehouse's or the environment's, never a file's content."""
    import duckdb

    kinds = (duckdb.OutOfMemoryException, duckdb.CatalogException, duckdb.TransactionException,
             duckdb.PermissionException, duckdb.InterruptException, duckdb.FatalException,
             duckdb.InternalException, duckdb.ConnectionException,
             duckdb.DependencyException)
    message = str(e).lower()
    return isinstance(e, kinds) or any(m in message for m in _WAREHOUSE_MESSAGES)


def first_line(e: BaseException) -> str:
    """The first line of an error's message (its type's name when it has none)."""
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def csv_error(src: Source, key: str, path: Path, line_no: int, msg: str) -> FileError:
    """DuckDB's multi-line CSV error as a short reason, the record and, where one value is at
    fault (a stray quote, bytes that are not UTF-8), its column."""
    lines = [x.strip() for x in msg.splitlines()]
    reason = next((x for x in lines[2:] if x and not x.startswith("Possible")), "")
    names = [c.name for c in src.raw_columns]
    column = None
    raw = _physical_line(path, line_no)
    if m := re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", reason):
        reason = f"the row has {m.group(2)} values, the header {m.group(1)} columns"
        if int(m.group(2)) < int(m.group(1)):
            column = names[int(m.group(2))]  # the first column with no value
    elif "unicode" in reason.lower():
        reason = "bytes that are not UTF-8 (the file must be UTF-8 encoded)"
        column = _csv_column_where(raw, names, lambda v: not _is_utf8(v))
    elif "quote" in reason.lower():
        reason = "a value with an unterminated or stray quote (\")"
        column = _csv_column_where(raw, names, _stray_quote)
    shown = shorten(raw.decode("utf-8", "replace").rstrip("\r\n"), MAX_VALUE) if raw else ""
    return FileError(key, f"{reason or first_line(msg)}" + (f"; line: {shown!r}" if shown else ""),
                     line_no - 1, column)


def _physical_line(path: Path, line_no: int) -> bytes:
    try:
        with gzip.open(path, "rb") as fh:
            for n, line in enumerate(fh, 1):
                if n == line_no:
                    return line
    except (OSError, EOFError, zlib.error):
        pass
    return b""


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _stray_quote(value: bytes) -> bool:
    """A CSV value with a quote that neither encloses it nor is doubled inside it."""
    if len(value) >= 2 and value.startswith(b'"') and value.endswith(b'"'):
        value = value[1:-1].replace(b'""', b"")
    return b'"' in value


def _csv_column_where(raw: bytes, names: list[str], bad: Any) -> str | None:
    """The column of the first comma-separated value of a raw line for which ``bad`` holds."""
    for name, value in zip(names, raw.rstrip(b"\r\n").split(b","), strict=False):
        if bad(value):
            return name
    return None
