"""The platform's own path to ML inputs, for the ML integration test and evaluation:

    generator (include.c360.generator) -> landing files -> RAW tables (a minimal loader:
    every file of every source in one DuckDB statement per source) -> dbt build (the project's
    staging views, marts and feature tables, as_of_date = the run date)

The loader here is a fixture, not the ingestion DAGs' loader (include/c360/ingest): it reads
each source's files with DuckDB's readers, types the columns from the source registry and fills
the load metadata (_loaded_at = the partition day + 26 h, _source_file, _source_row_number).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DUCKDB_TYPES = {"varchar": "varchar", "int": "bigint", "float": "double", "boolean": "boolean",
                "date": "date", "timestamp": "timestamp"}


@dataclass
class PlatformWorld:
    db_path: Path
    ground_truth_dir: Path
    seconds: dict[str, float]
    raw_rows: dict[str, int]


def generate(landing: Path, ground_truth: Path, scale: float, as_of: date, seed: int = 42
             ) -> None:
    from include.c360.generator import GeneratorConfig
    from include.c360.generator.api import generate_history

    generate_history(GeneratorConfig(seed=seed, scale=scale, as_of=as_of), str(landing),
                     ground_truth_dir=ground_truth)


def load_raw(con: Any, landing: Path) -> dict[str, int]:
    """Every landing file of every source into raw.<source>; returns row counts."""
    from include.c360.sources import SOURCES

    con.execute("create schema if not exists raw")
    counts: dict[str, int] = {}
    for src in SOURCES:
        files = sorted(str(p) for p in (landing / src.name).rglob(f"*{src.file_extension}"))
        cols = src.raw_columns
        ddl = ", ".join(f"{c.name} {DUCKDB_TYPES[c.type]}" for c in src.raw_table_columns)
        con.execute(f"create or replace table raw.{src.name} ({ddl})")
        if not files:
            counts[src.name] = 0
            continue
        file_list = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
        types = "{" + ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.type]}'" for c in cols) + "}"
        if src.file_format == "csv_gzip":
            reader = (f"read_csv({file_list}, header = true, columns = {types}, "
                      "filename = true, quote = '\"', escape = '\"')")
        elif src.file_format == "ndjson_gzip":
            reader = (f"read_json({file_list}, format = 'newline_delimited', "
                      f"columns = {types}, filename = true)")
        else:
            reader = f"read_parquet({file_list}, filename = true, union_by_name = true)"
        select = ", ".join(f"cast({c.name} as {DUCKDB_TYPES[c.type]})" for c in cols)
        root = str(landing) + "/"
        con.execute(f"""
            insert into raw.{src.name}
            select
                {select},
                cast(regexp_extract(filename, 'dt=([0-9-]+)', 1) as timestamp)
                    + interval 26 hour as _loaded_at,
                replace(filename, '{root}', '') as _source_file,
                row_number() over (partition by filename) as _source_row_number
            from {reader}
        """)
        counts[src.name] = con.execute(f"select count(*) from raw.{src.name}").fetchone()[0]
    return counts


def dbt(db_path: Path, workdir: Path, *args: str, timeout: int = 900
        ) -> subprocess.CompletedProcess:
    exe = Path(os.environ.get("C360_DBT_EXECUTABLE", REPO / ".venv-dbt" / "bin" / "dbt"))
    env = {**os.environ, "C360_DUCKDB_PATH": str(db_path), "C360_DBT_TARGET": "duckdb",
           "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [str(exe), *args, "--project-dir", str(REPO / "dbt"), "--profiles-dir",
           str(REPO / "dbt"), "--target-path", str(workdir / "dbt_target"),
           "--log-path", str(workdir / "dbt_logs")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                          cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-5000:]}\n{proc.stderr[-2000:]}")
    return proc


def build_platform_world(workdir: Path, scale: float, as_of: date, seed: int = 42,
                         select: str = "+feat_customer_segmentation +feat_fraud_behavior",
                         ) -> PlatformWorld:
    """Generate, load and dbt-build a world into ``workdir/warehouse.duckdb``."""
    import duckdb

    workdir.mkdir(parents=True, exist_ok=True)
    landing, truth, db_path = workdir / "landing", workdir / "ground_truth", \
        workdir / "warehouse.duckdb"
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    generate(landing, truth, scale, as_of, seed)
    seconds["generate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    db_path.unlink(missing_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        counts = load_raw(con, landing)
    finally:
        con.close()
    seconds["load_raw"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # cautious: a relationships test runs only when every model it touches was selected
    dbt(db_path, workdir, "build", "--select", *select.split(), "--indirect-selection",
        "cautious", "--vars", json.dumps({"as_of_date": as_of.isoformat()}))
    seconds["dbt_build"] = time.perf_counter() - t0
    return PlatformWorld(db_path, truth, seconds, counts)
