"""The retention digest: after each publication, e-mail the customers the run newly alerted.

The rule (who is alerted) is dbt's, ``alerts.fct_retention_alerts``; this task only reads the
rows of this run's scoring that its own build added (``detected_at`` during this DAG run) and
mails them to ``c360_retention_emails``: how many, their value at risk (sum of predicted LTV),
the top ones by predicted LTV in the body and every one of them in an attached CSV. A run that
added none (nobody crossed, or a re-run of a scoring already compared) sends nothing, so the
digest goes out once per scoring day.
"""

from __future__ import annotations

import csv
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from include.c360.alerts import config, messages

log = logging.getLogger(__name__)

ALERTS_TABLE = "alerts.fct_retention_alerts"
TOP = 20


def alerts_added(as_of: str, since: datetime) -> list[dict[str, Any]]:
    """The alerts of the scoring of ``as_of`` detected at or after ``since``, by predicted LTV."""
    from include.c360.ml.jobs import parse_as_of, scored_at_of
    from include.c360.ml.warehouse import open_warehouse, sql_literal

    columns = (*messages.RETENTION_COLUMNS, "alert_threshold", "scored_at")
    since_utc = since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
    sql = (f"select {', '.join(columns)} from {ALERTS_TABLE} "
           f"where scored_at = {sql_literal(scored_at_of(parse_as_of(as_of)))} "
           f"and detected_at >= {sql_literal(since_utc.replace(microsecond=0))} "
           "order by predicted_ltv desc nulls last, customer_id")
    with open_warehouse() as wh:
        frame = wh.query_df(sql)
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict(orient="records")


def write_csv(alerts: list[dict[str, Any]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*messages.RETENTION_COLUMNS, "scored_at"],
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(alerts)
    return path


def retention_digest(as_of: str, **context: Any) -> dict[str, Any]:
    """Task callable (transform DAG, after publish)."""
    from include.c360.alerts.notifiers import RetentionDigestNotifier

    dag_run = context["dag_run"]
    since = dag_run.start_date or datetime.now(UTC)
    alerts = alerts_added(as_of, since)
    summary = {"as_of": as_of, "alerts": len(alerts),
               "value_at_risk": round(sum(float(a["predicted_ltv"] or 0) for a in alerts), 2),
               "sent": False}
    if not alerts:
        log.info("no customer newly crossed the churn alert threshold in this run's scoring "
                 "of %s: no retention digest", as_of)
        return summary
    with tempfile.TemporaryDirectory(prefix="c360_retention_") as tmp:
        path = write_csv(alerts, Path(tmp) / f"retention_alerts_{as_of[:10]}.csv")
        message = messages.retention_digest(
            scored_at=alerts[0]["scored_at"], threshold=float(alerts[0]["alert_threshold"]),
            alerts=alerts, top=TOP, csv_path=str(path), dag_id=dag_run.dag_id,
            run_id=dag_run.run_id, url=config.run_url(dag_run.dag_id, dag_run.run_id))
        summary["sent"] = RetentionDigestNotifier(message).notify(context)
    return summary
