"""Building blocks of the ingestion/setup DAGs, so the DAG files stay declarative."""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param

from include.c360.config import settings
from include.c360.constants import (
    AWS_CONN_ID,
    PII_READER_ROLE,
    RAW_META_SCHEMA,
    RAW_SCHEMA,
    SNOWFLAKE_CONN_ID,
)
from include.c360.ingest.config import (
    ON_CHANGED_CHOICES,
    ON_ERROR_CHOICES,
    QUARANTINE_PREFIX,
    IngestConfig,
)
from include.c360.sources import Source
from include.c360.warehouse.sql import AWS_ROLE_ARN_PATTERN, IDENTIFIER_PATTERN, STAGE_URL_PATTERN


def ingest_params() -> dict[str, Param]:
    """The ingestion DAGs' Params. The policy Params' defaults are the deployment's settings
    (``IngestConfig.from_env``: ``C360_INGEST_*``, else the built-in defaults), so a scheduled
    run, or a trigger without conf, runs with what the environment says; a value given in the
    trigger form or ``dag_run.conf`` wins."""
    env = IngestConfig.from_env()
    return {
        "on_error": Param(env.on_error, enum=list(ON_ERROR_CHOICES),
                          description="Bad files are quarantined either way; 'fail' fails the "
                                      "task after the good files loaded, 'continue' warns."),
        "on_changed_file": Param(env.on_changed_file, enum=list(ON_CHANGED_CHOICES),
                                 description="A loaded file re-delivered with new content: "
                                             "'reload' replaces its rows, 'reject' quarantines "
                                             "it."),
        "resolve_failed": Param([], type="array", items={"type": "string"},
                                description="Operator action: landing keys of rejected files "
                                            "whose rejection you accept (nothing of them "
                                            "loads; recorded as RESOLVED); then clear the run "
                                            "that rejected them and it succeeds."),
        "release_quarantined": Param([], type="array", items={"type": "string"},
                                     description="Operator action, once the cause is fixed: "
                                                 "landing keys of rejected files to move back "
                                                 "from _quarantine/ to their landing key; this "
                                                 "run loads them (or rejects them again)."),
        "lookback_days": Param(env.lookback_days, type="integer", minimum=0, maximum=3650,
                               description="Also list this many days before the interval "
                                           "(late files; e.g. 730 for a first catch-up of "
                                           "the whole history in one run)."),
        "max_catchup_days": Param(env.max_catchup_days, type="integer",
                                  minimum=0, maximum=3650,
                                  description="After an outage or pause the run lists every "
                                              "partition since the last loaded one, if that "
                                              "is at most this many days back; further back "
                                              "the run fails naming the gap (backfill it, or "
                                              "raise this)."),
    }


def setup_params() -> dict[str, Param]:
    """The setup DAG's Params, each with the pattern the templates check again when they
    render (``include/c360/warehouse/sql.py``): a trigger form or ``dag_run.conf`` with
    anything else is refused before the run starts."""
    ident = {"type": "string", "pattern": IDENTIFIER_PATTERN}
    landing = settings().landing
    return {
        "database": Param("C360", **ident, description="Snowflake database"),
        "raw_schema": Param(RAW_SCHEMA, **ident),
        "meta_schema": Param(RAW_META_SCHEMA, **ident, description="load history schema"),
        "landing_url": Param(landing, type="string",
                             **({"pattern": STAGE_URL_PATTERN} if "://" in landing else {}),
                             description="Landing zone (s3://bucket/prefix in production)"),
        "storage_integration": Param("", type="string",
                                     pattern=IDENTIFIER_PATTERN.replace("^", "^$|^", 1),
                                     description="Snowflake storage integration to create and "
                                                 "use in the stages ('' = none)"),
        "aws_role_arn": Param("", type="string", pattern=AWS_ROLE_ARN_PATTERN,
                              description="IAM role the storage integration assumes"),
        "pii_reader_role": Param(PII_READER_ROLE, **ident,
                                 description="Snowflake role that sees personal data unmasked "
                                             "(grant it to the loading and dbt roles)"),
    }


