"""
### Customer 360 — one ingestion DAG per source, generated from the source registry

`c360_ingest_<source>` for each of `include/c360/sources.py:SOURCES`, on the source's cron.
Each run loads its data interval's landing partitions into `raw.<source>` with COPY INTO
semantics (load history: a file loads once; bad files quarantined) and updates the RAW
table's Asset. The logic lives in `include/c360/ingest/`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import DAG, CronDataIntervalTimetable, TriggerRule, task

from include.c360.ingest import tasks
from include.c360.ingest.assets import raw_asset
from include.c360.ingest.dag_parts import DEFAULT_ARGS, doc_for, ingest_params, landing_wait
from include.c360.ingest.dialect import pool_args
from include.c360.sources import SOURCES

for src in SOURCES:
    with DAG(
        dag_id=f"c360_ingest_{src.name}",
        # data interval = [previous tick, this tick]: the run after a period loads that period
        schedule=CronDataIntervalTimetable(src.cron, timezone="UTC"),
        start_date=datetime(2026, 1, 1, tzinfo=UTC),
        catchup=False,
        max_active_runs=1,
        doc_md=doc_for(src),
        tags=["c360", "ingestion", src.load_strategy, src.name],
        default_args=DEFAULT_ARGS,
        params=ingest_params(),
    ) as dag:
        check = task(task_id="check_landing")(tasks.check_landing)
        load = task(
            task_id="load",
            outlets=[raw_asset(src)],
            trigger_rule=TriggerRule.NONE_FAILED,
            **pool_args(),
        )(tasks.ingest_source)
        landing_wait(src, check) >> load(src.name)
