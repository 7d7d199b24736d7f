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
  snapshot sees no change). Then the landing zone's own files (``erase_customer_files``):
  the customer's records are removed from the quarantined exports of the PII sources, and
  the customer's personal-data columns emptied in the compliance export. Not covered: the
  source system's exports still in the landing zone (the bucket's lifecycle rules), error
  messages in the load history that quote a value, and a later export of the customer by the
  source system (the CRM must erase too).
* ``retention``: with ``C360_RAW_RETENTION_DAYS`` = N, RAW rows of the sources holding personal
  data that were loaded more than N days ago and superseded by a later load of the same key
  are deleted (every key keeps its newest load, so staging and the marts do not change); with
  ``C360_QUARANTINE_RETENTION_DAYS`` = N, quarantined files older than N days are deleted
  unless their rejection is still unresolved (those are kept and listed). Unset: kept forever.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import logging
import os
import re
import sys
import zlib
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


def erase_customer_files(customer_id: str, zone: Any) -> dict[str, str]:
    """Erase ``customer_id``'s personal data from the landing zone's own files
    (``pii.landing_files``); what was done, per file key.

    * quarantined exports of a PII source (rejected, never loaded): every record naming the
      customer is removed and the file rewritten in place (the rest of it stays as delivered,
      for the rejection's diagnosis or release); a file that does not decompress (a cut gzip
      stream, the reason it was rejected) and names the customer in what reads is deleted;
    * the compliance export: the personal-data columns of the customer's rows are emptied (the
      flagged payments, their keys and the KYC standing stay).
    """
    from include.c360.pii import landing_files

    token = re.compile(rb"(?<![\w-])" + re.escape(customer_id.encode()) + rb"(?![\w-])")
    done: dict[str, str] = {}
    for spec in landing_files():
        for f in zone.list(spec.prefix):
            with zone.open(f.key) as fh:
                data = fh.read()
            if not token.search(data) and not data.startswith(GZIP_MAGIC):
                continue
            if spec.kind == "export":
                new, what = _blank_csv_fields(data, spec, customer_id)
            else:
                new, what = _drop_records(data, token)
            if what is None:
                continue
            if new is None:
                zone.delete(f.key)
            else:
                with zone.open_writer(f.key) as out:
                    out.write(new)
            done[f.key] = what
            log.warning("erasure of customer %s: %s: %s", customer_id, f.key, what)
    return done


GZIP_MAGIC = b"\x1f\x8b"


def _drop_records(data: bytes, token: re.Pattern[bytes]) -> tuple[bytes | None, str | None]:
    """A line-per-record file (CSV, NDJSON; gzip or not) without the records ``token`` names:
    ``(new bytes, what was done)``; ``(None, ...)``: delete it; ``(_, None)``: not named."""
    plain = data
    if data.startswith(GZIP_MAGIC):
        try:
            plain = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):  # a cut or corrupt stream: what of it reads
            try:
                readable = zlib.decompressobj(wbits=31).decompress(data)
            except zlib.error:
                readable = b""
            if token.search(readable) or token.search(data):
                return None, "deleted: the file does not decompress and names the customer"
            return data, None
    lines = plain.splitlines(keepends=True)
    kept = [line for line in lines if not token.search(line)]
    if len(kept) == len(lines):
        return data, None
    body = b"".join(kept)
    if data.startswith(GZIP_MAGIC):
        body = gzip.compress(body, compresslevel=1, mtime=0)
    return body, f"rewritten without the customer's {len(lines) - len(kept)} record(s)"


def _blank_csv_fields(data: bytes, spec: Any, customer_id: str
                      ) -> tuple[bytes | None, str | None]:
    """A CSV with a header whose ``spec.columns`` are emptied in the customer's rows."""
    rows = list(csv.reader(io.StringIO(data.decode())))
    if not rows or spec.key not in rows[0]:
        return data, None
    key = rows[0].index(spec.key)
    cols = [i for i, name in enumerate(rows[0]) if name in spec.columns]
    hits = 0
    for row in rows[1:]:
        if len(row) > key and row[key] == customer_id and any(
                i < len(row) and row[i] for i in cols):
            hits += 1
            for i in cols:
                if i < len(row):
                    row[i] = ""
    if not hits:
        return data, None
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    names = ", ".join(rows[0][i] for i in cols)
    return out.getvalue().encode(), f"emptied {names} in the customer's {hits} row(s)"


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


def erase(customer_id: str) -> dict[str, Any]:
    """Erase one customer on the configured warehouse, then in the landing zone's files:
    ``{"rows": rows touched per table, "files": what was done per file}``. The warehouse goes
    first (an unknown customer stops it); both steps are idempotent, so a failed run is
    re-run."""
    from include.c360.landing import landing_zone
    from include.c360.warehouse.client import open_warehouse

    with open_warehouse() as wh:
        rows = erase_customer(customer_id, wh)
    return {"rows": rows, "files": erase_customer_files(customer_id, landing_zone())}


def erase_task(customer_id: str = "", **_: Any) -> dict[str, Any]:
    """The ``c360_erase_customer`` DAG's task (Param ``customer_id``)."""
    if not str(customer_id).strip():
        raise ValueError("Param customer_id is empty: trigger the DAG with the customer's id")
    return erase(str(customer_id).strip())


def retention_task(**_: Any) -> dict[str, Any]:
    """The ``c360_data_retention`` DAG's task: the retention settings, as a JSON-able summary."""
    report = apply_retention()
    return {"raw_deleted": report.raw_deleted, "quarantine_deleted": report.quarantine_deleted,
            "quarantine_kept_unresolved": report.quarantine_kept_unresolved}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m include.c360.privacy",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    erase_cmd = sub.add_parser("erase", help="erase one customer's personal data")
    erase_cmd.add_argument("--customer-id", required=True)
    sub.add_parser("retention", help=f"apply {RAW_RETENTION_ENV} / {QUARANTINE_RETENTION_ENV}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "erase":
            done = erase(args.customer_id)
            print(f"erased the personal data of {args.customer_id}: rows per table "
                  f"{done['rows']}; landing-zone files {done['files'] or 'none'}")
        else:
            report = apply_retention()
            print(f"retention: {report}")
    except (LookupError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
