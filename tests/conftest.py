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
    """``run_dags(data_dir, (dag_id, run), ...)``: ``dag.test()`` each run in a subprocess
    (``tests/dag_run.py``, the tests' one DAG runner).

    ``run`` is a logical date (ISO) or ``{"logical_date": ..., "conf": {...}}``. Returns one
    ``{"dag_id", "state", "seconds", "tasks": {task_id: state}, "xcom": {task_id: value}}`` per
    run. ``dag_file``: parse only that file of the DAG folder.
    """

    def run(data_dir: Path, *runs: tuple[str, str | dict], timeout: float = 300,
            dags_folder: Path | None = None, dag_file: str | None = None,
            extra_env: dict[str, str] | None = None) -> list[dict]:
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
        args += ["--file", dag_file] if dag_file else []
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
    """The dbt manifest the DAG renders from (built by ``dbt parse`` when missing or stale)."""
    from include.c360.transform.manifest import build_manifest, render_manifest_path

    path = render_manifest_path()
    dbt_dir = ROOT / "dbt"
    newest = max(p.stat().st_mtime for p in dbt_dir.rglob("*")
                 if p.is_file() and "target" not in p.parts and "logs" not in p.parts)
    if not path.exists() or path.stat().st_mtime < newest:
        build_manifest()
    return path


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, manifest: Path):
    """The generator's history up to AS_OF at SCALE, loaded by the ingestion's ingest()
    (include/c360/offline.py): a LocalWarehouse."""
    from include.c360.offline import build_warehouse

    w = build_warehouse(tmp_path_factory.mktemp("tx_world"), SCALE, AS_OF)
    shutil.rmtree(w.landing)  # loaded; the DAG does not read the landing zone
    return w


@pytest.fixture(scope="session")
def dag_bag():
    """Every DAG file of dags/, loaded as the DAG processor loads them."""
    from scripts.dag_bag import load_dags

    return load_dags()


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
