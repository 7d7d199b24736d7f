"""
### Customer 360 — transform: dbt layers (Cosmos), ML scoring, publication

Runs when the daily 02:00 sources' RAW tables (customers, orders, campaigns, support_tickets)
have all been loaded, or at 02:30 UTC at the latest. Not on every 15-minute transactions load.

1. **freshness** — one check per source against its SLA; an error-level breach stops that
   source's lineage and is reported (`include/c360/transform/freshness.py`).
2. **staging → intermediate → marts → features** — Cosmos task groups rendered from the dbt
   manifest; each model is built with its tests, a failing test stops what is built from it.
3. **snapshot** — `snap_customer_profile` (SCD2) after `stg_customers`.
4. **ml_scoring** — segments, fraud risk, churn, LTV into schema `ml`.
5. **publish** — `fct_customer_value` with the ML columns.

Marts, features, snapshot and `fct_customer_value` update Assets
`x-c360://warehouse/<schema>/<model>`. Trigger with **as_of_date** (YYYY-MM-DD; default: the
run's logical date), **full_refresh** and **enforce_freshness**. Logic: `include/c360/transform/`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import DAG

from include.c360.transform.dag_parts import (
    DAG_ID,
    TransformConfig,
    build_transform,
    params,
    schedule,
)

config = TransformConfig.from_env()

with DAG(
    dag_id=DAG_ID,
    schedule=schedule(),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["c360", "transform", "dbt", "ml"],
    default_args=config.default_args,
    params=params(),
) as dag:
    build_transform(config)
