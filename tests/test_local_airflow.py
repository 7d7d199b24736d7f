"""`make airflow` / `make airflow-stop`: the real local Airflow comes up, runs a DAG, and goes away.

Starts api-server, scheduler, dag-processor and triggerer through scripts/local_airflow.py in a
temporary AIRFLOW_HOME on a free port, triggers a project DAG through the REST API, waits for
`success`, then stops and checks that no process of the group (or with that AIRFLOW_HOME) is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from scripts.airflow_client import AirflowApiError, AirflowClient
from scripts.local_airflow import free_port, password

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "local_airflow.py"
DAG_TO_RUN = "c360_setup"  # a real DAG of the project that is quick on the embedded default
SCHEDULED_DAG = "c360_ingest_products"  # weekly: its latest slot is due when it is unpaused

pytestmark = [pytest.mark.airflow_server, pytest.mark.timeout(600)]


def _processes_with_home(home: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get("AIRFLOW_HOME") == str(home):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


@pytest.fixture()
def local_airflow(tmp_path):
    home = tmp_path / "airflow_home"
    port = free_port()
    env = {
        **os.environ,
        "C360_AIRFLOW_HOME": str(home),
        "C360_AIRFLOW_PORT": str(port),
        "C360_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("AIRFLOW_HOME", None)  # the script sets its own
    run = lambda cmd: subprocess.run(  # noqa: E731
        [sys.executable, str(SCRIPT), cmd], env=env, capture_output=True, text=True, timeout=300
    )
    started = run("start")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"http://localhost:{port}" in started.stdout
        secret = (home / ".admin_password").read_text().strip()  # made for this home
        assert len(secret) >= 32 and f"login: admin / {secret}" in started.stdout
        yield {"home": home, "port": port, "pgid": int((home / "airflow.pgid").read_text())}
    finally:
        stopped = run("stop")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        for log in sorted((home / "logs").glob("*.log")):
            print(f"--- {log.name} (tail)\n" + "\n".join(log.read_text().splitlines()[-15:]))


def test_ui_up_dag_runs_to_success_and_stop_leaves_nothing(local_airflow):
    port, home, pgid = local_airflow["port"], local_airflow["home"], local_airflow["pgid"]
    client = AirflowClient(base_url=f"http://127.0.0.1:{port}", password=password(home))
    with pytest.raises(AirflowApiError, match="HTTP 401"):  # no fixed default login
        AirflowClient(base_url=f"http://127.0.0.1:{port}", password="admin").token()

    health = client.get("/api/v2/monitor/health")
    for component in ("metadatabase", "scheduler", "triggerer", "dag_processor"):
        assert health[component]["status"] == "healthy", health

    # the task execution API was built during start, before any task asked it
    api_log = (home / "logs" / "api-server.log").read_text()
    assert "path=/execution/health" in api_log
    assert "path=/execution/task-instances" not in api_log

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as resp:
        assert resp.status == 200 and b"<html" in resp.read().lower()

    # the pools/connections of airflow_settings.yaml were applied
    pools = {p["name"]: p["slots"] for p in client.get("/api/v2/pools")["pools"]}
    assert pools.get("duckdb_warehouse") == 1
    conns = {c["connection_id"] for c in client.get("/api/v2/connections")["connections"]}
    assert {"duckdb_default", "snowflake_default", "aws_default", "smtp_default"} <= conns

    state = client.run_dag(DAG_TO_RUN, timeout=300)
    assert state == "success"

    # a scheduled DAG whose slot is due on unpausing: the triggered run takes its place (the
    # demo does this for the transform) instead of a second, scheduled run after it
    due = client.due_logical_date(SCHEDULED_DAG)
    assert due is not None
    assert client.run_dag(SCHEDULED_DAG, timeout=300, take_due_run=True) == "success"
    time.sleep(8)  # a few scheduler loops: no other run appears
    runs = client.get(f"/api/v2/dags/{SCHEDULED_DAG}/dagRuns")["dag_runs"]
    assert [(r["run_type"], r["logical_date"]) for r in runs] == [
        ("manual", due.replace("+00:00", "Z"))], runs
    assert client.due_logical_date(SCHEDULED_DAG) is None  # that slot is taken now

    # stop (the fixture's teardown) must leave nothing: do it here to assert on it
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "stop"],
        env={**os.environ, "C360_AIRFLOW_HOME": str(home), "C360_AIRFLOW_PORT": str(port)},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    time.sleep(1)
    try:
        os.killpg(pgid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    leftovers = _processes_with_home(home)
    for proc in leftovers:  # never leave strays behind even when the assertion fails
        proc.send_signal(signal.SIGKILL)
    assert not alive, f"process group {pgid} still has processes"
    assert not leftovers, f"processes left with AIRFLOW_HOME={home}: {leftovers}"
