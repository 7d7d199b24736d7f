"""An Airflow TaskGroup of the five ML scoring tasks (the point-in-time snapshot, then one task
per model: ``tasks.TASKS``), for the transform DAG.

    from include.c360.ml.taskgroup import ml_scoring_task_group

    with DAG(...):
        features >> ml_scoring_task_group() >> fct_customer_value

Nothing heavy is imported here: the task callables import pandas / scikit-learn / duckdb when
they run. The tasks run one after another by default, as DuckDB allows one writing process;
pass ``sequential=False`` on Snowflake to let them run in parallel (or give them a ``pool``).
"""

from __future__ import annotations

from typing import Any

from include.c360.ml.tasks import TASKS


def ml_scoring_task_group(
    group_id: str = "ml_scoring",
    as_of: str = "{{ ds }}",
    sequential: bool = True,
    pool: str | None = None,
    retries: int = 1,
) -> Any:
    """Build the group inside the current DAG context; returns the TaskGroup.

    ``as_of`` is templated (default: the run's logical date, the date dbt gets as
    ``var('as_of_date')``).
    """
    from airflow.sdk import TaskGroup, task

    extra: dict[str, Any] = {"retries": retries}
    if pool:
        extra["pool"] = pool
    with TaskGroup(group_id=group_id, tooltip="KMeans, IsolationForest, churn, LTV") as group:
        previous = None
        for task_id, fn in TASKS:
            node = task(fn, task_id=task_id, **extra)(as_of=as_of)
            if sequential and previous is not None:
                previous >> node
            previous = node
    return group
