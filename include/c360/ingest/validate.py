"""Checks that make a bad file fail loudly, naming file, row and column.

Row numbers are 1-based record numbers inside the file (the same as ``_source_row_number``);
0 means the CSV header / the file's schema. Cheap checks run before a load (header, JSON keys,
Parquet schema); when DuckDB's typed reader still rejects a file, :func:`diagnose` reads it
again as text and finds the first value that does not convert to its column's type.

The errors themselves and their messages are ``errors.py``: ``FileError`` for the file's
content, ``WarehouseError`` for a failure that is not the file's (``is_warehouse_error`` for
DuckDB's errors; a file that reads cleanly on its own but does not load): the file is never
quarantined for it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import re
import zlib
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from include.c360.ingest.errors import (
    MAX_VALUE,
    FileError,
    WarehouseError,
    csv_error,
    first_line,
    is_warehouse_error,
    shorten,
)
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


def _column_diff(key: str, expected: list[str], actual: list[str], what: str,
                 row: int, ordered: bool = True) -> FileError | None:
    """The difference between the registry's columns and a file's, as a FileError (None: the
    same). ``ordered=False`` for JSON records, whose keys have no order."""
    if actual == expected or (not ordered and sorted(actual) == sorted(expected)
                              and len(set(actual)) == len(actual)):
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
    with checking(src, key):
        _precheck(src, key, path, con)


@contextmanager
def checking(src: Source, key: str) -> Generator[None, None, None]:
    """Around a pre-load check: whatever goes wrong reading the file is the file's (a
    FileError), except the warehouse's own failures (WarehouseError); a check never crashes
    the batch."""
    try:
        yield
    except (FileError, WarehouseError):
        raise
    except Exception as e:  # noqa: BLE001 - any other failure reading the file is its defect
        log.warning("%s: pre-load check of %s failed", src.name, key, exc_info=True)
        raise FileError(key, f"the pre-load check could not read the file: "
                             f"{type(e).__name__}: {first_line(e)}") from None


def _precheck(src: Source, key: str, path: Path, con: Any | None) -> None:
    size = path.stat().st_size
    if size == 0:
        raise FileError(key, "empty file (0 bytes)")
    if src.file_format in ("csv_gzip", "ndjson_gzip"):
        check_first_line(src, key, _gzip_first_line(key, path))
    elif src.file_format == "parquet":
        _check_parquet_schema(src, key, path, con, [c.name for c in src.raw_columns])


def check_first_line(src: Source, key: str, line: bytes | None) -> None:
    """The CSV header or the first NDJSON record against the registry's columns (both loaders
    check it before loading; every NDJSON record's keys are checked by the load itself)."""
    expected = [c.name for c in src.raw_columns]
    if src.file_format == "csv_gzip":
        if line is None:
            raise FileError(key, "empty file: no header row", 0)
        header = next(csv.reader(io.StringIO(line.decode("utf-8", "replace"))), [])
        if err := _column_diff(key, expected, [h.strip() for h in header], "header", 0):
            raise err
    elif src.file_format == "ndjson_gzip" and line is not None and line.strip():
        try:
            record = json.loads(line)
        except ValueError as e:
            raise FileError(key, f"record is not valid JSON: {e}", 1) from None
        if not isinstance(record, dict):
            raise _not_an_object(key, record, 1)
        if err := _column_diff(key, expected, list(record), "record keys", 1, ordered=False):
            raise err


