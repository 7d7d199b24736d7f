"""What every DAG of the platform shares: owner, retries, the failure e-mail, start date, pool.

``C360_RETRY_DELAY_SECONDS`` (default 120, doubled per retry) is read when a DAG file is parsed;
the tests shorten it so that a failure's retries run in seconds.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from include.c360.alerts.notifiers import TaskFailureNotifier
from include.c360.config import settings
from include.c360.constants import DUCKDB_POOL


def retry_delay() -> timedelta:
    return timedelta(seconds=float(os.environ.get("C360_RETRY_DELAY_SECONDS", 120)))


DEFAULT_ARGS: dict[str, Any] = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": retry_delay(),
    "retry_exponential_backoff": True,
    # once, when a task fails for good (not on its retries): error, last lines, log link
    "on_failure_callback": TaskFailureNotifier(),
}

START_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def default_args(**overrides: Any) -> dict[str, Any]:
    """``DEFAULT_ARGS`` with a DAG's own values (e.g. the transform's ``retries``)."""
    return {**DEFAULT_ARGS, **overrides}


def pool_args(target: str | None = None) -> dict[str, Any]:
    """Operator kwargs of a task that opens the warehouse: on DuckDB (one writing process) the
    one-slot pool ``DUCKDB_POOL``; on Snowflake none (loads and models run in parallel)."""
    return {"pool": DUCKDB_POOL} if (target or settings().target) == "duckdb" else {}
