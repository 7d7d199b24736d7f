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
GROUPS = ("freshness", "staging", "intermediate", "marts", "features", "snapshot",
          "ml_scoring", "publish")
WATCHER_GROUPS = ("dbt.models.staging", "dbt.models.intermediate", "dbt.models.marts",
                  "dbt.models.features", "dbt.snapshots", "dbt.models.staging.crm",
                  "dbt.models.marts.customers", "dbt.models.intermediate.customers")
PRODUCER = "dbt.dbt_producer_watcher"
# loads the DAG file in a fresh interpreter (its own environment) into `bag`
LOAD_DAG_CODE = "from scripts.dag_bag import load_dags\nbag = load_dags('c360_transform.py')\n"


def load_dag(mode: str):
    from scripts.dag_bag import load_dags

    before = os.environ.get("C360_COSMOS_EXECUTION_MODE")
    os.environ["C360_COSMOS_EXECUTION_MODE"] = mode
    os.environ.setdefault("C360_TARGET", "duckdb")
    try:
        bag = load_dags("c360_transform.py")
    finally:
        if before is None:
            del os.environ["C360_COSMOS_EXECUTION_MODE"]
        else:
            os.environ["C360_COSMOS_EXECUTION_MODE"] = before
    assert not bag.import_errors, bag.import_errors
    return bag.dags["c360_transform"]


@pytest.fixture(scope="module")
def dag(manifest):
    """The DAG in ``local`` mode (a dbt build per node, one task group per layer)."""
    return load_dag("local")


@pytest.fixture(scope="module")
def watcher_dag(manifest):
    """The DAG in ``watcher`` mode (the default: one dbt build, a sensor per node)."""
    return load_dag("watcher")


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
    # the history of the scored segments is taken after they are published
    assert "publish.snap_customer_segments_snapshot_build" in ids
    assert "snapshot.snap_customer_segments_snapshot_build" not in ids
    # the reference seeds (FX rates) load with the staging layer
    assert {"staging.fx_rates_seed_build", "staging.country_currencies_seed_build"} <= ids
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
    assert "fct_customer_value_model_build" in up(
        _task(dag, "snap_customer_segments_snapshot_build"))
    assert "fx_rates_seed_build" in up(_task(dag, "fct_transactions_model_build"))
    # scoring waits for the feature tables, hence for every source's staging model
    from include.c360.sources import SOURCES

    staging = {f"stg_{s.name}_model_build" for s in SOURCES}
    assert staging <= {t.task_id.split(".")[-1] for t in dag.tasks}
    assert staging <= up(_task(dag, "score_segments"))


def test_a_failing_staging_model_stops_everything_built_from_it(dag):
    """A failing stg_customers (its build or its tests, one task in local mode) leaves every
    mart, feature, the snapshot, scoring, publication and the digest upstream_failed (they are
    downstream of it and need all upstreams to succeed), while lineages not built from
    customers (stg_products) run."""
    failing = dag.get_task("staging.stg_customers_model_build")
    downstream = failing.get_flat_relative_ids(upstream=False)
    built_from_customers = [t for t in dag.tasks if t.task_id.split(".")[0] in {
        "marts", "features", "snapshot", "ml_scoring", "publish", "retention_digest",
        "consumers"} and t.task_id != "marts.metricflow_time_spine_model_build"]
    from include.c360.ml.tasks import TASKS
    from include.c360.report.tasks import TASKS as CONSUMER_TASKS

    # 5 marts, 3 features, the scoring tasks, publication, retention alerts, the history of the
    # scored segments and the Customer 360 by day, their digest, the snapshot, the consumers
    assert len(built_from_customers) == 14 + len(TASKS) + len(CONSUMER_TASKS)
    assert {t.task_id for t in built_from_customers} <= downstream
    assert {t.trigger_rule for t in built_from_customers} == {"all_success"}
    assert "staging.stg_products_model_build" not in downstream
    assert not any(t.startswith("freshness.") for t in downstream)


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
    from include.c360.transform.freshness import specs_from_manifest
    from include.c360.transform.manifest import load_manifest

    specs = {s.table: s for s in specs_from_manifest(load_manifest())}
    assert set(specs) == {s.name for s in SOURCES}
    for src in SOURCES:
        spec = specs[src.name]
        assert spec.relation == f"raw.{src.name}" and spec.loaded_at_field == "_loaded_at"
        assert (spec.warn_after_hours, spec.error_after_hours) == (
            src.warn_after_hours, src.error_after_hours), src.name


