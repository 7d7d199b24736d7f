"""The transform DAG's shape, schedule, gates and hooks (parsed, not run; no dbt calls)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
GROUPS = ("freshness", "staging", "intermediate", "marts", "features", "snapshot",
          "ml_scoring", "publish")


def load_dag(monkeypatch: pytest.MonkeyPatch | None = None):
    from airflow.dag_processing.dagbag import BundleDagBag

    bag = BundleDagBag(dag_folder=str(DAGS / "c360_transform.py"), bundle_path=DAGS,
                       bundle_name="dags-folder")
    assert not bag.import_errors, bag.import_errors
    return bag.dags["c360_transform"]


@pytest.fixture(scope="module")
def dag(manifest):
    os.environ.setdefault("C360_TARGET", "duckdb")
    return load_dag()


def _task(dag, suffix: str):
    matches = [t for t in dag.tasks if t.task_id.endswith(suffix)]
    assert len(matches) == 1, (suffix, [t.task_id for t in matches])
    return matches[0]


def test_layer_groups_and_their_tasks(dag):
    groups = dag.task_group.children
    assert set(GROUPS) <= set(groups), sorted(groups)
    ids = {t.task_id for t in dag.tasks}
    for model in ("stg_customers", "stg_orders", "stg_transactions", "stg_events",
                  "stg_products", "stg_campaigns", "stg_support_tickets"):
        assert f"staging.{model}_model_build" in ids
    for model in ("dim_customers", "fct_orders", "fct_transactions", "fct_campaigns"):
        assert f"marts.{model}_model_build" in ids
    assert "publish.fct_customer_value_model_build" in ids
    assert "marts.fct_customer_value_model_build" not in ids
    assert {"features.feat_customer_segmentation_model_build",
            "features.feat_fraud_behavior_model_build",
            "snapshot.snap_customer_profile_snapshot_build"} <= ids
    from include.c360.ml.tasks import TASKS

    assert {f"ml_scoring.{t}" for t, _ in TASKS} <= ids
    assert {"score_segments", "score_fraud_risk", "score_churn", "score_ltv"} <= dict(TASKS).keys()
    # ephemeral models: visible lineage, no dbt call
    assert type(_task(dag, "int_customer_rfm_model_build")).__name__ == "EmptyOperator"


def test_dag_settings_schedule_and_params(dag):
    from airflow.sdk import AssetOrTimeSchedule  # noqa: F401  (exported on 3.3)

    assert dag.default_args["retries"] >= 2 and dag.default_args["owner"] == "data-platform"
    assert {"c360", "transform", "dbt"} <= set(dag.tags) and dag.doc_md
    tt = dag.timetable
    assert type(tt).__name__ == "AssetOrTimeSchedule"
    assert tt.timetable.expression == "30 2 * * *"
    uris = {a.uri for a in tt.asset_condition.objects}
    assert uris == {f"x-c360://warehouse/raw/{s}" for s in
                    ("customers", "orders", "campaigns", "support_tickets")}
    assert type(tt.asset_condition).__name__ == "AssetAll"
    # not on every 15-minute transactions load, nor hourly events
    assert not any("transactions" in u or "events" in u for u in uris)
    assert set(dag.params) == {"as_of_date", "full_refresh", "enforce_freshness"}
    assert dag.params["as_of_date"] is None and dag.params["full_refresh"] is False


def test_every_warehouse_task_takes_the_duckdb_pool_and_passes_run_date(dag):
    for t in dag.tasks:
        if type(t).__name__ in {"DbtBuildLocalOperator", "_PythonDecoratedOperator"}:
            assert t.pool == "duckdb_warehouse", t.task_id
    b = _task(dag, "fct_transactions_model_build")
    assert b.vars == {"as_of_date": "{{ params.as_of_date or ((dag_run.logical_date or "
                                    "dag_run.run_after) | ds) }}"}
    assert b.full_refresh == "{{ params.full_refresh }}"
    assert str(b.dbt_executable_path).endswith("bin/dbt")
    assert _task(dag, "score_ltv").op_kwargs["as_of"] == b.vars["as_of_date"]


def test_gates_follow_dbt_lineage(dag):
    up = lambda t: {u.split(".")[-1] for u in t.get_flat_relative_ids(upstream=True)}  # noqa: E731
    # each staging model waits for its own source's freshness check only (+ relationship parents)
    assert up(_task(dag, "stg_customers_model_build")) == {"freshness_customers"}
    assert "freshness_products" in up(_task(dag, "stg_orders_model_build"))
    assert "freshness_events" not in up(_task(dag, "stg_orders_model_build"))
    # a relationships test runs with the model it is defined on, after the other parent
    orders = _task(dag, "stg_orders_model_build")
    assert "relationships_stg_orders_customer_id" in orders.select
    assert "stg_customers_model_build" in up(orders)
    # scoring after the features, publication after scoring, marts after staging
    assert {"feat_customer_segmentation_model_build", "feat_fraud_behavior_model_build"} <= up(
        _task(dag, "score_segments"))
    assert {"score_segments", "score_fraud_risk", "score_churn", "score_ltv",
            "dim_customers_model_build"} <= up(_task(dag, "fct_customer_value_model_build"))
    assert "stg_transactions_model_build" in up(_task(dag, "fct_transactions_model_build"))
    assert "stg_customers_model_build" in up(_task(dag, "snap_customer_profile_snapshot_build"))


def test_marts_emit_target_independent_assets(dag):
    outlets = {t.task_id: [a.uri for a in t.outlets] for t in dag.tasks if t.outlets}
    assert outlets["marts.fct_orders_model_build"] == ["x-c360://warehouse/marts/fct_orders"]
    assert outlets["publish.fct_customer_value_model_build"] == [
        "x-c360://warehouse/marts/fct_customer_value"]
    assert outlets["features.feat_fraud_behavior_model_build"] == [
        "x-c360://warehouse/features/feat_fraud_behavior"]
    assert not any(t.startswith("staging.") for t in outlets)


def test_freshness_specs_match_the_source_registry(manifest):
    from include.c360.sources import SOURCES
    from include.c360.transform.dag_parts import load_manifest
    from include.c360.transform.freshness import specs_from_manifest

    specs = {s.table: s for s in specs_from_manifest(load_manifest())}
    assert set(specs) == {s.name for s in SOURCES}
    for src in SOURCES:
        spec = specs[src.name]
        assert spec.relation == f"raw.{src.name}" and spec.loaded_at_field == "_loaded_at"
        assert (spec.warn_after_hours, spec.error_after_hours) == (
            src.warn_after_hours, src.error_after_hours), src.name


def test_missing_manifest_is_a_clear_import_error(tmp_path):
    code = (
        "from pathlib import Path\n"
        "from airflow.dag_processing.dagbag import BundleDagBag\n"
        f"d = Path({str(DAGS)!r})\n"
        "bag = BundleDagBag(dag_folder=str(d / 'c360_transform.py'), bundle_path=d, "
        "bundle_name='dags-folder')\n"
        "print('ERRORS', list(bag.import_errors.values()))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "AIRFLOW_HOME": str(tmp_path),
           "C360_DBT_MANIFEST": str(tmp_path / "nope" / "manifest.json")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120).stdout
    line = next(x for x in out.splitlines() if x.startswith("ERRORS"))
    assert "dbt manifest not found" in line and "make dbt-manifest" in line, line


def test_profiles_follow_the_target_and_the_connection(monkeypatch, tmp_path):
    from include.c360.config import PROJECT_ROOT
    from include.c360.transform.profiles import profile_config, resolve_duckdb_path

    assert resolve_duckdb_path("data/warehouse/c360.duckdb") == \
        PROJECT_ROOT / "data" / "warehouse" / "c360.duckdb"
    db = tmp_path / "w.duckdb"
    monkeypatch.setenv("C360_DUCKDB_PATH", str(db))
    monkeypatch.setenv("AIRFLOW_CONN_DUCKDB_DEFAULT",
                       json.dumps({"conn_type": "duckdb", "host": str(db)}))
    pc = profile_config("duckdb")
    assert pc.profile_mapping.profile["path"] == str(db)
    assert pc.profile_mapping.conn_id == "duckdb_default" and pc.target_name == "duckdb"
    monkeypatch.setenv("AIRFLOW_CONN_DUCKDB_DEFAULT",
                       json.dumps({"conn_type": "duckdb", "host": str(tmp_path / "other")}))
    with pytest.raises(ValueError, match="different file than ingestion"):
        _ = profile_config("duckdb").profile_mapping.profile
    sf = profile_config("snowflake")
    assert type(sf.profile_mapping).__name__ == "SnowflakeUserPasswordProfileMapping"
    assert sf.profile_mapping.conn_id == "snowflake_default"


class FakeTI:
    def __init__(self) -> None:
        self.xcom: dict[str, object] = {}

    def xcom_push(self, key: str, value: object) -> None:
        self.xcom[key] = value


def _raw_db(path: Path, loaded: dict[str, datetime | None]) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    for name, when in loaded.items():
        con.execute(f"create table raw.{name} (id int, _loaded_at timestamp)")
        if when is not None:
            con.execute(f"insert into raw.{name} values (1, ?)", [when.replace(tzinfo=None)])
    con.close()


def test_freshness_breach_stops_only_error_level_and_reports(monkeypatch, tmp_path, manifest):
    from dataclasses import asdict

    from include.c360.transform.dag_parts import load_manifest
    from include.c360.transform.freshness import (
        BREACH_XCOM_KEY,
        SourceFreshnessError,
        check_source_freshness,
        specs_from_manifest,
    )

    now = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    db = tmp_path / "f.duckdb"
    _raw_db(db, {"customers": now - timedelta(hours=60), "orders": now - timedelta(hours=30),
                 "campaigns": now - timedelta(hours=100), "transactions": now - timedelta(
                     minutes=20), "products": None})
    monkeypatch.setenv("C360_TARGET", "duckdb")
    monkeypatch.setenv("C360_DUCKDB_PATH", str(db))
    specs = {s.table: asdict(s) for s in specs_from_manifest(load_manifest())}

    def run(name: str, enforce: object = "True"):
        ti = FakeTI()
        ctx = {"ti": ti, "dag_run": SimpleNamespace(run_after=now), "run_id": "r1"}
        return ti, lambda: check_source_freshness(specs[name], enforce, **ctx)

    ti, call = run("transactions")
    assert call()["status"] == "pass" and BREACH_XCOM_KEY not in ti.xcom
    ti, call = run("orders")  # 30 h > warn 24 h, < error 48 h: reported, run goes on
    assert call()["status"] == "warn"
    assert ti.xcom[BREACH_XCOM_KEY]["status"] == "warn"
    ti, call = run("campaigns")  # warn-only SLA: never stops the lineage
    assert call()["status"] == "warn"
    ti, call = run("customers")  # 60 h > error 48 h: reported, then the lineage stops
    with pytest.raises(SourceFreshnessError, match="crm.customers"):
        call()
    breach = ti.xcom[BREACH_XCOM_KEY]
    assert breach["status"] == "error" and breach["error_after_hours"] == 48.0
    assert breach["warn_after_hours"] == 24.0 and breach["age_hours"] == pytest.approx(60.0)
    assert breach["source"] == "customers" and breach["relation"] == "raw.customers"
    ti, call = run("products")  # never loaded = error
    with pytest.raises(SourceFreshnessError):
        call()
    ti, call = run("customers", enforce="False")  # reported, not enforced
    assert call()["status"] == "error" and ti.xcom[BREACH_XCOM_KEY]["enforced"] is False
    # a backfill is judged at its own date: the same data is fresh as of 2 days earlier
    ti = FakeTI()
    ctx = {"ti": ti, "dag_run": SimpleNamespace(run_after=now - timedelta(days=2))}
    assert check_source_freshness(specs["customers"], True, **ctx)["status"] == "pass"


def test_snowflake_target_renders_without_the_duckdb_pool(tmp_path, manifest):
    code = (
        "from pathlib import Path\n"
        "from airflow.dag_processing.dagbag import BundleDagBag\n"
        f"d = Path({str(DAGS)!r})\n"
        "bag = BundleDagBag(dag_folder=str(d / 'c360_transform.py'), bundle_path=d, "
        "bundle_name='dags-folder')\n"
        "assert not bag.import_errors, bag.import_errors\n"
        "dag = bag.dags['c360_transform']\n"
        "b = dag.get_task('marts.fct_transactions_model_build')\n"
        "ml = [t for t in dag.tasks if t.task_id.startswith('ml_scoring.')]\n"
        "print('RESULT', sorted({t.pool for t in dag.tasks}), "
        "type(b.profile_config.profile_mapping).__name__, "
        "b.profile_config.target_name, sum(len(t.upstream_task_ids & {x.task_id for x in ml}) "
        "for t in ml))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "AIRFLOW_HOME": str(tmp_path),
           "C360_TARGET": "snowflake"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT")), proc.stderr)
    # no one-slot pool, the Snowflake profile mapping, scoring tasks not chained
    assert line == "RESULT ['default_pool'] SnowflakeUserPasswordProfileMapping snowflake 0", \
        line[-3000:]
