"""Benchmark the dbt project on DuckDB: full build vs one incremental day.

Given a DuckDB warehouse whose RAW schema is loaded (full scale: ~15M rows), on a COPY of it:

1. ``dbt build --full-refresh`` of the whole project (as_of = the last loaded day) — T_full;
2. one more day lands in RAW: the generator's next-day increment when this script generated
   the data (``--generate-scale``), otherwise a synthetic day (the last day's transactions
   again, one day later, new ids, loaded one day after the newest load);
3. the incremental one-day build — T_incr: ``dbt build --select
   config.materialized:incremental dim_customers fct_orders``: fct_transactions' merge of the
   day with its unit test and all its data tests, and the two tables its relationships tests
   point to (rebuilt, with their tests), without which a new day's payments of new customers or
   orders fail those tests;
4. for reference: ``dbt run --select fct_transactions`` (the merge alone, same window again:
   the merge is idempotent), ``dbt build --select +fct_transactions`` (the merge with every
   model it depends on, rebuilt, and their tests) and the whole project's daily build.

Prints the figures and T_incr / T_full (target <= 15%). Never a timed assertion.

    python benchmarks/bench_dbt.py --duckdb data/warehouse.duckdb
    python benchmarks/bench_dbt.py --generate-scale 0.01      # self-contained, small scale
                                                              # (generator -> ingest())
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
# the incremental models and the tables fct_transactions' relationships tests point to
INCREMENTAL_DAY = ("config.materialized:incremental", "dim_customers", "fct_orders")


@dataclass
class Timing:
    label: str
    seconds: float
    nodes: int


def _dbt(db_path: Path, workdir: Path, label: str, *args: str) -> Timing:
    from include.c360.offline import run_dbt

    start = time.perf_counter()
    try:
        run_dbt(db_path, workdir, *args)
    except RuntimeError as err:
        raise SystemExit(f"{label}: {err}") from None
    seconds = time.perf_counter() - start
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    return Timing(label, seconds, len(results))


def _raw_counts(db_path: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        ]
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def _last_day(db_path: Path) -> date:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(
            "select cast(max(transaction_date) as date) from raw.transactions"
        ).fetchone()[0]
    finally:
        con.close()


def _synthetic_day(db_path: Path, day: date) -> dict[str, int]:
    """The last day's payments and clickstream again one day later, new ids, in one new load
    a day after the newest one: one day of appended volume."""
    import duckdb

    nxt = day + timedelta(days=1)
    con = duckdb.connect(str(db_path))
    added = {}
    try:
        for table, key, ts in (
            ("transactions", "transaction_id", "transaction_date"),
            ("events", "event_id", "event_timestamp"),
        ):
            before = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            con.execute(f"""
                insert into raw.{table} by name
                select * replace (
                    {key} || '-next' as {key},
                    {ts} + interval 1 day as {ts},
                    (select max(_loaded_at) from raw.{table}) + interval 1 day as _loaded_at,
                    '{table}/dt={nxt}/synthetic' as _source_file
                )
                from raw.{table}
                where cast({ts} as date) = date '{day}'
            """)
            added[table] = con.execute(f"select count(*) from raw.{table}").fetchone()[0] - before
        return added
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    """The benchmark as one script, in the order it prints its steps (module docstring): long
    because each step is one dbt call with its own label, not because it branches."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--duckdb",
        type=Path,
        default=None,
        help="warehouse with RAW loaded (default: settings().duckdb_path)",
    )
    p.add_argument(
        "--generate-scale",
        type=float,
        default=None,
        help="generate and load a world of this scale instead (small-scale runs)",
    )
    p.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=date(2026, 11, 24),
        help="last history day when generating",
    )
    p.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the copy and dbt's target go (default: a temp dir)",
    )
    p.add_argument("--keep", action="store_true", help="keep the working copy")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.path.insert(0, str(REPO))

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_dbt_"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.duckdb"
    try:
        landing = None
        if args.generate_scale is not None:
            from include.c360.generator import GeneratorConfig, generate_history
            from include.c360.offline import ingest_landing

            cfg = GeneratorConfig(seed=42, scale=args.generate_scale, as_of=args.as_of)
            landing = workdir / "landing"
            t0 = time.perf_counter()
            generate_history(cfg, str(landing), ground_truth_dir=workdir / "ground_truth")
            ingest_landing(landing, db, cfg.history_start, args.as_of)
            log.info(
                "generated and loaded scale %s in %.1f s",
                args.generate_scale,
                time.perf_counter() - t0,
            )
            day = args.as_of
        else:
            from include.c360.config import settings

            source = args.duckdb or Path(settings().duckdb_path)
            if not source.exists():
                raise SystemExit(
                    f"no warehouse at {source}: load RAW first or use --generate-scale"
                )
            shutil.copyfile(source, db)
            day = _last_day(db)
        raw = _raw_counts(db)
        log.info("RAW rows: %s (total %s)", raw, f"{sum(raw.values()):,}")

        full = _dbt(
            db,
            workdir,
            "full build",
            "build",
            "--full-refresh",
            "--vars",
            json.dumps({"as_of_date": day.isoformat()}),
        )
        nxt = day + timedelta(days=1)
        if landing is not None:
            from include.c360.generator import generate_day
            from include.c360.offline import ingest_landing

            generate_day(cfg, nxt, str(landing))
            added = ingest_landing(landing, db, nxt, nxt)
            log.info("next-day increment (generator): %s", added)
        else:
            log.info("next-day increment (synthetic): %s", _synthetic_day(db, day))
        vars_next = json.dumps({"as_of_date": nxt.isoformat()})
        incr = _dbt(
            db,
            workdir,
            "incremental day: build incremental + FK targets",
            "build",
            "--select",
            *INCREMENTAL_DAY,
            "--vars",
            vars_next,
        )
        model = _dbt(
            db,
            workdir,
            "  fct_transactions merge alone (dbt run)",
            "run",
            "--select",
            "fct_transactions",
            "--vars",
            vars_next,
        )
        upstream = _dbt(
            db,
            workdir,
            "  build +fct_transactions (with upstream)",
            "build",
            "--select",
            "+fct_transactions",
            "--vars",
            vars_next,
        )
        daily = _dbt(db, workdir, "  daily build, whole project", "build", "--vars", vars_next)
        print(f"{'step':46s} {'seconds':>9s} {'nodes':>6s} {'/ full':>7s}")
        for t in (full, incr, model, upstream, daily):
            print(f"{t.label:46s} {t.seconds:9.1f} {t.nodes:6d} {t.seconds / full.seconds:7.1%}")
        ratio = incr.seconds / full.seconds
        print(
            f"T_full {full.seconds:.1f} s, T_incr {incr.seconds:.1f} s: incremental day / full "
            f"build = {ratio:.1%} (target <= 15%: {'PASS' if ratio <= 0.15 else 'FAIL'}; "
            "one noisy run on a shared machine)"
        )
        return 0
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
