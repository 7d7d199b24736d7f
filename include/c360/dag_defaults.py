"""What every DAG of the platform shares: owner, retries, start date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
}

START_DATE = datetime(2026, 1, 1, tzinfo=UTC)
