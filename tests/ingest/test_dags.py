"""The setup and ingestion DAGs: integrity (parsed like the DAG processor) and real runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from include.c360.assets import raw_asset
from include.c360.constants import DUCKDB_POOL
from include.c360.sources import SOURCES, source

REPO = Path(__file__).resolve().parents[2]
INGEST_IDS = [f"c360_ingest_{s.name}" for s in SOURCES]


@pytest.mark.timeout(60)
def test_dags_import_cleanly(dag_bag):
    assert dag_bag.import_errors == {}
    assert set(INGEST_IDS) | {"c360_setup"} <= set(dag_bag.dag_ids)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("dag_id", INGEST_IDS)
def test_ingestion_dag_per_source(dag_bag, dag_id):
    dag = dag_bag.dags[dag_id]
    src = source(dag_id.removeprefix("c360_ingest_"))
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert dag.timetable.expression == src.cron
    assert dag.doc_md and src.name in dag.doc_md
    assert {"c360", "ingestion", src.name} <= set(dag.tags)
    assert dag.max_active_runs == 1
    load = dag.get_task("load")
    assert load.owner == "data-platform" and load.retries >= 2
    assert load.pool == DUCKDB_POOL  # default target: every warehouse writer in the pool
    assert [o for o in load.outlets] == [raw_asset(src)]
    assert load.trigger_rule == "none_failed"
    assert {t.task_id for t in dag.tasks} == {"check_landing", "load"}
    assert set(dag.params.keys()) >= {"on_error", "on_changed_file", "lookback_days",
                                      "resolve_failed", "release_quarantined"}


@pytest.mark.timeout(60)
def test_setup_dag_is_manual_with_params(dag_bag):
    dag = dag_bag.dags["c360_setup"]
    assert type(dag.timetable).__name__ == "NullTimetable"
    assert {"database", "raw_schema", "meta_schema", "landing_url"} <= set(dag.params.keys())
    assert [t.task_id for t in dag.tasks] == ["duckdb_setup"]
    assert dag.get_task("duckdb_setup").pool == DUCKDB_POOL


@pytest.mark.timeout(60)
def test_snowflake_target_uses_sql_operators_and_no_pool(monkeypatch):
    """With C360_TARGET=snowflake the same DAG files build the production tasks."""
    code = """
import json
from scripts.dag_bag import load_dags
bag = load_dags()
setup = bag.dags['c360_setup']
params = {k: setup.params[k] for k in setup.params.keys()}
env = setup.get_template_env()
rendered = []
sql_tasks = [t for t in setup.tasks if hasattr(t, 'sql')]
for t in sql_tasks:  # Airflow's own templating, as at run time
    raw_sql = t.sql
    t.render_template_fields({'params': params, **setup.user_defined_macros}, jinja_env=env)
    rendered.append(t.sql)
    t.sql = raw_sql
