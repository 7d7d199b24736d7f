"""The Airflow UI shows the layers as task groups: read through the running local Airflow's
REST API (scripts/local_airflow.py in a temporary home on a free port)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


@pytest.mark.airflow_server
@pytest.mark.timeout(300)
def test_ui_structure_shows_layer_task_groups(tmp_path, manifest):
    from scripts.airflow_client import AirflowClient

    port = _free_port()
    db = tmp_path / "warehouse" / "c360.duckdb"
    env = {**os.environ, "C360_AIRFLOW_HOME": str(tmp_path / "airflow_home"),
           "C360_AIRFLOW_PORT": str(port), "C360_TARGET": "duckdb",
           "C360_DATA_DIR": str(tmp_path), "C360_DUCKDB_PATH": str(db),
           "AIRFLOW_CONN_DUCKDB_DEFAULT": json.dumps({"conn_type": "duckdb", "host": str(db)}),
           "PYTHONPATH": str(REPO)}
    script = [sys.executable, str(REPO / "scripts" / "local_airflow.py")]
    subprocess.run([*script, "start"], env=env, check=True, capture_output=True, timeout=240)
    try:
        client = AirflowClient(base_url=f"http://127.0.0.1:{port}")
        dag = client.wait_for_dag("c360_transform", timeout=180)
        assert not dag["is_paused"] or dag["dag_id"] == "c360_transform"
        structure = client.get("/ui/structure/structure_data?dag_id=c360_transform")
        groups = _groups(structure["nodes"])
        for group in ("freshness", "staging", "intermediate", "marts", "features", "snapshot",
                      "ml_scoring", "publish"):
            assert groups.get(group), (group, sorted(groups))
        assert "staging.stg_customers_model_build" in groups["staging"]
        assert "marts.fct_transactions_model_build" in groups["marts"]
        assert "publish.fct_customer_value_model_build" in groups["publish"]
        from include.c360.ml.tasks import TASKS

        assert set(groups["ml_scoring"]) == {f"ml_scoring.{t}" for t, _ in TASKS}
        assert len(groups["freshness"]) == 7
        # the public tasks endpoint agrees
        tasks = client.get("/api/v2/dags/c360_transform/tasks")["tasks"]
        assert {t["task_id"] for t in tasks} == {leaf for g in groups.values() for leaf in g}
        # the Assets the marts update are registered for downstream consumers
        assets = client.get("/api/v2/assets?limit=100")["assets"]
        uris = {a["uri"] for a in assets}
        assert "x-c360://warehouse/marts/fct_customer_value" in uris
        assert "x-c360://warehouse/raw/customers" in uris
    finally:
        subprocess.run([*script, "stop"], env=env, capture_output=True, timeout=120)