def test_missing_manifest_is_a_clear_import_error(tmp_path):
    code = (
        LOAD_DAG_CODE +
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
    from include.c360.warehouse.dbt_profiles import profile_config, resolve_duckdb_path

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


def _freshness_specs() -> dict[str, dict]:
    """The transform's freshness specs by source, as the DAG passes them to its tasks."""
    from dataclasses import asdict

    from include.c360.transform.freshness import specs_from_manifest
    from include.c360.transform.manifest import load_manifest

    return {s.table: asdict(s) for s in specs_from_manifest(load_manifest())}


def test_freshness_breach_stops_only_error_level_and_reports(monkeypatch, tmp_path, manifest):
    from include.c360.transform.freshness import (
        SourceFreshnessError,
        breach_xcom_key,
        check_source_freshness,
    )

    now = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    db = tmp_path / "f.duckdb"
    _raw_db(db, {"customers": now - timedelta(hours=60), "orders": now - timedelta(hours=30),
                 "campaigns": now - timedelta(hours=100), "transactions": now - timedelta(
                     minutes=20), "products": None})
    monkeypatch.setenv("C360_TARGET", "duckdb")
    monkeypatch.setenv("C360_DUCKDB_PATH", str(db))
    specs = _freshness_specs()

    def run(name: str, enforce: object = "True"):
        ti = FakeTI()
        ctx = {"ti": ti, "dag_run": SimpleNamespace(run_after=now), "run_id": "r1"}
        return ti, lambda: check_source_freshness(specs[name], enforce, **ctx)

    ti, call = run("transactions")
    assert call()["status"] == "pass" and not ti.xcom
    ti, call = run("orders")  # 30 h > warn 24 h, < error 48 h: reported, run goes on
    assert call()["status"] == "warn"
    assert ti.xcom[breach_xcom_key("orders")]["status"] == "warn"
    ti, call = run("campaigns")  # warn-only SLA: never stops the lineage
    assert call()["status"] == "warn"
    ti, call = run("customers")  # 60 h > error 48 h: reported, then the lineage stops
    with pytest.raises(SourceFreshnessError, match="crm.customers"):
        call()
    breach = ti.xcom[breach_xcom_key("customers")]
    assert breach["status"] == "error" and breach["error_after_hours"] == 48.0
    assert breach["warn_after_hours"] == 24.0 and breach["age_hours"] == pytest.approx(60.0)
    assert breach["source"] == "customers" and breach["relation"] == "raw.customers"
    ti, call = run("products")  # never loaded = error
    with pytest.raises(SourceFreshnessError):
        call()
    ti, call = run("customers", enforce="False")  # reported, not enforced
    assert call()["status"] == "error"
    assert ti.xcom[breach_xcom_key("customers")]["enforced"] is False
    # a backfill is judged at its own date: the same data is fresh as of 2 days earlier
    ti = FakeTI()
    ctx = {"ti": ti, "dag_run": SimpleNamespace(run_after=now - timedelta(days=2))}
    assert check_source_freshness(specs["customers"], True, **ctx)["status"] == "pass"


def test_a_day_never_delivered_fails_freshness_however_fresh_the_rows(monkeypatch, tmp_path,
                                                                     manifest):
    """Orders and campaigns loaded an hour ago, but their load history has a day without a
    file between delivered days: orders (error SLA) stops its lineage naming the day,
    campaigns (warn-only SLA) warns; support tickets without a gap pass."""
    import duckdb

    from include.c360.sources import source
    from include.c360.transform import freshness

    now = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    db = tmp_path / "f.duckdb"
    _raw_db(db, {n: now - timedelta(hours=1) for n in ("orders", "campaigns", "support_tickets")})
    con = duckdb.connect(str(db))
    con.execute("create schema raw_meta")
    con.execute("create table raw_meta.load_history (source varchar, file_key varchar, "
                "status varchar)")
    for name, days in {"orders": (20, 21, 23), "campaigns": (19, 22),
                       "support_tickets": (20, 21, 22, 23)}.items():
        for d in days:
            key = source(name).file_key(datetime(2026, 11, d).date())
            con.execute("insert into raw_meta.load_history values (?, ?, 'LOADED')", [name, key])
    con.close()
    monkeypatch.setenv("C360_TARGET", "duckdb")
    monkeypatch.setenv("C360_DUCKDB_PATH", str(db))
    specs = _freshness_specs()
    ctx = {"dag_run": SimpleNamespace(run_after=now), "run_id": "r1"}
    check = freshness.check_source_freshness

    ti = FakeTI()
    with pytest.raises(freshness.SourceFreshnessError,
                       match=r"incomplete: 1 day\(s\) never delivered.*dt=2026-11-22"):
        check(specs["orders"], True, ti=ti, **ctx)
    breach = ti.xcom[freshness.breach_xcom_key("orders")]
    assert breach["status"] == "error" and breach["never_delivered"] == ("2026-11-22",)
    assert breach["held_back"] and breach["age_hours"] == pytest.approx(1.0)
    ti = FakeTI()
    got = check(specs["campaigns"], True, ti=ti, **ctx)
    assert got["status"] == "warn" and got["never_delivered"] == ("2026-11-20", "2026-11-21")
    assert check(specs["support_tickets"], True, ti=FakeTI(), **ctx)["status"] == "pass"


def test_snowflake_target_renders_without_the_duckdb_pool(tmp_path, manifest):
    code = (
        LOAD_DAG_CODE +
        "assert not bag.import_errors, bag.import_errors\n"
        "dag = bag.dags['c360_transform']\n"
        "b = dag.get_task('dbt.dbt_producer_watcher')\n"
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
    # (default, watcher mode) no one-slot pool, the Snowflake profile mapping, scoring tasks
    # not chained
    assert line == "RESULT ['default_pool'] SnowflakeUserPasswordProfileMapping snowflake 0", \
        line[-3000:]


# --- watcher mode (the default) -----------------------------------------------------------


def test_watcher_is_the_default_mode(monkeypatch):
    from include.c360.transform.config import TransformConfig

    monkeypatch.delenv("C360_COSMOS_EXECUTION_MODE", raising=False)
    assert TransformConfig.from_env().execution_mode == "watcher"
    monkeypatch.setenv("C360_COSMOS_EXECUTION_MODE", "kubernetes")
    with pytest.raises(ValueError, match="C360_COSMOS_EXECUTION_MODE"):
        TransformConfig.from_env()


def test_watcher_one_dbt_build_and_a_task_group_per_folder(watcher_dag):
    from cosmos.operators.watcher import DbtProducerWatcherOperator

    groups = watcher_dag.task_group.get_task_group_dict()
    assert set(WATCHER_GROUPS) | {"ml_scoring", "publish"} <= set(groups), sorted(groups)
    producers = [t for t in watcher_dag.tasks if isinstance(t, DbtProducerWatcherOperator)]
    assert [p.task_id for p in producers] == [PRODUCER]
    producer = producers[0]
    # every layer but the publication in one dbt build; fct_customer_value,
    # fct_retention_alerts, the snapshot of the scored segments and the Customer 360 by day
    # (and their tests) after scoring, by their own dbt call
    assert producer.select == "path:seeds path:models path:snapshots"
    assert producer.exclude == ("fct_customer_value+ fct_retention_alerts+ "
                                "snap_customer_segments+ fct_customer_daily+ ") + " ".join(
        f"source:ml.{t}" for t in ("customer_churn_scores", "customer_ltv_scores",
                                   "customer_risk_scores", "customer_segments"))
    # the ML score tables' sources have no SLA, hence no task; their (ephemeral) staging
    # models are the lineage's EmptyOperators
    ml_group = {t.split(".")[-1] for t in groups["dbt.models.staging.ml"].children}
    assert ml_group == {f"stg_ml_customer_{t}_run" for t in ("churn_scores", "segments",
                                                             "ltv_scores")}
    assert producer.vars == {"as_of_date": "{{ params.as_of_date or ((dag_run.logical_date or "
                                           "dag_run.run_after) | ds) }}"}
    assert producer.full_refresh == "{{ params.full_refresh }}"
    # only the tasks that open the warehouse take the one-slot pool
    pooled = {t.task_id for t in watcher_dag.tasks if t.pool == "duckdb_warehouse"}
    from include.c360.ml.tasks import TASKS
    from include.c360.report.tasks import TASKS as CONSUMER_TASKS

    assert pooled == {PRODUCER, "retention_digest",
                      *(f"publish.{m}_model_build" for m in (
                          "fct_customer_value", "fct_retention_alerts", "fct_customer_daily")),
                      "publish.snap_customer_segments_snapshot_build",
                      *(f"ml_scoring.{t}" for t, _ in TASKS),
                      *(f"consumers.{t}" for t, _ in CONSUMER_TASKS)}
    # a model's test sensor waits for the tests defined on that model only (a relationships
    # test belongs to the model it is defined on; fct_customer_value's are not in this build)
    tests = producer.tests_per_model
    assert not [t for t in tests["model.customer360.dim_customers"] if "relationships" in t]
    assert any(t.startswith("test.customer360.relationships_fct_orders_customer_id")
               for t in tests["model.customer360.fct_orders"])
    assert not [t for ts in tests.values() for t in ts if "fct_customer_value" in t]
    sensors = [t for t in watcher_dag.tasks if hasattr(t, "producer_task_id")]
    assert len(sensors) >= 30 and {t.producer_task_id for t in sensors} == {PRODUCER}
    ids = {t.task_id for t in watcher_dag.tasks}
    assert {"dbt.models.staging.crm.stg_customers.run", "dbt.models.staging.crm.stg_customers.test",
            "dbt.models.staging.crm.crm_customers_source",
            "dbt.models.marts.fraud.fct_transactions.run",
            "dbt.models.features.feat_fraud_behavior.test",
            "dbt.snapshots.snap_customer_profile.snapshot",
            "dbt.models.intermediate.customers.int_customer_rfm_run"} <= ids
    assert not any("fct_customer_value" in i for i in ids if i.startswith("dbt."))


def test_watcher_gates_follow_dbt_lineage(watcher_dag):
    def up(task_id: str) -> set[str]:
        return set(watcher_dag.get_task(task_id).get_flat_relative_ids(upstream=True))

    sources = {t.task_id for t in watcher_dag.tasks if t.task_id.endswith("_source")}
    assert len(sources) == 7
    assert all(watcher_dag.get_task(s).retries == 0 for s in sources)
    # a staging model after its own source only; a mart after the tests of what it reads
    assert up("dbt.models.staging.crm.stg_customers.run") & sources == {
        "dbt.models.staging.crm.crm_customers_source"}
    assert "dbt.models.staging.crm.stg_customers.test" in up(
        "dbt.models.marts.customers.dim_customers.run")
    assert "dbt.models.staging.web_analytics.web_analytics_events_source" not in up(
        "dbt.models.marts.sales.fct_orders.run")
    # scoring after the features' and staging's tests; publication after scoring
    assert {"dbt.models.features.feat_customer_segmentation.test",
            "dbt.models.features.feat_fraud_behavior.test",
            "dbt.models.staging.crm.stg_customers.test"} <= up("ml_scoring.score_segments")
    # ... and so for every source and staging model (through the feature tables)
    from include.c360.sources import SOURCES

    ends = tuple(f".stg_{s.name}.test" for s in SOURCES)
    staging_tests = {t.task_id for t in watcher_dag.tasks
                     if t.task_id.startswith("dbt.models.staging.") and t.task_id.endswith(ends)}
    assert len(staging_tests) == 7 and sources | staging_tests <= up("ml_scoring.score_segments")
    from include.c360.ml.tasks import TASKS

    assert {f"ml_scoring.{t}" for t, _ in TASKS} | {
        "dbt.models.marts.customers.dim_customers.run"} <= up(
        "publish.fct_customer_value_model_build")
    publish = watcher_dag.get_task("publish.fct_customer_value_model_build")
    assert "relationships_fct_customer_value_customer_id" in publish.select


def test_watcher_assets_on_the_tasks_that_report_tables(watcher_dag):
    outlets = {t.task_id: [a.uri for a in t.outlets] for t in watcher_dag.tasks if t.outlets}
    assert outlets == {
        "dbt.models.marts.customers.dim_customers.run": [
            "x-c360://warehouse/marts/dim_customers"],
        "dbt.models.marts.sales.fct_orders.run": ["x-c360://warehouse/marts/fct_orders"],
        "dbt.models.marts.fraud.fct_transactions.run": [
            "x-c360://warehouse/marts/fct_transactions"],
        "dbt.models.marts.marketing.fct_campaigns.run": [
            "x-c360://warehouse/marts/fct_campaigns"],
        "dbt.models.marts.support.fct_support_tickets.run": [
            "x-c360://warehouse/marts/fct_support_tickets"],
        "dbt.models.semantic.metricflow_time_spine.run": [
            "x-c360://warehouse/semantic/metricflow_time_spine"],
        "dbt.models.features.feat_customer_history.run": [
            "x-c360://warehouse/features/feat_customer_history"],
        "dbt.models.features.feat_customer_segmentation.run": [
            "x-c360://warehouse/features/feat_customer_segmentation"],
        "dbt.models.features.feat_fraud_behavior.run": [
            "x-c360://warehouse/features/feat_fraud_behavior"],
        "dbt.snapshots.snap_customer_profile.snapshot": [
            "x-c360://warehouse/snapshots/snap_customer_profile"],
        "publish.fct_customer_value_model_build": [
            "x-c360://warehouse/marts/fct_customer_value"],
        "publish.fct_retention_alerts_model_build": [
            "x-c360://warehouse/alerts/fct_retention_alerts"],
        "publish.snap_customer_segments_snapshot_build": [
            "x-c360://warehouse/snapshots/snap_customer_segments"],
        "publish.fct_customer_daily_model_build": [
            "x-c360://warehouse/semantic/fct_customer_daily"],
    }


def test_watcher_freshness_gate_excludes_stale_lineages(monkeypatch, tmp_path, watcher_dag):
    from include.c360.transform.freshness import breach_xcom_key

    now = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    fresh = now - timedelta(hours=1)
    db = tmp_path / "f.duckdb"
    _raw_db(db, {"customers": now - timedelta(hours=60), "orders": now - timedelta(hours=30),
                 "campaigns": fresh, "transactions": fresh, "events": fresh,
                 "products": fresh, "support_tickets": fresh})
    monkeypatch.setenv("C360_DUCKDB_PATH", str(db))
    producer = watcher_dag.get_task(PRODUCER)

    def gate(enforce: bool) -> tuple[FakeTI, SimpleNamespace]:
        ti, task = FakeTI(), SimpleNamespace(exclude=producer.exclude)
        producer._pre_execute_hook({
            "ti": ti, "task": task, "params": {"enforce_freshness": enforce},
            "dag_run": SimpleNamespace(run_after=now), "run_id": "r1"})
        return ti, task

    ti, task = gate(True)
    status = {k: v["status"] for k, v in ti.xcom.items() if k.endswith("_status")}
    # what each source's sensor reads: the error fails crm.customers' task, warn passes
    assert status == {
        "source__customer360__crm__customers_status": "error",
        "source__customer360__oms__orders_status": "warn",
        **{f"source__customer360__{s}_status": "pass" for s in (
            "payments__transactions", "web_analytics__events", "product_catalog__products",
            "marketing__campaigns", "helpdesk__support_tickets")}}
    # the stale source's whole lineage is left out of the dbt build; breaches are reported
    assert task.exclude == f"{producer.exclude} source:crm.customers+"
    assert ti.xcom[breach_xcom_key("customers")]["status"] == "error"
    assert ti.xcom[breach_xcom_key("orders")]["status"] == "warn"
    # the breach (and its e-mail) names what is held back: customers' dbt lineage and the
    # tasks that wait for every staging model; a warning holds nothing back
    held = ti.xcom[breach_xcom_key("customers")]["held_back"]
    assert {"stg_customers", "dim_customers", "fct_customer_value", "snap_customer_profile",
            "ml_scoring", "publish", "retention_digest"} <= set(held)
    assert "stg_orders" not in held and "int_customer_rfm" in held
    assert list(ti.xcom[breach_xcom_key("orders")]["held_back"]) == []
    # not enforced: reported, nothing excluded, the source's task passes as a warning
    ti, task = gate(False)
    assert task.exclude == producer.exclude
    assert ti.xcom["source__customer360__crm__customers_status"]["status"] == "warn"
    assert ti.xcom[breach_xcom_key("customers")]["enforced"] is False
