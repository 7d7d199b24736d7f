"""Minimal test-only loader: the generator's landing files into RAW DuckDB tables.

The real ingestion (load history, quarantine, COPY INTO) belongs to the ingest DAGs; this is
the few read_csv / read_json / read_parquet statements the dbt tests need to run the models
over the generator's output. Each file's rows get ``_source_file`` (its landing key),
``_source_row_number`` (order within the file) and ``_loaded_at`` (a daily file of day D at
D+1 02:00, after the day it collects; an hourly micro-batch at the end of its hour), as the
ingestion contract describes.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from include.c360.sources import SOURCES
from tests.dbt.raw_fixture import DUCKDB_TYPES, create_raw_sql

log = logging.getLogger(__name__)


def _reader(file_format: str, path: str, columns: str) -> str:
    if file_format == "csv_gzip":
        return (
            f"read_csv({path}, header = true, columns = {{{columns}}}, filename = true, "
            "timestampformat = '%Y-%m-%d %H:%M:%S', dateformat = '%Y-%m-%d')"
        )
    if file_format == "ndjson_gzip":
        return (
            f"read_json({path}, format = 'newline_delimited', columns = {{{columns}}}, "
            "filename = true, timestampformat = '%Y-%m-%dT%H:%M:%SZ')"
        )
    return f"read_parquet({path}, filename = true)"


def load_landing(db_path: str, landing: Path, days: tuple[date, date]) -> dict[str, int]:
    """Append every landing file whose dt= partition is within ``days`` (inclusive)."""
    import duckdb

    first, last = days
    con = duckdb.connect(db_path)
    counts: dict[str, int] = {}
    try:
        for stmt in create_raw_sql():
            con.execute(stmt)
        for s in SOURCES:
            files = sorted(
                p
                for p in (landing / s.name).rglob(f"*{s.file_extension}")
                if first.isoformat()
                <= p.relative_to(landing / s.name).parts[0][3:]
                <= last.isoformat()
            )
            if not files:
                counts[s.name] = 0
                continue
            cols = ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.type]}'" for c in s.raw_columns)
            names = ", ".join(f"cast({c.name} as {DUCKDB_TYPES[c.type]})" for c in s.raw_columns)
            paths = "[" + ", ".join(f"'{p}'" for p in files) + "]"
            prefix = str(landing) + "/"
            day = "strptime(regexp_extract(filename, 'dt=([0-9-]{10})', 1), '%Y-%m-%d')"
            hour = "cast(regexp_extract(filename, 'T([0-9]{2})00[.]', 1) as integer)"
            before = con.execute(f"select count(*) from raw.{s.name}").fetchone()[0]
            sql = f"""
                insert into raw.{s.name}
                select
                    {names},
                    case
                        when regexp_matches(filename, 'T[0-9]{{2}}00[.]')
                            then {day}
                                + to_hours({hour} + 1)
                        else {day} + interval 26 hour
                    end,
                    replace(filename, '{prefix}', ''),
                    row_number() over (partition by filename)
                from {_reader(s.file_format, paths, cols)}
            """
            log.debug("%s", sql)
            con.execute(sql)
            (after,) = con.execute(f"select count(*) from raw.{s.name}").fetchone()
            counts[s.name] = after - before
        return counts
    finally:
        con.close()
