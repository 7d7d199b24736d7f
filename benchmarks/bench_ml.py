r"""Benchmark: train and score all four ML models at the spec's full scale (270K customers).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_ml.py                # synthetic, scale 1.0
    PYTHONPATH=. .venv/bin/python benchmarks/bench_ml.py --platform     # generator+dbt, 1.0
    PYTHONPATH=. .venv/bin/python benchmarks/bench_ml.py --duckdb data/warehouse/c360.duckdb

By default it synthesises the staging tables and the two feature tables at full scale with
tests/ml/world.py (the platform's generator + loader + dbt are not used; the output says so).
--platform builds them the platform's way instead: the generator's landing files, a minimal
RAW loader and ``dbt build`` of the feature models (tests/ml/platform_world.py). Either is
built once and cached under data/bench_ml/. --duckdb runs on a copy of a warehouse the
platform built (staging views + dbt feature tables). It then times the four task callables
(train + version + register + score + write back) in the order the transform DAG runs them,
and prints PASS/FAIL against the target: all four trained and scored in <= 60 s.
Timings on a shared machine are noisy: run it twice and read the second.
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--duckdb", type=Path, help="a platform-built warehouse (copied)")
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "bench_ml")
    parser.add_argument("--platform", action="store_true",
                        help="generator -> RAW -> dbt instead of the synthetic world")
    parser.add_argument("--rebuild", action="store_true", help="re-synthesise the world")
    args = parser.parse_args(argv)

    import os

    import duckdb

    from include.c360.ml import tasks
    from include.c360.ml.config import MLConfig
    from include.c360.ml.warehouse import DuckDBWarehouse

    args.work.mkdir(parents=True, exist_ok=True)
    run_db = args.work / "bench_run.duckdb"
    if args.duckdb:
        source = args.duckdb
        print(f"input: platform warehouse {source} (copied to {run_db})")
    elif args.platform:
        workdir = args.work / f"platform_scale_{args.scale:g}"
        source = workdir / "warehouse.duckdb"
        if args.rebuild or not source.exists():
            from tests.ml import platform_world

            built = platform_world.build_platform_world(workdir, args.scale, args.as_of)
            print("built with the platform (setup, not timed below): " + ", ".join(
                f"{k} {v:.1f} s" for k, v in built.seconds.items()))
        print(f"input: generator (scale {args.scale:g}) -> minimal RAW loader -> dbt build of "
              "staging views and feature tables")
    else:
        source = args.work / f"world_scale_{args.scale:g}.duckdb"
        if args.rebuild or not source.exists():
            source.unlink(missing_ok=True)
            from tests.ml import world

            t0 = time.perf_counter()
            world.make_world_db(source, world.WorldSpec(scale=args.scale, as_of=args.as_of))
            print(f"synthesised staging + feature tables in {time.perf_counter() - t0:.1f} s "
                  "(setup, not timed below)")
        print("input: SYNTHETIC staging and feature tables (tests/ml/world.py at scale "
              f"{args.scale:g}), not the generator -> loader -> dbt pipeline")
    shutil.copyfile(source, run_db)
    con = duckdb.connect(str(run_db), read_only=True)
    try:
        for table in ("stg_customers", "stg_orders", "stg_transactions", "stg_events",
                      "stg_campaigns", "stg_support_tickets"):
            n = con.execute(f"select count(*) from staging.{table}").fetchone()[0]
            print(f"  staging.{table:20s} {n:>12,d} rows")
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
    snapshot = seconds.pop("snapshot_staging", 0.0)
    models = sum(seconds.values())
    verdict = "PASS" if models <= TARGET_SECONDS else "FAIL"
    print(f"\nall four models trained + scored: {models:.1f} s  (target <= "
          f"{TARGET_SECONDS:.0f} s): {verdict}")
    print(f"plus reading the staging views once (snapshot_staging): {snapshot:.1f} s -> "
          f"{models + snapshot:.1f} s for the whole ML step")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
