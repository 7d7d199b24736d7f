"""What the demo's summary reads from the warehouse (read-only) and the landing zone.

* ``counts``: rows of the RAW and mart tables;
* ``before_day2``: the state the second day is compared with, read after its ingestion and
  before its transform (the fct_transactions rows of the payments the day's files carry);
* ``two_days``: what the second day changed - the fct_transactions merge (rows added,
  updated, re-processed unchanged), the snapshot's versions closed and opened, customers whose
  segment or risk changed, and the scorecard's day-over-day deltas (its own JSON).
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from include.c360.config import settings
from include.c360.sources import SOURCES

MART_TABLES = ("marts.dim_customers", "marts.fct_orders", "marts.fct_transactions",
               "marts.fct_campaigns", "marts.fct_customer_value", "marts.fct_support_tickets",
               "semantic.fct_customer_daily", "snapshots.snap_customer_profile")
MERGE_COLUMNS = ("status", "amount", "is_high_risk", "order_id")


@contextmanager
def read_only(attempts: int = 30) -> Generator[Any, None, None]:
    """A read-only connection to the warehouse (retried while a task still holds the lock)."""
    import duckdb

    for attempt in range(attempts):
        try:
            con = duckdb.connect(str(settings().duckdb_path), read_only=True)
            break
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise
            time.sleep(2)
    try:
        yield con
    finally:
        con.close()


def _one(con: Any, sql: str, *params: Any) -> Any:
    return con.execute(sql, list(params)).fetchone()[0]


def counts() -> dict[str, int]:
    with read_only() as con:
        return {t: int(_one(con, f"select count(*) from {t}"))
                for t in [f"raw.{s.name}" for s in SOURCES] + list(MART_TABLES)}


def _day_payments(con: Any, day: date) -> dict[str, tuple]:
    """fct_transactions rows of the payments in the day's landing partition (by RAW file)."""
    cols = ", ".join(f"t.{c}" for c in MERGE_COLUMNS)
    rows = con.execute(
        f"select t.transaction_id, {cols} from marts.fct_transactions t "
        "where t.transaction_id in (select trim(transaction_id) from raw.transactions "
        "where _source_file like ?)", [f"transactions/dt={day.isoformat()}/%"]).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def before_day2(day2: date) -> dict[str, Any]:
    with read_only() as con:
        return {
            "fct_transactions": int(_one(con, "select count(*) from marts.fct_transactions")),
            "payments": _day_payments(con, day2),
            "raw_payments": int(_one(con, "select count(distinct trim(transaction_id)) from "
                                          "raw.transactions where _source_file like ?",
                                     f"transactions/dt={day2.isoformat()}/%")),
            "snapshot_versions": int(_one(
                con, "select count(*) from snapshots.snap_customer_profile")),
            "snapshot_closed": int(_one(con, "select count(*) from snapshots.snap_customer_profile"
                                             " where dbt_valid_to is not null")),
        }


def two_days(day1: date, day2: date, before: dict[str, Any]) -> dict[str, Any]:
    with read_only() as con:
        after = _day_payments(con, day2)
        rows_after = int(_one(con, "select count(*) from marts.fct_transactions"))
        versions = int(_one(con, "select count(*) from snapshots.snap_customer_profile"))
        closed = int(_one(con, "select count(*) from snapshots.snap_customer_profile "
                               "where dbt_valid_to is not null"))
        changed = con.execute("""
            select
                count(*) filter (where d1.customer_segment is distinct from d2.customer_segment),
                count(*) filter (where d1.rfm_segment is distinct from d2.rfm_segment),
                count(*) filter (where d1.account_status is distinct from d2.account_status),
                count(*) filter (where d1.kyc_status is distinct from d2.kyc_status)
            from semantic.fct_customer_daily d1
            inner join semantic.fct_customer_daily d2
                on d1.customer_id = d2.customer_id
            where d1.as_of_date = ? and d2.as_of_date = ?""", [day1, day2]).fetchone()
        new_customers = int(_one(con, """
            select count(*) from semantic.fct_customer_daily d2 where d2.as_of_date = ?
            and not exists (select 1 from semantic.fct_customer_daily d1
                            where d1.as_of_date = ? and d1.customer_id = d2.customer_id)""",
                                 day2, day1))
        fraud_flag_changed = int(_one(con, """
            select count(*) from ml.customer_risk_scores r1
            inner join ml.customer_risk_scores r2 on r1.customer_id = r2.customer_id
            where cast(r1.scored_at as date) = ? and cast(r2.scored_at as date) = ?
              and r1.is_high_risk_customer <> r2.is_high_risk_customer""", day1, day2))
        alerts = int(_one(con, "select count(*) from alerts.fct_retention_alerts "
                               "where cast(scored_at as date) = ?", day2))
    payments = before["payments"]
    added = [i for i in after if i not in payments]
    updated = [i for i in after if i in payments and after[i] != payments[i]]
    return {
        "merge": {"rows_before": before["fct_transactions"], "rows_after": rows_after,
                  "day_payments": before["raw_payments"], "added": len(added),
                  "updated": len(updated),
                  "unchanged": len(after) - len(added) - len(updated)},
        "snapshot": {"versions_before": before["snapshot_versions"], "versions_after": versions,
                     "opened": versions - before["snapshot_versions"],
                     "closed": closed - before["snapshot_closed"], "closed_total": closed},
        "customers": {"new": new_customers, "ml_segment_changed": int(changed[0]),
                      "rfm_segment_changed": int(changed[1]),
                      "account_status_changed": int(changed[2]),
                      "kyc_status_changed": int(changed[3]),
                      "newly_high_churn_risk": alerts,
                      "fraud_risk_flag_changed": fraud_flag_changed},
    }


def scorecard_figures(day: date) -> dict[str, Any]:
    """The scorecard's own figures of ``day`` (its JSON beside the page)."""
    from include.c360.landing import landing_zone
    from include.c360.report.scorecard import REPORT_PREFIX

    with landing_zone().open(f"{REPORT_PREFIX}/dt={day.isoformat()}/scorecard.json") as fh:
        return json.load(fh)


def write(summary: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1, default=str))
    return path
