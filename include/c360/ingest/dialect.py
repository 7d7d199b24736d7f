"""The one place that picks the warehouse implementation for the configured target."""

from __future__ import annotations

import os
from typing import Any

from include.c360.config import settings
from include.c360.constants import DUCKDB_POOL
from include.c360.ingest.base import Warehouse
from include.c360.ingest.config import IngestConfig


def warehouse(config: IngestConfig, target: str | None = None,
              landing_url: str | None = None) -> Warehouse:
    """A warehouse for ``target`` (default ``C360_TARGET``); open connections lazily, in tasks."""
    s = settings()
    target = target or s.target
    if target == "duckdb":
        from include.c360.ingest.duckdb_loader import DuckDBWarehouse

        return DuckDBWarehouse(s.duckdb_path, config)
    if target == "snowflake":
        from include.c360.ingest.snowflake_loader import SnowflakeWarehouse

        return SnowflakeWarehouse(
            config, landing_url or s.landing,
            storage_integration=os.environ.get("C360_SNOWFLAKE_STORAGE_INTEGRATION", ""),
        )
    raise ValueError(f"unknown target {target!r}")


def pool_args(target: str | None = None) -> dict[str, Any]:
    """Operator kwargs for a task that writes the warehouse: DuckDB's one-slot pool, or none
    (Snowflake loads in parallel)."""
    return {"pool": DUCKDB_POOL} if (target or settings().target) == "duckdb" else {}