def sensor_key(src: Source) -> str:
    """Templated key pattern of the partition a run waits for (its data interval's start)."""
    key = f"{src.name}/dt={{{{ data_interval_start | ds }}}}/"
    if src.partition == "hour":
        key += "hr={{ data_interval_start.strftime('%H') }}/"
    return key + "*" + src.file_extension


def doc_for(src: Source) -> str:
    return f"""
### Ingest `{src.name}` into `{RAW_SCHEMA}.{src.name}`

* landing: `{src.name}/dt=YYYY-MM-DD/{'hr=HH/' if src.partition == 'hour' else ''}` ({src.file_format})
* schedule: `{src.cron}` (UTC); freshness warn {src.warn_after_hours}h / error {src.error_after_hours}h
* strategy: **{src.load_strategy}**{' — production: Snowpipe AUTO_INGEST, this DAG checks SYSTEM$PIPE_STATUS and COPY_HISTORY; locally: micro-batch COPY' if src.load_strategy == 'snowpipe' else ''}{' — TRUNCATE + INSERT of the newest snapshot in one transaction' if src.load_strategy == 'truncate_insert' else ''}

Loads every file of the data interval's partitions (plus `lookback_days` for late files, and
every partition since the last loaded one after an outage, up to `max_catchup_days`) that
the load history does not already have; a re-run or backfill loads nothing twice. A bad file
is recorded with file/row/column, moved to `{QUARANTINE_PREFIX}<key>` and reported per the
`on_error` Param while the good files load; with `fail`, every try of the run fails until the
file is re-delivered corrected, released from quarantine for a reload once its cause is fixed
(Param `release_quarantined`) or its rejection is accepted (Param `resolve_failed`). A
warehouse error fails the task (retried) and leaves the file in place.
Late after `{src.load_deadline}` (Deadline Alert) or failed for good: e-mail to the on-call list.
"""  # noqa: E501


def landing_wait(src: Source, check_task: Any) -> Any:
    """S3: a reschedule-mode S3KeySensor on the partition; local: the ``check_task`` (no wait).

    On S3 the sensor soft-fails after its timeout so the load still runs (lookback picks the
    file up later; freshness alerting reports the lateness).
    """
    s = settings()
    if not s.landing_is_s3:
        return check_task(src.name)
    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    bucket, _, prefix = s.landing[len("s3://"):].partition("/")
    prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
    minutes = 10 if src.load_strategy == "snowpipe" else 60
    return S3KeySensor(
        task_id="wait_for_files",
        bucket_name=bucket,
        bucket_key=prefix + sensor_key(src),
        wildcard_match=True,
        aws_conn_id=AWS_CONN_ID,
        mode="reschedule",
        poke_interval=60 if src.load_strategy == "snowpipe" else 300,
        timeout=minutes * 60,
        soft_fail=True,
    )


def setup_tasks() -> list[Any]:
    """The setup DAG's tasks for the configured target (call inside the DAG context).

    Snowflake: the templated files under ``include/sql/snowflake/setup/`` in order, through
    ``SQLExecuteQueryOperator`` (``snowflake_default``). DuckDB: one task in the pool.
    """
    from airflow.sdk import chain, task

    from include.c360.dag_defaults import pool_args
    from include.c360.ingest import tasks

    if settings().target == "snowflake":
        from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

        from include.c360.ingest.snowflake_loader import SETUP_FILES

        ops = [
            SQLExecuteQueryOperator(
                task_id=path.rsplit("/", 1)[-1].removesuffix(".sql").split("_", 1)[1],
                conn_id=SNOWFLAKE_CONN_ID,
                sql=path,
                split_statements=True,
                autocommit=True,
            )
            for path in SETUP_FILES
        ]
        if settings().landing_is_s3:  # the pipes' S3 event notifications
            ops.append(task(task_id="pipe_notifications")(
                tasks.configure_pipe_notifications)().operator)
        chain(*ops)
        return ops
    return [task(task_id="duckdb_setup", **pool_args("duckdb"))(tasks.setup_duckdb)()]
