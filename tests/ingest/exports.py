"""Small export files for every source, built from the registry (formats, keys, columns).

Used until/unless the generator's output is wanted: the same layout the generator writes
(``Source.file_key``), the same formats, columns exactly ``Source.raw_columns``.
"""

from __future__ import annotations

import gzip
import io
import json
from datetime import date, datetime, timedelta
from typing import Any

from include.c360.landing import LandingZone
from include.c360.sources import Source


def rows_for(src: Source, n: int, day: date, seed: int = 0) -> dict[str, list[Any]]:
    """``n`` rows of plausible values for each of ``src.raw_columns`` on ``day``."""
    base = datetime.combine(day, datetime.min.time())
    cols: dict[str, list[Any]] = {}
    for c in src.raw_columns:
        if c.name == src.key:
            vals = [f"{src.name[:3].upper()}-{day:%Y%m%d}-{seed}-{i:06d}" for i in range(n)]
        elif c.type == "varchar":
            vals = [f"{c.name}_{(i * 7 + seed) % 13}" if i % 11 else None for i in range(n)]
        elif c.type == "int":
            vals = [(i * 3 + seed) % 5 + 1 for i in range(n)]
        elif c.type == "float":
            vals = [round(10 + i * 1.25 + seed, 2) for i in range(n)]
        elif c.type == "boolean":
            vals = [i % 2 == 0 for i in range(n)]
        elif c.type == "date":
            vals = [day - timedelta(days=i % 30) for i in range(n)]
        elif c.type == "timestamp":
            vals = [base + timedelta(seconds=37 * i) for i in range(n)]
        else:  # pragma: no cover - the catalog has only these types
            raise ValueError(c.type)
        cols[c.name] = vals
    return cols


def encode(src: Source, cols: dict[str, list[Any]]) -> bytes:
    """The bytes of an export file in ``src.file_format`` (header/keys exactly ``cols``)."""
    import pyarrow as pa

    table = pa.table(cols)
    if src.file_format == "parquet":
        import pyarrow.parquet as pq

        buf = io.BytesIO()
        pq.write_table(table, buf)
        return buf.getvalue()
    if src.file_format == "csv_gzip":
        import pyarrow.csv as pacsv

        raw = io.BytesIO()
        pacsv.write_csv(table, raw)
        return gzip.compress(raw.getvalue(), compresslevel=1)
    if src.file_format == "ndjson_gzip":
        names = list(cols)
        n = len(next(iter(cols.values()))) if cols else 0
        lines = []
        for i in range(n):
            rec = {k: cols[k][i] for k in names}
            lines.append(json.dumps(rec, default=str))
        return gzip.compress(("\n".join(lines) + ("\n" if lines else "")).encode(), 1)
    raise ValueError(src.file_format)


# one instant, 2024-12-10 06:04:37 UTC, written with offsets, with "Z" and without an offset
OFFSET_TIMESTAMPS = ["2024-12-10T11:04:37+05:00", "2024-12-10 06:04:37Z",
                     "2024-12-10T01:04:37-05:00", "2024-12-10 06:04:37"]
OFFSETS_IN_UTC = datetime(2024, 12, 10, 6, 4, 37)


def export_with(src: Source, day: date, n: int, column: str, at: dict[int, Any],
                seed: int = 7) -> bytes:
    """The bytes of an ``n``-row export of ``src`` whose ``column`` holds ``at[row]`` in each
    given 1-based row and valid values elsewhere: CSV and Parquet the column as text, NDJSON
    any JSON value (an object, an array, a number...)."""
    cols = rows_for(src, n, day, seed)
    if src.file_format == "ndjson_gzip":
        records = [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]
        for row, value in at.items():
            records[row - 1][column] = value
        return gzip.compress("".join(json.dumps(r, default=str) + "\n" for r in records).encode())
    cols[column] = [None if v is None else str(v) for v in cols[column]]
    for row, value in at.items():
        cols[column][row - 1] = value
    return encode(src, cols)


def export_key(src: Source, day: date) -> str:
    """The key of ``src``'s export of ``day`` (hourly sources: its 06:00 file)."""
    return src.file_key(datetime.combine(day, datetime.min.time()).replace(hour=6)
                        if src.partition == "hour" else day)


def write_bytes(zone: LandingZone, src: Source, day: date, data: bytes) -> str:
    """Write ``data`` as ``src``'s export of ``day`` (``export_key``) and return its key."""
    key = export_key(src, day)
    with zone.open_writer(key) as fh:
        fh.write(data)
    return key


def write_export(zone: LandingZone, src: Source, day: date, n: int, *, hour: int | None = None,
                 seed: int = 0, cols: dict[str, list[Any]] | None = None) -> str:
    """Write one export file for ``day`` (hourly sources: ``hour``) and return its key."""
    if src.partition == "hour":
        start: date | datetime = datetime.combine(day, datetime.min.time()).replace(
            hour=hour or 0)
    else:
        start = day
    key = src.file_key(start)
    data = encode(src, cols if cols is not None else rows_for(src, n, day, seed))
    with zone.open_writer(key) as fh:
        fh.write(data)
    return key


def write_bad_value(zone: LandingZone, src: Source, day: date, n: int, column: str, row: int,
                    value: str, seed: int = 0) -> str:
    """An export of ``n`` rows whose ``column`` holds the text ``value`` in record ``row``
    (1-based) and valid values elsewhere; returns its key."""
    cols = rows_for(src, n, day, seed)
    cols[column] = [str(v) for v in cols[column]]
    cols[column][row - 1] = value
    return write_export(zone, src, day, n, cols=cols)
