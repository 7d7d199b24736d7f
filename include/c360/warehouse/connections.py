"""Connections to the configured warehouse, opened inside tasks only (never at parse time).

* DuckDB: the warehouse file (``settings().duckdb_path`` unless told another), its folder
  created on first use; DuckDB allows one writing process, so every task that opens it for
  writing runs in the one-slot pool ``DUCKDB_POOL``.
* Snowflake: the provider's ``SnowflakeHook`` on ``snowflake_default`` (account, warehouse,
  database and role in the connection).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from include.c360.config import settings
from include.c360.constants import SNOWFLAKE_CONN_ID

DIALECTS = ("duckdb", "snowflake")


def dialect(target: str | None = None) -> str:
    """The SQL dialect of ``target`` (default: the configured ``C360_TARGET``)."""
    chosen = (target or settings().target).lower()
    if chosen not in DIALECTS:
        raise ValueError(f"unknown warehouse target {chosen!r}; known: {DIALECTS}")
    return chosen


def duckdb_connection(path: Path | str | None = None, read_only: bool = False) -> Any:
    """A connection to the DuckDB warehouse file (created with its folder when writing).

    Its session time zone is UTC, whatever the process's ``TZ``: the warehouse's timestamps
    are UTC, and casts between TIMESTAMP and TIMESTAMP WITH TIME ZONE (a time-zone-aware
    Parquet column, a timestamp text with or without an offset) must not depend on where the
    task runs.
    """
    import duckdb

    target = Path(path) if path is not None else settings().duckdb_path
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target), read_only=read_only)
    con.execute("set TimeZone = 'UTC'")
    return con


def snowflake_hook(conn_id: str = SNOWFLAKE_CONN_ID) -> Any:
    """The Airflow ``SnowflakeHook`` of the production warehouse."""
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    return SnowflakeHook(snowflake_conn_id=conn_id)
