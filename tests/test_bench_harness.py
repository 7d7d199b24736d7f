"""The ingestion floor of `make bench` (benchmarks/floor/ingest.sql) loads exactly what the
platform's ingestion loads: the same RAW rows, source file and row number included."""

from __future__ import annotations

from datetime import date

import duckdb

from benchmarks.bench_all import floor_ingest
from include.c360.generator import GeneratorConfig, generate_history
from include.c360.offline import ingest_landing
from include.c360.sources import SOURCES


def test_floor_loads_the_platforms_raw_rows(tmp_path):
    cfg = GeneratorConfig(seed=7, scale=0.002, as_of=date(2026, 11, 24), history_days=60)
    landing = tmp_path / "landing"
    generate_history(cfg, str(landing), ground_truth_dir=tmp_path / "truth")
    platform, floor = tmp_path / "platform.duckdb", tmp_path / "floor.duckdb"
    rows = ingest_landing(landing, platform, cfg.history_start, cfg.as_of)
    floor_ingest(landing, floor)

    con = duckdb.connect(str(floor))
    con.execute(f"attach '{platform}' as platform (read_only)")
    for src in SOURCES:
        assert rows[src.name] > 0, src.name
        cols = ", ".join(f'"{c.name}"' for c in src.raw_table_columns if c.name != "_loaded_at")
        for a, b in (("raw", "platform.raw"), ("platform.raw", "raw")):
            extra = con.execute(f"select count(*) from (select {cols} from {a}.{src.name} "
                                f"except all select {cols} from {b}.{src.name})").fetchone()[0]
            assert extra == 0, f"{src.name}: {extra} rows of {a} not in {b}"
