"""Personal data on request and by retention: erase one customer, apply the retention settings.

    python -m include.c360.privacy erase --customer-id CUST-0000042
    python -m include.c360.privacy retention   # C360_{RAW,QUARANTINE}_RETENTION_DAYS

Both run on the configured warehouse (``C360_TARGET``) and landing zone (``C360_LANDING``);
the DAGs ``c360_erase_customer`` (manual, Param ``customer_id``) and ``c360_data_retention``
(daily) run the same functions (``dags/c360_privacy.py``).

* ``erase``: one transaction sets the personal-data columns (``include/c360/pii.py``: the
  catalog's ``pii: true``) of one customer to NULL in RAW, in the marts and in every version of
  the snapshot history; keys, dates, statuses and every other column stay, so joins, counts
  and aggregates are unchanged. Staging views show RAW. Later dbt builds keep it erased (the
  snapshot sees no change). Not covered: the source system's exports still in the landing
  zone and its quarantine (their own retention below, and the bucket's lifecycle rules), and
  a later export of the customer by the source system (the CRM must erase too).
* ``retention``: with ``C360_RAW_RETENTION_DAYS`` = N, RAW rows of the sources holding personal
  data that were loaded more than N days ago and superseded by a later load of the same key
  are deleted (every key keeps its newest load, so staging and the marts do not change); with
  ``C360_QUARANTINE_RETENTION_DAYS`` = N, quarantined files older than N days are deleted
  unless their rejection is still unresolved (those are kept and listed). Unset: kept forever.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from include.c360.pii import dbt_relations, raw_relations

log = logging.getLogger(__name__)

RAW_RETENTION_ENV = "C360_RAW_RETENTION_DAYS"
QUARANTINE_RETENTION_ENV = "C360_QUARANTINE_RETENTION_DAYS"


def _render(name: str, **context: Any) -> list[str]:
    from include.c360.ingest.sql import render
    from include.c360.warehouse.sql import split_statements

    return split_statements(render(f"privacy/{name}.sql", **context))


def erase_customer(customer_id: str, wh: Any) -> dict[str, int]:
    """Erase ``customer_id``'s personal data from every table holding it (one transaction);
    rows touched per table. A customer RAW does not know is an error (a typo must not pass)."""
    from include.c360.warehouse.sql import sql_literal
    from include.c360.warehouse.transactions import transaction

    key = sql_literal(customer_id)
    relations = [r for r in raw_relations() + dbt_relations() if wh.table_exists(r.schema, r.name)]
    counts = {f"{r.schema}.{r.name}": int(wh.scalar(
        f"select count(*) from {r.schema}.{r.name} where {r.key} = {key}")) for r in relations}
    if not any(counts[f"{r.schema}.{r.name}"] for r in raw_relations()
               if f"{r.schema}.{r.name}" in counts):
        raise LookupError(f"no customer {customer_id!r} in "
                          f"{', '.join(f'{r.schema}.{r.name}' for r in raw_relations())}")
    with transaction(wh.execute):
        for statement in _render("erase_customer", relations=relations, customer_id=key):
            wh.execute(statement)
    log.warning("erased the personal data of customer %s: %s", customer_id, counts)
    return counts


@dataclass
class RetentionReport:
    raw_deleted: dict[str, int] = field(default_factory=dict)
    quarantine_deleted: list[str] = field(default_factory=list)
    quarantine_kept_unresolved: list[str] = field(default_factory=list)


def retention_days(env: str) -> int | None:
    value = os.environ.get(env, "").strip()
    if not value:
        return None
    days = int(value)
    if days < 1:
        raise ValueError(f"{env} must be at least 1 day, not {days}")
    return days


def apply_raw_retention(wh: Any, days: int, now: datetime | None = None) -> dict[str, int]:
    """Delete the superseded RAW versions loaded more than ``days`` ago (sources with PII)."""
    from include.c360.sources import source
    from include.c360.warehouse.sql import sql_literal
    from include.c360.warehouse.transactions import transaction

    cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).replace(tzinfo=None)
    deleted: dict[str, int] = {}
    for rel in raw_relations():
        table = f"{rel.schema}.{rel.name}"
        if not wh.table_exists(rel.schema, rel.name):
            continue
        before = int(wh.scalar(f"select count(*) from {table}"))
        with transaction(wh.execute):
            for statement in _render("raw_retention", schema=rel.schema, src=source(rel.name),
                                     cutoff=f"{sql_literal(cutoff.isoformat(sep=' '))}"
                                            f"::timestamp"):
                wh.execute(statement)
        deleted[table] = before - int(wh.scalar(f"select count(*) from {table}"))
    log.warning("RAW retention (%s days): deleted %s", days, deleted)
    return deleted


def apply_quarantine_retention(zone: Any, loader: Any, days: int,
                               now: datetime | None = None) -> tuple[list[str], list[str]]:
    """Delete quarantined files older than ``days`` whose rejection is not unresolved;
    ``(deleted, kept because unresolved)``."""
    from include.c360.ingest.config import QUARANTINE_PREFIX
    from include.c360.sources import SOURCES

    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    unresolved = {f.quarantine_key for s in SOURCES for f in loader.unresolved_failures(s)}
    deleted, kept = [], []
    for f in zone.list(QUARANTINE_PREFIX):
        if f.last_modified.astimezone(UTC) >= cutoff:
            continue
        if f.key in unresolved:
            kept.append(f.key)
            continue
        zone.delete(f.key)
        deleted.append(f.key)
    if kept:
        log.warning("quarantine retention: kept %s (rejection unresolved: resolve or release "
                    "them first)", kept)
    log.warning("quarantine retention (%s days): deleted %s", days, deleted)
    return deleted, kept


def apply_retention() -> RetentionReport:
    """The retention settings on the configured warehouse and landing zone."""
    from include.c360.ingest.config import IngestConfig
    from include.c360.ingest.tasks import loader
    from include.c360.landing import landing_zone
    from include.c360.warehouse.client import open_warehouse

    report = RetentionReport()
    raw_days, quarantine_days = (retention_days(RAW_RETENTION_ENV),
                                 retention_days(QUARANTINE_RETENTION_ENV))
    if quarantine_days is not None:
        ld = loader(IngestConfig.from_env())
        try:
            report.quarantine_deleted, report.quarantine_kept_unresolved = (
                apply_quarantine_retention(landing_zone(), ld, quarantine_days))
        finally:
            ld.close()
    if raw_days is not None:
        with open_warehouse() as wh:
            report.raw_deleted = apply_raw_retention(wh, raw_days)
    return report


def erase_task(customer_id: str = "", **_: Any) -> dict[str, int]:
    """The ``c360_erase_customer`` DAG's task (Param ``customer_id``)."""
    from include.c360.warehouse.client import open_warehouse

    if not str(customer_id).strip():
        raise ValueError("Param customer_id is empty: trigger the DAG with the customer's id")
    with open_warehouse() as wh:
        return erase_customer(str(customer_id).strip(), wh)


def retention_task(**_: Any) -> dict[str, Any]:
    """The ``c360_data_retention`` DAG's task: the retention settings, as a JSON-able summary."""
    report = apply_retention()
    return {"raw_deleted": report.raw_deleted, "quarantine_deleted": report.quarantine_deleted,
            "quarantine_kept_unresolved": report.quarantine_kept_unresolved}


def main(argv: list[str] | None = None) -> int:
    from include.c360.warehouse.client import open_warehouse

    parser = argparse.ArgumentParser(prog="python -m include.c360.privacy",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    erase = sub.add_parser("erase", help="erase one customer's personal data")
    erase.add_argument("--customer-id", required=True)
    sub.add_parser("retention", help=f"apply {RAW_RETENTION_ENV} / {QUARANTINE_RETENTION_ENV}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "erase":
            with open_warehouse() as wh:
                counts = erase_customer(args.customer_id, wh)
            print(f"erased the personal data of {args.customer_id}: rows per table {counts}")
        else:
            report = apply_retention()
            print(f"retention: {report}")
    except (LookupError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
