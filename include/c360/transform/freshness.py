"""Source freshness gates: every dbt source with a freshness SLA is checked before its staging.

The thresholds and the ``loaded_at_field`` are the dbt sources' own freshness config (read
from the manifest; they match ``include/c360/sources.py``, which
``tests/transform/test_transform_dag.py`` asserts). A check reads ``max(loaded_at_field)``
of the RAW table and compares its age at the run's reference time (``dag_run.run_after``:
when the run was due, so a backfill of a past date is judged as of that date) with the
thresholds:

* ``pass``  - nothing reported.
* ``warn``  - ``report_freshness_breach`` is called; the run goes on.
* ``error`` - ``report_freshness_breach`` is called and the source's lineage (its staging
  model and everything built from it) does not build; the other sources' lineages still do.
  Param ``enforce_freshness=false`` reports the breach without stopping anything
  (re-building history from stale sources on purpose).

A daily source (``Source.daily_partitions``) whose load history has a gap, a day between
its first and newest delivered partition with no file (``ingest.plan.partition_gaps``; the
ingestion task fails over it too), is incomplete however fresh its newest rows are: its status
is the worst its SLA has (``error``, or ``warn`` for a warn-only SLA), naming the days.

How the lineage is stopped depends on the Cosmos execution mode: in ``local``
mode one task per source (``check_source_freshness``) fails, so its downstream tasks are
``upstream_failed``; in ``watcher`` mode the dbt producer checks every source before its
``dbt build`` (``assess_source_freshness``), excludes ``source:<name>+`` of the stale ones and
the source's task in the UI fails.

``report_freshness_breach`` alerts: it receives the breach (source, status, age, thresholds,
RAW table, what is held back) and the task context, logs one structured JSON line, pushes the
breach to XCom under ``freshness_breach__<source>`` and e-mails the on-call list
(``FreshnessBreachNotifier``) once per breach and run: a retry of the checking task does not.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

log = logging.getLogger(__name__)

BREACH_XCOM_KEY = "freshness_breach"
PERIOD_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


class SourceFreshnessError(AirflowFailException):
    """An error-level freshness breach: the source's lineage must not build on stale data.

    Fails the task at once (retrying cannot make data fresher); other errors of the check,
    such as a locked warehouse, are retried like any task's. Its e-mail is the breach's, so
    the task-failure e-mail skips it (``alerted``).
    """

    alerted = True


@dataclass(frozen=True)
class FreshnessSpec:
    """One dbt source's freshness SLA (from the manifest)."""

    source: str  # dbt source name, e.g. "crm"
    table: str  # dbt source table, e.g. "customers" (= the registry's source name)
    relation: str  # schema.identifier of the RAW table
    loaded_at_field: str
    warn_after_hours: float | None
    error_after_hours: float | None
    unique_id: str  # the dbt source node, e.g. "source.customer360.crm.customers"
    # what an enforced error stops: the dbt nodes built from the source, then the DAG's tasks
    # that wait for the feature tables (scoring, publication, digest; added by dag.py)
    held_back: tuple[str, ...] = ()

    @property
    def task_id(self) -> str:
        return f"freshness_{self.table}"


@dataclass(frozen=True)
class FreshnessBreach:
    """What ``report_freshness_breach`` receives."""

    source: str  # RAW table / registry source name
    dbt_source: str  # "crm.customers"
    status: str  # "warn" | "error"
    relation: str
    max_loaded_at: str | None  # ISO UTC; None = the table has no rows
    age_hours: float | None
    warn_after_hours: float | None
    error_after_hours: float | None
    checked_at: str  # the reference time (ISO UTC)
    enforced: bool  # an error stops the lineage (Param enforce_freshness)
    held_back: tuple[str, ...] = ()  # what does not build in this run (enforced errors only)
    never_delivered: tuple[str, ...] = ()  # days of the gaps in the load history (ISO dates)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _hours(threshold: dict[str, Any] | None) -> float | None:
    if not threshold or threshold.get("count") is None:
        return None
    return float(threshold["count"]) * PERIOD_HOURS[threshold["period"]]


