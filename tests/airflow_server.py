"""A throw-away local Airflow for the end-to-end tests: scripts/local_airflow.py (api-server,
scheduler, dag-processor, triggerer) in a temporary home on a free port, over a warehouse file
of the test's own. Stopped (the whole process group) when the block ends, also on failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = [sys.executable, str(REPO / "scripts" / "local_airflow.py")]


def copy_warehouse(db: Path, root: Path) -> Path:
    """A private copy of a warehouse file, where ``airflow_env(root, ...)`` expects it."""
    dest = root / "warehouse" / "c360.duckdb"
    dest.parent.mkdir(parents=True)
    shutil.copy(db, dest)
    return dest


def airflow_env(root: Path, port: int, db: Path, **extra: str) -> dict[str, str]:
    """The environment of an Airflow whose home, data and DuckDB warehouse are under ``root``:
    watcher mode, the transform without retries, only triggered runs (no cron runs)."""
    return {**os.environ, "C360_AIRFLOW_HOME": str(root / "airflow_home"),
            "C360_AIRFLOW_PORT": str(port), "C360_TARGET": "duckdb",
            "C360_DATA_DIR": str(root), "C360_DUCKDB_PATH": str(db),
            "C360_MODELS_DIR": str(root / "models"),
            "AIRFLOW_CONN_DUCKDB_DEFAULT": json.dumps({"conn_type": "duckdb", "host": str(db)}),
            "C360_COSMOS_EXECUTION_MODE": "watcher",
            # a failure must show now, not after the production retries
            "C360_TRANSFORM_RETRIES": "0",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "PYTHONPATH": str(REPO), **extra}


@contextmanager
def local_airflow(env: dict[str, str], dag_ids: tuple[str, ...] = ()) -> Iterator:
    """Start it, wait until ``dag_ids`` are parsed, yield an AirflowClient; stop it after."""
    from scripts.airflow_client import AirflowClient
    from scripts.local_airflow import password

    try:
        subprocess.run([*SCRIPT, "start"], env=env, check=True, capture_output=True,
                       timeout=240)
        client = AirflowClient(base_url=f"http://127.0.0.1:{env['C360_AIRFLOW_PORT']}",
                               password=password(Path(env["C360_AIRFLOW_HOME"])))
        for dag_id in dag_ids:
            client.wait_for_dag(dag_id, timeout=180)
        yield client
    finally:
        subprocess.run([*SCRIPT, "stop"], env=env, capture_output=True, timeout=120)
        for log in sorted((Path(env["C360_AIRFLOW_HOME"]) / "logs").glob("*.log")):
            print(f"--- {log.name} (tail)\n" + "\n".join(log.read_text().splitlines()[-20:]))
