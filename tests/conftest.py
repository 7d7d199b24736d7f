"""Test-wide set-up: an isolated Airflow home and data dir, so tests never touch the user's."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Before anything imports airflow: a throwaway AIRFLOW_HOME with a SQLite metadata DB.
_HOME = Path(tempfile.mkdtemp(prefix="c360-test-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__COSMOS__CACHE_DIR": str(_HOME / "cosmos_cache"),
        "DO_NOT_TRACK": "1",
        "SCARF_ANALYTICS": "false",
        "C360_DATA_DIR": str(_HOME / "data"),
    }
)
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
)


# --- running whole DAGs with dag.test() --------------------------------------------------------
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date, timedelta  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def migrated_airflow_home(tmp_path_factory) -> Path:
    """An AIRFLOW_HOME with a migrated SQLite metadata DB, shared by the dag.test() runs."""
    home = tmp_path_factory.mktemp("airflow_home")
    env = {**os.environ, "AIRFLOW_HOME": str(home)}  # the SQLite DB follows AIRFLOW_HOME
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=180)
    return home


@pytest.fixture()
def run_dags(migrated_airflow_home):
    """``run_dags(data_dir, (dag_id, run), ...)``: ``dag.test()`` each run in a subprocess.

    ``run`` is a logical date (ISO) or ``{"logical_date": ..., "conf": {...}}``. Returns one
    ``{"dag_id", "state", "tasks": {task_id: state}, "xcom": {task_id: value}}`` per run.
    """

    def run(data_dir: Path, *runs: tuple[str, str | dict], timeout: float = 300,
            dags_folder: Path | None = None, extra_env: dict[str, str] | None = None
            ) -> list[dict]:
        home = migrated_airflow_home
        env = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder or ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "false",
            "PYTHONPATH": str(ROOT),
            "C360_DATA_DIR": str(data_dir),
            "C360_TARGET": "duckdb",
            **(extra_env or {}),
        }
        args = ["--dags", str(dags_folder)] if dags_folder else []
        for dag_id, spec in runs:
            args += [dag_id, spec if isinstance(spec, str) else json.dumps(spec)]
        proc = subprocess.run([sys.executable, "-m", "tests.dag_run", *args], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)
        results = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return results

    return run


# --- one small platform world per session (transform and alerting tests) ---------------------
# The world (generator at scale 0.003 -> landing folder -> the ingestion code's loads into a
# DuckDB file) is built once; each test that changes it works on its own copy of the file.
AS_OF = date(2026, 11, 24)
SCALE = 0.003


@pytest.fixture(scope="session")
def manifest() -> Path:
    from tests.transform.world import ensure_manifest

    return ensure_manifest()


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, manifest: Path):
    from tests.transform.world import build_world

    w = build_world(tmp_path_factory.mktemp("tx_world"), SCALE, AS_OF)
    shutil.rmtree(w.landing)  # loaded; the DAG does not read the landing zone
    return w


# --- the main job's two-day path at a small scale (demo, scorecard and export tests) ----------
DEMO_SCALE = 0.01


@dataclass
class DemoRun:
    root: Path
    db_path: Path
    landing: Path
    env: dict
    stdout: str
    summary: dict
    as_of: date
    day2: date

    def query(self, sql: str, *params) -> list[tuple]:
        import duckdb

        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="session")
def two_day_demo(tmp_path_factory: pytest.TempPathFactory, manifest: Path) -> DemoRun:
    """`scripts/demo.py` (what `make demo` runs) at DEMO_SCALE through a throw-away local
    Airflow: the history to AS_OF, the next day, the docs. Airflow stops once it is done."""
    from scripts.local_airflow import free_port
    from tests.airflow_server import airflow_env, local_airflow

    root = tmp_path_factory.mktemp("demo")
    db = root / "warehouse" / "c360.duckdb"
    env = airflow_env(root, free_port(), db, C360_LANDING=str(root / "landing"))
    with local_airflow(env, ("c360_transform",)):
        proc = subprocess.run(
            [sys.executable, "scripts/demo.py", "--scale", str(DEMO_SCALE), "--as-of",
             AS_OF.isoformat(), "--no-progress"], env=env, cwd=ROOT, capture_output=True,
            text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    summary = json.loads((root / "demo" / "summary.json").read_text())
    return DemoRun(root, db, root / "landing", env, proc.stdout, summary, AS_OF,
                   AS_OF + timedelta(days=1))
