"""The transform DAG in its default ``watcher`` mode under the real scheduler: a local Airflow
(scripts/local_airflow.py: api-server, scheduler, dag-processor, triggerer) in a temporary
home on a free port, over a copy of the small generated world.

* The UI shows the layers as task groups (read through the REST API's structure endpoint).
* A run builds every layer with one ``dbt build``, scores and publishes.
* The sensors that report the build start in the triggerer: those without an Asset to emit
  never take a worker.
* After one CRM row breaks a ``stg_customers`` test, the next run fails that test's task and
  stops everything built from customers, scoring and publication included. Once the row is
  fixed, clearing the failed task re-runs the test on a worker, and it passes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scripts.local_airflow import free_port
from tests.airflow_server import airflow_env, copy_warehouse, local_airflow
from tests.transform.checks import (
    SCORE_TABLES,
    assert_published,
    break_customers,
    fix_customers,
    query,
)

DAG_ID = "c360_transform"


def _groups(nodes: list[dict]) -> dict[str, list[str]]:
    """Task-group id -> ids of its (leaf) tasks, from the structure's nested nodes."""
    out: dict[str, list[str]] = {}

    def walk(node: dict) -> list[str]:
        children = node.get("children")
        if not children:  # join nodes only draw the group's edges
            return [] if node["id"].endswith("_join_id") else [node["id"]]
        leaves = [leaf for c in children for leaf in walk(c)]
        out[node["id"]] = leaves
        return leaves

    for n in nodes:
        walk(n)
    return out


@pytest.fixture(scope="module")
def airflow(world, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    root = tmp_path_factory.mktemp("scheduler_run")
    db = copy_warehouse(world.db_path, root)
    with local_airflow(airflow_env(root, free_port(), db), (DAG_ID,)) as client:
        client.unpause(DAG_ID)
        yield client, db


def _run(client, as_of: str) -> tuple[str, str, dict[str, dict]]:
    run_id = client.trigger(DAG_ID, {"as_of_date": as_of})
    state = client.wait_for_run(DAG_ID, run_id, timeout=600)
    return run_id, state, {t["task_id"]: t for t in client.task_instances(DAG_ID, run_id)}


def _states(tasks: dict[str, dict]) -> dict[str, str]:
    return {task_id: str(t["state"]) for task_id, t in tasks.items()}


@pytest.mark.airflow_server
@pytest.mark.timeout(900)
def test_ui_shows_the_layers_as_task_groups(airflow):
    client, _ = airflow
    groups = _groups(client.get(f"/ui/structure/structure_data?dag_id={DAG_ID}")["nodes"])
    for group in ("dbt.models.staging", "dbt.models.intermediate", "dbt.models.marts",
                  "dbt.models.features", "dbt.snapshots", "ml_scoring", "publish"):
        assert groups.get(group), (group, sorted(groups))
    assert "dbt.models.staging.crm.stg_customers.run" in groups["dbt.models.staging"]
    assert "dbt.models.staging.crm.crm_customers_source" in groups["dbt.models.staging.crm"]
    assert "dbt.models.marts.fraud.fct_transactions.test" in groups["dbt.models.marts"]
    assert "publish.fct_customer_value_model_build" in groups["publish"]
    from include.c360.ml.tasks import TASKS

    assert set(groups["ml_scoring"]) == {f"ml_scoring.{t}" for t, _ in TASKS}
    # the public tasks endpoint agrees
    tasks = client.get(f"/api/v2/dags/{DAG_ID}/tasks")["tasks"]
    assert {t["task_id"] for t in tasks} == {leaf for g in groups.values() for leaf in g} | {
        "retention_digest"}  # the one task outside a group
    # the Assets the marts update are registered for downstream consumers
    uris = {a["uri"] for a in client.get("/api/v2/assets?limit=100")["assets"]}
    assert "x-c360://warehouse/marts/fct_customer_value" in uris
    assert "x-c360://warehouse/raw/customers" in uris


@pytest.mark.airflow_server
@pytest.mark.timeout(900)
def test_one_dbt_build_then_scoring_and_publication(airflow):
    client, db = airflow
    _, state, tis = _run(client, "2026-11-24")
    tasks = _states(tis)
    assert state == "success", {t: s for t, s in tasks.items() if s != "success"}
    assert all(s == "success" for s in tasks.values())
    assert_published(db, "2026-11-24")
    # the sensors start in the triggerer; only those emitting an Asset finish on a worker
    sensors = {t for t in tasks if t.startswith("dbt.") and t != "dbt.dbt_producer_watcher"
               and not t.endswith(("_run", "_done"))}  # (ephemeral models: no task to run)
    on_worker = {t for t in sensors if tis[t]["hostname"]}
    tables = {t for t in sensors if t.endswith((".run", ".snapshot")) and t.startswith(
        ("dbt.models.marts.", "dbt.models.features.", "dbt.snapshots.", "dbt.models.semantic."))}
    # 5 marts, 3 feature tables, 1 snapshot, the semantic layer's time spine
    assert len(tables) == 10 and on_worker == tables
    assert tis["dbt.dbt_producer_watcher"]["hostname"]


@pytest.mark.airflow_server
@pytest.mark.timeout(900)
def test_failing_dbt_test_stops_its_lineage_scoring_and_publication(airflow):
    client, db = airflow
    before = {t: query(db, f"select count(*) from ml.{t}")[0][0] for t in SCORE_TABLES}
    break_customers(db)
    run_id, state, tis = _run(client, "2026-11-23")
    tasks = _states(tis)
    assert state == "failed"
    assert tasks["dbt.models.staging.crm.stg_customers.test"] == "failed"
    # fct_orders and fct_support_tickets are built from orders and tickets, not customers:
    # they build, and their customer FK tests fail with dim_customers not built
    not_from_customers = ("dbt.models.marts.sales.fct_orders.",
                          "dbt.models.marts.support.fct_support_tickets.")
    for mart in not_from_customers:
        assert tasks[f"{mart}run"] == "success", mart
        assert tasks[f"{mart}test"] == "failed", mart
    built_from_customers = [t for t in tasks if t.startswith((
        "dbt.models.marts.", "dbt.models.features.", "dbt.snapshots.", "ml_scoring.",
        "publish.", "consumers.")) and not t.startswith(not_from_customers)]
    assert {t: tasks[t] for t in built_from_customers if tasks[t] != "upstream_failed"} == {}
    # other lineages were built
    assert tasks["dbt.models.staging.product_catalog.stg_products.test"] == "success"
    assert tasks["dbt.models.staging.crm.crm_customers_source"] == "success"
    # no score of the failed run's date, the previous run's scores untouched
    for table in SCORE_TABLES:
        assert query(db, f"select count(*) from ml.{table} "
                         f"where scored_at::date = date '2026-11-23'")[0][0] == 0, table
        assert query(db, f"select count(*) from ml.{table}")[0][0] == before[table], table

    # fixed: clearing the failed test task runs the test again (Cosmos' retry path), on a worker
    fix_customers(db)
    failed = "dbt.models.staging.crm.stg_customers.test"
    assert client.clear(DAG_ID, run_id, [failed]) == [failed]
    client.wait_for_run(DAG_ID, run_id, timeout=600)
    again = {t["task_id"]: t for t in client.task_instances(DAG_ID, run_id)}[failed]
    assert (again["state"], again["try_number"]) == ("success", 2)
    assert again["hostname"]
