"""dbt profiles from Airflow connections (Cosmos profile mappings), chosen by settings().target.

* DuckDB (default): connection ``duckdb_default``; its ``host`` is the warehouse file. A
  relative host (``data/warehouse/c360.duckdb`` in airflow_settings.yaml) is resolved against
  the project root, so the same connection works in a checkout and in the Astro image. The
  file must be the one the rest of the platform uses (``settings().duckdb_path``, which the
  ingestion and ML tasks open): a mismatch fails the task with both paths in the message
  instead of building one file and scoring another.
* Snowflake: connection ``snowflake_default`` through Cosmos'
  ``SnowflakeUserPasswordProfileMapping`` (account/warehouse/database/role in the extras).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cosmos.config import ProfileConfig
from cosmos.profiles.duckdb import DuckDBUserPasswordProfileMapping
from cosmos.profiles.snowflake import SnowflakeUserPasswordProfileMapping

from include.c360.config import PROJECT_ROOT, settings
from include.c360.constants import DUCKDB_CONN_ID, SNOWFLAKE_CONN_ID

PROFILE_NAME = "customer360"
SNOWFLAKE_THREADS = 4


def resolve_duckdb_path(host: str | None) -> Path:
    """The warehouse file a ``duckdb_default`` host names (relative: to the project root)."""
    if not host:
        raise ValueError(
            f"connection {DUCKDB_CONN_ID!r} has no host: set it to the DuckDB warehouse file "
            f"(e.g. data/warehouse/c360.duckdb, relative to {PROJECT_ROOT})"
        )
    path = Path(host).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path)


class C360DuckDBProfileMapping(DuckDBUserPasswordProfileMapping):
    """Cosmos' DuckDB mapping with the host resolved and checked against the platform's file."""

    @property
    def profile(self) -> dict[str, Any | None]:
        profile = dict(super().profile)
        path = resolve_duckdb_path(profile.get("path"))
        expected = settings().duckdb_path
        if path.resolve() != Path(expected).resolve():
            raise ValueError(
                f"connection {DUCKDB_CONN_ID!r} points at {path} but the platform's DuckDB "
                f"warehouse is {expected} (C360_DUCKDB_PATH / C360_DATA_DIR): dbt would build "
                f"a different file than ingestion and ML scoring use. Make them the same."
            )
        profile["path"] = str(path)
        return profile


def profile_config(target: str | None = None) -> ProfileConfig:
    """The Cosmos ProfileConfig of the configured target (no connection is opened here)."""
    target = target or settings().target
    if target == "duckdb":
        mapping: Any = C360DuckDBProfileMapping(
            conn_id=DUCKDB_CONN_ID, profile_args={"schema": "main", "threads": 1}
        )
    elif target == "snowflake":
        mapping = SnowflakeUserPasswordProfileMapping(
            conn_id=SNOWFLAKE_CONN_ID,
            profile_args={"threads": int(os.environ.get("C360_DBT_THREADS", SNOWFLAKE_THREADS))},
        )
    else:  # settings() already validates; kept for direct callers
        raise ValueError(f"unknown target {target!r}")
    return ProfileConfig(profile_name=PROFILE_NAME, target_name=target, profile_mapping=mapping)
