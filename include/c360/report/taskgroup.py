"""An Airflow TaskGroup ``consumers`` for the transform DAG, after the publication: the
executive KPI scorecard and the compliance export (``tasks.TASKS``), side by side.

    from include.c360.report.taskgroup import consumers_task_group

    with DAG(...):
        publish >> consumers_task_group(as_of=AS_OF, pool="duckdb_warehouse")

Nothing heavy is imported here: the callables import what they need when they run.
"""

from __future__ import annotations

from typing import Any

from include.c360.report.tasks import TASKS

GROUP_ID = "consumers"


def consumers_task_group(as_of: str = "{{ ds }}", pool: str | None = None,
                         retries: int = 1) -> Any:
    """Build the group inside the current DAG context; returns the TaskGroup."""
    from airflow.sdk import TaskGroup, task

    extra: dict[str, Any] = {"retries": retries, **({"pool": pool} if pool else {})}
    with TaskGroup(group_id=GROUP_ID,
                   tooltip="Executive KPI scorecard, compliance export (landing zone)") as group:
        for task_id, fn in TASKS:
            task(fn, task_id=task_id, doc_md=fn.__doc__, **extra)(as_of=as_of)
    return group
