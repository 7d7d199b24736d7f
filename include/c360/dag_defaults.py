"""What every DAG of the platform shares: owner, retries, the failure e-mail, start date.

``C360_RETRY_DELAY_SECONDS`` (default 120, doubled per retry) is read when a DAG file is parsed;
the tests shorten it so that a failure's retries run in seconds.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from include.c360.alerts.notifiers import TaskFailureNotifier


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