def descendants(manifest: dict[str, Any], unique_id: str) -> tuple[str, ...]:
    """Names of the models and snapshots built from a node, in manifest order."""
    children: dict[str, list[str]] = {}
    for uid, node in manifest["nodes"].items():
        for parent in (node.get("depends_on") or {}).get("nodes", []):
            children.setdefault(parent, []).append(uid)
    seen: set[str] = set()
    todo = [unique_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return tuple(node["name"] for uid, node in manifest["nodes"].items()
                 if uid in seen and node["resource_type"] in {"model", "snapshot"})


def specs_from_manifest(manifest: dict[str, Any]) -> list[FreshnessSpec]:
    """Every source with a warn or error threshold, in manifest order."""
    specs = []
    for unique_id, node in manifest["sources"].items():
        fresh = node.get("freshness") or {}
        warn, error = _hours(fresh.get("warn_after")), _hours(fresh.get("error_after"))
        loaded_at = node.get("loaded_at_field") or (node.get("config") or {}).get(
            "loaded_at_field")
        if (warn is None and error is None) or not loaded_at:
            continue
        specs.append(FreshnessSpec(
            source=node["source_name"], table=node["name"],
            relation=f"{node['schema']}.{node['identifier']}", loaded_at_field=loaded_at,
            warn_after_hours=warn, error_after_hours=error, unique_id=unique_id,
            held_back=descendants(manifest, unique_id),
        ))
    return specs


def classify(age_hours: float | None, warn: float | None, error: float | None) -> str:
    """pass / warn / error for an age (None = no rows: the worst status the SLA has)."""
    if age_hours is None:
        return "error" if error is not None else "warn"
    if error is not None and age_hours > error:
        return "error"
    if warn is not None and age_hours > warn:
        return "warn"
    return "pass"


def breach_xcom_key(source: str) -> str:
    """XCom key of a source's breach: ``freshness_breach__<source>`` (one task may check many)."""
    return f"{BREACH_XCOM_KEY}__{source}"


def report_freshness_breach(breach: FreshnessBreach, context: dict[str, Any]) -> None:
    """The alerting hook: called once per warn/error breach, before an error stops the lineage.

    One structured JSON log line (ERROR for error, WARNING for warn), the breach in XCom (key
    ``freshness_breach__<source>``) and, on the checking task's first try, an e-mail to the
    on-call list: a warning, or an error naming what is held back. A retry of the task finds
    the same breach and does not mail it again.
    """
    payload = {"event": "source_freshness_breach", **breach.to_dict(),
               "dag_id": getattr(context.get("dag"), "dag_id", None),
               "run_id": context.get("run_id")}
    level = logging.ERROR if breach.status == "error" else logging.WARNING
    log.log(level, "%s", json.dumps(payload, sort_keys=True))
    ti = context.get("ti")
    if ti is not None:
        ti.xcom_push(key=breach_xcom_key(breach.source), value=breach.to_dict())
    try_number = getattr(ti, "try_number", 1) or 1
    if try_number > 1:
        log.info("freshness breach of %s already e-mailed by try 1 of this task (try %s now)",
                 breach.source, try_number)
        return
    from include.c360.alerts.notifiers import FreshnessBreachNotifier

    FreshnessBreachNotifier(breach.to_dict()).notify(context)


def max_loaded_at(relation: str, loaded_at_field: str, target: str | None = None
                  ) -> datetime | None:
    """``max(loaded_at_field)`` of a RAW table as an aware UTC datetime (None: no rows)."""
    from include.c360.warehouse import open_warehouse

    with open_warehouse(target, read_only=True) as wh:
        value = wh.scalar(f"select max({loaded_at_field}) from {relation}")
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def never_delivered(source: str, target: str | None = None) -> list[date]:
    """The days a daily source never delivered though later days were, from the load history
    (``ingest.plan.partition_gaps``); none for other sources or without a load history."""
    from include.c360.constants import RAW_META_SCHEMA
    from include.c360.ingest.config import LOAD_HISTORY_TABLE
    from include.c360.ingest.plan import partition_gaps
    from include.c360.sources import SOURCES_BY_NAME
    from include.c360.warehouse import open_warehouse, sql_literal
    from include.c360.warehouse.connections import dialect

    src = SOURCES_BY_NAME.get(source)
    if src is None or not src.daily_partitions:
        return []
    if src.load_strategy == "snowpipe" and dialect(target) == "snowflake":
        # its pipe loads, and its check task mirrors only the files of its own lookback into
        # the load history: a day missing there need not be missing in RAW
        return []
    with open_warehouse(target, read_only=True) as wh:
        if not wh.table_exists(RAW_META_SCHEMA, LOAD_HISTORY_TABLE):
            return []
        keys = wh.query_df(f"select distinct file_key from {RAW_META_SCHEMA}.{LOAD_HISTORY_TABLE} "
                           f"where source = {sql_literal(src.name)}")
    return partition_gaps(src, keys.iloc[:, 0].tolist())


def _reference_time(context: dict[str, Any]) -> datetime:
    dag_run = context.get("dag_run")
    when = getattr(dag_run, "run_after", None) or datetime.now(UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def assess_source_freshness(spec: FreshnessSpec, enforced: bool, context: dict[str, Any]
                            ) -> dict[str, Any]:
    """Check one source at the run's reference time and report a breach (never raises it)."""
    now = _reference_time(context)
    latest = max_loaded_at(spec.relation, spec.loaded_at_field)
    age = None if latest is None else max((now - latest) / timedelta(hours=1), 0.0)
    status = classify(age, spec.warn_after_hours, spec.error_after_hours)
    gaps = [d.isoformat() for d in never_delivered(spec.table) if d <= now.date()]
    if gaps:  # incomplete: the worst status its SLA has, as for a source never loaded
        status = "error" if spec.error_after_hours is not None else "warn"
    result = {
        "source": spec.table, "dbt_source": f"{spec.source}.{spec.table}", "status": status,
        "relation": spec.relation, "max_loaded_at": latest.isoformat() if latest else None,
        "age_hours": None if age is None else round(age, 3),
        "warn_after_hours": spec.warn_after_hours, "error_after_hours": spec.error_after_hours,
        "checked_at": now.isoformat(), "enforced": enforced, "never_delivered": tuple(gaps),
    }
    result["held_back"] = spec.held_back if stops_lineage(result) else ()
    log.info("freshness %s: %s (age %s h, warn %s h, error %s h; days never delivered: %s)",
             result["dbt_source"], status, result["age_hours"], spec.warn_after_hours,
             spec.error_after_hours, len(gaps))
    if status != "pass":
        report_freshness_breach(FreshnessBreach(**result), context)
    return result


def stops_lineage(result: dict[str, Any]) -> bool:
    """An error-level breach, enforced: the source's lineage must not build."""
    return result["status"] == "error" and bool(result["enforced"])


def is_enforced(enforce: Any) -> bool:
    """Param ``enforce_freshness`` (a bool, or its rendered string) as a bool."""
    return str(enforce).strip().lower() not in {"false", "0", "no", "off"}


def check_source_freshness(spec: dict[str, Any], enforce: Any = True, **context: Any
                           ) -> dict[str, Any]:
    """Task callable: check one source (``spec`` = ``asdict(FreshnessSpec)``)."""
    s = FreshnessSpec(**spec)
    result = assess_source_freshness(s, is_enforced(enforce), context)
    if stops_lineage(result) and result["never_delivered"]:
        from include.c360.ingest.plan import day_ranges

        days = [date.fromisoformat(d) for d in result["never_delivered"]]
        raise SourceFreshnessError(
            f"source {result['dbt_source']} ({s.relation}) is incomplete: "
            f"{len(days)} day(s) never delivered, though later days were: {day_ranges(days)}; "
            f"its staging lineage does not build")
    if stops_lineage(result):
        raise SourceFreshnessError(
            f"source {result['dbt_source']} ({s.relation}) is stale: max({s.loaded_at_field}) "
            f"= {result['max_loaded_at']}, {result['age_hours']} h old at "
            f"{result['checked_at']} > error_after {s.error_after_hours} h; its staging "
            f"lineage does not build"
        )
    return result
