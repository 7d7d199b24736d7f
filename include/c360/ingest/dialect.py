"""Operator arguments that depend on the configured target."""

from __future__ import annotations

from typing import Any

from include.c360.config import settings
from include.c360.constants import DUCKDB_POOL


def pool_args(target: str | None = None) -> dict[str, Any]:
    """Operator kwargs for a task that writes the warehouse: DuckDB's one-slot pool, or none
    (Snowflake loads in parallel)."""
    return {"pool": DUCKDB_POOL} if (target or settings().target) == "duckdb" else {}
