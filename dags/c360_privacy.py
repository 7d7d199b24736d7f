"""
### Customer 360 — personal data: erasure on request, retention

* `c360_erase_customer` (manual, Param `customer_id`): sets that customer's personal-data
  columns (the catalog's `pii: true`) to NULL in `raw.customers`, `marts.dim_customers` and
  every version of `snapshots.snap_customer_profile`, in one transaction; keys and aggregates
  stay. Then the landing zone's quarantined CRM exports lose the customer's records and the
  compliance export its personal-data columns in the customer's rows. The same as
  `python -m include.c360.privacy erase --customer-id <id>`.
* `c360_data_retention` (daily 04:00 UTC): `C360_RAW_RETENTION_DAYS` (superseded RAW versions
  of the PII sources) and `C360_QUARANTINE_RETENTION_DAYS` (quarantined files whose rejection is
  not unresolved); unset, it deletes nothing.

The logic lives in `include/c360/privacy.py`; README "Personal data".
"""

from __future__ import annotations

from airflow.sdk import DAG, Param, task

from include.c360 import privacy
from include.c360.dag_defaults import DEFAULT_ARGS, START_DATE, pool_args

with DAG(
    dag_id="c360_erase_customer",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    doc_md=__doc__,
    tags=["c360", "privacy"],
    default_args=DEFAULT_ARGS,
    params={"customer_id": Param("", type="string", minLength=1,
                                 description="the customer whose personal data is erased")},
):
    task(task_id="erase", **pool_args())(privacy.erase_task)("{{ params.customer_id }}")

with DAG(
    dag_id="c360_data_retention",
    schedule="0 4 * * *",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["c360", "privacy"],
    default_args=DEFAULT_ARGS,
):
    task(task_id="apply_retention", **pool_args())(privacy.retention_task)()
