"""
### Customer 360 — one ingestion DAG per source, generated from the source registry

`c360_ingest_<source>` for each of `include/c360/sources.py:SOURCES`, on the source's cron.
Each run loads its data interval's landing partitions into `raw.<source>` with COPY INTO
semantics (load history: a file loads once; bad files quarantined) and updates the RAW
table's Asset. A Deadline Alert (the source's `load_deadline`) and the failure e-mail tell the
on-call list when a run is late or fails. The logic lives in `include/c360/ingest/`.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, TriggerRule, task

from include.c360.alerts.deadlines import ingest_deadline
from include.c360.assets import raw_asset
from include.c360.dag_defaults import DEFAULT_ARGS, START_DATE, pool_args
from include.c360.ingest import tasks
from include.c360.ingest.dag_parts import doc_for, ingest_params, landing_wait
from include.c360.sources import SOURCES

for src in SOURCES:
    with DAG(
        dag_id=f"c360_ingest_{src.name}",
        # data interval = [previous tick, this tick]: the run after a period loads that period
        schedule=CronDataIntervalTimetable(src.cron, timezone="UTC"),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        doc_md=doc_for(src),
        tags=["c360", "ingestion", src.load_strategy, src.name],
        default_args=DEFAULT_ARGS,
        params=ingest_params(),
        # done within the registry's load deadline after it is due, or the on-call hears of it
        deadline=ingest_deadline(src),
    ) as dag:
        check = task(task_id="check_landing")(tasks.check_landing)
        load = task(
            task_id="load",
            outlets=[raw_asset(src)],
            trigger_rule=TriggerRule.NONE_FAILED,
            **pool_args(),
        )(tasks.ingest_source)
        landing_wait(src, check) >> load(src.name)
