"""The whole transform DAG runs on DuckDB over a small generated world (``dag.test()``, so
in ``local`` execution mode; the default ``watcher`` mode runs under the real scheduler in
test_scheduler_run.py).

Two runs start in parallel, each in its own subprocess, Airflow home and warehouse copy:

* ``good``: the loaded world as it is -> every task succeeds; the marts hold what they must.
* ``bad``: one CRM row with an unknown ``kyc_status`` -> the ``accepted_values`` test of
  ``stg_customers`` fails, so nothing built from customers runs (marts, features, scoring,
  publication, snapshot are upstream_failed) and no score is written; sources that do not
  depend on customers still build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.transform.checks import SCORE_TABLES, assert_published, break_customers, query

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-24"
# the run's logical date is a day later: the Param must win (and reach dbt and ML)
LOGICAL_DATE = "2026-11-25T02:30:00+00:00"


def _start(world, home: Path) -> subprocess.Popen:
    home.mkdir(parents=True)
    env = {
        **os.environ, **world.env(),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "false",
        "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos"),
        "C360_COSMOS_EXECUTION_MODE": "local",
        "PYTHONPATH": str(REPO),
    }
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, cwd=REPO,
                   check=True, capture_output=True, timeout=180)
    log = open(home / "dag_test.log", "w")  # closed by the reader below
    return subprocess.Popen(
        [sys.executable, "-m", "tests.transform.dag_run", LOGICAL_DATE,
         json.dumps({"as_of_date": AS_OF})],
        env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=log, text=True)


def _result(proc: subprocess.Popen, home: Path) -> dict:
    out, _ = proc.communicate(timeout=600)
    lines = [x for x in out.splitlines() if x.startswith("{")]
    log = (home / "dag_test.log").read_text()[-5000:]
    assert proc.returncode == 0 and lines, f"dag.test failed:\n{out[-3000:]}\n{log}"
    return json.loads(lines[-1])


@pytest.fixture(scope="module")
def runs(world, tmp_path_factory: pytest.TempPathFactory) -> dict:
    import shutil

    from tests.transform.world import World

    worlds, procs = {}, {}
    for name in ("good", "bad"):
        root = tmp_path_factory.mktemp(f"run_{name}")
        db = root / "warehouse" / "c360.duckdb"
        db.parent.mkdir(parents=True)
        shutil.copy(world.db_path, db)
        if name == "bad":
            break_customers(db)
        worlds[name] = World(root, world.landing, db, world.as_of, world.raw_rows, {})
        procs[name] = _start(worlds[name], root / "airflow_home")
    results = {name: _result(procs[name], worlds[name].root / "airflow_home")
               for name in procs}
    return {name: (worlds[name], results[name]) for name in procs}


@pytest.mark.timeout(600)
def test_whole_dag_builds_scores_and_publishes(runs):
    world, result = runs["good"]
    not_ok = {t: s for t, s in result["tasks"].items() if s != "success"}
    assert result["state"] == "success" and not not_ok, not_ok
    assert len(result["tasks"]) >= 33
    assert_published(world.db_path, AS_OF)


@pytest.mark.timeout(600)
def test_failing_dbt_test_stops_everything_built_from_it(runs):
    world, result = runs["bad"]
    tasks = result["tasks"]
    assert result["state"] == "failed"
    assert tasks["staging.stg_customers_model_build"] == "failed"
    downstream = [t for t in tasks if t.split(".")[0] in
                  {"marts", "features", "ml_scoring", "publish", "snapshot", "retention_digest"}]
    from include.c360.ml.tasks import TASKS

    # 4 marts, 3 features, the scoring tasks, publication and retention alerts, their digest,
    # snapshot
    assert len(downstream) == 11 + len(TASKS)
    assert {t: tasks[t] for t in downstream if tasks[t] not in ("upstream_failed", "None")} == {}
    # other lineages were not stopped by it
    assert tasks["staging.stg_products_model_build"] == "success"
    assert all(tasks[t] == "success" for t in tasks if t.startswith("freshness."))
    db = world.db_path
    for table in SCORE_TABLES:
        assert query(db, f"select count(*) from ml.{table}")[0][0] == 0, table
    marts = {r[0] for r in query(db, "select table_name from information_schema.tables "
                                      "where table_schema = 'marts'")}
    assert not marts, marts
