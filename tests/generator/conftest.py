"""One small generated world per test session (scale 0.005, 2 years), shared by the tests.

``gen`` holds the landing zone after the history backfill (checksums taken right after it),
then two increments: a Monday (weekly products export) and a Tuesday. DuckDB tables over the
raw files (all columns as text, plus ``_file`` and ``_dt``) are built once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from include.c360.generator import GeneratorConfig, Summary, generate_day, generate_history
from include.c360.sources import SOURCES

AS_OF = date(2026, 11, 29)  # a Sunday
MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)
CONFIG = GeneratorConfig(seed=7, scale=0.005, as_of=AS_OF)


def checksums(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass
class Generated:
    landing: Path
    ground_truth: Path
    history: Summary
    history_checksums: dict[str, str]
    monday: Summary
    tuesday: Summary
    after_checksums: dict[str, str]
    con: object  # duckdb connection with raw_<source> tables


def _glob(landing: Path, src) -> str:
    return str(landing / src.name / "**" / f"*{src.file_extension}")


def load_raw(con, landing: Path) -> None:
    """raw_<source>: every column as VARCHAR, plus _file (landing key) and _dt (partition)."""
    for src in SOURCES:
        cols = ", ".join(f'"{c.name}"::VARCHAR AS "{c.name}"' for c in src.raw_columns)
        g = _glob(landing, src)
        if src.file_format == "csv_gzip":
            reader = f"read_csv('{g}', all_varchar=true, header=true, filename=true)"
        elif src.file_format == "ndjson_gzip":
            spec = ", ".join(f"'{c.name}': 'VARCHAR'" for c in src.raw_columns)
            reader = f"read_json('{g}', columns={{{spec}}}, format='newline_delimited', " \
                     "filename=true)"
        else:
            reader = f"read_parquet('{g}', filename=true)"
        root = str(landing) + "/"
        con.execute(f"""
            create or replace table raw_{src.name} as
            select {cols},
                   replace(filename, '{root}', '') as _file,
                   cast(regexp_extract(filename, 'dt=([0-9-]+)', 1) as date) as _dt
            from {reader}
        """)


@pytest.fixture(scope="session")
def gen(tmp_path_factory) -> Generated:
    import duckdb

    base = tmp_path_factory.mktemp("gen")
    landing, gt = base / "landing", base / "ground_truth"
    hist = generate_history(CONFIG, str(landing), ground_truth_dir=gt)
    before = checksums(landing)
    mon = generate_day(CONFIG, MONDAY, str(landing))
    tue = generate_day(CONFIG, TUESDAY, str(landing))
    after = checksums(landing)
    con = duckdb.connect()
    load_raw(con, landing)
    return Generated(landing, gt, hist, before, mon, tue, after, con)


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def scalar(con, sql: str):
    return con.execute(sql).fetchone()[0]
