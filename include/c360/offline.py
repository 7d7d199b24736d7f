"""The platform's own path without Airflow, for benchmarks, evaluation and tests: the
generator's exports in a landing folder, loaded by the ingestion's ``ingest()`` (the function
the ingestion DAGs run, load history and all) into a DuckDB warehouse, and dbt run on it.

    wh = build_warehouse(Path("/tmp/w"), scale=0.01, as_of=date(2026, 11, 24))
    wh.dbt("build")                                  # as_of_date = the world's as_of
    wh.db_path, wh.ground_truth                      # the warehouse, the generator's truth
    wh.env()                                         # the environment of Airflow over it

Nothing here replaces the DAGs: it calls the same functions they call, in one process.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class LocalWarehouse:
    """A landing folder, its DuckDB warehouse and the generator's ground truth under ``root``."""

    root: Path
    as_of: date
    raw_rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def db_path(self) -> Path:
        return self.root / "warehouse" / "c360.duckdb"

    @property
    def ground_truth(self) -> Path:
        return self.root / "ground_truth"

    def env(self) -> dict[str, str]:
        """The environment that points every component at this warehouse and landing folder
        (what a local Airflow or ``dag.test()`` over it runs with)."""
        return {**warehouse_env(self.db_path, self.root), "C360_LANDING": str(self.landing)}

    def ingest(self, start: date, end: date) -> dict[str, int]:
        """Load the landing files of the days [start, end] of every source; rows per source."""
        return ingest_landing(self.landing, self.db_path, start, end)

    def dbt(self, *args: str, as_of: date | None = None, timeout: float = 1800
            ) -> subprocess.CompletedProcess:
        """``dbt <args>`` on this warehouse with ``as_of_date`` = ``as_of`` (default: the
        world's); its target and logs under ``root/dbt``."""
        return run_dbt(self.db_path, self.root / "dbt", *args,
                       dbt_vars={"as_of_date": (as_of or self.as_of).isoformat()},
                       timeout=timeout)


def warehouse_env(db_path: Path, data_dir: Path) -> dict[str, str]:
    """The environment that points ingestion, dbt (the ``duckdb_default`` connection Cosmos'
    profile reads), ML scoring and the freshness checks at one DuckDB warehouse file, with the
    models and other data under ``data_dir``."""
    from include.c360.constants import DUCKDB_CONN_ID

    return {"C360_TARGET": "duckdb", "C360_DATA_DIR": str(data_dir),
            "C360_DUCKDB_PATH": str(db_path), "C360_MODELS_DIR": str(data_dir / "models"),
            f"AIRFLOW_CONN_{DUCKDB_CONN_ID.upper()}": json.dumps(
                {"conn_type": "duckdb", "host": str(db_path)})}


def build_warehouse(root: Path, scale: float, as_of: date, seed: int = 42,
                    history_days: int = 730) -> LocalWarehouse:
    """Generate the history up to ``as_of`` (with ground truth) and ingest all of it."""
    from include.c360.generator import GeneratorConfig, generate_history

    root.mkdir(parents=True, exist_ok=True)
    wh = LocalWarehouse(root, as_of)
    t0 = time.perf_counter()
    cfg = GeneratorConfig(seed=seed, scale=scale, as_of=as_of, history_days=history_days)
    generate_history(cfg, str(wh.landing), ground_truth_dir=wh.ground_truth)
    wh.seconds["generate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    wh.raw_rows = wh.ingest(cfg.history_start, as_of)
    wh.seconds["ingest"] = time.perf_counter() - t0
    return wh


def ingest_landing(landing: Path, db_path: Path, start: date, end: date) -> dict[str, int]:
    """Every source's landing files of the days [start, end] into ``raw.<source>`` of a DuckDB
    warehouse with ``ingest()``; a bad file is an error. Rows loaded per source."""
    from include.c360.ingest.config import IngestConfig
    from include.c360.ingest.duckdb_loader import DuckDBLoader
    from include.c360.ingest.run import ingest
    from include.c360.landing import LocalLandingZone
    from include.c360.sources import SOURCES

    config = IngestConfig(lookback_days=0)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    wh = DuckDBLoader(db_path, config)
    zone = LocalLandingZone(landing)
    # the days' partitions, end day included (an interval ending at the next midnight would
    # also list that day's partition)
    interval = (datetime.combine(start, datetime.min.time(), tzinfo=UTC),
                datetime.combine(end, datetime.max.time(), tzinfo=UTC))
    rows: dict[str, int] = {}
    try:
        wh.setup()
        for src in SOURCES:
            report = ingest(src, *interval, zone=zone, wh=wh, config=config, run_id="offline")
            if report.errors:
                raise RuntimeError(f"{src.name}: bad landing files {report.errors}")
            rows[src.name] = report.rows
    finally:
        wh.close()
    return rows


def run_dbt(db_path: Path, workdir: Path, *args: str, dbt_vars: dict[str, Any] | None = None,
            timeout: float = 1800) -> subprocess.CompletedProcess:
    """The project's dbt (``settings().dbt_executable``, its own virtualenv) on a DuckDB file,
    with target and logs under ``workdir``; a failing command raises with dbt's output."""
    from include.c360.config import settings

    s = settings()
    # dbt resolves a relative --target-path against the project directory: absolute paths
    db_path, workdir = Path(db_path).resolve(), Path(workdir).resolve()
    env = {**os.environ, "C360_DUCKDB_PATH": str(db_path), "C360_DBT_TARGET": "duckdb",
           "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [str(s.dbt_executable), *args,
           "--project-dir", str(s.dbt_project_dir), "--profiles-dir", str(s.dbt_project_dir),
           "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars)]
    log.info("running %s", " ".join(cmd))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                          cwd=s.dbt_project_dir.parent)
    if proc.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")
    return proc
