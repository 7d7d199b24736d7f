"""The compliance team's high-risk transaction export: one CSV per transaction day.

After each publication the payments flagged ``is_high_risk`` (dbt's rule, fct_transactions) go
to the landing zone's exports area (a local folder, or S3 in production, through the
landing-zone abstraction) with the customer's identity and KYC standing:

    exports/high_risk_transactions/dt=2026-11-24/high_risk_transactions_20261124.csv

A run writes the files of its day D and of the days before it that the incremental merge of
fct_transactions re-processes (dbt var ``transactions_lookback_days``): late-arriving and
re-exported payments land in the file of their own day. A file is (re)written only when its
content changed, so each day has exactly one file, a re-run writes nothing and never
duplicates a row, and a day without flagged payments gets a file with the header only.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta
from functools import cache
from typing import Any

import yaml

from include.c360.config import settings

log = logging.getLogger(__name__)

EXPORT_PREFIX = "exports/high_risk_transactions"
LOOKBACK_VAR = "transactions_lookback_days"


def export_key(day: date) -> str:
    return f"{EXPORT_PREFIX}/dt={day.isoformat()}/high_risk_transactions_{day:%Y%m%d}.csv"


@cache
def lookback_days() -> int:
    """dbt's ``transactions_lookback_days`` (dbt_project.yml): the days a run re-processes."""
    project = yaml.safe_load((settings().dbt_project_dir / "dbt_project.yml").read_text())
    return int(project["vars"][LOOKBACK_VAR])


def export_high_risk(as_of: date, zone: Any = None, days: int | None = None) -> dict[str, Any]:
    """Write the export files of ``as_of`` and the ``days`` before it (default: dbt's
    lookback); a summary per file: rows, and whether it was written or unchanged."""
    from include.c360.landing import landing_zone
    from include.c360.report.warehouse import read_sql
    from include.c360.warehouse import sql_literal

    zone = zone or landing_zone()
    back = lookback_days() if days is None else days
    first = as_of - timedelta(days=back)
    frame = read_sql("high_risk_transactions.sql", start=sql_literal(first),
                     end=sql_literal(as_of + timedelta(days=1)))
    frame["transaction_day"] = frame["transaction_day"].astype(str).str[:10]
    files = {}
    for n in range(back + 1):
        day = first + timedelta(days=n)
        rows = frame[frame["transaction_day"] == day.isoformat()].drop(
            columns="transaction_day")
        data = rows.to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S").encode()
        key = export_key(day)
        unchanged = zone.exists(key) and zone.md5(key) == hashlib.md5(
            data, usedforsecurity=False).hexdigest()
        if not unchanged:
            with zone.open_writer(key) as fh:
                fh.write(data)
        files[key] = {"rows": len(rows), "written": not unchanged}
        log.info("%s/%s: %s high-risk payments (%s)", zone.uri, key, len(rows),
                 "unchanged" if unchanged else "written")
    return {"as_of": as_of.isoformat(), "landing": zone.uri, "files": files,
            "rows": int(sum(f["rows"] for f in files.values()))}
