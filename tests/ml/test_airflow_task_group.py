"""The ML TaskGroup under Airflow 3 itself: ``dag.test()`` of a DAG that holds only the group,
in a subprocess with an isolated Airflow home, against a copy of the small world."""

from __future__ import annotations

import duckdb
import pytest

DAG_FILE = '''
import pendulum
from airflow.sdk import DAG

from include.c360.ml.taskgroup import ml_scoring_task_group

with DAG("ml_scoring_only", start_date=pendulum.datetime(2026, 1, 1), schedule=None,
         tags=["test"]):
    ml_scoring_task_group()
'''


@pytest.mark.timeout(240)
def test_dag_test_runs_the_group_and_templates_the_run_date(world_copy, tmp_path, run_dags):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "ml_scoring_only.py").write_text(DAG_FILE)
    run = run_dags(tmp_path / "data", ("ml_scoring_only", "2026-11-24T00:00:00+00:00"),
                   timeout=200, dags_folder=dags,
                   extra_env={"C360_DUCKDB_PATH": str(world_copy)})[-1]
    assert run["state"] == "success", run
    assert set(run["tasks"].values()) == {"success"} and len(run["tasks"]) == 4
    churn = run["xcom"]["ml_scoring.score_churn"]
    assert churn["model_version"].startswith("churn-20261124-")
    con = duckdb.connect(str(world_copy), read_only=True)
    try:
        scored = con.execute("select distinct scored_at from ml.customer_ltv_scores").fetchall()
        versions = con.execute("select count(*) from ml.model_registry").fetchone()[0]
    finally:
        con.close()
    # {{ ds }} reached the callables: the run date is the scored_at of every row
    assert [str(v[0]) for v in scored] == ["2026-11-24 00:00:00"]
    assert versions == 4
    # the artifacts went under C360_DATA_DIR/models (settings read inside the task)
    assert (tmp_path / "data" / "models" / "churn").is_dir()