def _not_an_object(key: str, record: Any, row: int) -> FileError:
    kinds = {list: "array", dict: "object", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    kind = kinds.get(type(record), type(record).__name__)
    hint = " (a JSON array file?)" if kind == "array" else ""
    return FileError(key, f"record is a JSON {kind}, not an object: NDJSON is one JSON object "
                          f"per line{hint}", row)


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
        raise _column_diff(key, expected, list(keys), "record keys", rn,
                           ordered=False) or FileError(
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
        raise FileError(key, f"not a readable Parquet file: {first_line(e)}") from None
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


def diagnose(src: Source, key: str, path: Path, con: Any) -> FileError | None:
    """Read the file as stored and name the first row/column whose value does not convert
    exactly to its column's type (``duckdb/diagnose.sql``, the load's own conversion)."""
    sql = render("duckdb/diagnose.sql", src=src, path=sql_literal(str(path)))
    row = con.execute(sql).fetchone()
    if row is None:
        return None
    rn, bad, vals, kinds = row
    i = next(i for i, b in enumerate(bad) if b is not None)
    col = src.raw_columns[i]
    return FileError(key, bad_value_reason(vals[i], col.type, kinds[i]), rn, col.name)


def check_values(src: Source, key: str, path: Path, con: Any) -> None:
    """Every value of the file converts exactly to its column's type, by the rules the DuckDB
    load applies (``diagnose``), else the first bad one is the file's FileError (row, column,
    value). For a warehouse whose own casts are not exact (Snowflake's COPY rounds ``2.5`` into
    an integer column), run before its load. A file that does not even read as text is its
    FileError too (``diagnose_unreadable``: a ragged CSV row, a stray quote, a cut stream)."""
    import duckdb

    try:
        found = diagnose(src, key, path, con)
    except duckdb.Error as e:
        if is_warehouse_error(e):
            raise WarehouseError(src.name, key, e) from e
        raise diagnose_unreadable(src, key, path, e) from None
    if found is not None:
        raise found
    check_gzip_stream(src, key, path)  # the text reader may stop early on a cut stream


def first_dropped_offset(src: Source, key: str, path: Path, con: Any) -> str | None:
    """Where the file first holds a timestamp whose offset a cast to a timestamp without time
    zone drops (``duckdb/dropped_offsets.sql``), as ``row N, column 'c': value '...'``; None
    when it holds none. For a file already checked (``check_values``); ``con``'s TimeZone must
    be UTC."""
    if not any(c.type == "timestamp" for c in src.raw_columns):
        return None
    row = con.execute(render("duckdb/dropped_offsets.sql", src=src,
                             path=sql_literal(str(path)))).fetchone()
    if row is None:
        return None
    rn, column, value = row
    return f"row {rn}, column {column!r}: value {shorten(str(value), MAX_VALUE)!r}"


def bad_value_reason(value: str, ctype: str, stored_as: str | None = None) -> str:
    """Why a value does not load into a column of spec type ``ctype`` (short, names the value)."""
    shown = repr(shorten(value, MAX_VALUE))
    if stored_as in ("OBJECT", "ARRAY"):
        return f"value {shown} is a JSON {stored_as.lower()}, not a {ctype}"
    text = value.strip()
    if ctype == "int":
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None and number == number and not number.is_integer():
            return f"value {shown} is not a valid int: it has a fractional part"
    if ctype == "date" and _is_timestamp(text):
        return f"value {shown} is not a valid date: a date with a time of day"
    return f"value {shown} is not a valid {ctype}"


def _is_timestamp(text: str) -> bool:
    from datetime import datetime

    try:
        return len(text) > 10 and datetime.fromisoformat(text) is not None
    except ValueError:
        return False


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
                             f"record(s): {first_line(e)}", good + 1) from None


def diagnose_unreadable(src: Source, key: str, path: Path, error: BaseException) -> FileError:
    """Turn a reader error into a FileError naming the reason, the row and (where there is
    one) the column; never DuckDB's whole message (it can quote the file at length)."""
    msg = str(error)
    if "gzip" in msg.lower() or isinstance(error, (EOFError, zlib.error)):
        good = _readable_records(path, src.file_format)
        return FileError(key, f"corrupt or truncated gzip stream after {good} complete "
                              f"record(s): {first_line(error)}", good + 1)
    if src.file_format == "ndjson_gzip":
        found = _first_bad_json_record(key, path)
        if found is not None:
            return found
    if src.file_format == "csv_gzip" and (line := re.search(r"CSV Error on Line: (\d+)", msg)):
        return csv_error(src, key, path, int(line.group(1)), msg)
    line = re.search(r"[Ll]ine:? (\d+)", msg)
    col = re.search(r'column "?([A-Za-z_][A-Za-z0-9_]*)"?', msg)
    row = None
    if line:
        row = int(line.group(1)) - (1 if src.file_format == "csv_gzip" else 0)
    return FileError(key, first_line(error), row, col.group(1) if col else None)


def _first_bad_json_record(key: str, path: Path) -> FileError | None:
    """The first NDJSON record that is not a JSON object, by its record number (blank lines are
    not records, as for the loader's ``_source_row_number``; DuckDB's own "line" points where
    its parser stopped, past the record)."""
    n = 0
    try:
        with gzip.open(path, "rb") as fh:
            for line in fh:
                if not line.strip():
                    continue
                n += 1
                try:
                    record = json.loads(line)
                except ValueError as e:
                    return FileError(key, f"record is not valid JSON: {e}", n)
                if not isinstance(record, dict):
                    return _not_an_object(key, record, n)
    except (OSError, EOFError, zlib.error):
        return None
    return None
