"""A small platform world for the transform tests and benchmark: the generator's history
written to a landing folder, loaded into a DuckDB warehouse by the ingestion code (the same
``ingest()`` the ingestion DAGs run, load history and all), plus the dbt manifest.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass
class World:
    root: Path
    landing: Path
    db_path: Path
    as_of: date
    raw_rows: dict[str, int]
    seconds: dict[str, float]

    def env(self) -> dict[str, str]:
        """Environment that points every component (dbt profile, ML, freshness) at the world."""
        conn = ('{"conn_type": "duckdb", "host": "' + str(self.db_path) + '"}')
        return {
            "C360_TARGET": "duckdb",
            "C360_DATA_DIR": str(self.root / "data"),
            "C360_LANDING": str(self.landing),
            "C360_DUCKDB_PATH": str(self.db_path),
            "C360_MODELS_DIR": str(self.root / "models"),
            "AIRFLOW_CONN_DUCKDB_DEFAULT": conn,
            "DO_NOT_TRACK": "1",
        }


def build_world(root: Path, scale: float, as_of: date, seed: int = 42,
                history_days: int = 730) -> World:
    from include.c360.generator import GeneratorConfig, generate_history
    from include.c360.ingest.config import IngestConfig
    from include.c360.ingest.duckdb_loader import DuckDBLoader
    from include.c360.ingest.run import ingest
    from include.c360.landing import LocalLandingZone
    from include.c360.sources import SOURCES

    root.mkdir(parents=True, exist_ok=True)
    landing, db_path = root / "landing", root / "warehouse" / "c360.duckdb"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    cfg = GeneratorConfig(seed=seed, scale=scale, as_of=as_of, history_days=history_days)
    generate_history(cfg, str(landing))
    seconds["generate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    config = IngestConfig(lookback_days=0)
    wh = DuckDBLoader(db_path, config)
    zone = LocalLandingZone(landing)
    start = datetime.combine(as_of - timedelta(days=history_days + 1), datetime.min.time(),
                             tzinfo=UTC)
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    rows: dict[str, int] = {}
    try:
        wh.setup()
        for src in SOURCES:
            report = ingest(src, start, end, zone=zone, wh=wh, config=config, run_id="world")
            if report.errors:
                raise AssertionError(f"{src.name}: bad files {report.errors}")
            rows[src.name] = report.rows
    finally:
        wh.close()
    seconds["ingest"] = time.perf_counter() - t0
    return World(root, landing, db_path, as_of, rows, seconds)


def ensure_manifest() -> Path:
    """The dbt manifest the DAG renders from (built by ``dbt parse`` when missing or stale)."""
    from include.c360.transform.manifest import build_manifest, render_manifest_path

    path = render_manifest_path()
    dbt_dir = REPO / "dbt"
    newest = max(p.stat().st_mtime for p in dbt_dir.rglob("*")
                 if p.is_file() and "target" not in p.parts and "logs" not in p.parts)
    if not path.exists() or path.stat().st_mtime < newest:
        build_manifest()
    return path


if __name__ == "__main__":  # quick manual check: python -m tests.transform.world /tmp/w 0.003
    import sys

    w = build_world(Path(sys.argv[1]), float(sys.argv[2]), date(2026, 11, 24))
    print(w.raw_rows, w.seconds, os.environ.get("C360_DUCKDB_PATH"))
