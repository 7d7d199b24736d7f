"""The callables behind the ingestion and setup DAGs' tasks (kept out of ``dags/``).

Connections are opened here, inside the running task, never at DAG parse time.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from include.c360.config import settings
from include.c360.ingest.base import Loader
from include.c360.ingest.config import IngestConfig
from include.c360.landing import landing_zone
from include.c360.sources import source

log = logging.getLogger(__name__)


def loader(config: IngestConfig, target: str | None = None,
           landing_url: str | None = None) -> Loader:
    """The loader of ``target`` (default ``C360_TARGET``): the one choice between the two. It
    opens its connection lazily, in the task."""
    from include.c360.warehouse.connections import dialect

    s = settings()
    if dialect(target) == "duckdb":
        from include.c360.ingest.duckdb_loader import DuckDBLoader

        return DuckDBLoader(s.duckdb_path, config)
    from include.c360.ingest.snowflake_loader import SnowflakeLoader

    return SnowflakeLoader(
        config, landing_url or s.landing,
        storage_integration=os.environ.get("C360_SNOWFLAKE_STORAGE_INTEGRATION", ""),
    )


def _interval(context: dict[str, Any]) -> tuple[datetime, datetime]:
    end = context.get("data_interval_end") or datetime.now(UTC)
    start = context.get("data_interval_start") or end - timedelta(days=1)
    return start, end


def ingest_source(source_name: str, **context: Any) -> dict[str, Any]:
    """Load one source's data interval (COPY INTO), or verify its Snowpipe in production."""
    from include.c360.ingest.run import (
        check_snowpipe,
        ingest,
        release_quarantined,
        resolve_failed,
    )

    src = source(source_name)
    config = IngestConfig.from_env(context.get("params"))
    start, end = _interval(context)
    run_id = str(context.get("run_id") or "manual")
    zone = landing_zone(settings().landing)
    log.info("%s: interval %s .. %s (lookback %s days), landing %s", src.name, start, end,
             config.lookback_days, zone.uri)
    wh = loader(config)
    try:
        wh.ensure_ready()
        params = context.get("params") or {}
        resolve_failed(src, list(params.get("resolve_failed") or []), wh, run_id)
        released = release_quarantined(src, list(params.get("release_quarantined") or []),
                                       zone, wh, run_id)
        if wh.dialect == "snowflake" and src.load_strategy == "snowpipe":
            # a released file is a new object in the stage's prefix, as a landed one is
            return check_snowpipe(src, start, end, zone=zone, wh=wh, config=config,
                                  run_id=run_id)
        return ingest(src, start, end, zone=zone, wh=wh, config=config, run_id=run_id,
                      also=released).summary()
    finally:
        wh.close()


def check_landing(source_name: str, **context: Any) -> dict[str, Any]:
    """Local landing zone: nothing to wait for (files are written before the run); log what
    the interval's partitions hold so an empty run is visible."""
    from include.c360.ingest.plan import list_interval

    src = source(source_name)
    config = IngestConfig.from_env(context.get("params"))
    start, end = _interval(context)
    files = list_interval(landing_zone(settings().landing), src, start, end, config.lookback_days)
    log.info("%s: %s file(s) in the local landing partitions of %s .. %s (no wait locally)",
             src.name, len(files), start, end)
    return {"files": len(files)}


def setup_duckdb(**context: Any) -> str:
    wh = loader(IngestConfig.for_setup(context.get("params")), target="duckdb")
    try:
        wh.setup()
    finally:
        wh.close()
    return str(settings().duckdb_path)


def configure_pipe_notifications(**context: Any) -> dict[str, str]:
    """Setup, Snowflake on S3: point the landing bucket's object-created events of each
    AUTO_INGEST source's prefix at its pipe's SQS queue (``SHOW PIPES`` notification_channel);
    without it the pipes load nothing. Idempotent; the bucket's other notifications stay."""
    from include.c360.ingest.snowflake_loader import SnowflakeLoader
    from include.c360.landing import S3LandingZone
    from include.c360.warehouse.sql import stage_url

    params = context.get("params") or {}
    url = str(params.get("landing_url") or settings().landing)
    stage_url(url)  # the validated landing URL (as the stages got it)
    wh = SnowflakeLoader(IngestConfig.for_setup(params), url)
    try:
        channels = wh.pipe_channels()
    finally:
        wh.close()
    written = S3LandingZone(url).put_queue_notifications(channels)
    for q in written:
        log.info("s3 event notification %s -> %s (%s)", q["Id"], q["QueueArn"],
                 q["Filter"]["Key"]["FilterRules"][0]["Value"])
    return channels
