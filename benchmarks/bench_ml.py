r"""Benchmark: train and score all four ML models at the spec's full scale (270K customers).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_ml.py                # generated, scale 1.0
    PYTHONPATH=. .venv/bin/python benchmarks/bench_ml.py --duckdb data/warehouse/c360.duckdb

By default it builds the input the platform's way once and caches it under data/bench_ml/:
the generator's history at --scale, loaded by the ingestion's ``ingest()``, and ``dbt run`` of
the feature models (include/c360/offline.py; setup, not timed). --duckdb runs on a copy of a
warehouse the platform built (its feature tables built as of --as-of). It then times the four
task callables (train + version + register + score + write back) in the order the transform
DAG runs them, and prints PASS/FAIL against the target: all four trained and scored in
<= 60 s. Timings on a shared machine are noisy: run it twice and read the second.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 60.0


def main(argv: list[str] | None = None) -> int:
    """Build (or copy) the input, then time the four tasks: one linear script, in the order it
    prints (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--duckdb", type=Path, help="a platform-built warehouse (copied)")
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "bench_ml")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached world")
    args = parser.parse_args(argv)

    import os

    import duckdb

    from include.c360.ml import tasks
    from include.c360.ml.config import MLConfig
    from include.c360.warehouse import DuckDBWarehouse

    args.work.mkdir(parents=True, exist_ok=True)
    run_db = args.work / "bench_run.duckdb"
    if args.duckdb:
        source = args.duckdb
        print(f"input: platform warehouse {source} (copied to {run_db})")
    else:
        from include.c360.offline import LocalWarehouse, build_warehouse

        world = LocalWarehouse(args.work / f"world_scale_{args.scale:g}", args.as_of)
        if args.rebuild or not world.db_path.exists():
            world = build_warehouse(world.root, args.scale, args.as_of)
            t0 = time.perf_counter()
            world.dbt("seed")
            world.dbt("run", "--select", "+feat_customer_segmentation", "+feat_fraud_behavior",
                      "+feat_customer_history")
            world.seconds["dbt_run"] = time.perf_counter() - t0
            print("built with the platform (setup, not timed below): " + ", ".join(
                f"{k} {v:.1f} s" for k, v in world.seconds.items()))
        source = world.db_path
        print(f"input: generator (scale {args.scale:g}) -> ingestion -> dbt run of the "
              "feature models")
    shutil.copyfile(source, run_db)
    con = duckdb.connect(str(run_db), read_only=True)
    try:
        for table in ("feat_customer_segmentation", "feat_fraud_behavior",
                      "feat_customer_history"):
            n = con.execute(f"select count(*) from features.{table}").fetchone()[0]
            print(f"  features.{table:27s} {n:>12,d} rows")
    finally:
        con.close()

    cfg = MLConfig(models_dir=args.work / "models")
    print(f"\nmachine: {os.cpu_count()} cores (shared; timings are noisy)")
    wh = DuckDBWarehouse(run_db)
    seconds: dict[str, float] = {}
    try:
        for name, fn in tasks.TASKS:
            t0 = time.perf_counter()
            summary = fn(args.as_of.isoformat(), cfg=cfg, wh=wh)
            seconds[name] = time.perf_counter() - t0
            phases = ", ".join(f"{k} {v:.1f}" for k, v in summary["seconds"].items())
            print(f"{name:17s} {seconds[name]:6.1f} s  rows={summary['rows']:,}  ({phases})")
    finally:
        wh.close()
    models = sum(seconds.values())
    verdict = "PASS" if models <= TARGET_SECONDS else "FAIL"
    print(f"\nall four models trained + scored: {models:.1f} s  (target <= "
          f"{TARGET_SECONDS:.0f} s): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
