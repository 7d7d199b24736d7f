"""Checks that make a bad file fail loudly, naming file, row and column.

Row numbers are 1-based record numbers inside the file (the same as ``_source_row_number``);
0 means the CSV header / the file's schema. Cheap checks run before a load (header, JSON keys,
Parquet schema); when DuckDB's typed reader still rejects a file, :func:`diagnose` reads it
again as text and finds the first value that does not convert to its column's type.

The other side of the same question: ``WarehouseError`` is a failure that is not the file's
(``is_warehouse_error`` for DuckDB's errors; a file that reads cleanly on its own but does not
load): the file is never quarantined for it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from include.c360.ingest.sql import render
from include.c360.sources import Source
from include.c360.warehouse.sql import sql_literal

log = logging.getLogger(__name__)

# the families of Parquet physical/logical types (as DuckDB reports them) each spec type accepts
_PARQUET_FAMILIES = {
    "varchar": ("VARCHAR",),
    "int": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "HUGEINT"),
    "float": ("FLOAT", "DOUBLE", "DECIMAL", "TINYINT", "SMALLINT", "INTEGER", "BIGINT"),
    "boolean": ("BOOLEAN",),
    "date": ("DATE",),
    "timestamp": ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S",
                  "TIMESTAMP WITH TIME ZONE", "DATE"),
}


@dataclass
class FileError(Exception):
    """A file that cannot be loaded; ``row`` 1-based (0 = header/schema), ``column`` if known."""

    key: str
    message: str
    row: int | None = None
    column: str | None = None

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


def _column_diff(key: str, expected: list[str], actual: list[str], what: str,
                 row: int) -> FileError | None:
    if actual == expected:
        return None
    missing = [c for c in expected if c not in actual]
    extra = [c for c in actual if c not in expected]
    if len(missing) == 1 and len(extra) == 1:
        return FileError(key, f"{what}: column {missing[0]!r} is missing and {extra[0]!r} is "
                              f"unexpected (renamed?); expected {expected}", row, missing[0])
    if missing:
        return FileError(key, f"{what}: missing column(s) {missing}; expected {expected}, "
                              f"found {actual}", row, missing[0])
    if extra:
        return FileError(key, f"{what}: unexpected column(s) {extra}; expected {expected}",
                         row, extra[0])
    if len(actual) != len(set(actual)):
        dup = next(c for c in actual if actual.count(c) > 1)
        return FileError(key, f"{what}: duplicate column {dup!r}", row, dup)
    first = next(a for a, e in zip(actual, expected, strict=True) if a != e)
    return FileError(key, f"{what}: columns out of order; expected {expected}, found {actual}",
                     row, first)


def _gzip_first_line(key: str, path: Path) -> bytes | None:
    try:
        with gzip.open(path, "rb") as fh:
            line = fh.readline()
    except (OSError, EOFError, zlib.error) as e:
        raise FileError(key, f"not a readable gzip file: {e}", 1) from None
    return line or None


def precheck(src: Source, key: str, path: Path, con: Any | None = None) -> None:
    """Fail fast on an empty file or a header/keys/schema that does not match the registry."""
    size = path.stat().st_size
    if size == 0:
        raise FileError(key, "empty file (0 bytes)")
    expected = [c.name for c in src.raw_columns]
    if src.file_format == "csv_gzip":
        line = _gzip_first_line(key, path)
        if line is None:
            raise FileError(key, "empty file: no header row", 0)
        header = next(csv.reader(io.StringIO(line.decode("utf-8", "replace"))), [])
        header = [h.strip() for h in header]
        if err := _column_diff(key, expected, header, "header", 0):
            raise err
    elif src.file_format == "ndjson_gzip":
        # the first record's keys here; every record's keys are checked by the load itself
        # (json_transform_strict + key count) and, when it fails, by explain_ndjson()
        line = _gzip_first_line(key, path)
        if line is not None and line.strip():
            try:
                keys = list(json.loads(line))
            except ValueError as e:
                raise FileError(key, f"not a JSON object: {e}", 1) from None
            if err := _column_diff(key, expected, keys, "record keys", 1):
                raise err
    elif src.file_format == "parquet":
        _check_parquet_schema(src, key, path, con, expected)


def check_json_keys(src: Source, key: str, path: Path, con: Any) -> None:
    """Every record must carry exactly the registry's keys (a missing key is not a NULL)."""
    import duckdb

    expected = [c.name for c in src.raw_columns]
    want = sorted(expected)
    try:
        row = con.execute(
            f"""select rn, keys from (
                    select row_number() over () as rn, json_keys(json) as keys
                    from read_ndjson_objects({sql_literal(str(path))}, compression = 'gzip',
                                             hive_partitioning = false))
                where list_sort(keys) <> $want order by rn limit 1""",
            {"want": want},
        ).fetchone()
    except duckdb.Error as e:
        if is_warehouse_error(e):
            raise WarehouseError(src.name, key, e) from e
        raise diagnose_unreadable(src, key, path, e) from None
    if row is not None:
        rn, keys = row
        raise _column_diff(key, expected, list(keys), "record keys", rn) or FileError(
            key, f"record keys {keys} differ from {expected}", rn)


