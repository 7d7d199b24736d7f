"""The whole transform DAG runs on DuckDB over a small generated world with ``dag.test()``, in
``local`` execution mode (a dbt build per node; the default ``watcher`` mode runs under the real
scheduler in test_scheduler_run.py, with its failing-test scenario).

The loaded world as it is -> every task succeeds, the marts hold what they must, every customer
is scored and published as of the Param's date. What a failing model stops in local mode is its
Airflow lineage, asserted on the parsed DAG (test_transform_dag.py).
"""

from __future__ import annotations

import shutil

import pytest

from include.c360.offline import LocalWarehouse
from tests.transform.checks import assert_published

AS_OF = "2026-11-24"
# the run's logical date is a day later: the Param must win (and reach dbt and ML)
LOGICAL_DATE = "2026-11-25T02:30:00+00:00"


@pytest.mark.timeout(660)
def test_whole_dag_builds_scores_and_publishes(world, tmp_path, run_dags):
    run = LocalWarehouse(tmp_path, world.as_of)
    run.db_path.parent.mkdir(parents=True)
    shutil.copy(world.db_path, run.db_path)
    [result] = run_dags(
        tmp_path, ("c360_transform", {"logical_date": LOGICAL_DATE, "conf": {"as_of_date": AS_OF}}),
        dag_file="c360_transform.py", timeout=600,
        extra_env={**run.env(), "C360_COSMOS_EXECUTION_MODE": "local",
                   "AIRFLOW__COSMOS__CACHE_DIR": str(tmp_path / "cosmos")})
    not_ok = {t: s for t, s in result["tasks"].items() if s != "success"}
    assert result["state"] == "success" and not not_ok, not_ok
    assert len(result["tasks"]) >= 33
    assert_published(run.db_path, AS_OF)
