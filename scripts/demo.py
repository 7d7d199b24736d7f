"""`make demo`: the platform end to end on the embedded default, through the local Airflow.

Starts the local Airflow if it is not running, then triggers the platform's DAGs through the
REST API in order and waits for each: generate the seven source systems' exports into the local
landing zone, set up the warehouse, ingest every source. It prints what landed where and leaves
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
    return steps


def summarise() -> None:
    import duckdb

    from include.c360.config import settings
    from include.c360.sources import SOURCES

    cfg = settings()
    print(f"\nlanding zone: {cfg.landing}\nwarehouse:    {cfg.duckdb_path}")
    con = duckdb.connect(str(cfg.duckdb_path), read_only=True)
    try:
        for s in SOURCES:
            n = con.execute(f"select count(*) from raw.{s.name}").fetchone()[0]
            print(f"  raw.{s.name:<16} {n:>12,} rows")
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
        state = client.run_dag(dag_id, conf, timeout=3600)
        print(f"   {state} in {time.monotonic() - t0:.0f}s", flush=True)
        if state != "success":
            failed = dag_id
            break
    print(f"\ndemo {'FAILED at ' + failed if failed else 'finished'} "
          f"in {time.monotonic() - started:.0f}s")
    if not failed:
        summarise()
    print(f"\nAirflow UI: http://localhost:{local_airflow.port()} "
          f"(login admin / {local_airflow.password()})")
    if args.stop:
        local_airflow.stop()
    else:
        print("Airflow keeps running for you to look around; `make airflow-stop` stops it.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