def _check_parquet_schema(src: Source, key: str, path: Path, con: Any,
                          expected: list[str]) -> None:
    import duckdb

    try:
        desc = con.execute(
            f"describe select * from read_parquet({sql_literal(str(path))}, "
            "hive_partitioning = false)").fetchall()
    except duckdb.Error as e:
        if is_warehouse_error(e):
            raise WarehouseError(src.name, key, e) from e
        raise FileError(key, f"not a readable Parquet file: {_first_line(e)}") from None
    actual = [r[0] for r in desc]
    if err := _column_diff(key, expected, actual, "schema", 0):
        raise err
    types = {r[0]: r[1] for r in desc}
    for c in src.raw_columns:
        t = types[c.name]
        base = t.split("(")[0]
        if base in _PARQUET_FAMILIES[c.type]:
            continue
        if base == "VARCHAR":  # text where a typed column is expected: find a value that fails
            bad = diagnose(src, key, path, con)
            if bad is not None:
                raise bad
            continue  # every value converts: accept, the insert casts
        raise FileError(key, f"column type {t} does not match the spec's {c.type}", 0, c.name)


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def diagnose(src: Source, key: str, path: Path, con: Any) -> FileError | None:
    """Read the file as text and name the first row/column whose value does not convert."""
    sql = render("duckdb/diagnose.sql", src=src, path=sql_literal(str(path)))
    row = con.execute(sql).fetchone()
    if row is None:
        return None
    rn, bad, vals = row
    names = [c.name for c in src.raw_columns]
    col = next(b for b in bad if b is not None)
    ctype = next(c.type for c in src.raw_columns if c.name == col)
    value = vals[names.index(col)]
    return FileError(key, f"value {value!r} is not a valid {ctype}", rn, col)


def _readable_records(path: Path, fmt: str) -> int:
    """How many complete records a (possibly truncated) gzip file holds."""
    n = 0
    try:
        with gzip.open(path, "rb") as fh:
            for _ in fh:
                n += 1
    except (OSError, EOFError, zlib.error):
        pass
    return max(n - 1, 0) if fmt == "csv_gzip" else n  # the header is not a record


def check_gzip_stream(src: Source, key: str, path: Path) -> None:
    """Raise a FileError when a gzip export's stream is corrupt or truncated (read to its end)."""
    if not src.file_format.endswith("_gzip"):
        return
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as e:
        good = _readable_records(path, src.file_format)
        raise FileError(key, f"corrupt or truncated gzip stream after {good} complete "
                             f"record(s): {_first_line(e)}", good + 1) from None


def diagnose_unreadable(src: Source, key: str, path: Path, error: BaseException) -> FileError:
    """Turn a reader error into a FileError naming the row (and column when DuckDB says)."""
    import re

    msg = str(error)
    if "gzip" in msg.lower() or isinstance(error, (EOFError, zlib.error)):
        good = _readable_records(path, src.file_format)
        return FileError(key, f"corrupt or truncated gzip stream after {good} complete "
                              f"record(s): {_first_line(error)}", good + 1)
    line = re.search(r"[Ll]ine:? (\d+)", msg)
    col = re.search(r'column "?([A-Za-z_][A-Za-z0-9_]*)"?', msg)
    row = None
    if line:
        row = int(line.group(1)) - (1 if src.file_format == "csv_gzip" else 0)
    return FileError(key, _first_line(error), row, col.group(1) if col else None)
