"""Where alerts go, from Airflow Variables and the ``smtp_default`` connection (no secret here).

=========================== ==========================================================
Variable                    meaning
=========================== ==========================================================
``c360_oncall_emails``      on-call list (comma separated): task failures, missed deadlines,
                            source freshness breaches
``c360_retention_emails``   retention team: the digest of customers newly at churn risk
``c360_alert_from_email``   sender; unset: the ``from_email`` extra of ``smtp_default``
``c360_transform_deadline_utc``  the Customer 360 is published by this time of day (UTC,
                            ``HH:MM`` or ``HH:MM:SS``, default 06:00)
=========================== ==========================================================

Variables are read when an alert is sent (in the task, the triggerer or the scheduler), never
when a DAG file is parsed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote

ONCALL_EMAILS = "c360_oncall_emails"
RETENTION_EMAILS = "c360_retention_emails"
ALERT_FROM_EMAIL = "c360_alert_from_email"
TRANSFORM_DEADLINE_UTC = "c360_transform_deadline_utc"
DEFAULT_TRANSFORM_DEADLINE = "06:00"

_TIME_OF_DAY = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def variable(key: str, default: str | None = None) -> str | None:
    """An Airflow Variable through the Task SDK (tasks, DAG processor, triggerer)."""
    from airflow.sdk import Variable

    value = Variable.get(key, default=default)
    return None if value is None else str(value)


def split_addresses(value: str | None) -> list[str]:
    """``"a@x, b@y;c@z"`` -> ``["a@x", "b@y", "c@z"]``."""
    return [a.strip() for a in re.split(r"[,;\s]+", value or "") if a.strip()]


def recipients(key: str) -> list[str]:
    return split_addresses(variable(key))


def sender() -> str | None:
    """The sender Variable, else None (SmtpNotifier then takes the connection's from_email)."""
    return variable(ALERT_FROM_EMAIL) or None


def parse_time_of_day(value: str) -> time:
    m = _TIME_OF_DAY.match(value or "")
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59 or int(m.group(3) or 0) > 59:
        raise ValueError(f"{TRANSFORM_DEADLINE_UTC} must be a UTC time of day HH:MM[:SS], "
                         f"not {value!r}")
    return time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


def next_time_of_day(after: datetime, at: time) -> datetime:
    """The first ``at`` (UTC) at or after ``after``: a run due at 02:05 is due published by
    06:00 the same day; one due at 10:00 by 06:00 the next morning."""
    after = after.astimezone(UTC) if after.tzinfo else after.replace(tzinfo=UTC)
    candidate = datetime.combine(after.date(), at, tzinfo=UTC)
    return candidate if candidate >= after else candidate + timedelta(days=1)


def base_url() -> str:
    from airflow.sdk.configuration import conf

    return conf.get("api", "base_url", fallback="http://localhost:8080").rstrip("/")


def run_url(dag_id: str, run_id: str) -> str:
    """The run's page in the Airflow UI."""
    return f"{base_url()}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"
