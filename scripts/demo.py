"""`make demo`: the platform end to end on the embedded default, through the local Airflow.

Starts the local Airflow if it is not running, then triggers the platform's DAGs through the
REST API in order and waits for each: generate the seven source systems' exports into the local
landing zone, set up the warehouse, ingest every source, then transform (dbt layers through
Cosmos, ML scoring, publication of the Customer 360). It prints what landed where and leaves
Airflow running so the runs can be inspected in the UI (``--stop`` stops it at the end).

    python scripts/demo.py [--scale 1.0] [--seed 42] [--as-of YYYY-MM-DD] [--stop]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts import local_airflow  # noqa: E402
from scripts.airflow_client import AirflowClient  # noqa: E402


def pipeline_steps(args: argparse.Namespace) -> list[tuple[str, dict]]:
    """(dag_id, conf) in the order the demo runs them."""
    from include.c360.sources import SOURCES

    steps = [
        ("c360_generate_sources", {"scale": args.scale, "seed": args.seed,
                                   "as_of": args.as_of.isoformat()}),
        ("c360_setup", {}),
    ]
    # a first load takes the whole history: look back over every partition the backfill wrote
    steps += [(f"c360_ingest_{s.name}", {"lookback_days": 731}) for s in SOURCES]
    steps.append(("c360_transform", {"as_of_date": args.as_of.isoformat()}))
    return steps


def summarise() -> None:
    import duckdb

    from include.c360.config import settings
    from include.c360.sources import SOURCES

    cfg = settings()
    print(f"\nlanding zone: {cfg.landing}\nwarehouse:    {cfg.duckdb_path}")
    tables = [f"raw.{s.name}" for s in SOURCES] + [
        "marts.dim_customers", "marts.fct_orders", "marts.fct_transactions",
        "marts.fct_campaigns", "marts.fct_customer_value", "snapshots.snap_customer_profile",
    ]
    con = duckdb.connect(str(cfg.duckdb_path), read_only=True)
    try:
        for table in tables:
            n = con.execute(f"select count(*) from {table}").fetchone()[0]
            print(f"  {table:<34} {n:>12,} rows")
        print("\nCustomer 360 (marts.fct_customer_value) by ML segment:")
        rows = con.execute("""
            select customer_segment, count(*), round(avg(churn_probability), 3),
                   round(avg(predicted_ltv), 2), round(avg(composite_score), 3)
            from marts.fct_customer_value group by 1 order by 2 desc""").fetchall()
        print(f"  {'segment':<20}{'customers':>10}{'churn p':>9}{'LTV 12m':>11}{'score':>8}")
        for seg, n, churn, ltv, score in rows:
            print(f"  {seg or '-':<20}{n:>10,}{churn or 0:>9}{ltv or 0:>11,}{score or 0:>8}")
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the spec's volumes")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", type=date.fromisoformat,
                        default=datetime.now(UTC).date() - timedelta(days=1),
                        help="last day of the generated history (default: yesterday, UTC)")
    parser.add_argument("--stop", action="store_true", help="stop Airflow at the end")
    args = parser.parse_args(argv)

    if local_airflow.start() != 0:
        return 1
    client = AirflowClient(base_url=f"http://127.0.0.1:{local_airflow.port()}",
                           password=local_airflow.password())
    failed = None
    started = time.monotonic()
    for dag_id, conf in pipeline_steps(args):
        t0 = time.monotonic()
        print(f"-> {dag_id} {conf or ''}", flush=True)
        client.wait_for_dag(dag_id)
        # the transform's own 02:30 run is due on unpausing: the demo's run takes its place
        # (otherwise both would run, one after the other)
        state = client.run_dag(dag_id, conf, timeout=3600,
                               take_due_run=dag_id == "c360_transform")
        print(f"   {state} in {time.monotonic() - t0:.0f}s", flush=True)
        if state != "success":
            failed = dag_id
            break
    print(f"\ndemo {'FAILED at ' + failed if failed else 'finished'} "
          f"in {time.monotonic() - started:.0f}s")
    if failed == "c360_generate_sources":
        print("(the generator never overwrites an export: if data/landing holds the exports of "
              "another --seed/--scale/--as-of, `make clean-data` first or pass the same ones)")
    if not failed:
        # unpausing also starts the DAGs' own scheduled runs: let them finish before reading
        client.wait_until_idle([dag_id for dag_id, _ in pipeline_steps(args)])
        summarise()
    print(f"\nAirflow UI: http://localhost:{local_airflow.port()} "
          f"(login {local_airflow.DEFAULT_USER} / {local_airflow.password()})")
    if args.stop:
        local_airflow.stop()
    else:
        print("Airflow keeps running for you to look around; `make airflow-stop` stops it.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
