"""
### Customer 360 — transform: dbt layers (Cosmos), ML scoring, publication

Runs when the daily 02:00 sources' RAW tables (customers, orders, campaigns, support_tickets)
have all been loaded, or at 02:30 UTC at the latest. Not on every 15-minute transactions load.

1. **dbt** — ONE `dbt build` (task `dbt.dbt_producer_watcher`, Cosmos watcher mode) of the
   layers, shown as Cosmos task groups per dbt folder: `dbt.models.staging` (with a task per
   source system's freshness), `dbt.models.intermediate`, `dbt.models.marts`,
   `dbt.models.features`, `dbt.snapshots`. Each model's task and its tests' task report the
   build as it goes. A source past its error SLA fails its task and its lineage is not built;
   a failing test stops what is built from that model.
2. **ml_scoring** — segments, fraud risk, churn, LTV into schema `ml`.
3. **publish** — `fct_customer_value` with the ML columns, and `fct_retention_alerts` (customers
   whose churn probability newly crossed 0.7); **retention_digest** e-mails them.

Deadline Alert: published by the Variable `c360_transform_deadline_utc` (default 06:00 UTC),
else one e-mail to the on-call list; a task failing for good e-mails it too (README "Alerting").

Marts, features, snapshot and `fct_customer_value` update Assets
`x-c360://warehouse/<schema>/<model>`. Trigger with **as_of_date** (YYYY-MM-DD; default: the
run's logical date), **full_refresh** and **enforce_freshness**.
`C360_COSMOS_EXECUTION_MODE=local` renders one dbt call per model instead (layer groups
`staging`, `marts`, ...). Logic: `include/c360/transform/`.
"""

from __future__ import annotations

from airflow.sdk import DAG

from include.c360.dag_defaults import START_DATE
from include.c360.transform.config import TransformConfig, params
from include.c360.transform.dag import DAG_ID, build_transform
from include.c360.transform.schedule import deadline, schedule

config = TransformConfig.from_env()

with DAG(
    dag_id=DAG_ID,
    schedule=schedule(),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["c360", "transform", "dbt", "ml"],
    default_args=config.default_args,
    params=params(),
    deadline=deadline(),
) as dag:
    build_transform(config)
