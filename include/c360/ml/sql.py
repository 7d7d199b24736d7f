"""The ML layer's SQL files: ``include/sql/<dialect>/ml/<name>.sql``.

A file exists for DuckDB always; a Snowflake file exists only where the dialects differ, and
otherwise the DuckDB file (written in SQL both accept) is used. Placeholders are ``{name}``;
values are rendered by :func:`include.c360.ml.warehouse.sql_literal` from typed Python values
(dates, timestamps), never from free text, and schema names are checked identifiers.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from include.c360.ml.warehouse import sql_literal

SQL_ROOT = Path(__file__).resolve().parents[2] / "sql"
# The one dialect difference of the shared files: how datediff takes its unit.
DATEDIFF_UNITS = {
    "duckdb": {"unit_day": "'day'", "unit_second": "'second'"},
    "snowflake": {"unit_day": "day", "unit_second": "second"},
}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


def sql_path(name: str, dialect: str) -> Path:
    own = SQL_ROOT / dialect / "ml" / f"{name}.sql"
    if own.exists():
        return own
    fallback = SQL_ROOT / "duckdb" / "ml" / f"{name}.sql"
    if not fallback.exists():
        raise FileNotFoundError(f"no SQL file {name}.sql under {SQL_ROOT}/<dialect>/ml")
    return fallback


def render(name: str, dialect: str, values: Mapping[str, Any],
           identifiers: Mapping[str, str] | None = None) -> str:
    """The SQL of ``name`` with ``{placeholders}`` filled; every placeholder must be given."""
    text = sql_path(name, dialect).read_text()
    params: dict[str, str] = {k: sql_literal(v) for k, v in values.items()}
    params.update(DATEDIFF_UNITS[dialect])
    for key, ident in (identifiers or {}).items():
        if not _IDENTIFIER.match(ident):
            raise ValueError(f"{key}={ident!r} is not a plain SQL identifier")
        params[key] = ident
    needed = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    missing = needed - params.keys()
    if missing:
        raise KeyError(f"{name}.sql needs values for {sorted(missing)}")
    return text.format(**params)


def as_of_values(as_of: date) -> dict[str, Any]:
    """Cutoffs of a point-in-time snapshot at the end of day ``as_of``."""
    cutoff = datetime.combine(as_of + timedelta(days=1), time())
    values: dict[str, Any] = {
        "as_of_date": as_of,
        "cutoff_ts": cutoff,
        "conversion_cutoff_ts": cutoff - timedelta(days=7),
    }
    for days in (30, 90, 365):
        values[f"since_{days}d"] = as_of - timedelta(days=days)
        values[f"ts_since_{days}d"] = cutoff - timedelta(days=days)
    return values


def window_values(as_of: date, horizon_days: int) -> dict[str, Any]:
    """The label window (as_of, as_of + horizon] that follows a snapshot."""
    cutoff = datetime.combine(as_of + timedelta(days=1), time())
    return {
        "as_of_date": as_of,
        "cutoff_ts": cutoff,
        "window_end_date": as_of + timedelta(days=horizon_days),
        "window_end_ts": cutoff + timedelta(days=horizon_days),
    }