print(json.dumps({
  'params': params,
  'rendered': rendered,
  'errors': {k: str(v) for k, v in bag.import_errors.items()},
  'setup': [(t.task_id, type(t).__name__, t.sql, t.conn_id) for t in sql_tasks],
  'last': [t.task_id for t in setup.tasks if not hasattr(t, 'sql')],
  'pools': {d: bag.dags[d].get_task('load').pool for d in bag.dag_ids if 'ingest' in d},
  'sensor': [type(t).__name__ for t in bag.dags['c360_ingest_events'].tasks],
  'key': bag.dags['c360_ingest_events'].get_task('wait_for_files').bucket_key,
}))
"""
    env = {**os.environ, "C360_TARGET": "snowflake", "C360_LANDING": "s3://c360-landing/landing",
           "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    assert got["errors"] == {}
    assert [s[0] for s in got["setup"]] == ["database", "file_formats", "storage_integration",
                                            "stages", "raw_tables", "load_history", "pipes",
                                            "pii_masking"]
    assert got["last"] == ["pipe_notifications"]  # S3 landing: the pipes' event notifications
    assert all(s[1] == "SQLExecuteQueryOperator" and s[3] == "snowflake_default"
               for s in got["setup"])
    from include.c360.ingest.snowflake_loader import SETUP_FILES
    from include.c360.ingest.sql import SQL_DIR

    # each operator runs its templated file (Airflow has read it; rendering happens at run time)
    for (_, _, sql, _), path in zip(got["setup"], SETUP_FILES, strict=True):
        assert sql == (SQL_DIR / path).read_text() or sql == path
    assert set(got["pools"].values()) == {"default_pool"}  # Snowflake: parallel, no pool
    assert got["sensor"] == ["S3KeySensor", "PythonDecoratedOperator"] or "S3KeySensor" in \
        got["sensor"]
    from include.c360.ingest.sql import render
    from include.c360.warehouse.sql import split_statements

    # what Airflow renders at run time == what the loader renders (and fakesnow runs)
    for sql, path in zip(got["rendered"], SETUP_FILES, strict=True):
        assert split_statements(sql) == split_statements(render(path, params=got["params"]))
    assert "url = 's3://c360-landing/landing/orders/'" in got["rendered"][3]
    assert "auto_ingest = true" in got["rendered"][6]
    assert got["key"].startswith("landing/events/dt={{ data_interval_start | ds }}/hr=")


@pytest.mark.timeout(150)
def test_dag_test_runs_setup_and_ingestion_for_real(run_dags, env):
    """``dag.test()`` (Airflow 3.3) of the setup DAG and two runs of an ingestion DAG."""
    import duckdb

    from include.c360.landing import LocalLandingZone
    from tests.ingest.exports import write_export

    zone = LocalLandingZone(env["landing"])
    src = source("campaigns")
    write_export(zone, src, __import__("datetime").date(2026, 11, 23), 11)
    write_export(zone, src, __import__("datetime").date(2026, 11, 24), 13, seed=1)
    runs = run_dags(
        env["data"],
        ("c360_setup", "2026-11-24T00:00:00+00:00"),
        ("c360_ingest_campaigns", "2026-11-24T02:00:00+00:00"),
        ("c360_ingest_campaigns", "2026-11-25T02:00:00+00:00"),
        timeout=120,
    )
    assert [r["state"] for r in runs] == ["success"] * 3, runs
    assert runs[1]["tasks"] == {"check_landing": "success", "load": "success"}
    con = duckdb.connect(str(env["duckdb"]), read_only=True)
    try:
        assert con.execute("select count(*) from raw.campaigns").fetchone()[0] == 24
        # the second run (a day later, lookback 2) found both files already loaded
        assert con.execute("select count(*), count(distinct run_id) from raw_meta.load_history"
                           ).fetchone() == (2, 1)
    finally:
        con.close()


@pytest.mark.timeout(90)
def test_a_run_without_conf_keeps_the_deployments_ingest_settings():
    """``C360_INGEST_*`` of the deployment reach scheduled runs: the DAGs' policy Params
    default to them (parsed as the DAG processor and the worker parse), and a run's params
    (Airflow's own merge of the Params and ``dag_run.conf``) resolve to them; a value in the
    conf still wins."""
    code = """
import json
from airflow.sdk.definitions.param import process_params
from include.c360.ingest.config import IngestConfig
from scripts.dag_bag import load_dags
bag = load_dags('c360_ingest.py')
dag = bag.dags['c360_ingest_orders']
task = dag.get_task('load')
def resolved(conf):
    cfg = IngestConfig.from_env(process_params(dag, task, conf, suppress_exception=False))
    return [cfg.on_error, cfg.on_changed_file, cfg.lookback_days, cfg.max_catchup_days]
print(json.dumps({
  'errors': {k: str(v) for k, v in bag.import_errors.items()},
  'defaults': {k: dag.params[k] for k in
               ('on_error', 'on_changed_file', 'lookback_days', 'max_catchup_days')},
  'scheduled': resolved({}),
  'conf': resolved({'on_error': 'fail', 'lookback_days': 1}),
}))
"""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("C360_INGEST_")},
           "C360_TARGET": "duckdb", "PYTHONPATH": str(REPO),
           "C360_INGEST_ON_ERROR": "continue", "C360_INGEST_ON_CHANGED_FILE": "reject",
           "C360_INGEST_LOOKBACK_DAYS": "5", "C360_INGEST_MAX_CATCHUP_DAYS": "9"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=80, check=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    assert got["errors"] == {}
    assert got["defaults"] == {"on_error": "continue", "on_changed_file": "reject",
                               "lookback_days": 5, "max_catchup_days": 9}
    assert got["scheduled"] == ["continue", "reject", 5, 9]
    assert got["conf"] == ["fail", "reject", 1, 9]
